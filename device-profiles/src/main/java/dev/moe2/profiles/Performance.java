package dev.moe2.profiles;

/**
 * What one model size achieves on a device class in one power mode; derived figures say how.
 *
 * @param sizeClass the model size class
 * @param mode the power mode id
 * @param runtime the runtime the figures are for
 * @param decodeTokPerS generated tokens per second
 * @param prefillTokPerS prompt tokens per second
 * @param activePowerW power drawn while generating
 * @param energyPerTokenJ joules per generated token ({@code activePowerW / decodeTokPerS})
 */
public record Performance(
    String sizeClass,
    String mode,
    String runtime,
    Figure decodeTokPerS,
    Figure prefillTokPerS,
    Figure activePowerW,
    Figure energyPerTokenJ) {}
