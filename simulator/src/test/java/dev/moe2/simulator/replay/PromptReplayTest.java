package dev.moe2.simulator.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moe2.profiles.workload.SharedData;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PromptReplayTest {

  private static final Path ROUTERDC = SharedData.routerDc(SharedData.dir().toAbsolutePath());

  private static Set<String> questions(List<PromptReplay.Prompt> ps) {
    Set<String> out = new HashSet<>();
    ps.forEach(p -> out.add(p.category() + "|" + p.question()));
    return out;
  }

  @Test
  void load_skippingTheFirstDraw_sharesNoPromptWithItAndLeavesItUnchanged() {
    List<PromptReplay.Prompt> timed = PromptReplay.load(ROUTERDC, 20, 1);
    List<PromptReplay.Prompt> warm = PromptReplay.load(ROUTERDC, 10, 1, 20);

    assertThat(PromptReplay.load(ROUTERDC, 20, 1, 0)).isEqualTo(timed);
    assertThat(warm).hasSize(40);
    assertThat(questions(warm)).doesNotContainAnyElementsOf(questions(timed));
    // the warm-up draw is the next part of the same shuffled order
    assertThat(questions(PromptReplay.load(ROUTERDC, 30, 1))).containsAll(questions(warm));
  }

  @Test
  void load_skippingPastAFile_givesWhatIsLeft() {
    // HumanEval's test file has fewer than 1,000 prompts: nothing of code is left
    List<PromptReplay.Prompt> rest = PromptReplay.load(ROUTERDC, 5, 1, 1000);

    assertThat(rest).noneMatch(p -> p.category().equals("code"));
  }

  @Test
  void load_negativeSkip_isRefusedNamingTheValues() {
    assertThatThrownBy(() -> PromptReplay.load(ROUTERDC, 5, 1, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
  }

  @Test
  void serverTiming_orchestratorsHeader_givesEachMetricInMilliseconds() {
    assertThat(
            PromptReplay.serverTiming(
                "embed;dur=3.912, select;dur=0.611, experts;dur=3.702, total;dur=9.812"))
        .containsExactly(
            org.assertj.core.api.Assertions.entry("embed", 3.912),
            org.assertj.core.api.Assertions.entry("select", 0.611),
            org.assertj.core.api.Assertions.entry("experts", 3.702),
            org.assertj.core.api.Assertions.entry("total", 9.812));
  }

  @Test
  void serverTiming_descriptionsMissingOrBadDurations_keepsOnlyTheReadableOnes() {
    assertThat(PromptReplay.serverTiming("cache;desc=\"hit\", db;dur=x, app;desc=a;DUR=2.5"))
        .containsOnlyKeys("app")
        .containsEntry("app", 2.5);
    assertThat(PromptReplay.serverTiming(null)).isEmpty();
    assertThat(PromptReplay.serverTiming(" ")).isEmpty();
  }

  @Test
  void p50Ms_answeredOutcomesWithTheValue_isTheirMedianAndNaNWithoutAny() {
    PromptReplay.Prompt p = new PromptReplay.Prompt("math", "2+2?", java.util.Map.of());
    java.util.function.BiFunction<Integer, Double, PromptReplay.Outcome> outcome =
        (status, experts) ->
            new PromptReplay.Outcome(
                p,
                status,
                null,
                null,
                0,
                0,
                0,
                0,
                0,
                10,
                0,
                null,
                experts == null ? java.util.Map.of() : java.util.Map.of("experts", experts));
    List<PromptReplay.Outcome> all =
        List.of(
            outcome.apply(200, 3.0),
            outcome.apply(200, 5.0),
            outcome.apply(200, 4.0),
            outcome.apply(200, null),
            outcome.apply(503, 90.0));

    assertThat(PromptReplay.p50Ms(all, o -> o.serverTimingMs().get("experts")))
        .isCloseTo(4.0, org.assertj.core.api.Assertions.within(0.01));
    assertThat(PromptReplay.p50Ms(all.subList(3, 5), o -> o.serverTimingMs().get("experts")))
        .isNaN();
  }
}
