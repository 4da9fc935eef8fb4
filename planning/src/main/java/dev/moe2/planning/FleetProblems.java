package dev.moe2.planning;

import dev.moe2.gating.data.DataFileException;
import dev.moe2.optimizer.CategorySpec;
import dev.moe2.optimizer.DeviceSpec;
import dev.moe2.optimizer.LinkSpec;
import dev.moe2.optimizer.ModeSpec;
import dev.moe2.optimizer.ModelSpec;
import dev.moe2.optimizer.Problem;
import dev.moe2.optimizer.Rates;
import dev.moe2.profiles.DeviceClass;
import dev.moe2.profiles.Fleet;
import dev.moe2.profiles.ModelDescriptor;
import dev.moe2.profiles.Performance;
import dev.moe2.profiles.PowerMode;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a fleet from {@code device-profiles}, a categories file and qualities into an optimizer
 * {@link Problem}: per device, mode and model the profile's predicted rates and power.
 */
public final class FleetProblems {

  /** Fixed time to first token on top of prefill (scheduling, kernel launch; our assumption). */
  public static final double SCHEDULING_OVERHEAD_S = 0.02;

  private FleetProblems() {}

  /**
   * @param sitePowerCapW the site power cap; {@code null}: the fleet's own (or none)
   */
  public static Problem build(
      Fleet fleet, CategoriesFile categories, Qualities qualities, Double sitePowerCapW) {
    return build(fleet, categories, qualities, sitePowerCapW, (device, model) -> true);
  }

  /**
   * As {@link #build(Fleet, CategoriesFile, Qualities, Double)}, where a model can run on a device
   * only when {@code hosts(deviceId, modelId)} (the models an agent actually serves).
   */
  public static Problem build(
      Fleet fleet,
      CategoriesFile categories,
      Qualities qualities,
      Double sitePowerCapW,
      java.util.function.BiPredicate<String, String> hosts) {
    List<ModelDescriptor> models = fleet.models().models();
    List<String> ids = models.stream().map(ModelDescriptor::id).toList();
    if (!qualities.models().equals(ids)) {
      throw new DataFileException(
          "qualities",
          "$.models",
          "the models " + qualities.models() + " are not the fleet's models " + ids + " in order");
    }
    Problem.Builder b =
        Problem.builder()
            .delayRule(categories.delayRule())
            .aggregation(categories.aggregation())
            .sitePowerCapW(sitePowerCapW != null ? sitePowerCapW : fleet.sitePowerCapW());
    for (ModelDescriptor m : models) {
      b.model(new ModelSpec(m.id(), m.footprintGiB().value()));
    }
    for (Fleet.Device d : fleet.devices()) {
      DeviceClass dc = d.deviceClass();
      List<ModeSpec> modes = new ArrayList<>();
      for (PowerMode mode : dc.powerModes()) {
        modes.add(new ModeSpec(mode.id(), mode.maxPowerW().value()));
      }
      b.device(
          new DeviceSpec(
              d.id(),
              dc.usableMemoryGiB().value(),
              modes,
              0,
              new LinkSpec(d.link().rttMs() / 1000, d.link().bandwidthMbps() * 1e6 / 8)));
      for (PowerMode mode : dc.powerModes()) {
        for (ModelDescriptor m : models) {
          if (!dc.sizeClasses().contains(m.sizeClass()) || !hosts.test(d.id(), m.id())) {
            continue;
          }
          Performance p = dc.performance(m.sizeClass(), mode.id());
          b.rates(
              d.id(),
              mode.id(),
              m.id(),
              new Rates(
                  SCHEDULING_OVERHEAD_S,
                  p.prefillTokPerS().value(),
                  p.decodeTokPerS().value(),
                  p.activePowerW().value()));
        }
      }
    }
    for (CategoryConfig c : categories.categories()) {
      float[][] q = qualities.byCategory().get(c.id());
      if (q == null) {
        throw new DataFileException(
            "qualities", "$.categories." + c.id(), "no qualities for category '" + c.id() + "'");
      }
      b.category(
          new CategorySpec(
              c.id(),
              c.inputTokens(),
              c.outputTokens(),
              c.weight(),
              c.k(),
              c.delayBudgetS(),
              c.energyBudgetJ(),
              q));
    }
    return b.build();
  }
}
