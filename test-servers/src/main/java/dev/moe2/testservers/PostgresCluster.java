package dev.moe2.testservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster from Debian's {@code postgresql} package: {@code initdb} into a
 * temporary folder, {@code pg_ctl} on a free 127.0.0.1 port, password (SCRAM) authentication for a
 * superuser {@value #USER} with a random password, no Unix socket outside the folder. Run as root
 * (CI), the server's tools run as the {@code postgres} user. {@link #close()} stops it and deletes
 * the folder.
 */
public final class PostgresCluster implements AutoCloseable {

  /** The superuser the cluster is made with. */
  public static final String USER = "moe2";

  private final Path bin;
  private final Path dir;
  private final int port;
  private final String password;
  private boolean running;

  private PostgresCluster(Path bin, Path dir, int port, String password) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
    this.password = password;
  }

  /** Makes and starts a cluster on a free port. */
  public static PostgresCluster start() {
    Path bin = binDir();
    Path dir;
    try {
      dir = Files.createTempDirectory("moe2-pg-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make a folder for PostgreSQL", e);
    }
    byte[] secret = new byte[24];
    new SecureRandom().nextBytes(secret);
    PostgresCluster pg =
        new PostgresCluster(bin, dir, Processes.freePort(), HexFormat.of().formatHex(secret));
    try {
      pg.init();
      pg.startServer();
      return pg;
    } catch (RuntimeException e) {
      pg.close();
      throw e;
    }
  }

  private void init() {
    Path pwfile = dir.resolve("pwfile");
    try {
      Files.writeString(pwfile, password + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + pwfile, e);
    }
    if (Processes.root()) {
      Processes.run(List.of("chown", "-R", "postgres:postgres", dir.toString()), Map.of(), 30);
    }
    Processes.run(
        Processes.as(
            "postgres",
            List.of(
                bin.resolve("initdb").toString(),
                "-D",
                data().toString(),
                "-U",
                USER,
                "--pwfile=" + pwfile,
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync")),
        Map.of(),
        120);
  }

  /** Starts the server (again, after {@link #stop}), waiting until it takes connections. */
  public void startServer() {
    Processes.run(
        Processes.as(
            "postgres",
            List.of(
                bin.resolve("pg_ctl").toString(),
                "-D",
                data().toString(),
                "-l",
                dir.resolve("server.log").toString(),
                "-w",
                "-t",
                "60",
                "-o",
                "-p "
                    + port
                    + " -h 127.0.0.1 -k "
                    + dir
                    + " -c fsync=off -c synchronous_commit=off -c max_connections=200",
                "start")),
        Map.of(),
        90);
    running = true;
  }

  /** Stops the server now (connections are cut: a database outage for the tests). */
  public void stop() {
    if (!running) {
      return;
    }
    Processes.run(
        Processes.as(
            "postgres",
            List.of(
                bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", "fast", "stop")),
        Map.of(),
        60);
    running = false;
  }

  /** Creates database {@code name} (owned by {@value #USER}) and returns its JDBC URL. */
  public String createDatabase(String name) {
    if (!name.matches("[a-z][a-z0-9_]{0,40}")) {
      throw new IllegalArgumentException(
          "name has value '" + name + "': use lower-case letters, digits and _");
    }
    Processes.run(
        List.of(
            bin.resolve("createdb").toString(),
            "-h",
            "127.0.0.1",
            "-p",
            String.valueOf(port),
            "-U",
            USER,
            name),
        Map.of("PGPASSWORD", password),
        60);
    return jdbcUrl(name);
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  public int port() {
    return port;
  }

  public String user() {
    return USER;
  }

  public String password() {
    return password;
  }

  /** The server's log so far (for a failing test's message). */
  public String log() {
    try {
      return Files.readString(dir.resolve("server.log"));
    } catch (IOException e) {
      return "(no server log: " + e.getMessage() + ")";
    }
  }

  private Path data() {
    return dir.resolve("data");
  }

  @Override
  public void close() {
    try {
      stop();
    } finally {
      Processes.deleteTree(dir);
    }
  }

  /** Whether PostgreSQL's server tools are installed here. */
  public static boolean installed() {
    try {
      binDir();
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  /**
   * Whether tests that need PostgreSQL must run: it is installed, or this is CI ({@code CI=true},
   * where {@code .ci/run} installs it and a missing server must fail, not skip).
   */
  public static boolean required() {
    return installed() || "true".equals(System.getenv("CI"));
  }

  /** Where PostgreSQL's server tools are: the newest /usr/lib/postgresql/N/bin, or the PATH. */
  static Path binDir() {
    List<Path> dirs = new ArrayList<>();
    Path debian = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(debian)) {
      try (Stream<Path> versions = Files.list(debian)) {
        versions
            .map(v -> v.resolve("bin"))
            .sorted(
                Comparator.comparingInt(
                        (Path b) -> {
                          String v = b.getParent().getFileName().toString();
                          return v.matches("\\d+") ? Integer.parseInt(v) : 0;
                        })
                    .reversed())
            .forEach(dirs::add);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + debian, e);
      }
    }
    for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!p.isBlank()) {
        dirs.add(Path.of(p));
      }
    }
    return Processes.find("pg_ctl", dirs, "postgresql").getParent();
  }
}
