package dev.moe2.edgeagent.power;

import dev.moe2.profiles.DeviceClass;
import dev.moe2.profiles.PowerMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Sets a mode by running a command: {@code nvpmodel -m <nvpmodel id>} on a Jetson or {@code
 * nvidia-smi -pl <watts>} on a discrete GPU, with the ids and limits of the device class's power
 * modes. The executable is configurable (a full path, or {@code sudo} in front). A non-zero exit, a
 * timeout or a missing executable is a {@link PowerControlException} carrying the output.
 */
public final class CommandPowerController implements PowerController {

  private final String kind;
  private final DeviceClass deviceClass;
  private final List<String> executable;
  private final Function<PowerMode, List<String>> arguments;
  private final Duration timeout;
  private volatile String current;

  private CommandPowerController(
      String kind,
      DeviceClass deviceClass,
      List<String> executable,
      Function<PowerMode, List<String>> arguments,
      String initialMode,
      Duration timeout) {
    this.kind = kind;
    this.deviceClass = deviceClass;
    this.executable = List.copyOf(executable);
    this.arguments = arguments;
    this.current = initialMode;
    this.timeout = timeout;
  }

  /** {@code nvpmodel -m ID}; every mode of the class needs an nvpmodel id. */
  public static CommandPowerController nvpmodel(
      DeviceClass deviceClass, List<String> executable, String initialMode, Duration timeout) {
    return new CommandPowerController(
        "nvpmodel",
        deviceClass,
        executable,
        m -> {
          if (m.nvpmodelId() == null) {
            throw new PowerControlException(
                "power mode " + m.id() + " of " + deviceClass.id() + " has no nvpmodel id");
          }
          return List.of("-m", Integer.toString(m.nvpmodelId()));
        },
        initialMode,
        timeout);
  }

  /** {@code nvidia-smi -pl WATTS}; every mode of the class needs a power limit. */
  public static CommandPowerController nvidiaSmi(
      DeviceClass deviceClass, List<String> executable, String initialMode, Duration timeout) {
    return new CommandPowerController(
        "nvidia-smi",
        deviceClass,
        executable,
        m -> {
          if (m.powerLimitW() == null) {
            throw new PowerControlException(
                "power mode " + m.id() + " of " + deviceClass.id() + " has no power limit (W)");
          }
          return List.of("-pl", Integer.toString(m.powerLimitW()));
        },
        initialMode,
        timeout);
  }

  @Override
  public String kind() {
    return kind;
  }

  @Override
  public String current() {
    return current;
  }

  @Override
  public synchronized void apply(String modeId) {
    PowerMode mode =
        deviceClass
            .mode(modeId)
            .orElseThrow(
                () ->
                    new PowerControlException(
                        "power mode '"
                            + modeId
                            + "' is not a mode of "
                            + deviceClass.id()
                            + " (modes: "
                            + deviceClass.powerModes().stream().map(PowerMode::id).toList()
                            + ")"));
    List<String> command = new ArrayList<>(executable);
    command.addAll(arguments.apply(mode));
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new PowerControlException(
          "cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
    }
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new PowerControlException(
            String.join(" ", command) + " did not finish within " + timeout.toMillis() + " ms");
      }
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (p.exitValue() != 0) {
        throw new PowerControlException(
            String.join(" ", command)
                + " failed with exit code "
                + p.exitValue()
                + (output.isEmpty() ? "" : ": " + output));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new PowerControlException("interrupted while running " + String.join(" ", command), e);
    } catch (IOException e) {
      throw new PowerControlException("cannot read the output of " + String.join(" ", command), e);
    }
    current = modeId;
  }
}
