package dev.moe2.optimizer.internal;

import dev.moe2.optimizer.CategorySpec;
import dev.moe2.optimizer.DelayRule;
import dev.moe2.optimizer.DeviceSpec;
import dev.moe2.optimizer.ModelSpec;
import dev.moe2.optimizer.Problem;
import dev.moe2.optimizer.Rates;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * A {@link Problem} compiled for search: devices sorted by id, candidate experts (model, device,
 * mode) with their per-category delay and energy, and each device's options.
 */
public final class Instance {

  /** Above this many options on one device, enumeration stops (exact search is out of reach). */
  public static final int MAX_OPTIONS_PER_DEVICE = 20_000;

  public final Problem problem;
  public final int devices;
  public final int models;
  public final int categories;
  public final DeviceSpec[] device;
  public final String[] modelId;

  /** Model indices sorted by model id (for canonical labels). */
  final int[] modelsById;

  public final int candidates;
  public final int[] candDevice;
  public final int[] candMode;
  public final int[] candModel;

  /** {@code candT[c][n]}: transmission + compute delay of candidate n for category c. */
  public final double[][] candT;

  /** {@code candE[c][n]}: energy of candidate n for category c. */
  public final double[][] candE;

  /** {@code candIndex[d][p][m]}: candidate index, or -1 when the model cannot run there. */
  final int[][][] candIndex;

  /** Every candidate of a device, all modes (the top vertex of an unassigned device). */
  public final int[][] deviceCandidates;

  public final double[] tagg;
  public final double cap;

  /**
   * The device order of the canonical plan text and of DMO's branching: devices with more placement
   * choices first (modes × the number of ways to fill their memory with equal-size models), then by
   * id. {@code rank[d]} is device d's position in it.
   */
  public final int[] canonicalOrder;

  public final int[] rank;

  private final List<List<Option>> maximal = new ArrayList<>();
  private final List<List<Option>> all = new ArrayList<>();

  public Instance(Problem problem) {
    this.problem = problem;
    this.device =
        problem.devices().stream()
            .sorted(Comparator.comparing(DeviceSpec::id))
            .toArray(DeviceSpec[]::new);
    this.devices = device.length;
    this.models = problem.models().size();
    this.categories = problem.categories().size();
    this.modelId = problem.models().stream().map(ModelSpec::id).toArray(String[]::new);
    this.modelsById = new int[models];
    Integer[] order = new Integer[models];
    for (int i = 0; i < models; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparing(i -> modelId[i]));
    for (int i = 0; i < models; i++) {
      modelsById[i] = order[i];
    }
    this.cap = problem.sitePowerCapW().orElse(Double.POSITIVE_INFINITY);
    this.tagg = new double[categories];
    for (int c = 0; c < categories; c++) {
      tagg[c] = problem.aggregation().of(problem.categories().get(c).k());
    }

    List<int[]> cands = new ArrayList<>();
    candIndex = new int[devices][][];
    for (int d = 0; d < devices; d++) {
      DeviceSpec ds = device[d];
      candIndex[d] = new int[ds.modes().size()][models];
      for (int p = 0; p < ds.modes().size(); p++) {
        Arrays.fill(candIndex[d][p], -1);
        for (int m = 0; m < models; m++) {
          ModelSpec ms = problem.models().get(m);
          Rates r = problem.rates(ds.id(), ds.modes().get(p).id(), ms.id());
          // Reduce: a model larger than the device can never be resident there.
          if (r != null && ms.memoryGiB() <= ds.memoryGiB()) {
            candIndex[d][p][m] = cands.size();
            cands.add(new int[] {d, p, m});
          }
        }
      }
    }
    candidates = cands.size();
    candDevice = new int[candidates];
    candMode = new int[candidates];
    candModel = new int[candidates];
    candT = new double[categories][candidates];
    candE = new double[categories][candidates];
    for (int n = 0; n < candidates; n++) {
      int[] dpm = cands.get(n);
      candDevice[n] = dpm[0];
      candMode[n] = dpm[1];
      candModel[n] = dpm[2];
      DeviceSpec ds = device[dpm[0]];
      Rates r =
          problem.rates(ds.id(), ds.modes().get(dpm[1]).id(), problem.models().get(dpm[2]).id());
      for (int c = 0; c < categories; c++) {
        CategorySpec cs = problem.categories().get(c);
        double compute = r.computeS(cs.inputTokens(), cs.outputTokens());
        double bytes = (cs.inputTokens() + cs.outputTokens()) * problem.bytesPerToken();
        candT[c][n] = ds.link().transmissionS(bytes) + compute;
        candE[c][n] = r.activePowerW() * compute;
      }
    }
    double smallest = problem.models().stream().mapToDouble(ModelSpec::memoryGiB).min().orElse(1);
    double[] choices = new double[devices];
    for (int d = 0; d < devices; d++) {
      long runnable = 0;
      for (int p = 0; p < device[d].modes().size(); p++) {
        for (int m = 0; m < models; m++) {
          if (candIndex[d][p][m] >= 0) {
            runnable |= 1L << m;
          }
        }
      }
      int r = Long.bitCount(runnable);
      int fit = (int) Math.min(r, Math.floor(device[d].memoryGiB() / smallest));
      choices[d] = device[d].modes().size() * binomial(r, fit);
    }
    Integer[] byChoices = new Integer[devices];
    for (int d = 0; d < devices; d++) {
      byChoices[d] = d;
    }
    Arrays.sort(
        byChoices, Comparator.comparingDouble((Integer d) -> -choices[d]).thenComparingInt(d -> d));
    canonicalOrder = new int[devices];
    rank = new int[devices];
    for (int i = 0; i < devices; i++) {
      canonicalOrder[i] = byChoices[i];
      rank[byChoices[i]] = i;
    }
    deviceCandidates = new int[devices][];
    for (int d = 0; d < devices; d++) {
      final int dd = d;
      deviceCandidates[d] =
          java.util.stream.IntStream.range(0, candidates)
              .filter(n -> candDevice[n] == dd)
              .toArray();
      maximal.add(null);
      all.add(null);
    }
  }

  private static double binomial(int n, int k) {
    double c = 1;
    for (int i = 1; i <= k; i++) {
      c = c * (n - k + i) / i;
    }
    return c;
  }

  public boolean serial() {
    return problem.delayRule() == DelayRule.SERIAL_SUM;
  }

  public double idlePower(int d) {
    return problem.idleDevicesCount() ? device[d].idlePowerW() : 0;
  }

  public double modePower(int d, int p) {
    return device[d].modes().get(p).maxPowerW();
  }

  public int candidate(int d, int p, int m) {
    return candIndex[d][p][m];
  }

  /** Off plus, per mode, every maximal set of runnable models that fits the device's memory. */
  public List<Option> maximalOptions(int d) {
    if (maximal.get(d) == null) {
      maximal.set(d, enumerate(d, true));
    }
    return maximal.get(d);
  }

  /** Off plus, per mode, every non-empty set of runnable models that fits (the oracle's space). */
  public List<Option> allOptions(int d) {
    if (all.get(d) == null) {
      all.set(d, enumerate(d, false));
    }
    return all.get(d);
  }

  /** Thrown when a device has more options than {@link #MAX_OPTIONS_PER_DEVICE}. */
  public static final class TooManyOptionsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooManyOptionsException(String device, int limit) {
      super(
          "device "
              + device
              + " has more than "
              + limit
              + " model sets that fit its memory; exact search is out of reach");
    }
  }

  private List<Option> enumerate(int d, boolean onlyMaximal) {
    List<Option> out = new ArrayList<>();
    out.add(new Option(d, -1, 0, idlePower(d), 0, "off"));
    double mem = device[d].memoryGiB();
    for (int p = 0; p < device[d].modes().size(); p++) {
      double power = modePower(d, p);
      if (power > cap) {
        continue; // this mode alone breaks the site power cap
      }
      final int mode = p;
      int[] runnable =
          java.util.stream.IntStream.range(0, models)
              .filter(m -> candIndex[d][mode][m] >= 0)
              .toArray();
      List<Long> masks = new ArrayList<>();
      subsets(runnable, 0, 0L, 0.0, mem, onlyMaximal, masks, d);
      for (long mask : masks) {
        out.add(new Option(d, p, mask, power, Long.bitCount(mask), label(p, d, mask)));
      }
    }
    return List.copyOf(out);
  }

  private void subsets(
      int[] runnable,
      int i,
      long mask,
      double used,
      double mem,
      boolean onlyMaximal,
      List<Long> out,
      int d) {
    if (out.size() > MAX_OPTIONS_PER_DEVICE) {
      throw new TooManyOptionsException(device[d].id(), MAX_OPTIONS_PER_DEVICE);
    }
    if (i == runnable.length) {
      if (mask == 0) {
        return;
      }
      if (onlyMaximal) {
        for (int m : runnable) {
          if ((mask & (1L << m)) == 0 && used + problem.models().get(m).memoryGiB() <= mem) {
            return; // not maximal: m would still fit
          }
        }
      }
      out.add(mask);
      return;
    }
    int m = runnable[i];
    double size = problem.models().get(m).memoryGiB();
    if (used + size <= mem) {
      subsets(runnable, i + 1, mask | (1L << m), used + size, mem, onlyMaximal, out, d);
    }
    subsets(runnable, i + 1, mask, used, mem, onlyMaximal, out, d);
  }

  /** The option of device d: off when {@code p < 0} or the mask is empty, else mode p with mask. */
  public Option option(int d, int p, long mask) {
    if (p < 0 || mask == 0) {
      return new Option(d, -1, 0, idlePower(d), 0, "off");
    }
    return new Option(d, p, mask, modePower(d, p), Long.bitCount(mask), label(p, d, mask));
  }

  String label(int p, int d, long mask) {
    StringBuilder sb = new StringBuilder(device[d].modes().get(p).id()).append('[');
    boolean first = true;
    for (int m : modelsById) {
      if ((mask & (1L << m)) != 0) {
        if (!first) {
          sb.append(',');
        }
        sb.append(modelId[m]);
        first = false;
      }
    }
    return sb.append(']').toString();
  }

  /** Models sorted by id, as a set of labels (for results). */
  public List<String> modelNames(long mask) {
    TreeSet<String> names = new TreeSet<>();
    for (int m = 0; m < models; m++) {
      if ((mask & (1L << m)) != 0) {
        names.add(modelId[m]);
      }
    }
    return List.copyOf(names);
  }
}
