package dev.moe2.profiles;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A class of edge device, loaded from a profile file ({@code devices/*.yaml}).
 *
 * @param id e.g. {@code jetson-agx-orin-64gb}
 * @param name a human name
 * @param kind how its power modes are set
 * @param memoryGiB physical memory (shared CPU/GPU on a Jetson, VRAM on a discrete GPU)
 * @param usableMemoryGiB memory available to resident models
 * @param memoryBandwidthGBs memory bandwidth
 * @param powerEnvelopeW the device's minimum and maximum power (for display and checks)
 * @param powerModes its power modes, lowest first
 * @param topMode the id of the fastest mode (where published figures usually are)
 * @param defaultRuntime the runtime whose figures predictions use
 * @param scaling how other modes follow from the top mode
 * @param throughput published (or derived) figures per model size, runtime and mode
 */
public record DeviceClass(
    String id,
    String name,
    DeviceKind kind,
    Figure memoryGiB,
    Figure usableMemoryGiB,
    Figure memoryBandwidthGBs,
    PowerEnvelope powerEnvelopeW,
    List<PowerMode> powerModes,
    String topMode,
    String defaultRuntime,
    ScalingRule scaling,
    List<ThroughputFigure> throughput) {

  public DeviceClass {
    powerModes = List.copyOf(powerModes);
    throughput = List.copyOf(throughput);
  }

  /** The device's power envelope. */
  public record PowerEnvelope(Figure min, Figure max) {}

  public Optional<PowerMode> mode(String modeId) {
    return powerModes.stream().filter(m -> m.id().equals(modeId)).findFirst();
  }

  /** The model size classes this device has figures for. */
  public List<String> sizeClasses() {
    return throughput.stream().map(ThroughputFigure::sizeClass).distinct().toList();
  }

  /**
   * What a model of {@code sizeClass} achieves in {@code modeId}: the published figure for that
   * mode and the default runtime if there is one, else the top mode's figure scaled by the {@link
   * ScalingRule}; energy per token is always derived.
   *
   * @throws UnknownProfileEntryException for a mode or size class this device has no figures for
   */
  public Performance performance(String sizeClass, String modeId) {
    PowerMode mode =
        mode(modeId)
            .orElseThrow(
                () ->
                    new UnknownProfileEntryException(
                        "power mode",
                        modeId,
                        id,
                        powerModes.stream().map(PowerMode::id).toList(),
                        "Maybe a typo, or a mode of another device class?"));
    List<ThroughputFigure> forSize =
        throughput.stream().filter(t -> t.sizeClass().equals(sizeClass)).toList();
    if (forSize.isEmpty()) {
      throw new UnknownProfileEntryException(
          "model size class",
          sizeClass,
          id,
          sizeClasses(),
          "Maybe the profile lacks a throughput figure for that size?");
    }
    String runtime =
        forSize.stream().anyMatch(t -> t.runtime().equals(defaultRuntime))
            ? defaultRuntime
            : forSize.get(0).runtime();
    List<ThroughputFigure> candidates =
        forSize.stream().filter(t -> t.runtime().equals(runtime)).toList();
    Optional<ThroughputFigure> exact =
        candidates.stream().filter(t -> t.mode().equals(modeId)).findFirst();
    if (exact.isPresent()) {
      ThroughputFigure t = exact.get();
      return new Performance(
          sizeClass,
          modeId,
          runtime,
          t.decodeTokPerS(),
          t.prefillTokPerS(),
          t.activePowerW(),
          energyPerToken(t.activePowerW(), t.decodeTokPerS()));
    }
    ThroughputFigure top =
        candidates.stream()
            .filter(t -> t.mode().equals(topMode))
            .findFirst()
            .orElseThrow(
                () ->
                    new UnknownProfileEntryException(
                        "top-mode figure for " + sizeClass + "/" + runtime,
                        topMode,
                        id,
                        candidates.stream().map(ThroughputFigure::mode).toList()));
    double topPower = top.activePowerW().value();
    double cap = mode.maxPowerW().value();
    double factor = Math.min(1, Math.pow(cap / topPower, scaling.exponent()));
    String why =
        String.format(
            Locale.ROOT,
            "%s figure × min(1, (%.0f W / %.1f W)^%.2f) = × %.3f (scaling rule)",
            topMode,
            cap,
            topPower,
            scaling.exponent(),
            factor);
    Figure decode = Figure.derived(top.decodeTokPerS().value() * factor, why);
    Figure prefill = Figure.derived(top.prefillTokPerS().value() * factor, why);
    Figure power =
        Figure.derived(
            Math.min(topPower, cap),
            String.format(
                Locale.ROOT, "min(%s active %.1f W, mode max %.0f W)", topMode, topPower, cap));
    return new Performance(
        sizeClass, modeId, runtime, decode, prefill, power, energyPerToken(power, decode));
  }

  private static Figure energyPerToken(Figure powerW, Figure decodeTokPerS) {
    return Figure.derived(
        powerW.value() / decodeTokPerS.value(),
        String.format(
            Locale.ROOT, "J/token = %.1f W / %.1f tok/s", powerW.value(), decodeTokPerS.value()));
  }
}
