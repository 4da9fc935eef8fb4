package dev.moe2.orchestrator.api;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;

/**
 * The HTTP server's edge, before the REST layer: stamps each request with the instant it arrived
 * (on the I/O thread, before anything else runs, so a request's delay budget counts from its
 * arrival: time spent waiting for a worker under load is charged to it, not hidden), and refuses a
 * body declared over {@code quarkus.http.limits.max-body-size} in the one error shape (a chunked
 * body without a length that grows over it still gets the server's own, empty, 413).
 */
@Singleton
final class HttpEdge {

  private static final String KEY = "moe2.arrivedAt";

  private final Clock clock;
  private final long maxBody;

  HttpEdge(
      Clock clock,
      @org.eclipse.microprofile.config.inject.ConfigProperty(
              name = "quarkus.http.limits.max-body-size")
          io.quarkus.runtime.configuration.MemorySize maxBody) {
    this.clock = clock;
    this.maxBody = maxBody.asLongValue();
  }

  void install(@Observes Router router) {
    router
        .route()
        .order(Integer.MIN_VALUE)
        .handler(
            rc -> {
              rc.put(KEY, clock.instant());
              if (declaredLength(rc) > maxBody) {
                // before the server's own check, which answers with an empty body
                rc.response()
                    .setStatusCode(413)
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Connection", "close")
                    .end(
                        "{\"error\": {\"code\": \"body-too-large\", \"message\": \"the body"
                            + " declares "
                            + declaredLength(rc)
                            + " bytes; the server's limit is "
                            + maxBody
                            + "\", \"type\": \"invalid_request_error\"}}");
                return;
              }
              rc.next();
            });
  }

  /** The body's Content-Length; -1 when absent or unreadable. */
  private static long declaredLength(RoutingContext rc) {
    String v = rc.request().getHeader("Content-Length");
    try {
      return v == null ? -1 : Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** When the request of {@code rc} arrived; now when it was not stamped (e.g. tests). */
  Instant of(RoutingContext rc) {
    Object at = rc == null ? null : rc.get(KEY);
    return at instanceof Instant i ? i : clock.instant();
  }
}
