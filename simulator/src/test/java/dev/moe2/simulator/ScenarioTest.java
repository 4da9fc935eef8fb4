package dev.moe2.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moe2.simulator.scenario.Scenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ScenarioTest {

  static Stream<Path> examples() throws IOException {
    return Files.list(Path.of("scenarios")).filter(p -> p.toString().endsWith(".yaml")).sorted();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void load_everyExampleFile_isValidAndHasItsFault(Path file) {
    Scenario s = Scenario.load(file.toString());
    String kind = file.getFileName().toString().replace(".yaml", "");
    assertThat(s.faults()).extracting(f -> f.kind().name().toLowerCase()).contains(kind);
    assertThat(s.models()).hasSize(7);
  }

  @ParameterizedTest
  @ValueSource(strings = {"reference", "load-8", "faults", "bench-4"})
  void load_builtIn_byName(String name) {
    assertThat(Scenario.load(name).devices()).isNotEmpty();
  }

  @Test
  void load_badFiles_nameTheKey(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(
        f,
        "devices: [{id: a, deviceClass: rtx-4090, powerMode: pl450}]\nfaults: [{at: soon, kind: kill, agent: a}]\n");
    assertThatThrownBy(() -> Scenario.load(f.toString()))
        .hasMessageContaining("faults[].at")
        .hasMessageContaining("soon");
    Files.writeString(
        f,
        "devices: [{id: a, deviceClass: rtx-4090, powerMode: pl450}]\nfaults: [{at: 1s, kind: kill, agent: b}]\n");
    assertThatThrownBy(() -> Scenario.load(f.toString()))
        .hasMessageContaining("faults[0].agent")
        .hasMessageContaining("'b'");
    Files.writeString(f, "devices: []\n");
    assertThatThrownBy(() -> Scenario.load(f.toString())).hasMessageContaining("devices");
    assertThatThrownBy(() -> Scenario.load("no-such"))
        .hasMessageContaining("no scenario file 'no-such'");
  }
}
