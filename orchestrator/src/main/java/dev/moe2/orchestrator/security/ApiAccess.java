package dev.moe2.orchestrator.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.moe2.orchestrator.api.ApiExceptionMapper;
import dev.moe2.orchestrator.config.OrchestratorConfig;
import dev.moe2.orchestrator.ledger.Quotas;
import dev.moe2.security.ApiKeys;
import dev.moe2.security.ApiRole;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Who may call what, at the HTTP server's edge (before the REST layer, so no path escapes it):
 * every path but the dashboard's page, health and the API description needs {@code Authorization:
 * Bearer <key>} with a role that grants it ({@link #needed}); then the key's rate and concurrency
 * limits ({@link RateLimits}). Refusals use the one error shape: 401 (no or unknown key, with
 * {@code WWW-Authenticate}), 403 (wrong role), 429 (with {@code Retry-After}). The key never
 * reaches a log; its id is put on the request ({@link #KEY_ID}) for the decision record.
 */
@Singleton
final class ApiAccess {

  private static final Logger LOG = Logger.getLogger(ApiAccess.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The routing-context key holding the calling key's id. */
  static final String KEY_ID = "moe2.keyId";

  private final SiteSecurity security;
  private final RateLimits limits;
  private final Quotas quotas;

  ApiAccess(SiteSecurity security, OrchestratorConfig config, Quotas quotas) {
    this.security = security;
    this.quotas = quotas;
    OrchestratorConfig.Security s = config.security();
    this.limits =
        new RateLimits(s.requestsPerSecond(), s.burst(), s.maxConcurrent(), security.clock());
  }

  void install(@Observes Router router) {
    if (!security.enabled()) {
      return;
    }
    router.route().order(Integer.MIN_VALUE + 1).handler(this::check);
  }

  private void check(RoutingContext rc) {
    String path = rc.normalizedPath();
    Set<ApiRole> allowed = allowed(rc.request().method(), path);
    if (allowed.isEmpty()) {
      rc.next();
      return;
    }
    String header = rc.request().getHeader("Authorization");
    String key =
        header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
            ? header.substring(7).trim()
            : null;
    Optional<ApiKeys.Entry> entry = security.keys().authenticate(key);
    if (entry.isEmpty()) {
      rc.response().putHeader("WWW-Authenticate", "Bearer realm=\"moe2\"");
      refuse(
          rc,
          401,
          "unauthorized",
          key == null
              ? "this endpoint needs an API key: send 'Authorization: Bearer <key>'"
                  + " (scripts/credentials add-key)"
              : "the API key " + ApiKeys.idOf(key) + " is unknown or revoked");
      return;
    }
    ApiKeys.Entry e = entry.get();
    if (!allowed.contains(e.role())) {
      refuse(
          rc,
          403,
          "forbidden",
          "the API key "
              + e.id()
              + " has the role "
              + e.role().word()
              + "; "
              + rc.request().method()
              + " "
              + path
              + " needs "
              + String.join(" or ", allowed.stream().map(ApiRole::word).toList()));
      return;
    }
    if (path.equals("/v1/chat/completions")) {
      Quotas.Verdict q = quotas.admit(e.id());
      if (!q.allowed()) {
        rc.response().putHeader("Retry-After", Long.toString(q.retryAfterS()));
        refuse(rc, 429, "quota-exceeded", q.reason());
        return;
      }
    }
    RateLimits.Verdict v = limits.acquire(e.id());
    if (!v.allowed()) {
      rc.response().putHeader("Retry-After", Long.toString(v.retryAfterS()));
      refuse(rc, 429, "rate-limited", v.reason() + " for the API key " + e.id());
      return;
    }
    rc.put(KEY_ID, e.id());
    rc.addEndHandler(done -> limits.release(e.id()));
    rc.next();
  }

  private static final Set<ApiRole> PUBLIC = Set.of();
  private static final Set<ApiRole> ANY = EnumSet.allOf(ApiRole.class);
  private static final Set<ApiRole> CLIENT = EnumSet.of(ApiRole.CLIENT);
  private static final Set<ApiRole> VIEWING = grantingOf(ApiRole.VIEWER);
  private static final Set<ApiRole> OPERATOR = EnumSet.of(ApiRole.OPERATOR);

  private static Set<ApiRole> grantingOf(ApiRole needed) {
    Set<ApiRole> s = EnumSet.noneOf(ApiRole.class);
    for (ApiRole r : ApiRole.values()) {
      if (r.grants(needed)) {
        s.add(r);
      }
    }
    return s;
  }

  /** The roles whose keys may make a request; empty for the public paths. */
  static Set<ApiRole> allowed(HttpMethod method, String path) {
    if (path.equals("/")
        || path.equals("/index.html")
        || path.equals("/favicon.ico")
        || path.equals("/q/health")
        || path.startsWith("/q/health/")
        || path.equals("/q/openapi")
        || path.equals("/q/swagger-ui")
        || path.startsWith("/q/swagger-ui/")
        || path.startsWith("/webjars/")
            && (method == HttpMethod.GET || method == HttpMethod.HEAD)) {
      return PUBLIC; // the page and the libraries it loads; its data needs a key
    }
    if (path.equals("/v1/models") && (method == HttpMethod.GET || method == HttpMethod.HEAD)) {
      return ANY; // applications and the dashboard list the categories
    }
    if (path.startsWith("/v1/")) {
      return CLIENT;
    }
    if (path.equals("/api/keys") || path.startsWith("/api/keys/")) {
      return OPERATOR;
    }
    if (method == HttpMethod.GET || method == HttpMethod.HEAD) {
      return VIEWING; // dashboard reads, metrics, anything else
    }
    return OPERATOR;
  }

  private static void refuse(RoutingContext rc, int status, String code, String message) {
    LOG.debugf("refused %s %s: %d %s", rc.request().method(), rc.normalizedPath(), status, code);
    String body;
    try {
      body = JSON.writeValueAsString(ApiExceptionMapper.shape(status, code, message));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    rc.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
  }
}
