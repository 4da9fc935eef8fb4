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
 * @param tokenizer which tokenizer counts its prompt tokens; {@code null}: none known (the
 *     orchestrator then estimates with the largest count of the known families plus a margin)
 */
public record ModelDescriptor(
    String id,
    String name,
    String sizeClass,
    String quantization,
    Figure paramsBillions,
    Figure weightsGiB,
    Figure footprintGiB,
    Tokenizer tokenizer) {

  /**
   * Which shared tokenizer counts this model's prompt tokens, and the margin added when it is a
   * stand-in for the model's own.
   *
   * @param family {@code llama2} or {@code llama3} (a folder of {@code shared/tokenizers})
   * @param margin relative safety margin added to the count (0.10 = +10 %)
   */
  public record Tokenizer(String family, double margin, String note) {}
}
