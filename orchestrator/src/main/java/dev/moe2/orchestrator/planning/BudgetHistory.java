package dev.moe2.orchestrator.planning;

import dev.moe2.planning.CategoryConfig;
import io.agroal.api.AgroalDataSource;
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

  private final AgroalDataSource db;
  private final PlanningService planning;
  private final Clock clock;

  BudgetHistory(AgroalDataSource db, PlanningService planning, Clock clock) {
    this.db = db;
    this.planning = planning;
    this.clock = clock;
  }

  /** Before the broker link (and the first plan): the stored budgets are the current ones. */
  void restore(@Observes @Priority(5) StartupEvent e) {
    String sql =
        "SELECT c.category, c.new_delay_s, c.new_energy_j, c.new_k FROM budget_change c"
            + " WHERE c.id = (SELECT MAX(x.id) FROM budget_change x WHERE x.category = c.category)";
    try (Connection c = db.getConnection();
        PreparedStatement q = c.prepareStatement(sql);
        ResultSet rs = q.executeQuery()) {
      while (rs.next()) {
        String category = rs.getString(1);
        if (planning.category(category).isEmpty()) {
          LOG.warnf("stored budgets of '%s' ignored: no such category any more", category);
          continue;
        }
        planning.setBudget(category, rs.getDouble(2), rs.getDouble(3), rs.getInt(4));
        LOG.infof(
            "budgets of %s restored from the database: %.2f s, %.1f J, k=%d",
            category, rs.getDouble(2), rs.getDouble(3), rs.getInt(4));
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
    try (Connection c = db.getConnection();
        PreparedStatement ins =
            c.prepareStatement(
                "INSERT INTO budget_change (category, changed_at, changed_by, old_delay_s,"
                    + " old_energy_j, old_k, new_delay_s, new_energy_j, new_k)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
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
    try (Connection c = db.getConnection();
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
