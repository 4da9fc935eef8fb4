package dev.moe2.orchestrator.fleet;

import dev.moe2.orchestrator.config.OrchestratorConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Applies the re-admission rule ({@link FleetRegistry#readmitUnmeasured}) every quarter of {@code
 * moe2.planning.slowdown-expiry} (at most every 30 s); a re-admitted agent fires a re-plan.
 */
@Singleton
final class Readmission {

  private static final Logger LOG = Logger.getLogger(Readmission.class);

  private final FleetRegistry fleet;
  private final Duration expiry;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "moe2-readmission");
            t.setDaemon(true);
            return t;
          });

  Readmission(FleetRegistry fleet, OrchestratorConfig config) {
    this.fleet = fleet;
    this.expiry = config.planning().slowdownExpiry();
  }

  void start(@Observes StartupEvent event) {
    long every = Math.max(250, Math.min(expiry.toMillis() / 4, 30_000));
    timer.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    try {
      fleet.readmitUnmeasured(expiry);
    } catch (RuntimeException e) {
      LOG.warn("re-admission check failed; trying again at the next tick", e);
    }
  }

  void stop(@Observes ShutdownEvent event) {
    timer.shutdownNow();
  }
}
