package dev.moe2.orchestrator.planning;

import dev.moe2.orchestrator.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The planning lease (ADR 0015): one row in the shared database; the replica whose id it holds
 * plans until {@code expires_ms}, renewing it; any replica takes it once it has expired (the
 * planner died or lost the database). A replica that cannot renew stops planning when its own lease
 * runs out, before another can take it — never two planners at once on synchronised clocks.
 */
final class PlanningLease {

  private static final Logger LOG = Logger.getLogger(PlanningLease.class);

  private final Store db;
  private final String holder;
  private final Duration ttl;
  private final Clock clock;
  private volatile long heldUntil;
  private volatile long term;

  PlanningLease(Store db, String holder, Duration ttl, Clock clock) {
    this.db = db;
    this.holder = holder;
    this.ttl = ttl;
    this.clock = clock;
  }

  /**
   * Takes the lease when it is free or expired, renews it when held; whether this replica holds it
   * now. A database error keeps what is left of a held lease.
   */
  boolean tick() {
    long now = clock.millis();
    try (Connection c = db.connection();
        PreparedStatement u =
            c.prepareStatement(
                "UPDATE planning_lease SET term = CASE WHEN holder = ? THEN term ELSE term + 1"
                    + " END, holder = ?, expires_ms = ? WHERE name = 'planner'"
                    + " AND (holder = ? OR holder IS NULL OR expires_ms < ?)")) {
      long until = now + ttl.toMillis();
      u.setString(1, holder);
      u.setString(2, holder);
      u.setLong(3, until);
      u.setString(4, holder);
      u.setLong(5, now);
      if (u.executeUpdate() == 1) {
        heldUntil = until;
        term = readTerm(c);
        return true;
      }
      heldUntil = 0;
      return false;
    } catch (SQLException e) {
      boolean still = now < heldUntil;
      LOG.warnf(
          "planning lease: the database failed (%s); %s",
          e.getMessage(), still ? "still held for " + (heldUntil - now) + " ms" : "not held");
      return still;
    }
  }

  private static long readTerm(Connection c) throws SQLException {
    try (PreparedStatement q =
            c.prepareStatement("SELECT term FROM planning_lease WHERE name = 'planner'");
        ResultSet rs = q.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** Whether this replica holds the lease at this instant (without asking the database). */
  boolean held() {
    return clock.millis() < heldUntil;
  }

  /** The term of the lease when this replica last took or renewed it. */
  long term() {
    return term;
  }

  /** Who holds the lease now (unexpired), as the database says. */
  Optional<String> holder() {
    try (Connection c = db.connection();
        PreparedStatement q =
            c.prepareStatement(
                "SELECT holder FROM planning_lease WHERE name = 'planner' AND expires_ms >= ?")) {
      q.setLong(1, clock.millis());
      try (ResultSet rs = q.executeQuery()) {
        return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      return Optional.empty();
    }
  }

  /** Gives the lease up (shutdown): another replica takes it at its next tick. */
  void release() {
    heldUntil = 0;
    try (Connection c = db.connection();
        PreparedStatement u =
            c.prepareStatement(
                "UPDATE planning_lease SET holder = NULL, expires_ms = 0"
                    + " WHERE name = 'planner' AND holder = ?")) {
      u.setString(1, holder);
      u.executeUpdate();
    } catch (SQLException e) {
      LOG.warnf("planning lease not released (%s): it expires in %s", e.getMessage(), ttl);
    }
  }

  String holderId() {
    return holder;
  }
}
