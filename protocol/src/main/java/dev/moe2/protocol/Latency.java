package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.moe2.protocol.internal.Checks;
import java.time.Duration;

/**
 * Latency the agent measured for one request.
 *
 * @param ttft time to first token
 * @param prefillPerToken prefill time per prompt token
 * @param decodePerToken decode time per generated token
 * @param total from receipt of the request to the reply
 */
public record Latency(
    @JsonProperty(value = "ttftMs", required = true) Duration ttft,
    @JsonProperty(value = "prefillPerTokenMs", required = true) Duration prefillPerToken,
    @JsonProperty(value = "decodePerTokenMs", required = true) Duration decodePerToken,
    @JsonProperty(value = "totalMs", required = true) Duration total) {

  public Latency {
    Checks.nonNegative(ttft, "latency.ttftMs");
    Checks.nonNegative(prefillPerToken, "latency.prefillPerTokenMs");
    Checks.nonNegative(decodePerToken, "latency.decodePerTokenMs");
    Checks.nonNegative(total, "latency.totalMs");
  }
}
