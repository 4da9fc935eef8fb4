package dev.moe2.orchestrator.ledger;

import dev.moe2.orchestrator.api.ApiException;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/usage?key=&category=&from=&to=&by=hour|day}: the energy ledger — per API key id,
 * category and hour (or day): requests, answered, refused, measured and predicted joules, budget
 * violations. {@code from}/{@code to} are ISO-8601 instants (default: the last 24 hours).
 */
@Path("/api/usage")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class UsageResource {

  /** The longest span one query may cover. */
  static final Duration MAX_SPAN = Duration.ofDays(366);

  private final EnergyLedger ledger;
  private final Clock clock;

  UsageResource(EnergyLedger ledger, Clock clock) {
    this.ledger = ledger;
    this.clock = clock;
  }

  @GET
  public Map<String, Object> usage(
      @QueryParam("key") String key,
      @QueryParam("category") String category,
      @QueryParam("from") String from,
      @QueryParam("to") String to,
      @QueryParam("by") String by) {
    Instant end = to == null ? clock.instant() : instant("to", to);
    Instant start = from == null ? end.minus(Duration.ofHours(24)) : instant("from", from);
    if (!start.isBefore(end)) {
      throw new ApiException(
          400, "invalid-field", "field 'from' (" + start + ") must be before 'to' (" + end + ")");
    }
    if (Duration.between(start, end).compareTo(MAX_SPAN) > 0) {
      throw new ApiException(
          400, "invalid-field", "from..to spans more than " + MAX_SPAN.toDays() + " days");
    }
    String b = by == null ? "hour" : by;
    if (!b.equals("hour") && !b.equals("day")) {
      throw new ApiException(
          400, "invalid-field", "field 'by' has value '" + b + "': it must be hour or day");
    }
    check("key", key);
    check("category", category);
    List<EnergyLedger.Usage> rows = ledger.usage(key, category, start, end, b.equals("day"));
    double joules = rows.stream().mapToDouble(EnergyLedger.Usage::joules).sum();
    long requests = rows.stream().mapToLong(EnergyLedger.Usage::requests).sum();
    return Map.of(
        "from", start.toString(),
        "to", end.toString(),
        "by", b,
        "requests", requests,
        "joules", joules,
        "rows", rows);
  }

  /**
   * {@code GET /api/usage/decisions?before=&limit=&key=}: stored decisions, latest first (the
   * database keeps them for {@code moe2.requests.decision-retention}); page back with {@code
   * before} = the {@code at} of the last one seen.
   */
  @GET
  @Path("/decisions")
  public jakarta.ws.rs.core.Response decisions(
      @QueryParam("before") String before,
      @QueryParam("limit") Integer limit,
      @QueryParam("key") String key) {
    Instant b = before == null ? clock.instant().plusSeconds(1) : instant("before", before);
    int n = limit == null ? 50 : limit;
    if (n < 1 || n > 500) {
      throw new ApiException(
          400, "invalid-field", "field 'limit' has value " + n + ": it must be in [1, 500]");
    }
    check("key", key);
    String body = "[" + String.join(",", ledger.history(b, n, key)) + "]";
    return jakarta.ws.rs.core.Response.ok(body, MediaType.APPLICATION_JSON).build();
  }

  private static void check(String field, String value) {
    if (value != null && !value.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new ApiException(
          400,
          "invalid-field",
          "field '" + field + "' must be 1-64 of A-Z, a-z, 0-9, '_', '.', '-'");
    }
  }

  private static Instant instant(String field, String value) {
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new ApiException(
          400,
          "invalid-field",
          "field '" + field + "' has value '" + value + "': it must be an ISO-8601 instant");
    }
  }
}
