package dev.moe2.simulator.scenario;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A simulated fleet and what happens to it: devices (class, power mode, models), simulated-time
 * scale, noise, network delay, and timed faults. Loaded from YAML; every error names the key.
 *
 * @param timeScale real seconds per simulated second (0.05: twenty times faster than the devices)
 * @param networkDelayMs one-way delay added to every reply
 * @param workload how replayed requests are shaped (null: real prompts as they are, the default
 *     output length)
 * @param replicas orchestrator replicas (1 by default); with more, {@code scripts/simulate --site}
 *     starts them on one PostgreSQL and one Mosquitto behind HAProxy
 * @param answerTokens how many tokens each simulated expert writes at most (null: the agent's
 *     default, 16); long answers make streaming visible
 */
public record Scenario(
    String name,
    Long seed,
    Double timeScale,
    Double noise,
    Integer networkDelayMs,
    List<String> models,
    List<Device> devices,
    List<Fault> faults,
    Workload workload,
    Integer replicas,
    Integer answerTokens) {

  /** The most orchestrator replicas a scenario may ask for. */
  public static final int MAX_REPLICAS = 9;

  /** The seven RouterDC models, the default expert set. */
  public static final List<String> ROUTERDC_7 =
      List.of(
          "zephyr-7b-beta",
          "mistral-7b",
          "metamath-mistral-7b",
          "chinese-mistral-7b",
          "dolphin-2.6-mistral-7b",
          "meta-llama-3-8b",
          "dolphin-2.9-llama3-8b");

  public Scenario {
    if (answerTokens != null && (answerTokens < 1 || answerTokens > 100_000)) {
      throw new IllegalArgumentException(
          "key 'answerTokens' has value " + answerTokens + ": it must be 1..100000");
    }
    replicas = replicas == null ? 1 : replicas;
    if (replicas < 1 || replicas > MAX_REPLICAS) {
      throw new IllegalArgumentException(
          "key 'replicas' has value " + replicas + ": it must be 1.." + MAX_REPLICAS);
    }
    name = name == null ? "unnamed" : name;
    seed = seed == null ? 1L : seed;
    timeScale = timeScale == null ? 1.0 : timeScale;
    if (timeScale < 0) {
      throw new IllegalArgumentException(
          "key 'timeScale' has value " + timeScale + ": it must be >= 0");
    }
    noise = noise == null ? 0.05 : noise;
    networkDelayMs = networkDelayMs == null ? 0 : networkDelayMs;
    if (networkDelayMs < 0) {
      throw new IllegalArgumentException(
          "key 'networkDelayMs' has value " + networkDelayMs + ": it must be >= 0");
    }
    models = models == null || models.isEmpty() ? ROUTERDC_7 : List.copyOf(models);
    if (devices == null || devices.isEmpty()) {
      throw new IllegalArgumentException("key 'devices': at least one device is required");
    }
    devices = List.copyOf(devices);
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < devices.size(); i++) {
      if (!ids.add(devices.get(i).id())) {
        throw new IllegalArgumentException(
            "key 'devices[" + i + "].id': '" + devices.get(i).id() + "' is listed twice");
      }
    }
    faults = faults == null ? List.of() : List.copyOf(faults);
    for (int i = 0; i < faults.size(); i++) {
      Fault f = faults.get(i);
      if (f.agent() != null && !ids.contains(f.agent())) {
        throw new IllegalArgumentException(
            "key 'faults["
                + i
                + "].agent': '"
                + f.agent()
                + "' is not a device of the scenario "
                + ids);
      }
    }
  }

  /**
   * How replayed requests are shaped: a share of them gets a prompt stretched to a factor of its
   * category's planned prompt length and a {@code max_tokens} of a factor of its planned output
   * length (both drawn uniformly from their ranges); every request asks for one of {@code k}.
   *
   * @param longShare share of requests stretched, in [0, 1]
   * @param promptFactor [min, max] times the planned prompt length, min >= 1
   * @param maxTokensFactor [min, max] times the planned output length, min > 0
   * @param k the k values drawn from (empty: each category's own)
   */
  public record Workload(
      Double longShare, List<Double> promptFactor, List<Double> maxTokensFactor, List<Integer> k) {
    public Workload {
      longShare = longShare == null ? 0.5 : longShare;
      if (!(longShare >= 0 && longShare <= 1)) {
        throw new IllegalArgumentException(
            "key 'workload.longShare' has value " + longShare + ": it must be in [0, 1]");
      }
      promptFactor = range(promptFactor, List.of(2.0, 8.0), 1, "workload.promptFactor");
      maxTokensFactor = range(maxTokensFactor, List.of(1.0, 4.0), 1e-9, "workload.maxTokensFactor");
      k = k == null ? List.of() : List.copyOf(k);
      for (int v : k) {
        if (v < 1) {
          throw new IllegalArgumentException(
              "key 'workload.k' has value " + k + ": every k must be >= 1");
        }
      }
    }

    private static List<Double> range(List<Double> r, List<Double> dflt, double min, String key) {
      if (r == null) {
        return dflt;
      }
      if (r.size() != 2 || r.get(0) == null || r.get(1) == null) {
        throw new IllegalArgumentException(
            "key '" + key + "' has value " + r + ": write [min, max]");
      }
      if (r.get(0) < min || r.get(1) < r.get(0)) {
        throw new IllegalArgumentException(
            "key '" + key + "' has value " + r + ": it needs " + min + " <= min <= max");
      }
      return List.copyOf(r);
    }
  }

  /** One simulated device (its agent). */
  public record Device(
      String id, String deviceClass, String powerMode, List<String> models, Integer maxConcurrent) {
    public Device {
      if (id == null || deviceClass == null || powerMode == null) {
        throw new IllegalArgumentException(
            "key 'devices[]': id, deviceClass and powerMode are required (got "
                + id
                + ", "
                + deviceClass
                + ", "
                + powerMode
                + ")");
      }
      maxConcurrent = maxConcurrent == null ? 8 : maxConcurrent;
    }
  }

  /** Kinds of fault. */
  public enum Kind {
    /** The agent's process dies (its connection drops: the broker publishes its will). */
    KILL,
    /** A killed agent starts again (a new incarnation). */
    RESTART,
    /** The device slows down by {@code factor} (thermal throttling). */
    THROTTLE,
    /** The device's network is cut from the broker for {@code duration}, then comes back. */
    PARTITION,
    /** Replies slow down by {@code factor} (same as throttle, named for intent). */
    SLOW,
    /** {@code count} malformed, oversized and unknown-topic messages are published. */
    MALFORMED
  }

  /**
   * A timed fault.
   *
   * @param at when (simulated run time, e.g. {@code 5s}, {@code 1500ms})
   * @param duration how long, for a partition
   */
  public record Fault(
      String at, Kind kind, String agent, Double factor, String duration, Integer count) {
    public Fault {
      if (kind == null) {
        throw new IllegalArgumentException(
            "key 'faults[].kind' is required (kill, restart, throttle, partition, slow, malformed)");
      }
      if (kind != Kind.MALFORMED && agent == null) {
        throw new IllegalArgumentException(
            "key 'faults[].agent' is required for " + kind.name().toLowerCase(Locale.ROOT));
      }
      parse(at == null ? "0s" : at, "faults[].at");
      if (duration != null) {
        parse(duration, "faults[].duration");
      }
      if ((kind == Kind.THROTTLE || kind == Kind.SLOW) && (factor == null || factor < 1)) {
        throw new IllegalArgumentException(
            "key 'faults[].factor' must be >= 1 for "
                + kind.name().toLowerCase(Locale.ROOT)
                + ", got "
                + factor);
      }
    }

    public Duration atDuration() {
      return parse(at == null ? "0s" : at, "faults[].at");
    }

    public Duration forDuration() {
      return duration == null ? Duration.ofSeconds(3) : parse(duration, "faults[].duration");
    }
  }

  static Duration parse(String text, String key) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).trim()));
      }
      if (t.endsWith("s")) {
        return Duration.ofMillis(
            (long) (Double.parseDouble(t.substring(0, t.length() - 1).trim()) * 1000));
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException(
        "key '" + key + "' has value '" + text + "': write e.g. 5s or 1500ms");
  }

  private static final ObjectMapper YAML =
      com.fasterxml.jackson.databind.json.JsonMapper.builder(new YAMLFactory())
          .enable(com.fasterxml.jackson.databind.MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
          .build();

  /** Loads a scenario file, or a built-in one by name ({@code reference}, {@code load-8}). */
  public static Scenario load(String fileOrName) {
    Path p = Path.of(fileOrName);
    try {
      if (Files.isRegularFile(p)) {
        return YAML.readValue(p.toFile(), Scenario.class);
      }
      try (InputStream in =
          Scenario.class.getResourceAsStream("/moe2/scenarios/" + fileOrName + ".yaml")) {
        if (in == null) {
          throw new IllegalArgumentException(
              "no scenario file '"
                  + fileOrName
                  + "' and no built-in scenario of that name (reference, load-8, faults, bench-4, bench-stream, replicas-3)");
        }
        return YAML.readValue(in, Scenario.class);
      }
    } catch (IOException e) {
      Throwable c = e.getCause();
      if (c instanceof IllegalArgumentException iae) {
        throw new IllegalArgumentException("scenario " + fileOrName + ": " + iae.getMessage(), iae);
      }
      String why =
          e instanceof com.fasterxml.jackson.core.JsonProcessingException j
              ? j.getOriginalMessage()
              : e.getMessage();
      throw new IllegalArgumentException("scenario " + fileOrName + " is not valid: " + why, e);
    }
  }
}
