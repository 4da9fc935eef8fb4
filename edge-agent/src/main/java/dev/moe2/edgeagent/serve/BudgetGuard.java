package dev.moe2.edgeagent.serve;

import dev.moe2.edgeagent.energy.EnergyMeter;
import dev.moe2.edgeagent.energy.Work;
import dev.moe2.protocol.FinishReason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * One request's budgets, enforced where they are spent (contract: request, Energy cap): its energy
 * cap (when it has one) and its deadline. Before anything runs, {@link #admit} judges the prefill
 * (with the first token) from the expert's rates — refusing when even that would pass the cap or
 * the deadline — and lowers {@code maxTokens} to what the rates say fits. During generation, {@link
 * #stopBefore} ends the answer before the token that would take the metered energy past the cap
 * ({@code energy-cap}) or finish after the deadline ({@code deadline}). The next token's cost is
 * this request's own observed per-token energy and time once a token is done after the first, the
 * rates' figures before that.
 */
final class BudgetGuard {

  /**
   * Predicted rates of one expert: seconds per prompt token, seconds per generated token, watts.
   *
   * @param source where they come from ({@code measured}, {@code device-profile}), for messages
   */
  record Rates(double prefillS, double decodeS, double watts, String source) {
    Rates {
      if (!(prefillS >= 0) || !(decodeS > 0) || !(watts > 0)) {
        throw new IllegalArgumentException(
            "rates must have prefillS >= 0, decodeS > 0, watts > 0: prefillS="
                + prefillS
                + ", decodeS="
                + decodeS
                + ", watts="
                + watts);
      }
    }

    /** Time of the prefill of {@code promptTokens} and the first generated token, seconds. */
    double prefillS(int promptTokens) {
      return promptTokens * prefillS + decodeS;
    }

    /** Energy of the prefill of {@code promptTokens} and the first generated token. */
    double prefillJ(int promptTokens) {
      return watts * prefillS(promptTokens);
    }

    /** Energy of one more generated token. */
    double tokenJ() {
      return watts * decodeS;
    }
  }

  /**
   * What {@link #admit} decided.
   *
   * @param maxTokens the generation limit to run with ({@code <=} the request's)
   * @param lowered the finish reason an answer ending at {@code maxTokens} gets because a budget
   *     lowered it ({@code energy-cap} or {@code deadline}); null when not lowered
   * @param refusal why not even the prefill fits; null when admitted
   */
  record Admission(int maxTokens, FinishReason lowered, String refusal) {}

  private final Double capJ;
  private final Instant deadline;
  private final Optional<Rates> rates;
  private final EnergyMeter meter;
  private final String sizeClass;
  private final Clock clock;
  private EnergyMeter.Window window;
  private Instant started;
  private int firstTokens = -1;
  private double firstJ;
  private Instant firstAt;

  /**
   * @param capJ the request's energy cap; null when it has none
   */
  BudgetGuard(
      Double capJ,
      Instant deadline,
      Optional<Rates> rates,
      EnergyMeter meter,
      String sizeClass,
      Clock clock) {
    if (capJ != null && !(capJ > 0)) {
      throw new IllegalArgumentException("energy cap must be > 0 J: " + capJ);
    }
    this.capJ = capJ;
    this.deadline = deadline;
    this.rates = rates;
    this.meter = meter;
    this.sizeClass = sizeClass;
    this.clock = clock;
  }

  /** Judges the request before anything runs; without rates it is admitted unchanged. */
  Admission admit(int promptTokens, int maxTokens) {
    if (rates.isEmpty()) {
      return new Admission(maxTokens, null, null);
    }
    Rates r = rates.get();
    long byEnergy = Long.MAX_VALUE;
    if (capJ != null) {
      double prefill = r.prefillJ(promptTokens);
      if (prefill > capJ) {
        return new Admission(
            0,
            null,
            String.format(
                Locale.ROOT,
                "the prefill of %d prompt tokens and a first token needs about %.3f J at the %s"
                    + " rates, over the energy cap of %.3f J; nothing was run",
                promptTokens,
                prefill,
                r.source(),
                capJ));
      }
      byEnergy = 1 + (long) Math.floor((capJ - prefill) / r.tokenJ() + 1e-9);
    }
    double left = Duration.between(clock.instant(), deadline).toNanos() / 1e9;
    double prefillS = r.prefillS(promptTokens);
    if (prefillS > left) {
      return new Admission(
          0,
          null,
          String.format(
              Locale.ROOT,
              "the prefill of %d prompt tokens and a first token needs about %.3f s at the %s"
                  + " rates, more than the %.3f s left before the deadline; nothing was run",
              promptTokens,
              prefillS,
              r.source(),
              Math.max(0, left)));
    }
    long byTime = 1 + (long) Math.floor((left - prefillS) / r.decodeS() + 1e-9);
    if (Math.min(byEnergy, byTime) >= maxTokens) {
      return new Admission(maxTokens, null, null);
    }
    return byEnergy <= byTime
        ? new Admission((int) byEnergy, FinishReason.ENERGY_CAP, null)
        : new Admission((int) byTime, FinishReason.DEADLINE, null);
  }

  /** The meter window the request's energy is read from, opened when it starts running. */
  void started(EnergyMeter.Window w) {
    this.window = w;
    this.started = clock.instant();
  }

  /**
   * Whether to end the answer before generating token {@code tokensDone + 1}.
   *
   * @param tokensDone tokens generated so far (0: between chunks of the prefill)
   * @param busy how long the request has kept the device busy (the backend's clock)
   * @return {@code energy-cap} or {@code deadline} to stop; null to go on
   */
  FinishReason stopBefore(int promptTokens, int tokensDone, Duration busy) {
    if (window == null) {
      return null;
    }
    if (tokensDone < 1) {
      // between prefill chunks: stop once the metered energy has reached the cap
      return capJ != null
              && meter.sofar(window, new Work(sizeClass, promptTokens, 0, busy)).joules().value()
                  >= capJ
          ? FinishReason.ENERGY_CAP
          : null;
    }
    Instant now = clock.instant();
    double sofar =
        capJ == null
            ? 0
            : meter
                .sofar(window, new Work(sizeClass, promptTokens, tokensDone, busy))
                .joules()
                .value();
    if (firstTokens < 0) {
      firstTokens = tokensDone;
      firstJ = sofar;
      firstAt = now;
    }
    int since = tokensDone - firstTokens;
    if (capJ != null) {
      double nextJ =
          since > 0 ? Math.max(0, (sofar - firstJ) / since) : rates.map(Rates::tokenJ).orElse(0.0);
      if (sofar + nextJ > capJ) {
        return FinishReason.ENERGY_CAP;
      }
    }
    double nextS;
    if (since > 0) {
      nextS = Duration.between(firstAt, now).toNanos() / 1e9 / since;
    } else {
      // the rates are in the device's time; scale them as this request's time has passed
      double real = Duration.between(started, now).toNanos() / 1e9;
      double device = busy.toNanos() / 1e9;
      double scale = device > 0 ? real / device : 1;
      nextS = rates.map(r -> r.decodeS() * scale).orElse(0.0);
    }
    return now.plusNanos((long) (nextS * 1e9)).isAfter(deadline) ? FinishReason.DEADLINE : null;
  }

  Double capJ() {
    return capJ;
  }
}
