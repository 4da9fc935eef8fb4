package dev.moe2.orchestrator.store;

import dev.moe2.testservers.PostgresCluster;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The two databases the orchestrator runs on, each a fresh, migrated database per call: H2 in
 * memory and PostgreSQL in a throwaway cluster (Debian's postgresql; one per test JVM, stopped at
 * exit). Persistence tests take their {@link Store} from {@link #both()}.
 */
public final class TestDatabases {

  private static final AtomicInteger NEXT = new AtomicInteger();
  private static PostgresCluster cluster;

  private TestDatabases() {}

  /** A named database factory (the name shows in the test report). */
  public record Db(String name, java.util.function.Supplier<DataSource> open) {
    public Store store() {
      DataSource ds = open.get();
      Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
      return new Store(ds, null);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  public static Stream<Db> both() {
    return Stream.of(
        new Db("H2", TestDatabases::h2), new Db("PostgreSQL", TestDatabases::postgres));
  }

  public static DataSource h2() {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:contract" + NEXT.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
    ds.setUser("moe2");
    ds.setPassword("");
    return ds;
  }

  public static DataSource postgres() {
    PostgresCluster pg = cluster();
    String url = pg.createDatabase("contract" + NEXT.incrementAndGet());
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(url);
    ds.setUser(pg.user());
    ds.setPassword(pg.password());
    return ds;
  }

  /** The test JVM's PostgreSQL cluster, started on first use. */
  public static synchronized PostgresCluster cluster() {
    if (cluster == null) {
      cluster = PostgresCluster.start();
      PostgresCluster started = cluster;
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "moe2-test-postgres"));
    }
    return cluster;
  }
}
