package dev.moe2.tools.eval;

/** Per-expert predicted quality of a prompt of a known category (the gate, maybe shrunk). */
@FunctionalInterface
interface QualityFunction {
  double[] q(float[] x, String category);
}
