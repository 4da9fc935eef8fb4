package dev.moe2.optimizer;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Seeded random problems small enough to enumerate, with tight, loose and infeasible budgets. */
final class RandomProblems {

  private RandomProblems() {}

  static Problem generate(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    for (int attempt = 0; ; attempt++) {
      Problem p = attempt(r, 1, 3);
      if (ExhaustiveSelector.planCount(p) <= 20_000) {
        return p;
      }
    }
  }

  /** Fleets of {@code minDevices} to {@code maxDevices} devices, however many plans they have. */
  static Problem generate(long seed, int minDevices, int maxDevices) {
    return attempt(new SplittableRandom(seed), minDevices, maxDevices);
  }

  private static Problem attempt(SplittableRandom r, int minDevices, int maxDevices) {
    Problem.Builder b = Problem.builder();
    int devices = minDevices + r.nextInt(maxDevices - minDevices + 1);
    // A third of the multi-device fleets get twins: identical devices (symmetry breaking).
    boolean twins = devices > 1 && r.nextInt(3) == 0;
    java.util.List<Object[]> twinRates = new java.util.ArrayList<>();
    DeviceSpec firstDevice = null;
    int models = 2 + r.nextInt(7);
    double[] size = new double[models];
    for (int m = 0; m < models; m++) {
      size[m] = 2 + r.nextInt(4) * 1.5; // 2, 3.5, 5, 6.5 GiB: ties in memory
      b.model(new ModelSpec("m" + m, size[m]));
    }
    double[] powers = {10, 15, 25, 30, 50, 60, 150, 300};
    double totalMax = 0;
    java.util.List<Rates> all = new java.util.ArrayList<>();
    for (int d = 0; d < devices; d++) {
      int modes = 1 + r.nextInt(3);
      ModeSpec[] ms = new ModeSpec[modes];
      int first = r.nextInt(powers.length - modes + 1);
      for (int p = 0; p < modes; p++) {
        ms[p] = new ModeSpec("p" + (int) powers[first + p], powers[first + p]);
      }
      totalMax += ms[modes - 1].maxPowerW();
      double memory = 4 + r.nextInt(4) * 3.5; // 4 .. 14.5 GiB: one to a few models
      String id = "d" + (char) ('a' + r.nextInt(26)) + d;
      if (twins && firstDevice != null) {
        DeviceSpec twin =
            new DeviceSpec(
                id,
                firstDevice.memoryGiB(),
                firstDevice.modes(),
                firstDevice.idlePowerW(),
                firstDevice.link());
        b.device(twin);
        for (Object[] tr : twinRates) {
          b.rates(id, (String) tr[0], (String) tr[1], (Rates) tr[2]);
        }
        continue;
      }
      DeviceSpec spec =
          new DeviceSpec(
              id,
              memory,
              Arrays.asList(ms),
              r.nextInt(3) * 2.0,
              new LinkSpec(r.nextInt(3) * 0.002, 1e6 * (1 + r.nextInt(100))));
      b.device(spec);
      if (firstDevice == null) {
        firstDevice = spec;
      }
      double speed = 5 + r.nextInt(40);
      for (int p = 0; p < modes; p++) {
        double factor = Math.pow(ms[p].maxPowerW() / ms[modes - 1].maxPowerW(), 0.7);
        for (int m = 0; m < models; m++) {
          if (r.nextInt(10) == 0) {
            continue; // this model has no runtime on this device
          }
          double decode = speed * factor * 7 / (size[m] + 3);
          Rates rates =
              new Rates(0.05, decode * 25, decode, ms[p].maxPowerW() * (0.6 + 0.1 * r.nextInt(5)));
          all.add(rates);
          b.rates(id, ms[p].id(), "m" + m, rates);
          if (spec == firstDevice) {
            twinRates.add(new Object[] {ms[p].id(), "m" + m, rates});
          }
        }
      }
    }
    int categories = 1 + r.nextInt(3);
    for (int c = 0; c < categories; c++) {
      int prompts = 4 + r.nextInt(12);
      float[][] q = new float[prompts][models];
      for (float[] row : q) {
        for (int m = 0; m < models; m++) {
          row[m] = r.nextInt(5) / 4f; // few levels: ties
        }
      }
      int in = 50 + r.nextInt(400);
      int out = 10 + r.nextInt(150);
      int k = 1 + (r.nextInt(3) == 0 ? r.nextInt(Math.min(3, models)) : 0);
      // Budgets relative to the median expert: infeasible, tight, medium or loose.
      double typicalT = median(all.stream().mapToDouble(x -> x.computeS(in, out)).toArray());
      double typicalE =
          median(all.stream().mapToDouble(x -> x.activePowerW() * x.computeS(in, out)).toArray());
      double[] scale = {0.05, 0.8, 1.0, 1.3, 2.0, 3.0, 100.0};
      double delay = typicalT * k * scale[r.nextInt(scale.length)];
      double energy = typicalE * k * scale[r.nextInt(scale.length)];
      b.category(
          new CategorySpec("c" + c, in, out, 0.25 * (1 + r.nextInt(4)), k, delay, energy, q));
    }
    if (r.nextInt(3) == 0) {
      b.sitePowerCapW(Math.max(10, totalMax * (0.2 + 0.2 * r.nextInt(4))));
    }
    if (r.nextInt(3) == 0) {
      b.delayRule(DelayRule.SERIAL_SUM);
    }
    if (r.nextInt(2) == 0) {
      b.aggregation(new AggregationTime(0.05, 0.02));
    }
    b.idleDevicesCount(r.nextInt(4) == 0);
    return b.build();
  }

  private static double median(double[] values) {
    if (values.length == 0) {
      return 1;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
