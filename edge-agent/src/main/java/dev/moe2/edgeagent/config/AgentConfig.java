package dev.moe2.edgeagent.config;

import dev.moe2.protocol.AgentId;
import dev.moe2.protocol.ModelId;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The agent's configuration, bound from YAML (then environment variables and flags on top) and
 * validated here: an invalid value stops start-up with the key and the reason. See {@code
 * edge-agent/README.md} for every key and {@code edge-agent/config/} for samples.
 */
public record AgentConfig(
    String agentId,
    String deviceClass,
    String powerMode,
    Path profiles,
    Mqtt mqtt,
    Serving serving,
    Energy energy,
    Power power,
    Profile profile,
    Simulation simulation,
    List<Expert> experts) {

  public AgentConfig {
    require(agentId, "agentId");
    try {
      AgentId.of(agentId);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("agentId", e.getMessage());
    }
    require(deviceClass, "deviceClass");
    require(powerMode, "powerMode");
    mqtt = mqtt == null ? new Mqtt(null, null, null, null, null, null, null, null) : mqtt;
    serving = serving == null ? new Serving(null, null, null) : serving;
    energy = energy == null ? new Energy(null, null, null, null, null, null) : energy;
    power = power == null ? new Power(null, null, null) : power;
    profile = profile == null ? new Profile(null, null, null, null) : profile;
    simulation =
        simulation == null ? new Simulation(null, null, null, null, null, null) : simulation;
    if (experts == null || experts.isEmpty()) {
      throw new ConfigException("experts", "at least one expert is required");
    }
    experts = List.copyOf(experts);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < experts.size(); i++) {
      Expert e = experts.get(i);
      if (e == null) {
        throw new ConfigException("experts[" + i + "]", "must not be empty");
      }
      if (!seen.add(e.model())) {
        throw new ConfigException(
            "experts[" + i + "].model", "'" + e.model() + "' is listed twice");
      }
    }
  }

  static void require(String value, String key) {
    if (value == null || value.isBlank()) {
      throw new ConfigException(key, "is required");
    }
  }

  static int atLeast(Integer value, int fallback, int min, String key) {
    int v = value == null ? fallback : value;
    if (v < min) {
      throw new ConfigException(key, "has value " + v + ": it must be >= " + min);
    }
    return v;
  }

  static double between(Double value, double fallback, double min, double max, String key) {
    double v = value == null ? fallback : value;
    if (!(v >= min && v <= max)) {
      throw new ConfigException(
          key, "has value " + v + ": it must be in [" + min + ", " + max + "]");
    }
    return v;
  }

  /** MQTT connection. */
  public record Mqtt(
      String uri,
      String username,
      String password,
      Integer keepAliveS,
      Integer reconnectInitialMs,
      Integer reconnectMaxMs,
      Path trustStore,
      String trustStorePassword) {
    public Mqtt {
      uri = uri == null ? "tcp://127.0.0.1:1883" : uri;
      URI parsed;
      try {
        parsed = URI.create(uri);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("mqtt.uri", "'" + uri + "' is not a URI: " + e.getMessage());
      }
      String scheme = parsed.getScheme() == null ? "" : parsed.getScheme();
      if (!List.of("tcp", "ssl").contains(scheme) || parsed.getHost() == null) {
        throw new ConfigException(
            "mqtt.uri", "'" + uri + "' must be tcp://host:port or ssl://host:port");
      }
      keepAliveS = atLeast(keepAliveS, 2, 1, "mqtt.keepAliveS");
      reconnectInitialMs = atLeast(reconnectInitialMs, 250, 10, "mqtt.reconnectInitialMs");
      reconnectMaxMs = atLeast(reconnectMaxMs, 30_000, reconnectInitialMs, "mqtt.reconnectMaxMs");
      if (password != null && username == null) {
        throw new ConfigException("mqtt.password", "is set but mqtt.username is not");
      }
      if (trustStore != null && !scheme.equals("ssl")) {
        throw new ConfigException("mqtt.trustStore", "needs an ssl:// mqtt.uri, not " + uri);
      }
    }

    public boolean tls() {
      return uri.startsWith("ssl:");
    }
  }

  /** Request serving. */
  public record Serving(Integer maxConcurrent, Integer dedupeCapacity, Integer maxPayloadKiB) {
    public Serving {
      maxConcurrent = atLeast(maxConcurrent, 4, 1, "serving.maxConcurrent");
      dedupeCapacity = atLeast(dedupeCapacity, 10_000, 1, "serving.dedupeCapacity");
      maxPayloadKiB = atLeast(maxPayloadKiB, 256, 1, "serving.maxPayloadKiB");
    }
  }

  /** The energy meter. */
  public record Energy(
      String meter,
      List<String> command,
      Integer intervalMs,
      List<String> rails,
      Integer gpuIndex,
      Path raplZone) {
    public EnergyMeterKind kind() {
      return EnergyMeterKind.parse(meter);
    }

    public Energy {
      EnergyMeterKind kind = EnergyMeterKind.parse(meter);
      meter = kind.label();
      command = command == null || command.isEmpty() ? kind.defaultCommand() : List.copyOf(command);
      intervalMs = atLeast(intervalMs, 100, 10, "energy.intervalMs");
      rails = rails == null ? List.of() : List.copyOf(rails);
      gpuIndex = atLeast(gpuIndex, 0, 0, "energy.gpuIndex");
      raplZone = raplZone == null ? Path.of("/sys/class/powercap/intel-rapl:0") : raplZone;
    }
  }

  /** The power controller. */
  public record Power(String controller, List<String> command, Integer timeoutMs) {
    public PowerControllerKind kind() {
      return PowerControllerKind.parse(controller);
    }

    public Power {
      PowerControllerKind kind = PowerControllerKind.parse(controller);
      controller = kind.label();
      command = command == null || command.isEmpty() ? kind.defaultCommand() : List.copyOf(command);
      timeoutMs = atLeast(timeoutMs, 30_000, 100, "power.timeoutMs");
    }
  }

  /** Profile reports. */
  public record Profile(
      Integer reportIntervalS, Double driftThreshold, Double ewmaAlpha, Integer minSamples) {
    public Profile {
      reportIntervalS = atLeast(reportIntervalS, 30, 1, "profile.reportIntervalS");
      driftThreshold = between(driftThreshold, 0.2, 0.01, 10, "profile.driftThreshold");
      ewmaAlpha = between(ewmaAlpha, 0.2, 0.001, 1, "profile.ewmaAlpha");
      minSamples = atLeast(minSamples, 5, 1, "profile.minSamples");
    }
  }

  /** The simulated device (backend {@code simulated}, meter and power controller). */
  public record Simulation(
      Long seed,
      Double noise,
      Double timeScale,
      Double throttle,
      Path answers,
      Integer networkDelayMs) {
    public Simulation {
      networkDelayMs = atLeast(networkDelayMs, 0, 0, "simulation.networkDelayMs");
      seed = seed == null ? 1L : seed;
      noise = between(noise, 0.05, 0, 2, "simulation.noise");
      timeScale = between(timeScale, 1, 0, 1000, "simulation.timeScale");
      throttle = between(throttle, 1, 1, 100, "simulation.throttle");
    }
  }

  /** One hosted expert. */
  public record Expert(
      String model,
      String backend,
      String quantization,
      Boolean resident,
      Onnx onnx,
      OpenAi openai,
      Simulated simulated) {
    public Expert {
      require(model, "experts[].model");
      try {
        ModelId.of(model);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("experts[].model", e.getMessage());
      }
      require(backend, "experts[" + model + "].backend");
      backend = backend.toLowerCase(Locale.ROOT);
      quantization = quantization == null ? "unknown" : quantization;
      resident = resident == null || resident;
      switch (backend) {
        case "onnx" -> {
          if (onnx == null) {
            throw new ConfigException(
                "experts[" + model + "].onnx", "is required for backend onnx");
          }
        }
        case "openai" -> {
          if (openai == null) {
            throw new ConfigException(
                "experts[" + model + "].openai", "is required for backend openai");
          }
        }
        case "simulated" ->
            simulated = simulated == null ? new Simulated(null, null, null) : simulated;
        default ->
            throw new ConfigException(
                "experts[" + model + "].backend",
                "'" + backend + "' is not one of onnx, openai, simulated");
      }
    }
  }

  /** A llama2.c-style ONNX model. */
  public record Onnx(
      Path model, Path tokenizer, Integer vocabSize, Integer contextLength, Integer threads) {
    public Onnx {
      if (model == null) {
        throw new ConfigException("experts[].onnx.model", "is required");
      }
      if (tokenizer == null) {
        throw new ConfigException("experts[].onnx.tokenizer", "is required");
      }
      vocabSize = atLeast(vocabSize, 512, 4, "experts[].onnx.vocabSize");
      contextLength = atLeast(contextLength, 512, 2, "experts[].onnx.contextLength");
      threads = atLeast(threads, 1, 1, "experts[].onnx.threads");
    }
  }

  /** An OpenAI-compatible server on the device. */
  public record OpenAi(String url, String model, Integer timeoutS, String apiKey) {
    public OpenAi {
      require(url, "experts[].openai.url");
      if (!url.startsWith("http://") && !url.startsWith("https://")) {
        throw new ConfigException("experts[].openai.url", "'" + url + "' must be an http(s) URL");
      }
      require(model, "experts[].openai.model");
      timeoutS = atLeast(timeoutS, 120, 1, "experts[].openai.timeoutS");
    }
  }

  /** A simulated expert. */
  public record Simulated(String sizeClass, String datasetModel, Integer answerTokens) {
    public Simulated {
      // sizeClass null: the model catalog's, else 7b-q4 (resolved by AgentFactory)
      answerTokens = atLeast(answerTokens, 16, 1, "experts[].simulated.answerTokens");
    }
  }
}
