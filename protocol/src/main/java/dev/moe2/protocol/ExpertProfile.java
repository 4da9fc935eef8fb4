package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.moe2.protocol.internal.Checks;
import java.time.Duration;

/**
 * Measured latency and energy of one expert over a report window.
 *
 * @param modelId the model
 * @param samples how many requests the figures summarise (0: predictions only)
 * @param ttftP50 median time to first token
 * @param prefillPerToken mean prefill time per prompt token
 * @param decodePerToken mean decode time per generated token
 * @param latencyP50 median end-to-end latency of a request
 * @param latencyP95 95th percentile of it
 * @param latencyP99 99th percentile of it
 * @param energyPerRequest mean energy of a request
 * @param energyPerToken mean energy per generated token
 * @param energySource where the energy figures come from
 */
public record ExpertProfile(
    @JsonProperty(required = true) ModelId modelId,
    @JsonProperty(required = true) long samples,
    @JsonProperty(value = "ttftP50Ms", required = true) Duration ttftP50,
    @JsonProperty(value = "prefillPerTokenMs", required = true) Duration prefillPerToken,
    @JsonProperty(value = "decodePerTokenMs", required = true) Duration decodePerToken,
    @JsonProperty(value = "latencyP50Ms", required = true) Duration latencyP50,
    @JsonProperty(value = "latencyP95Ms", required = true) Duration latencyP95,
    @JsonProperty(value = "latencyP99Ms", required = true) Duration latencyP99,
    @JsonProperty(value = "energyPerRequestJ", required = true) Joules energyPerRequest,
    @JsonProperty(value = "energyPerTokenJ", required = true) Joules energyPerToken,
    @JsonProperty(required = true) EnergySource energySource) {

  public ExpertProfile {
    Checks.notNull(modelId, "modelId");
    Checks.nonNegative(samples, "samples");
    Checks.nonNegative(ttftP50, "ttftP50Ms");
    Checks.nonNegative(prefillPerToken, "prefillPerTokenMs");
    Checks.nonNegative(decodePerToken, "decodePerTokenMs");
    Checks.nonNegative(latencyP50, "latencyP50Ms");
    Checks.nonNegative(latencyP95, "latencyP95Ms");
    Checks.nonNegative(latencyP99, "latencyP99Ms");
    if (latencyP95.compareTo(latencyP50) < 0 || latencyP99.compareTo(latencyP95) < 0) {
      throw new IllegalArgumentException(
          "fields 'latencyP50Ms' <= 'latencyP95Ms' <= 'latencyP99Ms' must hold, got "
              + latencyP50.toNanos() / 1e6
              + ", "
              + latencyP95.toNanos() / 1e6
              + ", "
              + latencyP99.toNanos() / 1e6);
    }
    Checks.notNull(energyPerRequest, "energyPerRequestJ");
    Checks.notNull(energyPerToken, "energyPerTokenJ");
    Checks.notNull(energySource, "energySource");
  }
}
