package dev.moe2.orchestrator.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moe2.orchestrator.routing.AnswerCombiner.Combined;
import dev.moe2.orchestrator.routing.AnswerCombiner.Rule;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerCombinerTest {

  record A(String expert, String text, double q) {}

  private static Combined<A> combine(A... answers) {
    return AnswerCombiner.combine(List.of(answers), A::text, A::q);
  }

  @Test
  void combine_oneExpert_returnsItsAnswerAsIs() {
    A only = new A("zephyr", "whatever it says", 0.2);

    Combined<A> c = combine(only);

    assertThat(c.answer()).isSameAs(only);
    assertThat(c.rule()).isEqualTo(Rule.SINGLE);
  }

  @Test
  void combine_multipleChoiceInDifferentSpellings_votesOverNormalisedLetters() {
    A a = new A("a", "(B)", 0.5);
    A b = new A("b", "The answer is b.", 0.3);
    A c = new A("c", "C", 0.6);

    Combined<A> out = combine(c, a, b);

    assertThat(out.rule()).isEqualTo(Rule.OPTION_VOTE);
    assertThat(out.key()).isEqualTo("B");
    assertThat(out.answer()).isSameAs(a); // the highest q among the B answers
  }

  @Test
  void combine_optionVoteTied_theOptionWithTheStrongerSupporterWins() {
    A a = new A("a", "A", 0.25);
    A b = new A("b", "B", 0.375);

    Combined<A> out = combine(new A("a2", "A", 0.25), a, new A("b2", "B", 0.125), b);

    assertThat(out.key()).isEqualTo("B");
    assertThat(out.answer()).isSameAs(b);
  }

  @Test
  void combine_equalQualityTie_keepsTheEarlierAnswer() {
    A first = new A("first", "A", 0.5);
    A second = new A("second", "B", 0.5);

    assertThat(combine(first, second).answer()).isSameAs(first);
  }

  @Test
  void combine_numericAnswers_votesOverTheNormalisedFinalNumber() {
    A a = new A("a", "She pays 3 * 400 = 1200 plus 50. #### 1,250", 0.3);
    A b = new A("b", "3 boxes cost 1200; total 1250.0", 0.35);
    A c = new A("c", "The total is 1200 dollars", 0.6);

    Combined<A> out = combine(c, a, b);

    assertThat(out.rule()).isEqualTo(Rule.NUMBER_VOTE);
    assertThat(out.key()).isEqualTo("1250");
    assertThat(out.answer()).isSameAs(b);
  }

  @Test
  void combine_freeTextOrCode_returnsTheHighestQuality() {
    A a = new A("a", "def add(a, b):\n    return a + b", 0.4);
    A b = new A("b", "def add(x, y):\n    return x + y  # sum", 0.7);

    Combined<A> out = combine(a, b);

    assertThat(out.rule()).isEqualTo(Rule.HIGHEST_Q);
    assertThat(out.answer()).isSameAs(b);
    assertThat(out.key()).isNull();
  }

  @Test
  void combine_optionMixedWithFreeText_fallsBackToHighestQuality() {
    A option = new A("a", "C", 0.9);
    A prose = new A("b", "It depends on the context of the question", 0.95);

    assertThat(combine(option, prose).answer()).isSameAs(prose);
  }

  @Test
  void combine_oneWordAnswers_voteLikeOptions() {
    Combined<A> out =
        combine(new A("a", "Paris.", 0.3), new A("b", "paris", 0.3), new A("c", "Lyon", 0.5));

    assertThat(out.rule()).isEqualTo(Rule.OPTION_VOTE);
    assertThat(out.key()).isEqualTo("PARIS");
  }

  @Test
  void combine_noAnswers_isRefused() {
    assertThatThrownBy(() -> AnswerCombiner.combine(List.<A>of(), A::text, A::q))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("answers is empty");
  }

  @Test
  void number_variants_normalise() {
    assertThat(AnswerCombiner.number("#### 1,000")).isEqualTo("1000");
    assertThat(AnswerCombiner.number("x = -2.50")).isEqualTo("-2.5");
    assertThat(AnswerCombiner.number("12.0 apples")).isEqualTo("12");
    assertThat(AnswerCombiner.number("no digits here")).isNull();
  }
}
