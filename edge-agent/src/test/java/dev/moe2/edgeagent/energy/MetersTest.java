package dev.moe2.edgeagent.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.moe2.profiles.ProfileCatalog;
import dev.moe2.protocol.EnergySource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetersTest {

  private static final Work WORK = new Work("7b-q4", 100, 16, Duration.ofSeconds(2));

  @Test
  void end_constantPowerOverAWindow_integratesWattsTimesSeconds() {
    AtomicLong clock = new AtomicLong();
    SampledMeter m =
        new SampledMeter(
            EnergySource.TEGRASTATS,
            null,
            line -> TegrastatsParser.watts(line, List.of()),
            clock::get);
    m.accept("RAM 1/2MB VDD_IN 10000mW/10000mW");
    EnergyMeter.Window w = m.begin();
    clock.set(500_000_000L);
    m.accept("RAM 1/2MB VDD_IN 10000mW/10000mW");
    clock.set(2_000_000_000L);
    m.accept("RAM 1/2MB VDD_IN 10000mW/10000mW");

    assertThat(m.end(w, WORK).joules().value()).isCloseTo(20.0, within(1e-9));
    assertThat(m.end(m.begin(), WORK).source()).isEqualTo(EnergySource.TEGRASTATS);
  }

  @Test
  void end_rampingPower_isTheTrapezoid() {
    AtomicLong clock = new AtomicLong();
    SampledMeter m =
        new SampledMeter(
            EnergySource.NVML, null, line -> NvidiaSmiParser.watts(line, 0), clock::get);
    EnergyMeter.Window w = m.begin();
    m.accept("100");
    clock.set(1_000_000_000L);
    m.accept("300");

    assertThat(m.end(w, WORK).joules().value()).isCloseTo(200.0, within(1e-9));
  }

  @Test
  void end_twoConcurrentWindows_shareThePower() {
    AtomicLong clock = new AtomicLong();
    SampledMeter m =
        new SampledMeter(
            EnergySource.NVML, null, line -> NvidiaSmiParser.watts(line, 0), clock::get);
    EnergyMeter.Window a = m.begin();
    EnergyMeter.Window b = m.begin();
    m.accept("100");
    clock.set(1_000_000_000L);
    m.accept("100");

    double ea = m.end(a, WORK).joules().value();
    double eb = m.end(b, WORK).joules().value();
    assertThat(ea + eb)
        .as("the device's 100 J are not counted twice")
        .isCloseTo(100.0, within(1e-6));
  }

  @Test
  void sampledMeter_realCommandOutput_isReadAsItArrives() {
    SampledMeter m =
        SampledMeter.of(
            EnergySource.NVML,
            List.of("sh", "-c", "printf 'power.draw [W]\\n120.5\\n121.0\\n'"),
            line -> NvidiaSmiParser.watts(line, 0));
    try {
      await().atMost(Duration.ofSeconds(5)).until(() -> m.samples() == 2);
    } finally {
      m.close();
    }
  }

  @Test
  void sampledMeter_missingCommand_namesIt() {
    assertThatThrownBy(() -> SampledMeter.tegrastats("/nonexistent/tegrastats", 100, List.of()))
        .isInstanceOf(MeterException.class)
        .hasMessageContaining("/nonexistent/tegrastats");
  }

  @Test
  void rapl_counterWrapsAround_correctedWithTheRange(@TempDir Path zone) throws Exception {
    Files.writeString(zone.resolve("max_energy_range_uj"), "1000000000\n");
    Files.writeString(zone.resolve("energy_uj"), "999000000\n");
    RaplMeter m = new RaplMeter(zone);
    EnergyMeter.Window w = m.begin();
    Files.writeString(zone.resolve("energy_uj"), "4000000\n");

    assertThat(m.end(w, WORK).joules().value()).isCloseTo(5.0, within(1e-9));
  }

  @Test
  void rapl_unreadableZone_saysWhichFile(@TempDir Path zone) {
    assertThatThrownBy(() -> new RaplMeter(zone.resolve("intel-rapl:0")))
        .isInstanceOf(MeterException.class)
        .hasMessageContaining("max_energy_range_uj");
  }

  @Test
  void profileMeter_sevenBOnAgxOrinAtMaxn_isProfilePowerTimesBusyTime() {
    var device = ProfileCatalog.builtIn().deviceClass("jetson-agx-orin-64gb");
    ProfileMeter m = new ProfileMeter(device, () -> "maxn");
    double watts = device.performance("7b-q4", "maxn").activePowerW().value();

    var reading = m.end(m.begin(), WORK);
    assertThat(reading.joules().value()).isCloseTo(2 * watts, within(1e-9));
    assertThat(reading.source()).isEqualTo(EnergySource.PROFILE);
  }
}
