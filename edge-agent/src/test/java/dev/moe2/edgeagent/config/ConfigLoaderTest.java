package dev.moe2.edgeagent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {

  @TempDir Path dir;

  private static final String MINIMAL =
      """
      agentId: orin-a
      deviceClass: jetson-agx-orin-64gb
      powerMode: maxn
      experts:
        - {model: zephyr-7b-beta, backend: simulated}
      """;

  private Path write(String yaml) throws IOException {
    Path f = dir.resolve("agent.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  static Stream<Path> samples() throws IOException {
    return Files.list(Path.of("config")).filter(p -> p.toString().endsWith(".yaml")).sorted();
  }

  @ParameterizedTest
  @MethodSource("samples")
  void load_everySampleConfig_isValid(Path sample) {
    AgentConfig c = ConfigLoader.load(sample, Map.of(), Map.of());
    assertThat(c.experts()).isNotEmpty();
  }

  @Test
  void load_minimal_takesTheDocumentedDefaults() throws IOException {
    AgentConfig c = ConfigLoader.load(write(MINIMAL), Map.of(), Map.of());

    assertThat(c.mqtt().uri()).isEqualTo("tcp://127.0.0.1:1883");
    assertThat(c.mqtt().keepAliveS()).isEqualTo(2);
    assertThat(c.serving().maxConcurrent()).isEqualTo(4);
    assertThat(c.energy().meter()).isEqualTo("profile");
    assertThat(c.power().controller()).isEqualTo("none");
    assertThat(c.experts().get(0).resident()).isTrue();
  }

  @Test
  void load_environmentThenFlags_overrideTheFileInThatOrder() throws IOException {
    AgentConfig c =
        ConfigLoader.load(
            write(MINIMAL),
            Map.of("MOE2_AGENT_ID", "from-env", "MOE2_MQTT_URI", "tcp://127.0.0.1:1999"),
            Map.of("agentId", "from-flag", "serving.maxConcurrent", "9"));

    assertThat(c.agentId()).isEqualTo("from-flag");
    assertThat(c.mqtt().uri()).isEqualTo("tcp://127.0.0.1:1999");
    assertThat(c.serving().maxConcurrent()).isEqualTo(9);
  }

  @Test
  void load_unknownKey_isAnErrorNamingIt() throws IOException {
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    write(MINIMAL + "servng: {maxConcurrent: 2}\n"), Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("servng");
  }

  @Test
  void load_badValues_nameKeyAndReason() throws IOException {
    assertThatThrownBy(
            () -> ConfigLoader.load(write(MINIMAL), Map.of(), Map.of("serving.maxConcurrent", "0")))
        .hasMessageContaining("serving.maxConcurrent")
        .hasMessageContaining("must be >= 1");
    assertThatThrownBy(
            () -> ConfigLoader.load(write(MINIMAL), Map.of(), Map.of("energy.meter", "watts")))
        .hasMessageContaining("energy.meter")
        .hasMessageContaining("'watts' is not one of");
    assertThatThrownBy(
            () -> ConfigLoader.load(write(MINIMAL), Map.of(), Map.of("mqtt.uri", "http://x")))
        .hasMessageContaining("mqtt.uri");
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    write(MINIMAL), Map.of(), Map.of("serving.maxConcurrent", "many")))
        .hasMessageContaining("serving.maxConcurrent");
  }

  @Test
  void load_missingRequiredPieces_nameThem() throws IOException {
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    write(MINIMAL.replace("agentId: orin-a\n", "")), Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'agentId': is required");
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    write(MINIMAL.replace("backend: simulated", "backend: onnx")),
                    Map.of(),
                    Map.of()))
        .hasMessageContaining("experts[zephyr-7b-beta].onnx")
        .hasMessageContaining("required for backend onnx");
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("none.yaml"), Map.of(), Map.of()))
        .hasMessageContaining("no such file");
  }
}
