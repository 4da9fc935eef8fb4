package dev.moe2.orchestrator.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moe2.orchestrator.planning.PlanningServiceTestAccess;
import dev.moe2.orchestrator.routing.Decision;
import dev.moe2.orchestrator.store.Store;
import dev.moe2.orchestrator.store.TestDatabases;
import dev.moe2.testservers.PostgresCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The energy ledger, quotas and stored decisions on both databases (the same migrations and SQL):
 * two replicas writing the same hour at once lose nothing, a database outage loses nothing that
 * fits the queue.
 */
class LedgerOnBothDatabasesTest {

  static final Instant T = Instant.parse("2026-11-29T09:10:00Z");
  static final Clock CLOCK = Clock.fixed(T, ZoneOffset.UTC);

  static Iterable<TestDatabases.Db> databases() {
    return TestDatabases.both().toList();
  }

  static EnergyLedger ledger(Store store) {
    return new EnergyLedger(
        store, new SimpleMeterRegistry(), CLOCK, PlanningServiceTestAccess.config());
  }

  static Decision decision(String caller, Instant at, double joules) {
    return EnergyLedgerTest.decision(caller, "math", at, Decision.Outcome.ANSWERED, joules);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void flush_twoReplicasWritingTheSameHourAtOnce_countEveryDecision(TestDatabases.Db db)
      throws Exception {
    Store store = db.store();
    EnergyLedger a = ledger(store);
    EnergyLedger b = ledger(store);
    int n = 200;
    for (int i = 0; i < n; i++) {
      a.offer(decision("keyaaaaaaa", T.plusMillis(i), 1.5));
      b.offer(decision("keyaaaaaaa", T.plusMillis(i), 2.5));
    }
    CyclicBarrier start = new CyclicBarrier(2);
    CompletableFuture<Void> fa = CompletableFuture.runAsync(() -> await(start, a::flush));
    CompletableFuture<Void> fb = CompletableFuture.runAsync(() -> await(start, b::flush));
    CompletableFuture.allOf(fa, fb).get();

    List<EnergyLedger.Usage> rows =
        a.usage("keyaaaaaaa", null, T.minusSeconds(3600), T.plusSeconds(3600), false);
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).requests()).isEqualTo(2L * n);
    assertThat(rows.get(0).joules()).isEqualTo(n * 1.5 + n * 2.5);
    assertThat(a.lost() + b.lost()).isZero();
    assertThat(a.history(T.plusSeconds(1), 1000, "keyaaaaaaa")).hasSize(2 * n);
  }

  private static void await(CyclicBarrier barrier, Runnable then) {
    try {
      barrier.await();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    then.run();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void set_quotaStored_readByAnotherReplica(TestDatabases.Db db) {
    Store store = db.store();
    Quotas a = new Quotas(store, CLOCK);
    a.load(null);
    a.set(new Quotas.Quota("keyaaaaaaa", 50.0, 10), "operator1");

    Quotas b = new Quotas(store, CLOCK);
    b.load(null);
    for (int i = 0; i < 10; i++) {
      assertThat(b.admit("keyaaaaaaa").allowed()).isTrue();
    }
    Quotas.Verdict eleventh = b.admit("keyaaaaaaa");
    assertThat(eleventh.allowed()).isFalse();
    assertThat(eleventh.reason()).contains("its quota is 10 per minute");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void refresh_anotherReplicasJoules_countAgainstTheDailyQuotaHere(TestDatabases.Db db) {
    Store store = db.store();
    Quotas here = new Quotas(store, CLOCK);
    here.load(null);
    here.set(new Quotas.Quota("keyaaaaaaa", 50.0, null), "operator1");
    EnergyLedger elsewhere = ledger(store); // another replica's ledger, same database
    elsewhere.offer(decision("keyaaaaaaa", T, 30));
    elsewhere.offer(decision("keyaaaaaaa", T, 25));
    elsewhere.flush();
    assertThat(here.admit("keyaaaaaaa").allowed()).as("not read yet").isTrue();

    here.refresh();

    assertThat(here.spentToday("keyaaaaaaa")).isEqualTo(55.0);
    Quotas.Verdict v = here.admit("keyaaaaaaa");
    assertThat(v.allowed()).isFalse();
    assertThat(v.reason()).contains("of its 50.0 J per day");
  }

  @Test
  void flush_postgresDown_keepsTheDecisionsAndWritesThemWhenItIsBack() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        PostgresCluster.required(), "PostgreSQL is not installed (.ci/run installs it)");
    try (PostgresCluster pg = PostgresCluster.start()) {
      PGSimpleDataSource ds = new PGSimpleDataSource();
      ds.setURL(pg.createDatabase("outage"));
      ds.setUser(pg.user());
      ds.setPassword(pg.password());
      Store store = new TestDatabases.Db("outage", () -> ds).store();
      EnergyLedger ledger = ledger(store);
      ledger.offer(decision("keyaaaaaaa", T, 1));
      ledger.flush();

      pg.stop();
      for (int i = 0; i < 5; i++) {
        ledger.offer(decision("keyaaaaaaa", T.plusSeconds(i), 2));
      }
      ledger.flush();
      assertThat(ledger.retrying()).isEqualTo(5);
      assertThat(ledger.lost()).isZero();

      pg.startServer();
      ledger.offer(decision("keyaaaaaaa", T.plusSeconds(10), 4));
      ledger.flush();

      assertThat(ledger.retrying()).isZero();
      assertThat(ledger.lost()).isZero();
      List<EnergyLedger.Usage> rows =
          ledger.usage("keyaaaaaaa", null, T.minusSeconds(3600), T.plusSeconds(3600), false);
      assertThat(rows.get(0).requests()).isEqualTo(7);
      assertThat(rows.get(0).joules()).isEqualTo(1 + 5 * 2 + 4);
    }
  }
}
