package dev.moe2.edgeagent.energy;

import dev.moe2.protocol.EnergyReading;
import dev.moe2.protocol.EnergySource;
import dev.moe2.protocol.Joules;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A meter fed by a sampling command's output lines ({@code tegrastats --interval N}, {@code
 * nvidia-smi ... -lms N}): each line parsed to watts goes into a {@link PowerLog}; a window's
 * energy is the integral over it, shared between concurrent windows. When no sample arrived yet,
 * the reading is 0 J and the meter logs that it has no data.
 */
public final class SampledMeter implements EnergyMeter {

  private static final System.Logger LOG = System.getLogger(SampledMeter.class.getName());

  private final EnergySource source;
  private final Function<String, OptionalDouble> parser;
  private final LongSupplier nanos;
  private final PowerLog log = new PowerLog(TimeUnit.MINUTES.toNanos(10));
  private final List<String> command;
  private Process process;
  private Thread reader;

  /**
   * @param command the sampling command; null to feed lines by hand ({@link #accept})
   */
  SampledMeter(
      EnergySource source,
      List<String> command,
      Function<String, OptionalDouble> parser,
      LongSupplier nanos) {
    this.source = source;
    this.command = command == null ? null : List.copyOf(command);
    this.parser = parser;
    this.nanos = nanos;
  }

  /** {@code tegrastats --interval N}, summing {@code rails} (empty: the module input rail). */
  public static SampledMeter tegrastats(String executable, int intervalMs, List<String> rails) {
    SampledMeter m =
        new SampledMeter(
            EnergySource.TEGRASTATS,
            List.of(executable, "--interval", Integer.toString(intervalMs)),
            line -> TegrastatsParser.watts(line, rails),
            System::nanoTime);
    m.start();
    return m;
  }

  /** {@code nvidia-smi --query-gpu=power.draw ... -lms N} for the GPU at {@code index}. */
  public static SampledMeter nvidiaSmi(String executable, int intervalMs, int index) {
    SampledMeter m =
        new SampledMeter(
            EnergySource.NVML,
            List.of(
                executable,
                "--query-gpu=power.draw",
                "--format=csv,noheader,nounits",
                "-lms",
                Integer.toString(intervalMs)),
            line -> NvidiaSmiParser.watts(line, index),
            System::nanoTime);
    m.start();
    return m;
  }

  /** A meter fed from any command whose lines {@code parser} turns into watts. */
  public static SampledMeter of(
      EnergySource source, List<String> command, Function<String, OptionalDouble> parser) {
    SampledMeter m = new SampledMeter(source, command, parser, System::nanoTime);
    m.start();
    return m;
  }

  private void start() {
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new MeterException(
          "cannot start the "
              + source.label()
              + " meter command "
              + command
              + ": "
              + e.getMessage(),
          e);
    }
    reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  accept(line);
                }
              } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "meter command " + command + " stopped", e);
              }
            },
            source.label() + "-meter");
    reader.setDaemon(true);
    reader.start();
  }

  /** Parses one output line; lines without a power figure are skipped. */
  void accept(String line) {
    OptionalDouble w = parser.apply(line);
    if (w.isPresent()) {
      log.add(nanos.getAsLong(), w.getAsDouble());
    }
  }

  /** Samples held. */
  int samples() {
    return log.size();
  }

  @Override
  public EnergySource source() {
    return source;
  }

  @Override
  public Window begin() {
    log.opened();
    return new Window(0, nanos.getAsLong());
  }

  @Override
  public EnergyReading sofar(Window window, Work work) {
    double joules = log.energy(window.startNanos(), nanos.getAsLong());
    return new EnergyReading(Joules.of(Double.isNaN(joules) ? 0 : joules), source);
  }

  @Override
  public EnergyReading end(Window window, Work work) {
    long now = nanos.getAsLong();
    double joules = log.energy(window.startNanos(), now);
    log.closed();
    if (Double.isNaN(joules)) {
      LOG.log(System.Logger.Level.WARNING, "no {0} sample yet: reporting 0 J", source.label());
      joules = 0;
    }
    return new EnergyReading(Joules.of(joules), source);
  }

  @Override
  public void close() {
    if (process != null) {
      process.destroy();
    }
  }
}
