package dev.moe2.orchestrator.api;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;

/**
 * Stamps each HTTP request with the instant it arrived, on the I/O thread before anything else
 * runs, so a request's delay budget counts from its arrival: time spent waiting for a worker thread
 * under load is charged to it, not hidden.
 */
@Singleton
final class Arrival {

  private static final String KEY = "moe2.arrivedAt";

  private final Clock clock;

  Arrival(Clock clock) {
    this.clock = clock;
  }

  void install(@Observes Router router) {
    router
        .route()
        .order(Integer.MIN_VALUE)
        .handler(
            rc -> {
              rc.put(KEY, clock.instant());
              rc.next();
            });
  }

  /** When the request of {@code rc} arrived; now when it was not stamped (e.g. tests). */
  Instant of(RoutingContext rc) {
    Object at = rc == null ? null : rc.get(KEY);
    return at instanceof Instant i ? i : clock.instant();
  }
}
