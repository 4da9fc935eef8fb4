package dev.moe2.testservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the servers' command-line tools and reports what they said when they fail. */
final class Processes {

  private Processes() {}

  /** A free TCP port on 127.0.0.1 now. */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }

  /** Whether this JVM runs as root (PostgreSQL refuses to; its tools then run as postgres). */
  static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** {@code command} as the unprivileged {@code user} when this JVM is root, else as is. */
  static List<String> as(String user, List<String> command) {
    if (!root()) {
      return command;
    }
    List<String> out = new ArrayList<>(List.of("runuser", "-u", user, "--"));
    out.addAll(command);
    return out;
  }

  /** Runs {@code command} to its end within {@code timeoutS}; its output when it fails. */
  static String run(List<String> command, Map<String, String> env, long timeoutS) {
    try {
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      pb.environment().putAll(env);
      Process p = pb.start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(
            "timed out after " + timeoutS + " s: " + String.join(" ", command));
      }
      String text = new String(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            "exit "
                + p.exitValue()
                + " from `"
                + String.join(" ", command)
                + "`:\n"
                + text.strip());
      }
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command.get(0), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command.get(0), e);
    }
  }

  /** The executable {@code name} in {@code dirs} (first match), or an error naming all of them. */
  static Path find(String name, List<Path> dirs, String debianPackage) {
    for (Path d : dirs) {
      Path p = d.resolve(name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new IllegalStateException(
        name
            + " not found in "
            + dirs
            + ": install Debian's "
            + debianPackage
            + " package (.ci/run does: apt-get install "
            + debianPackage
            + ")");
  }

  /** Stops {@code p} (SIGTERM), forcibly after {@code graceS} seconds. */
  static void stop(Process p, long graceS) {
    p.destroy();
    try {
      if (!p.waitFor(graceS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }

  /** Deletes {@code dir} and everything in it; quiet about what is already gone. */
  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  // a file the server still writes while it stops: left for the OS to clean
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
