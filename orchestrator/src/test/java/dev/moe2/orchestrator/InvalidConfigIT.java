package dev.moe2.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged service refuses to start on invalid settings and names the key and the reason. */
class InvalidConfigIT {

  static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

  @Test
  void start_invalidValues_stopsNamingEveryKeyAndReason(@TempDir Path dir) throws Exception {
    assertThat(JAR).as("the packaged orchestrator (run mvn package)").isRegularFile();
    Path log = dir.resolve("out.log");
    Process p =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dmoe2.broker.port=70000",
                    "-Dmoe2.planning.max-prompts=0",
                    "-Dmoe2.planning.time-budget=0s",
                    "-Dmoe2.orchestrator-id=Not Valid!",
                    "-Dmoe2.gate.encoder-runs=0",
                    "-Dmoe2.gate.embedding-cache-size=-1",
                    "-Dmoe2.gate.encoder-max-tokens=512",
                    "-Dquarkus.http.port=0",
                    "-jar",
                    JAR.toAbsolutePath().toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();

    boolean ended = p.waitFor(90, TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly();
    }
    String out = read(log);

    assertThat(ended).as("the service must stop by itself; its output:%n%s", out).isTrue();
    assertThat(p.exitValue()).isNotZero();
    assertThat(out)
        .contains("moe2.broker.port")
        .contains("moe2.planning.max-prompts")
        .contains("moe2.planning.time-budget")
        .contains("moe2.orchestrator-id")
        .contains("moe2.gate.encoder-runs")
        .contains("moe2.gate.embedding-cache-size")
        .contains("moe2.gate.encoder-max-tokens");
  }

  private static String read(Path log) throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }
}
