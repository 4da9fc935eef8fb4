package dev.moe2.optimizer;

import java.util.Objects;

/**
 * One usable expert as one request sees it: its current rates (drift included), its link, the
 * request's prompt length in the expert's own tokenizer, and how long the request would wait before
 * the expert starts on it (its device's queue).
 *
 * <p>Worst case of the request with {@code out} generated tokens: delay = queue + transmission of
 * prompt and answer + ttft + prompt / prefill rate + out / decode rate; energy = active power ×
 * compute time (waiting costs this request no energy).
 *
 * @param promptTokens prompt length counted with the expert's tokenizer (margin included)
 * @param queueS predicted wait before the expert starts, seconds
 */
public record RequestCandidate(
    Expert expert,
    Rates rates,
    LinkSpec link,
    double bytesPerToken,
    int promptTokens,
    double queueS) {

  public RequestCandidate {
    Objects.requireNonNull(expert, "expert");
    Objects.requireNonNull(rates, "rates");
    Objects.requireNonNull(link, "link");
    Checks.positive(bytesPerToken, "bytesPerToken");
    if (promptTokens < 0) {
      throw new IllegalArgumentException(
          "promptTokens has value " + promptTokens + ": it must be >= 0");
    }
    Checks.nonNegative(queueS, "queueS");
  }

  /** Worst-case end-to-end delay with {@code out} generated tokens, seconds. */
  public double delayS(int out) {
    return queueS
        + link.transmissionS((promptTokens + out) * bytesPerToken)
        + rates.computeS(promptTokens, out);
  }

  /** Worst-case energy with {@code out} generated tokens, joules. */
  public double energyJ(int out) {
    return rates.activePowerW() * rates.computeS(promptTokens, out);
  }

  /**
   * The largest output in {@code [0, maxOut]} whose worst case meets both limits; -1 when not even
   * an empty answer does.
   */
  public int maxOutput(double delayLimitS, double energyLimitJ, int maxOut) {
    if (delayS(0) > delayLimitS + EPS || energyJ(0) > energyLimitJ + EPS) {
      return -1;
    }
    double perTokenDelay = 1 / rates.decodeTokPerS() + bytesPerToken / link.bandwidthBytesPerS();
    double perTokenEnergy = rates.activePowerW() / rates.decodeTokPerS();
    double byDelay = (delayLimitS - delayS(0)) / perTokenDelay;
    double byEnergy = (energyLimitJ - energyJ(0)) / perTokenEnergy;
    long guess = (long) Math.floor(Math.min(Math.min(byDelay, byEnergy), maxOut) + 1e-9);
    int out = (int) Math.max(0, Math.min(guess, maxOut));
    // the closed form can be off by one in floating point: settle on the exact boundary
    while (out > 0 && !fits(out, delayLimitS, energyLimitJ)) {
      out--;
    }
    while (out < maxOut && fits(out + 1, delayLimitS, energyLimitJ)) {
      out++;
    }
    return out;
  }

  /**
   * The longest prompt (tokens) for which this expert's worst case with {@code out} generated
   * tokens meets both limits; -1 when none does.
   */
  public int longestPrompt(double delayLimitS, double energyLimitJ, int out) {
    RequestCandidate empty = withPromptTokens(0);
    if (empty.delayS(out) > delayLimitS + EPS || empty.energyJ(out) > energyLimitJ + EPS) {
      return -1;
    }
    double perTokenDelay = 1 / rates.prefillTokPerS() + bytesPerToken / link.bandwidthBytesPerS();
    double perTokenEnergy = rates.activePowerW() / rates.prefillTokPerS();
    double byDelay = (delayLimitS - empty.delayS(out)) / perTokenDelay;
    double byEnergy = (energyLimitJ - empty.energyJ(out)) / perTokenEnergy;
    int p = (int) Math.min(Integer.MAX_VALUE - 1, Math.floor(Math.min(byDelay, byEnergy) + 1e-9));
    while (p > 0
        && (withPromptTokens(p).delayS(out) > delayLimitS + EPS
            || withPromptTokens(p).energyJ(out) > energyLimitJ + EPS)) {
      p--;
    }
    return p;
  }

  /** This candidate for a prompt of {@code tokens} tokens. */
  public RequestCandidate withPromptTokens(int tokens) {
    return new RequestCandidate(expert, rates, link, bytesPerToken, tokens, queueS);
  }

  /** This candidate with a predicted wait of {@code seconds} before its device starts on it. */
  public RequestCandidate withQueueS(double seconds) {
    return new RequestCandidate(expert, rates, link, bytesPerToken, promptTokens, seconds);
  }

  private boolean fits(int out, double delayLimitS, double energyLimitJ) {
    return delayS(out) <= delayLimitS + EPS && energyJ(out) <= energyLimitJ + EPS;
  }

  /** Tolerance of the budget comparisons (1 ns, 1 nJ). */
  static final double EPS = 1e-9;
}
