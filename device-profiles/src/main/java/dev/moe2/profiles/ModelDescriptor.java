package dev.moe2.profiles;

/**
 * One model that can be an expert.
 *
 * @param id the model id used in plans and messages, e.g. {@code zephyr-7b-beta}
 * @param name its upstream name, e.g. the RouterDC score key {@code HuggingFaceH4/zephyr-7b-beta}
 * @param sizeClass its size class in device profiles, e.g. {@code 7b-q4}
 * @param quantization e.g. {@code q4_k_m}
 * @param paramsBillions parameter count
 * @param weightsGiB size of the quantised weights
 * @param footprintGiB memory it occupies when resident (weights + KV cache + runtime)
 */
public record ModelDescriptor(
    String id,
    String name,
    String sizeClass,
    String quantization,
    Figure paramsBillions,
    Figure weightsGiB,
    Figure footprintGiB) {}
