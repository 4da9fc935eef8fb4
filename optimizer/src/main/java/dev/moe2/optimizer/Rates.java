package dev.moe2.optimizer;

/**
 * How fast, and at what power, one model runs on one device in one mode.
 *
 * @param ttftS fixed time to first token (scheduling, kernel launch), seconds
 * @param prefillTokPerS prompt tokens per second
 * @param decodeTokPerS generated tokens per second
 * @param activePowerW power drawn while computing
 */
public record Rates(
    double ttftS, double prefillTokPerS, double decodeTokPerS, double activePowerW) {
  public Rates {
    Checks.nonNegative(ttftS, "rates.ttftS");
    Checks.positive(prefillTokPerS, "rates.prefillTokPerS");
    Checks.positive(decodeTokPerS, "rates.decodeTokPerS");
    Checks.positive(activePowerW, "rates.activePowerW");
  }

  /**
   * These rates on a device measured {@code factor} times slower (prefill and decode divided by it;
   * ttft and power as they are).
   */
  public Rates slowedBy(double factor) {
    Checks.positive(factor, "factor");
    return factor == 1.0
        ? this
        : new Rates(ttftS, prefillTokPerS / factor, decodeTokPerS / factor, activePowerW);
  }

  /** Compute delay of a request with {@code in} prompt and {@code out} generated tokens. */
  public double computeS(int in, int out) {
    return ttftS + in / prefillTokPerS + out / decodeTokPerS;
  }
}
