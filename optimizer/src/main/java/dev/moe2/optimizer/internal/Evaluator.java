package dev.moe2.optimizer.internal;

import dev.moe2.optimizer.CategorySpec;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Evaluates G(S) = Σ_c w_c F_c(U_c(S)) for a set S of candidates (method.md §3). U_c(S) is the
 * subset of S that meets c's worst-case budgets and maximises F_c; it depends only on the per-model
 * (delay, energy) options S offers, so it is memoised on them, and F_c on the model set. Not
 * thread-safe: one per search.
 */
public final class Evaluator {

  private final Instance in;
  private final float[][][] q; // [c][x][m]
  private final double[] weight;
  private final int[] k;
  private final double[] budgetT; // delay budget minus tagg(k)
  private final double[] budgetE;
  private final boolean serial;
  private final Map<Long, Double>[] fMemo;
  private final Map<Key, UResult>[] uMemo;
  private long evaluations;

  /** The usable set of one category: per model (bit) the chosen option's delay and energy. */
  public record UResult(
      boolean feasible, long mask, double f, double twc, double ewc, double[] t, double[] e) {}

  private record Key(long[] bits) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key other && Arrays.equals(bits, other.bits);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bits);
    }
  }

  @SuppressWarnings("unchecked")
  public Evaluator(Instance in) {
    this.in = in;
    int c = in.categories;
    this.q = new float[c][][];
    this.weight = new double[c];
    this.k = new int[c];
    this.budgetT = new double[c];
    this.budgetE = new double[c];
    this.fMemo = new Map[c];
    this.uMemo = new Map[c];
    this.serial = in.serial();
    for (int i = 0; i < c; i++) {
      CategorySpec cs = in.problem.categories().get(i);
      q[i] = cs.qualities();
      weight[i] = cs.weight();
      k[i] = cs.k();
      budgetT[i] = cs.delayBudgetS() - in.tagg[i];
      budgetE[i] = cs.energyBudgetJ();
      fMemo[i] = new HashMap<>();
      uMemo[i] = new HashMap<>();
    }
  }

  /** Objective evaluations so far (calls of {@link #objective}). */
  public long evaluations() {
    return evaluations;
  }

  /** G(S) for the first {@code n} candidates of {@code s}. */
  public double objective(int[] s, int n) {
    evaluations++;
    double g = 0;
    for (int c = 0; c < in.categories; c++) {
      UResult u = usable(c, s, n);
      if (u.feasible()) {
        g += weight[c] * u.f();
      }
    }
    return g;
  }

  /** U_c(S) for one category. */
  public UResult usable(int c, int[] s, int n) {
    double[] t = in.candT[c];
    double[] e = in.candE[c];
    int models = in.models;
    // Per model, the options that pass the budgets alone (parallel: the cheapest; serial: Pareto).
    double[][] optT = new double[models][];
    double[][] optE = new double[models][];
    for (int i = 0; i < n; i++) {
      int cand = s[i];
      double ti = t[cand];
      double ei = e[cand];
      if (ti > budgetT[c] || ei > budgetE[c]) {
        continue;
      }
      insert(optT, optE, in.candModel[cand], ti, ei);
    }
    long[] bits = keyBits(optT, optE);
    Key key = new Key(bits);
    UResult cached = uMemo[c].get(key);
    if (cached != null) {
      return cached;
    }
    UResult result = search(c, optT, optE);
    uMemo[c].put(key, result);
    return result;
  }

  /** Adds the option (ti, ei) of model m to the per-model options. */
  private void insert(double[][] optT, double[][] optE, int m, double ti, double ei) {
    double[] ts = optT[m];
    double[] es = optE[m];
    if (ts == null) {
      optT[m] = new double[] {ti};
      optE[m] = new double[] {ei};
      return;
    }
    if (!serial) {
      // Parallel: delay is a per-member filter, so only the cheapest energy matters (ties: faster).
      if (ei < es[0] || (ei == es[0] && ti < ts[0])) {
        ts[0] = ti;
        es[0] = ei;
      }
      return;
    }
    // Serial: keep the Pareto front of (delay, energy), sorted by energy then delay.
    for (int j = 0; j < ts.length; j++) {
      if (ts[j] <= ti && es[j] <= ei) {
        return; // dominated (or equal)
      }
    }
    int keep = 0;
    double[] nt = new double[ts.length + 1];
    double[] ne = new double[ts.length + 1];
    for (int j = 0; j < ts.length; j++) {
      if (!(ti <= ts[j] && ei <= es[j])) {
        nt[keep] = ts[j];
        ne[keep] = es[j];
        keep++;
      }
    }
    nt[keep] = ti;
    ne[keep] = ei;
    keep++;
    double[][] pairs = new double[keep][];
    for (int j = 0; j < keep; j++) {
      pairs[j] = new double[] {ne[j], nt[j]};
    }
    Arrays.sort(
        pairs, (a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
    optT[m] = new double[keep];
    optE[m] = new double[keep];
    for (int j = 0; j < keep; j++) {
      optE[m][j] = pairs[j][0];
      optT[m][j] = pairs[j][1];
    }
  }

  private static long[] keyBits(double[][] optT, double[][] optE) {
    int size = 0;
    for (double[] ts : optT) {
      size += 1 + (ts == null ? 0 : 2 * ts.length);
    }
    long[] bits = new long[size];
    int i = 0;
    for (int m = 0; m < optT.length; m++) {
      double[] ts = optT[m];
      bits[i++] = ts == null ? -1 : ts.length;
      if (ts != null) {
        for (int j = 0; j < ts.length; j++) {
          bits[i++] = Double.doubleToLongBits(ts[j]);
          bits[i++] = Double.doubleToLongBits(optE[m][j]);
        }
      }
    }
    return bits;
  }

  /** F_c of a model set: mean over validation prompts of the best quality in the set. */
  public double f(int c, long mask) {
    Double cached = fMemo[c].get(mask);
    if (cached != null) {
      return cached;
    }
    float[][] qc = q[c];
    int[] members = new int[Long.bitCount(mask)];
    int j = 0;
    for (int m = 0; m < in.models; m++) {
      if ((mask & (1L << m)) != 0) {
        members[j++] = m;
      }
    }
    double sum = 0;
    for (float[] row : qc) {
      float best = 0;
      for (int m : members) {
        if (row[m] > best) {
          best = row[m];
        }
      }
      sum += best;
    }
    double value = members.length == 0 ? 0 : sum / qc.length;
    fMemo[c].put(mask, value);
    return value;
  }

  // ---- exact search for U_c over the per-model options ----------------------------------------

  private int[] order;
  private double[][] sT;
  private double[][] sE;
  private int sC;
  private long bestMask;
  private double bestF;
  private double bestEwc;
  private double[] bestT;
  private double[] bestE;
  private final double[] curT = new double[64];
  private final double[] curE = new double[64];

  private UResult search(int c, double[][] optT, double[][] optE) {
    int present = 0;
    long all = 0;
    for (int m = 0; m < in.models; m++) {
      if (optT[m] != null) {
        present++;
        all |= 1L << m;
      }
    }
    if (present < k[c]) {
      return new UResult(false, 0, 0, Double.NaN, Double.NaN, null, null);
    }
    // Fast path: every model with its cheapest option meets the coupled budgets.
    double[] t0 = new double[in.models];
    double[] e0 = new double[in.models];
    for (int m = 0; m < in.models; m++) {
      if (optT[m] != null) {
        t0[m] = optT[m][0];
        e0[m] = optE[m][0];
      }
    }
    if (feasible(c, all, t0, e0)) {
      return result(c, all, t0, e0);
    }
    // Branch and bound: include (each option) or skip each model; bound F(chosen ∪ remaining).
    int[] ord = new int[present];
    int j = 0;
    for (int m = 0; m < in.models; m++) {
      if (optT[m] != null) {
        ord[j++] = m;
      }
    }
    this.order = ord;
    this.sT = optT;
    this.sE = optE;
    this.sC = c;
    this.bestMask = 0;
    this.bestF = -1;
    this.bestEwc = Double.POSITIVE_INFINITY;
    this.bestT = null;
    this.bestE = null;
    long[] suffix = new long[present + 1];
    for (int i = present - 1; i >= 0; i--) {
      suffix[i] = suffix[i + 1] | (1L << ord[i]);
    }
    branch(0, 0L, 0, suffix);
    if (bestF < 0) {
      return new UResult(false, 0, 0, Double.NaN, Double.NaN, null, null);
    }
    return result(c, bestMask, bestT, bestE);
  }

  private void branch(int i, long mask, int chosen, long[] suffix) {
    if (f(sC, mask | suffix[i]) < bestF) {
      return; // even every remaining model cannot beat the best
    }
    if (i == order.length) {
      if (chosen >= k[sC]) {
        double ewc = topK(curE, chosen, k[sC]);
        double fv = f(sC, mask);
        if (fv > bestF || (fv == bestF && ewc < bestEwc)) {
          bestF = fv;
          bestEwc = ewc;
          bestMask = mask;
          bestT = new double[in.models];
          bestE = new double[in.models];
          int j = 0;
          for (int x = 0; x < in.models; x++) {
            if ((mask & (1L << x)) != 0) {
              bestT[x] = curT[j];
              bestE[x] = curE[j];
              j++;
            }
          }
        }
      }
      return;
    }
    int m = order[i];
    for (int o = 0; o < sT[m].length; o++) {
      curT[chosen] = sT[m][o];
      curE[chosen] = sE[m][o];
      if (partialFeasible(chosen + 1)) {
        branch(i + 1, mask | (1L << m), chosen + 1, suffix);
      }
    }
    branch(i + 1, mask, chosen, suffix);
  }

  /** Members are added in model order, so the chosen arrays list them in model order too. */
  private boolean partialFeasible(int chosen) {
    int kk = k[sC];
    if (topK(curE, chosen, kk) > budgetE[sC]) {
      return false;
    }
    return !serial || topK(curT, chosen, kk) <= budgetT[sC];
  }

  private boolean feasible(int c, long mask, double[] t, double[] e) {
    int n = Long.bitCount(mask);
    if (n < k[c]) {
      return false;
    }
    double[] ts = members(mask, t, n);
    double[] es = members(mask, e, n);
    if (topK(es, n, k[c]) > budgetE[c]) {
      return false;
    }
    return !serial || topK(ts, n, k[c]) <= budgetT[c];
  }

  /** The values of the models in {@code mask}, in model order ({@code n} of them). */
  private double[] members(long mask, double[] values, int n) {
    double[] out = new double[n];
    int j = 0;
    for (int m = 0; m < in.models; m++) {
      if ((mask & (1L << m)) != 0) {
        out[j++] = values[m];
      }
    }
    return out;
  }

  /** Sum of the k largest of the first n values (all of them when n < k). */
  static double topK(double[] values, int n, int k) {
    if (n <= k) {
      double s = 0;
      for (int i = 0; i < n; i++) {
        s += values[i];
      }
      return s;
    }
    double[] copy = Arrays.copyOf(values, n);
    Arrays.sort(copy);
    double s = 0;
    for (int i = n - k; i < n; i++) {
      s += copy[i];
    }
    return s;
  }

  private UResult result(int c, long mask, double[] t, double[] e) {
    int n = Long.bitCount(mask);
    double[] ts = members(mask, t, n);
    double[] es = members(mask, e, n);
    double twc = (serial ? topK(ts, n, k[c]) : Arrays.stream(ts).max().orElse(0)) + in.tagg[c];
    double ewc = topK(es, n, k[c]);
    return new UResult(true, mask, f(c, mask), twc, ewc, t.clone(), e.clone());
  }
}
