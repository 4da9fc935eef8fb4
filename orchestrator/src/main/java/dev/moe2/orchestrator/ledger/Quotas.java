package dev.moe2.orchestrator.ledger;

import dev.moe2.orchestrator.routing.Decision;
import dev.moe2.orchestrator.store.Store;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Quotas per API key: joules per UTC day (measured, from the ledger) and requests per minute.
 * Stored in the database ({@code quota}); today's joules are read from the ledger at start and then
 * counted from each decision as it is recorded, so a check costs no query. Over a quota, a request
 * is refused before any expert runs (429 {@code quota-exceeded}, naming the quota and when it
 * resets).
 */
@Singleton
public class Quotas {

  private static final Logger LOG = Logger.getLogger(Quotas.class);

  /** A key's quota; a null limit is none. */
  public record Quota(String caller, Double joulesPerDay, Integer requestsPerMinute) {
    public Quota {
      if (joulesPerDay != null && !(joulesPerDay >= 0 && joulesPerDay <= 1e9)) {
        throw new IllegalArgumentException(
            "field 'joulesPerDay' has value " + joulesPerDay + ": it must be in [0, 1e9]");
      }
      if (requestsPerMinute != null && (requestsPerMinute < 0 || requestsPerMinute > 1_000_000)) {
        throw new IllegalArgumentException(
            "field 'requestsPerMinute' has value "
                + requestsPerMinute
                + ": it must be in [0, 1000000]");
      }
    }
  }

  /** Whether a request may go on; when not, why and in how many seconds to retry. */
  public record Verdict(boolean allowed, String reason, long retryAfterS) {
    static final Verdict OK = new Verdict(true, "", 0);
  }

  private final Store db;
  private final Clock clock;
  private final Map<String, Quota> quotas = new ConcurrentHashMap<>();
  private final Map<String, double[]> spentToday = new ConcurrentHashMap<>();
  private final Map<String, Deque<Long>> recent = new ConcurrentHashMap<>();
  private volatile Instant day;

  Quotas(Store db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  void load(@Observes StartupEvent e) {
    day = clock.instant().truncatedTo(ChronoUnit.DAYS);
    refresh();
    if (db.shared()) {
      // replicas share the database: quotas set through another replica, and the joules its keys
      // spent (as its ledger writes them), reach this one within REFRESH_S
      refresher =
          java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "moe2-quota-refresh");
                t.setDaemon(true);
                return t;
              });
      refresher.scheduleWithFixedDelay(
          () -> {
            try {
              refresh();
            } catch (RuntimeException ex) {
              LOG.warnf("quotas not refreshed from the database: %s", ex.getMessage());
            }
          },
          REFRESH_S,
          REFRESH_S,
          java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  void stop(@Observes io.quarkus.runtime.ShutdownEvent e) {
    if (refresher != null) {
      refresher.shutdownNow();
    }
  }

  /** How often a replica reads the shared quotas and today's joules again, s. */
  static final long REFRESH_S = 5;

  private java.util.concurrent.ScheduledExecutorService refresher;

  /**
   * Reads the quotas and today's joules per key from the database. A key's joules become the larger
   * of the database's sum (every replica's flushed decisions) and this replica's count (which
   * includes its decisions not written yet).
   */
  void refresh() {
    rollDay();
    Instant today = day;
    try (Connection c = db.connection()) {
      Map<String, Quota> read = new java.util.HashMap<>();
      try (PreparedStatement q =
              c.prepareStatement("SELECT caller, joules_per_day, requests_per_minute FROM quota");
          ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          double j = rs.getDouble(2);
          Double joules = rs.wasNull() ? null : j;
          int r = rs.getInt(3);
          Integer rpm = rs.wasNull() ? null : r;
          read.put(rs.getString(1), new Quota(rs.getString(1), joules, rpm));
        }
      }
      quotas.putAll(read);
      quotas.keySet().retainAll(read.keySet());
      try (PreparedStatement q =
          c.prepareStatement(
              "SELECT caller, SUM(joules) FROM usage_hour WHERE hour_start >= ? GROUP BY caller")) {
        q.setTimestamp(1, Timestamp.from(today));
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            double[] spent = spentToday.computeIfAbsent(rs.getString(1), k -> new double[1]);
            synchronized (spent) {
              spent[0] = Math.max(spent[0], rs.getDouble(2));
            }
          }
        }
      }
    } catch (SQLException ex) {
      throw new IllegalStateException("cannot read the quotas: " + ex.getMessage(), ex);
    }
  }

  /** Counts a recorded decision's measured joules against its key's day. */
  void recorded(@Observes Decision d) {
    if (d.caller() == null || d.energyJ() <= 0) {
      return;
    }
    rollDay();
    double[] spent = spentToday.computeIfAbsent(d.caller(), k -> new double[1]);
    synchronized (spent) {
      spent[0] += d.energyJ();
    }
  }

  private void rollDay() {
    Instant today = clock.instant().truncatedTo(ChronoUnit.DAYS);
    if (!today.equals(day)) {
      synchronized (this) {
        if (!today.equals(day)) {
          spentToday.clear();
          day = today;
        }
      }
    }
  }

  /** Measured joules of {@code caller} today (UTC). */
  public double spentToday(String caller) {
    rollDay();
    double[] s = spentToday.get(caller);
    return s == null ? 0 : s[0];
  }

  /** Checks, and counts, one chat request of {@code caller}. */
  public Verdict admit(String caller) {
    Quota q = quotas.get(caller);
    if (q == null) {
      return Verdict.OK;
    }
    Instant now = clock.instant();
    if (q.joulesPerDay() != null) {
      double spent = spentToday(caller);
      if (spent >= q.joulesPerDay()) {
        Instant reset = now.truncatedTo(ChronoUnit.DAYS).plus(1, ChronoUnit.DAYS);
        return new Verdict(
            false,
            String.format(
                java.util.Locale.ROOT,
                "the API key %s spent %.1f J of its %.1f J per day; the quota resets at %s",
                caller,
                spent,
                q.joulesPerDay(),
                reset),
            Math.max(1, reset.getEpochSecond() - now.getEpochSecond()));
      }
    }
    if (q.requestsPerMinute() != null) {
      Deque<Long> times = recent.computeIfAbsent(caller, k -> new ArrayDeque<>());
      synchronized (times) {
        long t = now.toEpochMilli();
        while (!times.isEmpty() && times.peekFirst() <= t - 60_000) {
          times.removeFirst();
        }
        if (times.size() >= q.requestsPerMinute()) {
          long retry = Math.max(1, (times.peekFirst() + 60_000 - t + 999) / 1000);
          return new Verdict(
              false,
              "the API key "
                  + caller
                  + " sent "
                  + times.size()
                  + " requests in the last minute, its quota is "
                  + q.requestsPerMinute()
                  + " per minute",
              retry);
        }
        times.addLast(t);
      }
    }
    return Verdict.OK;
  }

  /** Sets (or with both limits null, removes) the quota of {@code caller}. */
  public Quota set(Quota q, String by) {
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      try (PreparedStatement del = c.prepareStatement("DELETE FROM quota WHERE caller = ?")) {
        del.setString(1, q.caller());
        del.executeUpdate();
      }
      if (q.joulesPerDay() != null || q.requestsPerMinute() != null) {
        try (PreparedStatement ins =
            c.prepareStatement(
                "INSERT INTO quota (caller, joules_per_day, requests_per_minute, updated_at,"
                    + " updated_by) VALUES (?, ?, ?, ?, ?)")) {
          ins.setString(1, q.caller());
          ins.setObject(2, q.joulesPerDay());
          ins.setObject(3, q.requestsPerMinute());
          ins.setTimestamp(4, Timestamp.from(clock.instant()));
          ins.setString(5, by == null ? "-" : by);
          ins.executeUpdate();
        }
      }
      c.commit();
    } catch (SQLException ex) {
      throw new IllegalStateException("cannot store the quota: " + ex.getMessage(), ex);
    }
    if (q.joulesPerDay() == null && q.requestsPerMinute() == null) {
      quotas.remove(q.caller());
    } else {
      quotas.put(q.caller(), q);
    }
    LOG.infof(
        "quota of %s set by %s: %s J/day, %s requests/min",
        q.caller(), by, q.joulesPerDay(), q.requestsPerMinute());
    return q;
  }

  /** Every quota, with today's spending. */
  public Map<String, Object> view() {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Quota q : quotas.values()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("joulesPerDay", q.joulesPerDay());
      m.put("requestsPerMinute", q.requestsPerMinute());
      m.put("joulesToday", spentToday(q.caller()));
      out.put(q.caller(), m);
    }
    return out;
  }
}
