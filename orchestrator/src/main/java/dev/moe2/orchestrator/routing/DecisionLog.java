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
  private final Timer latency;
  private final DistributionSummary energy;
  private final Counter violations;

  private final jakarta.enterprise.event.Event<Decision> recorded;

  DecisionLog(
      OrchestratorConfig config,
      MeterRegistry metrics,
      jakarta.enterprise.event.Event<Decision> recorded) {
    this.recorded = recorded;
    this.keep = config.requests().decisions();
    this.metrics = metrics;
    this.latency = metrics.timer("moe2_request_latency");
    this.energy = metrics.summary("moe2_request_energy_joules");
    this.violations = metrics.counter("moe2_budget_violations_total");
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
    latency.record((long) (d.totalMs() * 1e6), TimeUnit.NANOSECONDS);
    metrics
        .counter("moe2_requests_total", "category", d.category(), "outcome", d.outcome().label())
        .increment();
    if (d.energyJ() > 0) {
      energy.record(d.energyJ());
    }
    if (d.budgetViolated()) {
      violations.increment();
    }
    recorded.fire(d); // the energy ledger (which only queues it)
    return d;
  }
}
