package dev.moe2.profiles;

/**
 * How throughput in a lower power mode follows from the top mode's figure, where no figure is
 * published for that mode: {@code rate(p) = rate(top) × min(1, (maxPowerW(p) / activePowerW(top)) ^
 * exponent)}, and the power drawn is {@code min(activePowerW(top), maxPowerW(p))}.
 *
 * @param exponent the power-law exponent
 * @param source why this exponent (a public measurement it is fitted to)
 */
public record ScalingRule(double exponent, String source) {}
