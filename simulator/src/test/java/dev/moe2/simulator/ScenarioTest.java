package dev.moe2.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moe2.simulator.replay.LengthMix;
import dev.moe2.simulator.replay.PromptReplay;
import dev.moe2.simulator.scenario.Scenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
  void load_everyExampleFile_isValidAndHasItsFaultOrWorkload(Path file) {
    Scenario s = Scenario.load(file.toString());
    String kind = file.getFileName().toString().replace(".yaml", "");
    if (s.workload() == null) {
      assertThat(s.faults()).extracting(f -> f.kind().name().toLowerCase()).contains(kind);
    } else {
      assertThat(s.workload().k()).isNotEmpty();
    }
    assertThat(s.models()).hasSize(7);
  }

  @Test
  void load_longPrompts_workloadAsTheIssueAsks() {
    Scenario s = Scenario.load("scenarios/long-prompts.yaml");

    assertThat(s.workload().promptFactor()).containsExactly(2.0, 8.0);
    assertThat(s.workload().maxTokensFactor()).containsExactly(1.0, 4.0);
    assertThat(s.workload().k()).containsExactly(1, 2);
    assertThat(s.workload().longShare()).isEqualTo(0.5);
  }

  @Test
  void shape_longPromptsWorkload_stretchesAboutHalfWithinTheFactorsAndDrawsK() {
    Scenario.Workload w = Scenario.load("scenarios/long-prompts.yaml").workload();
    java.util.Map<String, dev.moe2.planning.CategoryConfig> planned = LengthMix.plannedLengths();
    List<PromptReplay.Prompt> plain = new java.util.ArrayList<>();
    for (int i = 0; i < 400; i++) {
      String category = List.copyOf(planned.keySet()).get(i % planned.size());
      plain.add(new PromptReplay.Prompt(category, "What is " + i + " + 1?", java.util.Map.of()));
    }

    List<PromptReplay.Prompt> shaped = LengthMix.shape(plain, w, planned, 5);

    assertThat(shaped).hasSize(400);
    long stretched = shaped.stream().filter(PromptReplay.Prompt::stretched).count();
    assertThat(stretched).isBetween(160L, 240L);
    assertThat(shaped)
        .filteredOn(PromptReplay.Prompt::stretched)
        .allSatisfy(
            p -> {
              dev.moe2.planning.CategoryConfig c = planned.get(p.category());
              assertThat(p.text().length())
                  .isGreaterThanOrEqualTo(2 * c.inputTokens() * 4)
                  .isLessThanOrEqualTo(8 * c.inputTokens() * 4 + p.question().length() + 2);
              assertThat(p.maxTokens()).isBetween(c.outputTokens(), 4 * c.outputTokens());
              assertThat(p.text()).startsWith(p.question());
            });
    assertThat(shaped).extracting(PromptReplay.Prompt::k).containsOnly(1, 2).contains(1, 2);
    assertThat(LengthMix.shape(plain, w, planned, 5)).as("seeded").isEqualTo(shaped);
  }

  @Test
  void load_badWorkload_namesTheKey(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(
        f,
        "devices: [{id: a, deviceClass: rtx-4090, powerMode: pl450}]\n"
            + "workload: {promptFactor: [8, 2]}\n");
    assertThatThrownBy(() -> Scenario.load(f.toString()))
        .hasMessageContaining("workload.promptFactor")
        .hasMessageContaining("[8.0, 2.0]");
  }

  @ParameterizedTest
  @ValueSource(strings = {"reference", "load-8", "faults", "bench-4", "bench-stream", "replicas-3"})
  void load_builtIn_byName(String name) {
    assertThat(Scenario.load(name).devices()).isNotEmpty();
  }

  @Test
  void load_replicas_defaultOneAndBoundedNamingTheKey(@TempDir Path dir) throws IOException {
    assertThat(Scenario.load("reference").replicas()).isEqualTo(1);
    assertThat(Scenario.load("replicas-3").replicas()).isEqualTo(3);
    Path f = dir.resolve("bad.yaml");
    Files.writeString(
        f, "replicas: 0\ndevices: [{id: a, deviceClass: rtx-4090, powerMode: pl450}]\n");
    assertThatThrownBy(() -> Scenario.load(f.toString()))
        .hasMessageContaining("key 'replicas' has value 0");
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
