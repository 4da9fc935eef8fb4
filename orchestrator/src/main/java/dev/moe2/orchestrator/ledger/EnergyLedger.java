package dev.moe2.orchestrator.ledger;

import dev.moe2.orchestrator.routing.Decision;
import dev.moe2.orchestrator.store.Store;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The energy ledger: every decision, per API key, category and hour — requests, answered, refused,
 * measured and predicted joules, budget violations — in the database ({@code usage_hour}). The
 * request path only offers a decision to a bounded queue ({@link #offer}); a writer thread adds
 * each batch to the hour rows in one transaction. A full queue or a failed write never holds an
 * answer back: the decisions lost are counted ({@code moe2_ledger_lost_total}) and logged.
 */
@Singleton
public class EnergyLedger {

  private static final Logger LOG = Logger.getLogger(EnergyLedger.class);

  /** Decisions waiting for the writer at most. */
  static final int CAPACITY = 10_000;

  /** How often the writer adds what waits. */
  static final long FLUSH_MS = 500;

  /** The caller of requests without an API key (security off). */
  public static final String NO_KEY = "-";

  private final Store db;
  private final BlockingQueue<Decision> queue = new ArrayBlockingQueue<>(CAPACITY);
  private final Counter lost;
  private final Counter written;
  private ScheduledExecutorService writer;

  private final java.time.Clock clock;
  private final java.time.Duration retention;

  EnergyLedger(
      Store db,
      MeterRegistry metrics,
      java.time.Clock clock,
      dev.moe2.orchestrator.config.OrchestratorConfig config) {
    this.db = db;
    this.clock = clock;
    this.retention = config.requests().decisionRetention();
    this.lost =
        Counter.builder("moe2_ledger_lost_total")
            .description("decisions the energy ledger could not record (queue full, database)")
            .register(metrics);
    this.written =
        Counter.builder("moe2_ledger_written_total")
            .description("decisions written to the energy ledger")
            .register(metrics);
  }

  void start(@Observes StartupEvent e) {
    writer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "moe2-ledger");
              t.setDaemon(true);
              return t;
            });
    writer.scheduleWithFixedDelay(this::flush, FLUSH_MS, FLUSH_MS, TimeUnit.MILLISECONDS);
    writer.scheduleWithFixedDelay(
        () -> {
          int n = prune(clock.instant().minus(retention));
          if (n > 0) {
            LOG.infof("dropped %d stored decisions older than %s", n, retention);
          }
        },
        1,
        60,
        TimeUnit.MINUTES);
  }

  /** Before the datasource closes: write what waits. */
  void stop(@Observes @Priority(100) ShutdownEvent e) {
    stopped = true;
    if (writer != null) {
      writer.shutdown();
      try {
        writer.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
      }
    }
    flush();
  }

  /** Hands a decision to the writer; never blocks (a full queue counts it lost). */
  void recorded(@Observes Decision d) {
    offer(d);
  }

  /** Hands a decision to the writer; never blocks (a full queue counts it lost). */
  public void offer(Decision d) {
    if (!queue.offer(d)) {
      lost.increment();
      LOG.warnf("energy ledger: queue full, decision %s not recorded", d.requestId());
    }
    if (stopped) {
      flush(); // the writer has stopped: requests still finishing while the service stops
    }
  }

  private volatile boolean stopped;

  /** Decisions lost so far (queue full or database error). */
  public long lost() {
    return (long) lost.count();
  }

  /**
   * Decisions of batches the database refused (down, or unreachable), written again with the next
   * batch; beyond {@value #CAPACITY} the oldest are counted lost.
   */
  private final java.util.ArrayDeque<Decision> retry = new java.util.ArrayDeque<>();

  /** Attempts of one batch whose transaction meets a concurrent writer (another replica). */
  static final int CONFLICT_ATTEMPTS = 5;

  /** Writes what waits now (the writer does this every {@value #FLUSH_MS} ms). */
  public synchronized void flush() {
    List<Decision> batch = new ArrayList<>(retry);
    retry.clear();
    queue.drainTo(batch);
    if (batch.isEmpty()) {
      return;
    }
    Map<Key, Row> rows = new HashMap<>();
    for (Decision d : batch) {
      rows.computeIfAbsent(Key.of(d), k -> new Row()).add(d);
    }
    for (int attempt = 1; ; attempt++) {
      try {
        write(rows, batch);
        written.increment(batch.size());
        if (failing) {
          failing = false;
          LOG.infof("energy ledger: the database is back, %d decisions written", batch.size());
        }
        return;
      } catch (SQLException ex) {
        if (Store.retryable(ex) && attempt < CONFLICT_ATTEMPTS) {
          continue; // another replica added the same hour's row first: add to it
        }
        if (Store.retryable(ex)) {
          lost.increment(batch.size()); // a conflict that does not go away: not retried forever
          LOG.errorf(
              "energy ledger: %d decisions not recorded (conflict after %d attempts: %s)",
              batch.size(), attempt, ex.getMessage());
          return;
        }
        keepForRetry(batch, ex);
        return;
      } catch (RuntimeException ex) {
        keepForRetry(batch, ex);
        return;
      }
    }
  }

  private boolean failing;

  private void keepForRetry(List<Decision> batch, Exception ex) {
    int over = Math.max(0, batch.size() - CAPACITY);
    for (int i = over; i < batch.size(); i++) {
      retry.addLast(batch.get(i));
    }
    if (over > 0) {
      lost.increment(over);
      LOG.errorf(
          "energy ledger: %d decisions not recorded (the database failed for longer than %d"
              + " decisions: %s)",
          over, CAPACITY, ex.getMessage());
    } else if (!failing) {
      LOG.warnf(
          "energy ledger: the database failed (%s); %d decisions kept to write again",
          ex.getMessage(), batch.size());
    }
    failing = true;
  }

  /** Decisions waiting to be written again after a database failure. */
  public synchronized int retrying() {
    return retry.size();
  }

  private void write(Map<Key, Row> rows, List<Decision> batch) throws SQLException {
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      try {
        for (Map.Entry<Key, Row> e : rows.entrySet()) {
          upsert(c, e.getKey(), e.getValue());
        }
        store(c, batch);
        c.commit();
      } catch (SQLException | RuntimeException ex) {
        c.rollback();
        throw ex;
      }
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper()
          .findAndRegisterModules()
          .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  /** Each decision as the API returns it, for {@code /api/decision-history}. */
  private static void store(Connection c, List<Decision> batch) throws SQLException {
    try (PreparedStatement ins =
        c.prepareStatement(
            "INSERT INTO decision (request_id, decided_at, caller, category, outcome, body)"
                + " VALUES (?, ?, ?, ?, ?, ?)")) {
      for (Decision d : batch) {
        Key k = Key.of(d);
        ins.setString(1, d.requestId());
        ins.setTimestamp(2, Timestamp.from(d.at()));
        ins.setString(3, k.caller());
        ins.setString(4, k.category());
        ins.setString(5, d.outcome().label());
        try {
          ins.setString(6, JSON.writeValueAsString(d));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new SQLException("cannot write decision " + d.requestId() + " as JSON", e);
        }
        ins.addBatch();
      }
      ins.executeBatch();
    }
  }

  /** Drops stored decisions older than {@code before} (the retention); returns how many. */
  public int prune(Instant before) {
    try (Connection c = db.connection();
        PreparedStatement del = c.prepareStatement("DELETE FROM decision WHERE decided_at < ?")) {
      del.setTimestamp(1, Timestamp.from(before));
      return del.executeUpdate();
    } catch (SQLException e) {
      LOG.warnf("cannot prune the stored decisions: %s", e.getMessage());
      return 0;
    }
  }

  /**
   * Stored decisions before {@code before}, latest first, at most {@code limit}; of {@code caller}
   * only when given. The JSON of each is what {@code /api/decisions} shows.
   */
  public List<String> history(Instant before, int limit, String caller) {
    flush();
    String sql =
        "SELECT body FROM decision WHERE decided_at < ?"
            + (caller == null ? "" : " AND caller = ?")
            + " ORDER BY decided_at DESC";
    List<String> out = new ArrayList<>();
    try (Connection c = db.connection();
        PreparedStatement q = c.prepareStatement(sql)) {
      q.setTimestamp(1, Timestamp.from(before));
      if (caller != null) {
        q.setString(2, caller);
      }
      q.setMaxRows(limit);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the stored decisions: " + e.getMessage(), e);
    }
    return out;
  }

  private static void upsert(Connection c, Key k, Row r) throws SQLException {
    try (PreparedStatement u =
        c.prepareStatement(
            "UPDATE usage_hour SET requests = requests + ?, answered = answered + ?,"
                + " refused = refused + ?, joules = joules + ?,"
                + " predicted_joules = predicted_joules + ?, violations = violations + ?"
                + " WHERE caller = ? AND category = ? AND hour_start = ?")) {
      int i = r.bind(u, 1);
      u.setString(i++, k.caller());
      u.setString(i++, k.category());
      u.setTimestamp(i, Timestamp.from(k.hour()));
      if (u.executeUpdate() > 0) {
        return;
      }
    }
    try (PreparedStatement ins =
        c.prepareStatement(
            "INSERT INTO usage_hour (requests, answered, refused, joules, predicted_joules,"
                + " violations, caller, category, hour_start) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      int i = r.bind(ins, 1);
      ins.setString(i++, k.caller());
      ins.setString(i++, k.category());
      ins.setTimestamp(i, Timestamp.from(k.hour()));
      ins.executeUpdate();
    }
  }

  /** One line of {@code /api/usage}. */
  public record Usage(
      String caller,
      String category,
      Instant from,
      long requests,
      long answered,
      long refused,
      double joules,
      double predictedJoules,
      long violations) {}

  /**
   * The ledger between {@code from} (inclusive) and {@code to} (exclusive), per caller, category
   * and hour or day ({@code byDay}), oldest first; {@code caller} or {@code category} null: all.
   */
  public List<Usage> usage(
      String caller, String category, Instant from, Instant to, boolean byDay) {
    flush();
    StringBuilder sql =
        new StringBuilder(
            "SELECT caller, category, hour_start, requests, answered, refused, joules,"
                + " predicted_joules, violations FROM usage_hour WHERE hour_start >= ?"
                + " AND hour_start < ?");
    if (caller != null) {
      sql.append(" AND caller = ?");
    }
    if (category != null) {
      sql.append(" AND category = ?");
    }
    sql.append(" ORDER BY hour_start, caller, category");
    Map<String, Usage> out = new java.util.LinkedHashMap<>();
    try (Connection c = db.connection();
        PreparedStatement q = c.prepareStatement(sql.toString())) {
      int i = 1;
      q.setTimestamp(i++, Timestamp.from(from));
      q.setTimestamp(i++, Timestamp.from(to));
      if (caller != null) {
        q.setString(i++, caller);
      }
      if (category != null) {
        q.setString(i, category);
      }
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          Instant hour = rs.getTimestamp(3).toInstant();
          Instant bucket = byDay ? hour.truncatedTo(ChronoUnit.DAYS) : hour;
          Usage u =
              new Usage(
                  rs.getString(1),
                  rs.getString(2),
                  bucket,
                  rs.getLong(4),
                  rs.getLong(5),
                  rs.getLong(6),
                  rs.getDouble(7),
                  rs.getDouble(8),
                  rs.getLong(9));
          out.merge(u.caller() + "|" + u.category() + "|" + bucket, u, EnergyLedger::sum);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the energy ledger: " + e.getMessage(), e);
    }
    return List.copyOf(out.values());
  }

  private static Usage sum(Usage a, Usage b) {
    return new Usage(
        a.caller(),
        a.category(),
        a.from(),
        a.requests() + b.requests(),
        a.answered() + b.answered(),
        a.refused() + b.refused(),
        a.joules() + b.joules(),
        a.predictedJoules() + b.predictedJoules(),
        a.violations() + b.violations());
  }

  private record Key(String caller, String category, Instant hour) {
    static Key of(Decision d) {
      return new Key(
          d.caller() == null ? NO_KEY : d.caller(),
          d.category() == null ? "-" : d.category(),
          d.at().truncatedTo(ChronoUnit.HOURS));
    }
  }

  private static final class Row {
    long requests;
    long answered;
    long refused;
    double joules;
    double predicted;
    long violations;

    void add(Decision d) {
      requests++;
      if (d.outcome() == Decision.Outcome.ANSWERED) {
        answered++;
      } else if (d.outcome() == Decision.Outcome.OVER_BUDGET
          || d.outcome() == Decision.Outcome.FLEET_BUSY
          || d.outcome() == Decision.Outcome.OVERLOADED
          || d.outcome() == Decision.Outcome.NO_USABLE_EXPERTS) {
        refused++;
      }
      joules += d.energyJ();
      for (Decision.Chosen ch : d.chosen()) {
        predicted += ch.predictedEnergyJ();
      }
      if (d.budgetViolated()) {
        violations++;
      }
    }

    int bind(PreparedStatement s, int from) throws SQLException {
      int i = from;
      s.setLong(i++, requests);
      s.setLong(i++, answered);
      s.setLong(i++, refused);
      s.setDouble(i++, joules);
      s.setDouble(i++, predicted);
      s.setLong(i++, violations);
      return i;
    }
  }
}
