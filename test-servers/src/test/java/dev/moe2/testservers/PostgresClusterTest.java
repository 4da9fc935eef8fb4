package dev.moe2.testservers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class PostgresClusterTest {

  @org.junit.jupiter.api.BeforeAll
  static void needsPostgres() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        PostgresCluster.required(), "PostgreSQL is not installed (.ci/run installs it)");
  }

  @Test
  void start_createDatabase_keepsDataAcrossAStopAndRequiresThePassword() throws SQLException {
    try (PostgresCluster pg = PostgresCluster.start()) {
      String url = pg.createDatabase("moe2_test");
      try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password());
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE t (x INT)");
        s.execute("INSERT INTO t VALUES (42)");
      }
      assertThatThrownBy(() -> DriverManager.getConnection(url, pg.user(), "wrong"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("password authentication failed");

      pg.stop();
      assertThatThrownBy(() -> DriverManager.getConnection(url, pg.user(), pg.password()))
          .isInstanceOf(SQLException.class);
      pg.startServer();

      try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password());
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT x FROM t")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(42);
      }
    }
  }

  @Test
  void createDatabase_badName_namesTheField() {
    try (PostgresCluster pg = PostgresCluster.start()) {
      assertThatThrownBy(() -> pg.createDatabase("x; DROP"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("name has value 'x; DROP'");
    }
  }
}
