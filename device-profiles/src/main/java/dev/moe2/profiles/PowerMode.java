package dev.moe2.profiles;

/**
 * One power mode of a device class: an {@code nvpmodel} mode on a Jetson, a power limit ({@code
 * nvidia-smi -pl}) on a discrete GPU.
 *
 * @param id the mode's id in plans and messages, e.g. {@code 30w}, {@code maxn}, {@code pl300}
 * @param nvpmodelId the {@code nvpmodel -m} id (Jetson only)
 * @param powerLimitW the {@code nvidia-smi -pl} watts (discrete GPU only)
 * @param maxPowerW the most the device draws in this mode (for the site power cap)
 */
public record PowerMode(String id, Integer nvpmodelId, Integer powerLimitW, Figure maxPowerW) {}
