package dev.moe2.tools.eval;

import dev.moe2.gating.gate.Gate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The routing rules compared by the evaluation; each returns the realised score per prompt. */
final class Routers {

  private Routers() {}

  static double[] single(Split s, int expert) {
    double[] out = new double[s.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = s.y()[i][expert];
    }
    return out;
  }

  /** A uniformly random expert, in expectation: the mean over experts. */
  static double[] random(Split s) {
    double[] out = new double[s.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Arrays.stream(s.y()[i]).average().orElse(0);
    }
    return out;
  }

  static double[] oracle(Split s) {
    double[] out = new double[s.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Arrays.stream(s.y()[i]).max().orElse(0);
    }
    return out;
  }

  /** The category is known; its best expert on the train splits answers. */
  static double[] perCategoryBest(Split s, Map<String, Integer> bestByCategory) {
    return single(s, bestByCategory.get(s.category()));
  }

  /** k nearest train prompts by cosine; the expert with the best mean score among them answers. */
  static double[] knn(Split s, List<float[]> trainX, double[][] trainY, int k) {
    double[] out = new double[s.size()];
    int experts = trainY[0].length;
    for (int i = 0; i < s.size(); i++) {
      float[] q = s.x().get(i);
      int n = trainX.size();
      double[] sim = new double[n];
      for (int j = 0; j < n; j++) {
        float[] t = trainX.get(j);
        double dot = 0;
        for (int d = 0; d < q.length; d++) {
          dot += q[d] * t[d];
        }
        sim[j] = dot;
      }
      int[] nearest = topIndices(sim, Math.min(k, n));
      double[] mean = new double[experts];
      for (int j : nearest) {
        for (int e = 0; e < experts; e++) {
          mean[e] += trainY[j][e];
        }
      }
      out[i] = s.y()[i][argmax(mean)];
    }
    return out;
  }

  /**
   * The gate's top-k. k = 1 routes. For k &gt; 1 on multiple choice, a q-weighted vote scored
   * conservatively: every wrong vote is taken to name the same wrong option, so the vote is right
   * only when the right voters' weight exceeds half (a tie is wrong); a right vote scores the
   * weighted mean of its right voters' scores. On free text the highest-q answer is returned
   * (method.md §4), so top-k scores as top-1.
   */
  static double[] gateTopK(Split s, Gate gate, int k) {
    return gateTopK(s, (x, c) -> gate.predict(x), k);
  }

  /** As {@link #gateTopK(Split, Gate, int)} with any quality function (category known). */
  static double[] gateTopK(Split s, QualityFunction quality, int k) {
    double[] out = new double[s.size()];
    for (int i = 0; i < s.size(); i++) {
      double[] q = quality.q(s.x().get(i), s.category());
      int[] chosen = topIndices(q, k);
      double[] y = s.y()[i];
      if (k == 1 || !s.multipleChoice()) {
        out[i] = y[chosen[0]];
        continue;
      }
      double total = 0;
      for (int e : chosen) {
        total += q[e];
      }
      double right = 0;
      double rightScore = 0;
      for (int e : chosen) {
        double w = total > 0 ? q[e] / total : 1.0 / chosen.length;
        if (y[e] > 0) {
          right += w;
          rightScore += w * y[e];
        }
      }
      out[i] = right > 0.5 ? rightScore / right : 0;
    }
    return out;
  }

  /** Indices of the k largest values, largest first (ties: lower index). */
  static int[] topIndices(double[] values, int k) {
    Integer[] idx = new Integer[values.length];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    Arrays.sort(
        idx, (a, b) -> values[a] != values[b] ? Double.compare(values[b], values[a]) : a - b);
    int[] out = new int[k];
    for (int i = 0; i < k; i++) {
      out[i] = idx[i];
    }
    return out;
  }

  static int argmax(double[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }

  static double mean(double[] values) {
    return Arrays.stream(values).average().orElse(Double.NaN);
  }

  /** Expected calibration error of q against the recorded scores, 10 equal-width bins. */
  static double expectedCalibrationError(List<Split> splits, Gate gate) {
    int bins = 10;
    double[] sumQ = new double[bins];
    double[] sumY = new double[bins];
    long[] count = new long[bins];
    long total = 0;
    for (Split s : splits) {
      for (int i = 0; i < s.size(); i++) {
        double[] q = gate.predict(s.x().get(i));
        for (int e = 0; e < q.length; e++) {
          int b = Math.min(bins - 1, (int) (q[e] * bins));
          sumQ[b] += q[e];
          sumY[b] += s.y()[i][e];
          count[b]++;
          total++;
        }
      }
    }
    double ece = 0;
    for (int b = 0; b < bins; b++) {
      if (count[b] > 0) {
        ece += (double) count[b] / total * Math.abs(sumQ[b] / count[b] - sumY[b] / count[b]);
      }
    }
    return ece;
  }
}
