package dev.moe2.orchestrator.planning;

import dev.moe2.orchestrator.store.Store;
import dev.moe2.planning.CategoryConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Budget changes made through the API, in the database ({@code budget_change}): who, when, old →
 * new. At start the latest change of each category is applied again, so budgets survive a restart
 * (the categories file stays the starting point of a new site).
 */
@Singleton
public class BudgetHistory {

  private static final Logger LOG = Logger.getLogger(BudgetHistory.class);

  /** One change. */
  public record Change(
      long id,
      String category,
      Instant at,
      String by,
      double oldDelayBudgetS,
      double oldEnergyBudgetJ,
      int oldK,
      double delayBudgetS,
      double energyBudgetJ,
      int k) {}

  private final Store db;
  private final PlanningService planning;
  private final Clock clock;

  BudgetHistory(Store db, PlanningService planning, Clock clock) {
    this.db = db;
    this.planning = planning;
    this.clock = clock;
  }

  /** Before the broker link (and the first plan): the stored budgets are the current ones. */
  void restore(@Observes @Priority(5) StartupEvent e) {
    sync();
    poller =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "moe2-budget-sync");
              t.setDaemon(true);
              return t;
            });
    poller.scheduleWithFixedDelay(
        () -> {
          try {
            sync();
          } catch (RuntimeException ex) {
            LOG.warnf("budget changes of other replicas not read: %s", ex.getMessage());
          }
        },
        SYNC_MS,
        SYNC_MS,
        java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  void stop(@Observes io.quarkus.runtime.ShutdownEvent e) {
    if (poller != null) {
      poller.shutdownNow();
    }
  }

  /** How often the changes made through other replicas are read, ms. */
  static final long SYNC_MS = 1000;

  private java.util.concurrent.ScheduledExecutorService poller;
  private long seen;
  private final java.util.Set<Long> own = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * Applies the stored changes not applied yet, oldest first: all of them at start (a restart keeps
   * them), then those made through other replicas sharing the database.
   */
  synchronized void sync() {
    try (Connection c = db.connection();
        PreparedStatement q =
            c.prepareStatement(
                "SELECT id, category, new_delay_s, new_energy_j, new_k FROM budget_change"
                    + " WHERE id > ? ORDER BY id")) {
      q.setLong(1, seen);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          long id = rs.getLong(1);
          seen = Math.max(seen, id);
          if (own.remove(id)) {
            continue; // made here: applied already
          }
          String category = rs.getString(2);
          if (planning.category(category).isEmpty()) {
            LOG.warnf("stored budgets of '%s' ignored: no such category any more", category);
            continue;
          }
          planning.setBudget(category, rs.getDouble(3), rs.getDouble(4), rs.getInt(5));
          LOG.infof(
              "budgets of %s from the database: %.2f s, %.1f J, k=%d",
              category, rs.getDouble(3), rs.getDouble(4), rs.getInt(5));
        }
      }
    } catch (SQLException ex) {
      throw new IllegalStateException("cannot read the stored budgets: " + ex.getMessage(), ex);
    }
  }

  /** Changes a category's budgets through {@link PlanningService} and records who did it. */
  public CategoryConfig change(
      String category, Double delayS, Double energyJ, Integer k, String by) {
    CategoryConfig old =
        planning
            .category(category)
            .orElseThrow(() -> new IllegalArgumentException("unknown category '" + category + "'"));
    CategoryConfig updated = planning.setBudget(category, delayS, energyJ, k);
    try (Connection c = db.connection();
        PreparedStatement ins =
            c.prepareStatement(
                "INSERT INTO budget_change (category, changed_at, changed_by, old_delay_s,"
                    + " old_energy_j, old_k, new_delay_s, new_energy_j, new_k)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                new String[] {"id"})) {
      ins.setString(1, category);
      ins.setTimestamp(2, Timestamp.from(clock.instant()));
      ins.setString(3, by == null ? "-" : by);
      ins.setDouble(4, old.delayBudgetS());
      ins.setDouble(5, old.energyBudgetJ());
      ins.setInt(6, old.k());
      ins.setDouble(7, updated.delayBudgetS());
      ins.setDouble(8, updated.energyBudgetJ());
      ins.setInt(9, updated.k());
      ins.executeUpdate();
      try (ResultSet keys = ins.getGeneratedKeys()) {
        if (keys.next()) {
          own.add(keys.getLong(1));
        }
      }
    } catch (SQLException ex) {
      // applied but not stored: say so, the caller's change must not look durable when it is not
      throw new IllegalStateException(
          "the budgets of " + category + " changed but could not be stored: " + ex.getMessage(),
          ex);
    }
    LOG.infof(
        "budgets of %s changed by %s: %.2f s, %.1f J, k=%d -> %.2f s, %.1f J, k=%d",
        category,
        by == null ? "-" : by,
        old.delayBudgetS(),
        old.energyBudgetJ(),
        old.k(),
        updated.delayBudgetS(),
        updated.energyBudgetJ(),
        updated.k());
    return updated;
  }

  /** The latest changes first, at most {@code limit}. */
  public List<Change> recent(int limit) {
    List<Change> out = new ArrayList<>();
    try (Connection c = db.connection();
        PreparedStatement q =
            c.prepareStatement(
                "SELECT id, category, changed_at, changed_by, old_delay_s, old_energy_j, old_k,"
                    + " new_delay_s, new_energy_j, new_k FROM budget_change ORDER BY id DESC")) {
      q.setMaxRows(limit);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.add(
              new Change(
                  rs.getLong(1),
                  rs.getString(2),
                  rs.getTimestamp(3).toInstant(),
                  rs.getString(4),
                  rs.getDouble(5),
                  rs.getDouble(6),
                  rs.getInt(7),
                  rs.getDouble(8),
                  rs.getDouble(9),
                  rs.getInt(10)));
        }
      }
    } catch (SQLException ex) {
      throw new IllegalStateException("cannot read the budget changes: " + ex.getMessage(), ex);
    }
    return out;
  }
}
