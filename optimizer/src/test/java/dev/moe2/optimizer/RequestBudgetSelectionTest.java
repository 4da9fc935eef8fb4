package dev.moe2.optimizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.moe2.optimizer.FineSelector.RequestBudget;
import dev.moe2.optimizer.RequestChoice.CapBound;
import dev.moe2.optimizer.RequestChoice.CappedPick;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The fine level under one request's own budgets: worst case, exact subset, output caps. */
class RequestBudgetSelectionTest {

  static final LinkSpec LAN = new LinkSpec(0.002, 12.5e6);
  static final AggregationTime AGG = new AggregationTime(0.02, 0.01);

  static RequestCandidate cand(String model, String device, Rates r, int prompt, double queueS) {
    return new RequestCandidate(new Expert(model, device, "maxn", 0, 0), r, LAN, 4, prompt, queueS);
  }

  // 0.05 s ttft, 1000 tok/s prefill, 50 tok/s decode, 40 W
  static final Rates R = new Rates(0.05, 1000, 50, 40);

  @Test
  void worstCase_realPromptAndOutput_delayAndEnergyFromTheRates() {
    RequestCandidate c = cand("a", "d1", R, 300, 0.1);

    double compute = 0.05 + 300 / 1000.0 + 16 / 50.0;
    assertThat(c.delayS(16)).isCloseTo(0.1 + 0.002 + (316 * 4) / 12.5e6 + compute, within(1e-12));
    assertThat(c.energyJ(16)).isCloseTo(40 * compute, within(1e-12));
    assertThat(c.withPromptTokens(1200).energyJ(16)).isGreaterThan(c.energyJ(16));
  }

  @Test
  void maxOutput_budgetExactlyMet_capIsThatLength() {
    RequestCandidate c = cand("a", "d1", R, 100, 0);
    double energyAt20 = c.energyJ(20);

    assertThat(c.maxOutput(100, energyAt20, 1000)).isEqualTo(20);
    assertThat(c.maxOutput(c.delayS(33), 1e9, 1000)).isEqualTo(33);
    assertThat(c.maxOutput(100, 1e9, 7)).as("never above the requested length").isEqualTo(7);
  }

  @Test
  void maxOutput_prefillAloneOverBudget_minusOne() {
    RequestCandidate c = cand("a", "d1", R, 5000, 0); // 5 s of prefill

    assertThat(c.maxOutput(1.0, 1e9, 100)).isEqualTo(-1);
    assertThat(c.maxOutput(100, c.energyJ(0) - 1e-3, 100)).isEqualTo(-1);
  }

  @Test
  void maxOutput_onlyAnEmptyAnswerFits_zero() {
    RequestCandidate c = cand("a", "d1", R, 100, 0);

    assertThat(c.maxOutput(c.delayS(0), 1e9, 100)).isZero();
    assertThat(c.maxOutput(c.delayS(1) - 1e-6, 1e9, 100)).isZero();
  }

  @Test
  void selectWithin_kTwo_energyIsTheSumAndEachCapFitsItsShare() {
    List<RequestCandidate> cs =
        List.of(cand("a", "d1", R, 200, 0), cand("b", "d2", R, 200, 0), cand("c", "d3", R, 200, 0));
    double min8 = cs.get(0).energyJ(8);
    // room for two experts at 8 tokens and a little more, not for three
    RequestBudget budget = new RequestBudget(5, 2 * min8 + 4, 256, 8);

    RequestChoice choice =
        FineSelector.selectWithin(cs, Map.of("a", 0.9, "b", 0.5, "c", 0.7), 3, budget, AGG);

    assertThat(choice.refused()).isFalse();
    assertThat(choice.picks()).extracting(p -> p.expert().modelId()).containsExactly("a", "c");
    double energy = choice.picks().stream().mapToDouble(CappedPick::predictedEnergyJ).sum();
    assertThat(energy).isLessThanOrEqualTo(budget.energyJ() + 1e-9);
    for (CappedPick p : choice.picks()) {
      assertThat(p.predictedEnergyJ()).isLessThanOrEqualTo(p.energyShareJ() + 1e-9);
      assertThat(p.outputCap()).isBetween(8, 256);
      assertThat(p.capBound()).isEqualTo(CapBound.ENERGY);
      assertThat(p.predictedDelayS() + AGG.of(2)).isLessThanOrEqualTo(budget.delayS() + 1e-9);
    }
    assertThat(choice.picks().get(0).weight()).isCloseTo(0.9 / 1.6, within(1e-12));
  }

  @Test
  void selectWithin_queueOnTheBestReplica_theNextReplicaThatFitsIsChosen() {
    RequestCandidate busy = cand("a", "rtx", R, 100, 4.0); // four seconds of queued work
    RequestCandidate idle = cand("a", "orin", new Rates(0.1, 500, 20, 30), 100, 0);

    RequestChoice choice =
        FineSelector.selectWithin(
            List.of(busy, idle), Map.of("a", 0.9), 1, new RequestBudget(2, 100, 16, 1), AGG);

    assertThat(choice.picks())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.expert().deviceId()).isEqualTo("orin");
              assertThat(p.queueS()).isZero();
            });
  }

  @Test
  void selectWithin_nothingFits_refusedWithTheBindingBudgetAndWhatWouldFit() {
    List<RequestCandidate> cs =
        List.of(
            cand("a", "d1", R, 3000, 0), cand("b", "d2", new Rates(0.05, 2000, 40, 60), 3000, 0));

    RequestChoice choice =
        FineSelector.selectWithin(
            cs, Map.of("a", 0.9, "b", 0.4), 1, new RequestBudget(1.0, 500, 64, 4), AGG);

    assertThat(choice.refused()).isTrue();
    RequestChoice.Refusal r = choice.refusal();
    assertThat(r.binding()).isEqualTo("delay");
    assertThat(r.best().modelId()).isEqualTo("a");
    assertThat(r.delayToAdmitBestS()).isCloseTo(cs.get(0).delayS(4), within(1e-12));
    assertThat(r.longestPromptTokens()).isPositive().isLessThan(3000);
    RequestCandidate shorter = cs.get(1).withPromptTokens(r.longestPromptTokens());
    RequestCandidate other = cs.get(0).withPromptTokens(r.longestPromptTokens());
    assertThat(Math.min(shorter.delayS(4), other.delayS(4)))
        .as("the longest prompt named does fit")
        .isLessThanOrEqualTo(1.0 + 1e-9);
    assertThat(r.largestMaxTokens()).isEqualTo(-1);
  }

  @Test
  void requestBudget_minAboveOutput_rejectedNamingTheField() {
    assertThatThrownBy(() -> new RequestBudget(1, 1, 4, 8))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("budget.minOutputTokens has value 8");
  }

  /** Every subset of at most k candidates with distinct models, by brute force. */
  static double bruteBestQ(
      List<RequestCandidate> cs, Map<String, Double> q, int k, RequestBudget b) {
    double best = -1;
    int n = cs.size();
    for (int mask = 1; mask < (1 << n); mask++) {
      if (Integer.bitCount(mask) > k) {
        continue;
      }
      Set<String> models = new HashSet<>();
      double energy = 0;
      double delay = 0;
      double total = 0;
      boolean ok = true;
      for (int i = 0; i < n && ok; i++) {
        if ((mask & (1 << i)) == 0) {
          continue;
        }
        RequestCandidate c = cs.get(i);
        ok = models.add(c.expert().modelId());
        energy += c.energyJ(b.minOutputTokens());
        delay = Math.max(delay, c.delayS(b.minOutputTokens()));
        total += q.getOrDefault(c.expert().modelId(), 0.0);
      }
      int size = Integer.bitCount(mask);
      if (ok
          && energy <= b.energyJ() + 1e-9
          && delay + AGG.of(size) <= b.delayS() + 1e-9
          && total > best) {
        best = total;
      }
    }
    return best;
  }

  @Test
  void selectWithin_kTwoAndThreeOnRandomInstances_matchesBruteForce() {
    Random rnd = new Random(13);
    int refused = 0;
    for (int trial = 0; trial < 400; trial++) {
      int k = 2 + trial % 2;
      List<RequestCandidate> cs = new ArrayList<>();
      Map<String, Double> q = new HashMap<>();
      int n = 3 + rnd.nextInt(8);
      for (int i = 0; i < n; i++) {
        String model = "m" + rnd.nextInt(5);
        q.putIfAbsent(model, rnd.nextDouble());
        Rates r =
            new Rates(
                0.02 + rnd.nextDouble() * 0.2,
                200 + rnd.nextDouble() * 2000,
                5 + rnd.nextDouble() * 80,
                10 + rnd.nextDouble() * 300);
        cs.add(cand(model, "d" + i, r, 50 + rnd.nextInt(800), rnd.nextDouble() * 0.5));
      }
      RequestBudget b =
          new RequestBudget(
              0.3 + rnd.nextDouble() * 3, 5 + rnd.nextDouble() * 200, 64, 1 + rnd.nextInt(16));

      RequestChoice choice = FineSelector.selectWithin(cs, q, k, b, AGG);

      double brute = bruteBestQ(cs, q, k, b);
      if (brute < 0) {
        assertThat(choice.refused()).as("trial %d", trial).isTrue();
        refused++;
        continue;
      }
      assertThat(choice.refused()).as("trial %d", trial).isFalse();
      double got = choice.picks().stream().mapToDouble(CappedPick::quality).sum();
      assertThat(got).as("trial %d: total q", trial).isCloseTo(brute, within(1e-9));
      assertThat(choice.picks().size()).isLessThanOrEqualTo(k);
      assertThat(choice.picks().stream().map(p -> p.expert().modelId()).distinct().count())
          .isEqualTo(choice.picks().size());
      double energy = choice.picks().stream().mapToDouble(CappedPick::predictedEnergyJ).sum();
      double delay =
          choice.picks().stream().mapToDouble(CappedPick::predictedDelayS).max().orElseThrow();
      assertThat(energy)
          .as("trial %d: summed energy at the caps", trial)
          .isLessThanOrEqualTo(b.energyJ() + 1e-6);
      assertThat(delay + AGG.of(choice.picks().size()))
          .as("trial %d: delay at the caps", trial)
          .isLessThanOrEqualTo(b.delayS() + 1e-6);
    }
    assertThat(refused).as("some instances refused, most not").isBetween(1, 300);
  }
}
