package dev.moe2.tools.eval;

import dev.moe2.gating.gate.Gate;
import dev.moe2.gating.gate.GateTrainer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Claim C4 (method.md §2): the gate trained once on all N experts and restricted to a subset S
 * routes within S as well as a gate retrained on S alone. For every S with |S| ≥ 2, both gates are
 * trained with the same data, settings and seed; each routes every pooled test prompt to its top-1
 * expert in S; the gap is (retrained − restricted) in mean realised score.
 */
final class SubsetProperty {

  private SubsetProperty() {}

  /**
   * @param subsetSize how many experts are in S
   * @param retrained mean score of the gate retrained on S
   * @param restricted mean score of the full gate restricted to S
   */
  record Row(long mask, int subsetSize, double retrained, double restricted) {
    double gap() {
      return retrained - restricted;
    }
  }

  static List<Row> run(
      GateTrainer trainer,
      List<float[]> trainX,
      double[][] trainY,
      List<String> experts,
      String encoderId,
      List<Split> test,
      IntConsumer progress) {
    int n = experts.size();
    Gate full = trainer.train(trainX, trainY, experts, encoderId).gate();
    List<Row> rows = new ArrayList<>();
    int done = 0;
    for (long mask = 0; mask < (1L << n); mask++) {
      if (Long.bitCount(mask) < 2) {
        continue;
      }
      int[] members = members(mask, n);
      List<String> names = new ArrayList<>();
      for (int m : members) {
        names.add(experts.get(m));
      }
      double[][] y = new double[trainY.length][members.length];
      for (int i = 0; i < trainY.length; i++) {
        for (int j = 0; j < members.length; j++) {
          y[i][j] = trainY[i][members[j]];
        }
      }
      Gate sub = trainer.train(trainX, y, names, encoderId).gate();
      double retrained = 0;
      double restricted = 0;
      int count = 0;
      for (Split s : test) {
        for (int i = 0; i < s.size(); i++) {
          double[] qSub = sub.predict(s.x().get(i));
          double[] qFull = full.predict(s.x().get(i));
          retrained += s.y()[i][members[Routers.argmax(qSub)]];
          int best = members[0];
          for (int m : members) {
            if (qFull[m] > qFull[best]) {
              best = m;
            }
          }
          restricted += s.y()[i][best];
          count++;
        }
      }
      rows.add(new Row(mask, members.length, retrained / count, restricted / count));
      progress.accept(++done);
    }
    return rows;
  }

  static int subsetCount(int experts) {
    return (1 << experts) - 1 - experts;
  }

  private static int[] members(long mask, int n) {
    int[] out = new int[Long.bitCount(mask)];
    int j = 0;
    for (int m = 0; m < n; m++) {
      if ((mask & (1L << m)) != 0) {
        out[j++] = m;
      }
    }
    return out;
  }
}
