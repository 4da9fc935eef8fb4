package dev.moe2.orchestrator.store;

import io.agroal.api.AgroalDataSource;
import io.quarkus.arc.InjectableInstance;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The orchestrator's database (ADR 0014): the embedded H2 file by default, or PostgreSQL when
 * {@code quarkus.datasource.postgresql.jdbc.url} is set and the embedded one is switched off
 * ({@code quarkus.datasource.active=false}). Exactly one of the two is active; the same Flyway
 * migrations and the same SQL run on both.
 */
@Singleton
public final class Store {

  private static final Logger LOG = Logger.getLogger(Store.class);

  private final DataSource db;
  private final String product;

  @Inject
  Store(@Any InjectableInstance<AgroalDataSource> all) {
    this(only(all.listActive()), null);
  }

  /** On a plain data source (tests, tools); {@code product} null: read from the driver. */
  public Store(DataSource db, String product) {
    this.db = db;
    this.product = product == null ? productOf(db) : product;
    LOG.infof("database: %s", this.product);
  }

  private static DataSource only(List<AgroalDataSource> active) {
    if (active.size() != 1) {
      throw new IllegalStateException(
          active.isEmpty()
              ? "no database is active: keep the embedded one (quarkus.datasource.active=true, the"
                  + " default) or set quarkus.datasource.postgresql.jdbc.url"
              : "both the embedded database and PostgreSQL are active: set"
                  + " quarkus.datasource.active=false to use PostgreSQL"
                  + " (quarkus.datasource.postgresql.jdbc.url)");
    }
    return active.get(0);
  }

  private static String productOf(DataSource db) {
    try (Connection c = db.getConnection()) {
      DatabaseMetaData m = c.getMetaData();
      return m.getDatabaseProductName() + " " + m.getDatabaseProductVersion();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot reach the database: " + e.getMessage(), e);
    }
  }

  /** A pooled connection; the caller closes it. */
  public Connection connection() throws SQLException {
    return db.getConnection();
  }

  /** The database's product name and version, e.g. {@code PostgreSQL 15.18}. */
  public String product() {
    return product;
  }

  /** Whether several orchestrator processes can share it (PostgreSQL; not the embedded file). */
  public boolean shared() {
    return product.toLowerCase(Locale.ROOT).contains("postgres");
  }

  /**
   * Whether {@code e} is a conflict that a retry of the whole transaction resolves: a unique key
   * taken by a concurrent writer (SQL state 23505) or a serialization failure (40001).
   */
  public static boolean retryable(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s
          && ("23505".equals(s.getSQLState()) || "40001".equals(s.getSQLState()))) {
        return true;
      }
    }
    return false;
  }
}
