package dev.moe2.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broken profile stops loading with the file, the key and the reason. */
class BrokenProfileTest {

  private static final String ORIN = "devices/jetson-agx-orin-64gb.yaml";
  private static final String FLEET = "fleets/reference.yaml";

  @TempDir Path dir;

  private ProfileLoadException loadBroken(String file, UnaryOperator<String> breakIt)
      throws IOException {
    Profiles.copyBuiltIns(dir);
    String original = Profiles.builtIn(file);
    String broken = breakIt.apply(original);
    assertThat(broken).as("the edit must change the file").isNotEqualTo(original);
    Profiles.write(dir, file, broken);
    try {
      ProfileCatalog.load(dir);
    } catch (ProfileLoadException e) {
      assertThat(e.file()).isEqualTo(dir.resolve(file).toString());
      assertThat(e.getMessage()).startsWith(dir.resolve(file) + ": key '" + e.key() + "': ");
      return e;
    }
    throw new AssertionError("loading " + file + " should have failed");
  }

  @Test
  void load_negativeThroughput_failsNamingTheKeyAndTheMinimum() throws IOException {
    ProfileLoadException e = loadBroken(ORIN, s -> s.replaceFirst("value: 47\n", "value: -47\n"));

    assertThat(e.key()).isEqualTo("$.throughput[0].decodeTokPerS.value");
    assertThat(e.reason()).contains("device-class schema").contains("exclusive minimum value of 0");
  }

  @Test
  void load_unknownPowerModeInThroughput_failsListingTheModes() throws IOException {
    ProfileLoadException e =
        loadBroken(
            ORIN,
            s ->
                s.replace(
                    "    mode: maxn\n    decodeTokPerS:\n      value: 47",
                    "    mode: 40w\n    decodeTokPerS:\n      value: 47"));

    assertThat(e.key()).isEqualTo("$.throughput[0].mode");
    assertThat(e.reason())
        .isEqualTo("unknown power mode '40w'; this class has 15w, 30w, 50w, maxn");
  }

  @Test
  void load_unknownTopMode_fails() throws IOException {
    ProfileLoadException e = loadBroken(ORIN, s -> s.replace("topMode: maxn", "topMode: turbo"));

    assertThat(e.key()).isEqualTo("$.topMode");
    assertThat(e.reason()).startsWith("unknown power mode 'turbo'");
  }

  @Test
  void load_missingRequiredKey_failsNamingIt() throws IOException {
    ProfileLoadException e = loadBroken(ORIN, s -> s.replace("defaultRuntime: mlc\n", ""));

    assertThat(e.key()).isEqualTo("$");
    assertThat(e.reason()).contains("required property 'defaultRuntime' not found");
  }

  @Test
  void load_figureWithoutSourceOrRule_failsOnThatFigure() throws IOException {
    ProfileLoadException e =
        loadBroken(
            ORIN,
            s ->
                s.replaceFirst(
                    "memoryBandwidthGBs:\n  value: 204.8\n  source: \"[^\"]*\"\n",
                    "memoryBandwidthGBs:\n  value: 204.8\n"));

    assertThat(e.key()).isEqualTo("$.memoryBandwidthGBs");
    assertThat(e.reason()).contains("device-class schema");
  }

  @Test
  void load_misspelledKey_failsAsUnknownProperty() throws IOException {
    ProfileLoadException e = loadBroken(ORIN, s -> s.replace("topMode:", "topmode:"));

    assertThat(e.key()).isEqualTo("$");
    assertThat(e.reason()).contains("topmode");
  }

  @Test
  void load_jetsonModeWithoutNvpmodelId_fails() throws IOException {
    ProfileLoadException e = loadBroken(ORIN, s -> s.replace("    nvpmodelId: 2\n", ""));

    assertThat(e.key()).isEqualTo("$.powerModes[1]");
    assertThat(e.reason()).isEqualTo("a jetson power mode needs an nvpmodelId and no powerLimitW");
  }

  @Test
  void load_invalidYaml_failsWithLineAndColumn() throws IOException {
    ProfileLoadException e = loadBroken(ORIN, s -> s.replace("kind: jetson", "kind: [jetson"));

    assertThat(e.key()).isEqualTo("$");
    assertThat(e.reason()).startsWith("not valid YAML at line");
  }

  @Test
  void load_idOtherThanFileName_fails() throws IOException {
    ProfileLoadException e =
        loadBroken(ORIN, s -> s.replace("id: jetson-agx-orin-64gb", "id: jetson-agx-orin-32gb"));

    assertThat(e.key()).isEqualTo("$.id");
    assertThat(e.reason()).contains("does not match the file name");
  }

  @Test
  void load_fleetWithUnknownDeviceClass_failsListingKnownClasses() throws IOException {
    ProfileLoadException e =
        loadBroken(FLEET, s -> s.replaceFirst("deviceClass: rtx-4090", "deviceClass: rtx-5090"));

    assertThat(e.key()).isEqualTo("$.devices[3].deviceClass");
    assertThat(e.reason())
        .isEqualTo(
            "unknown device class 'rtx-5090'; known: jetson-agx-orin-64gb, jetson-orin-nx-16gb,"
                + " rtx-4090");
  }

  @Test
  void load_fleetWithNegativeRtt_failsOnTheSchema() throws IOException {
    ProfileLoadException e = loadBroken(FLEET, s -> s.replaceFirst("rttMs: 4.0", "rttMs: -4.0"));

    assertThat(e.key()).isEqualTo("$.devices[2].link.rttMs");
    assertThat(e.reason()).contains("fleet schema");
  }

  @Test
  void load_missingFolder_failsNamingIt() {
    Path missing = dir.resolve("nowhere");

    assertThatThrownBy(() -> ProfileCatalog.load(missing))
        .isInstanceOf(ProfileLoadException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("is not a folder");
  }

  @Test
  void loadFleet_missingFile_failsNamingIt() {
    Path missing = dir.resolve("fleet.yaml");

    assertThatThrownBy(() -> ProfileCatalog.builtIn().loadFleet(missing))
        .isInstanceOf(ProfileLoadException.class)
        .hasMessage(
            missing + ": key '$': no such file (looked for " + missing.toAbsolutePath() + ")");
  }
}
