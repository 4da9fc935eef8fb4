package dev.moe2.optimizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Independent checks that a selection is a valid plan (recomputed from the problem). */
final class PlanChecks {

  private PlanChecks() {}

  static void assertValid(Problem problem, Selection s, String context) {
    Map<String, DeviceSpec> devices = new HashMap<>();
    problem.devices().forEach(d -> devices.put(d.id(), d));
    Map<String, ModelSpec> models = new HashMap<>();
    problem.models().forEach(m -> models.put(m.id(), m));
    double power = 0;
    Map<String, DevicePlan> byDevice = new HashMap<>();
    for (DevicePlan dp : s.plan()) {
      DeviceSpec d = devices.get(dp.deviceId());
      assertThat(d).as("%s: device %s exists", context, dp.deviceId()).isNotNull();
      byDevice.put(dp.deviceId(), dp);
      if (!dp.on()) {
        assertThat(dp.models()).as("%s: an off device holds nothing", context).isEmpty();
        power += problem.idleDevicesCount() ? d.idlePowerW() : 0;
        continue;
      }
      ModeSpec mode =
          d.modes().stream().filter(m -> m.id().equals(dp.modeId())).findFirst().orElseThrow();
      power += mode.maxPowerW();
      double used = dp.models().stream().mapToDouble(m -> models.get(m).memoryGiB()).sum();
      assertThat(used).as("%s: memory of %s", context, d.id()).isLessThanOrEqualTo(d.memoryGiB());
      for (String m : dp.models()) {
        assertThat(problem.rates(d.id(), mode.id(), m))
            .as("%s: %s runs on %s/%s", context, m, d.id(), mode.id())
            .isNotNull();
      }
    }
    assertThat(byDevice).as("%s: one entry (one mode) per device", context).hasSize(devices.size());
    assertThat(power)
        .as("%s: site power", context)
        .isLessThanOrEqualTo(problem.sitePowerCapW().orElse(Double.POSITIVE_INFINITY) + 1e-9);
    for (CategorySpec c : problem.categories()) {
      CategoryOutcome o = s.category(c.id());
      if (!o.feasible()) {
        assertThat(o.infeasibility()).as("%s: infeasible %s says why", context, c.id()).isNotNull();
        continue;
      }
      List<Expert> u = o.usable();
      assertThat(u.size()).as("%s: |U| >= k for %s", context, c.id()).isGreaterThanOrEqualTo(c.k());
      for (Expert e : u) {
        DevicePlan dp = byDevice.get(e.deviceId());
        assertThat(dp.modeId())
            .as("%s: usable %s runs in the planned mode", context, e)
            .isEqualTo(e.modeId());
        assertThat(dp.models()).as("%s: usable %s is resident", context, e).contains(e.modelId());
        Rates r = problem.rates(e.deviceId(), e.modeId(), e.modelId());
        double compute = r.computeS(c.inputTokens(), c.outputTokens());
        double t =
            devices
                    .get(e.deviceId())
                    .link()
                    .transmissionS((c.inputTokens() + c.outputTokens()) * problem.bytesPerToken())
                + compute;
        assertThat(e.delayS())
            .as("%s: delay of %s", context, e)
            .isCloseTo(t, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(e.energyJ())
            .as("%s: energy of %s", context, e)
            .isCloseTo(r.activePowerW() * compute, org.assertj.core.api.Assertions.within(1e-9));
      }
      double tagg = problem.aggregation().of(c.k());
      List<Double> delays =
          u.stream().map(Expert::delayS).sorted(Comparator.reverseOrder()).toList();
      List<Double> energies =
          u.stream().map(Expert::energyJ).sorted(Comparator.reverseOrder()).toList();
      double twc =
          (problem.delayRule() == DelayRule.PARALLEL_MAX
                  ? delays.get(0)
                  : delays.stream().limit(c.k()).mapToDouble(Double::doubleValue).sum())
              + tagg;
      double ewc = energies.stream().limit(c.k()).mapToDouble(Double::doubleValue).sum();
      assertThat(twc)
          .as("%s: worst-case delay of %s", context, c.id())
          .isLessThanOrEqualTo(c.delayBudgetS() + 1e-9);
      assertThat(ewc)
          .as("%s: worst-case energy of %s", context, c.id())
          .isLessThanOrEqualTo(c.energyBudgetJ() + 1e-9);
      assertThat(o.worstDelayS()).isCloseTo(twc, org.assertj.core.api.Assertions.within(1e-9));
      assertThat(o.worstEnergyJ()).isCloseTo(ewc, org.assertj.core.api.Assertions.within(1e-9));
    }
  }
}
