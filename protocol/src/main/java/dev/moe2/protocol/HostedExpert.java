package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.moe2.protocol.internal.Checks;

/**
 * A model an agent can serve.
 *
 * @param modelId the model
 * @param quantization e.g. {@code q4_k_m}, {@code int4-awq}
 * @param backend the agent's inference backend for it: {@code onnx}, {@code openai}, {@code
 *     simulated}
 * @param resident whether it is loaded now (a plan may load or unload it)
 */
public record HostedExpert(
    @JsonProperty(required = true) ModelId modelId,
    @JsonProperty(required = true) String quantization,
    @JsonProperty(required = true) String backend,
    @JsonProperty(required = true) boolean resident) {

  public HostedExpert {
    Checks.notNull(modelId, "modelId");
    Checks.notBlank(quantization, "quantization");
    Checks.notBlank(backend, "backend");
  }
}
