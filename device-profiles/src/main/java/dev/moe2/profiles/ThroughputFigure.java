package dev.moe2.profiles;

/**
 * Measured throughput and power of one model size on one runtime in one power mode.
 *
 * @param sizeClass e.g. {@code 7b-q4} (7-8B parameters, 4-bit)
 * @param runtime e.g. {@code mlc}, {@code llama.cpp}
 * @param mode the power mode id it was measured in
 * @param decodeTokPerS generated tokens per second at batch 1
 * @param prefillTokPerS prompt tokens per second
 * @param activePowerW power drawn while generating
 */
public record ThroughputFigure(
    String sizeClass,
    String runtime,
    String mode,
    Figure decodeTokPerS,
    Figure prefillTokPerS,
    Figure activePowerW) {}
