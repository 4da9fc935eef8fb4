package dev.moe2.orchestrator.routing;

import dev.moe2.orchestrator.config.OrchestratorConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The last decisions (for {@code /api/decisions}) and the request metrics they feed; each decision
 * is also fired as a CDI event, for the energy ledger.
 */
@Singleton
public class DecisionLog {

  private final int keep;
  private final Deque<Decision> decisions = new ArrayDeque<>();
  private final MeterRegistry metrics;
  private final Counter violations;

  /**
   * Latency histogram buckets (Prometheus {@code le}), s: from the dashboard's fastest answers to
   * the longest budgets; a fixed set keeps the series bounded (categories × outcomes × buckets).
   */
  static final java.time.Duration[] LATENCY_BUCKETS = {
    java.time.Duration.ofMillis(10),
    java.time.Duration.ofMillis(25),
    java.time.Duration.ofMillis(50),
    java.time.Duration.ofMillis(100),
    java.time.Duration.ofMillis(250),
    java.time.Duration.ofMillis(500),
    java.time.Duration.ofSeconds(1),
    java.time.Duration.ofMillis(2500),
    java.time.Duration.ofSeconds(5),
    java.time.Duration.ofSeconds(10),
    java.time.Duration.ofSeconds(30)
  };

  /** Energy histogram buckets, J. */
  static final double[] ENERGY_BUCKETS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000};

  private final jakarta.enterprise.event.Event<Decision> recorded;

  DecisionLog(
      OrchestratorConfig config,
      MeterRegistry metrics,
      jakarta.enterprise.event.Event<Decision> recorded) {
    this.recorded = recorded;
    this.keep = config.requests().decisions();
    this.metrics = metrics;
    this.violations =
        Counter.builder("moe2_budget_violations_total")
            .description("answers whose measured energy or delay broke their budget")
            .register(metrics);
  }

  public synchronized List<Decision> decisions() {
    return List.copyOf(decisions);
  }

  /** Keeps {@code d} (dropping the oldest beyond the configured number) and counts it. */
  public Decision record(Decision d) {
    synchronized (this) {
      decisions.addLast(d);
      while (decisions.size() > keep) {
        decisions.removeFirst();
      }
    }
    // tags: the category (a configured one: every decision has one) and the outcome (an enum)
    Timer.builder("moe2_request_latency")
        .description(
            "time from a request's arrival to its answer or refusal, per category and outcome")
        .tags("category", d.category(), "outcome", d.outcome().label())
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(metrics)
        .record((long) (d.totalMs() * 1e6), TimeUnit.NANOSECONDS);
    Counter.builder("moe2_requests_total")
        .description("requests decided, per category and outcome")
        .tags("category", d.category(), "outcome", d.outcome().label())
        .register(metrics)
        .increment();
    if (d.energyJ() > 0) {
      DistributionSummary.builder("moe2_request_energy_joules")
          .description("measured energy of the experts that ran for a request, J, per category")
          .baseUnit("joules")
          .tags("category", d.category())
          .serviceLevelObjectives(ENERGY_BUCKETS)
          .register(metrics)
          .record(d.energyJ());
    }
    if (d.ttftMs() != null) {
      Timer.builder("moe2_time_to_first_token")
          .description(
              "streamed requests: time from arrival to the first text sent to the client, per"
                  + " category")
          .tags("category", d.category())
          .serviceLevelObjectives(LATENCY_BUCKETS)
          .register(metrics)
          .record((long) (d.ttftMs() * 1e6), TimeUnit.NANOSECONDS);
    }
    if (d.budgetViolated()) {
      violations.increment();
    }
    recorded.fire(d); // the energy ledger (which only queues it)
    return d;
  }
}
