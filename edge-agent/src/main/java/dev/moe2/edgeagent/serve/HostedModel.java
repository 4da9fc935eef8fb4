package dev.moe2.edgeagent.serve;

import dev.moe2.edgeagent.backend.InferenceBackend;
import dev.moe2.protocol.ModelId;

/**
 * One expert the agent hosts.
 *
 * @param sizeClass its size class in the device profile (for model-based energy)
 * @param memoryGiB what it occupies when resident (0 when unknown)
 */
public record HostedModel(
    ModelId model,
    String quantization,
    String sizeClass,
    double memoryGiB,
    InferenceBackend backend) {}
