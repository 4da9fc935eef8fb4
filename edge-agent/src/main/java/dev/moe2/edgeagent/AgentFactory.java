package dev.moe2.edgeagent;

import dev.moe2.edgeagent.backend.InferenceBackend;
import dev.moe2.edgeagent.backend.OnnxBackend;
import dev.moe2.edgeagent.backend.OpenAiBackend;
import dev.moe2.edgeagent.config.AgentConfig;
import dev.moe2.edgeagent.config.ConfigException;
import dev.moe2.edgeagent.config.EnergyMeterKind;
import dev.moe2.edgeagent.config.PowerControllerKind;
import dev.moe2.edgeagent.energy.EnergyMeter;
import dev.moe2.edgeagent.energy.ProfileMeter;
import dev.moe2.edgeagent.energy.RaplMeter;
import dev.moe2.edgeagent.energy.SampledMeter;
import dev.moe2.edgeagent.mqtt.PahoLink;
import dev.moe2.edgeagent.power.CommandPowerController;
import dev.moe2.edgeagent.power.FixedPowerController;
import dev.moe2.edgeagent.power.PowerController;
import dev.moe2.edgeagent.profile.Profiler;
import dev.moe2.edgeagent.serve.HostedModel;
import dev.moe2.edgeagent.sim.AnswerBook;
import dev.moe2.edgeagent.sim.SimulatedBackend;
import dev.moe2.edgeagent.sim.SimulatedDevice;
import dev.moe2.edgeagent.sim.SimulatedMeter;
import dev.moe2.profiles.DeviceClass;
import dev.moe2.profiles.ModelCatalog;
import dev.moe2.profiles.ModelDescriptor;
import dev.moe2.profiles.PowerMode;
import dev.moe2.profiles.ProfileCatalog;
import dev.moe2.protocol.AgentId;
import dev.moe2.protocol.JsonCodec;
import dev.moe2.protocol.ModelId;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/** Builds an {@link Agent} from its configuration: the explicit wiring of the daemon. */
public final class AgentFactory {

  private static final System.Logger LOG = System.getLogger(AgentFactory.class.getName());

  /** The version in births: the jar's, or {@code dev} when run from classes. */
  public static final String VERSION =
      Optional.ofNullable(Agent.class.getPackage().getImplementationVersion()).orElse("dev");

  private AgentFactory() {}

  /**
   * Builds the agent and loads its resident experts; call {@link Agent#start()} to connect.
   *
   * @throws ConfigException for configuration the profiles or files contradict
   */
  public static Agent build(AgentConfig config, Clock clock) {
    return build(config, clock, usesSimulation(config) ? simulatedDevice(config) : null);
  }

  /**
   * The simulated device a configuration describes ({@code simulation}: seed, noise, time scale,
   * throttle, network delay), for agents with simulated experts, meter or power control.
   */
  public static SimulatedDevice simulatedDevice(AgentConfig config) {
    DeviceClass device = deviceClass(catalog(config), config);
    AgentConfig.Simulation sim = config.simulation();
    SimulatedDevice simulated =
        new SimulatedDevice(device, config.powerMode(), sim.seed(), sim.noise(), sim.timeScale());
    simulated.throttle(sim.throttle());
    simulated.networkDelay(Duration.ofMillis(sim.networkDelayMs()));
    return simulated;
  }

  /**
   * Builds the agent over a given simulated device (which its simulated experts, meter and power
   * control then share); the simulator keeps the device to throttle it.
   *
   * @param simulated {@code null} when nothing in the configuration is simulated
   * @throws ConfigException for configuration the profiles or files contradict, or a simulated part
   *     without a simulated device
   */
  public static Agent build(AgentConfig config, Clock clock, SimulatedDevice simulated) {
    if (simulated == null && usesSimulation(config)) {
      throw new ConfigException(
          "simulation", "simulated experts, meter or power control need a simulated device");
    }
    ProfileCatalog catalog = catalog(config);
    DeviceClass device = deviceClass(catalog, config);
    AgentConfig.Simulation sim = config.simulation();
    AnswerBook book = sim.answers() == null ? AnswerBook.empty() : answers(sim);
    Map<ModelId, HostedModel> models = new LinkedHashMap<>();
    for (int i = 0; i < config.experts().size(); i++) {
      AgentConfig.Expert e = config.experts().get(i);
      Optional<ModelDescriptor> known = describe(catalog, e.model());
      String sizeClass =
          e.simulated() != null && e.simulated().sizeClass() != null
              ? e.simulated().sizeClass()
              : known
                  .map(ModelDescriptor::sizeClass)
                  .orElse(e.backend().equals("simulated") ? "7b-q4" : "unknown");
      double memory = known.map(m -> m.footprintGiB().value()).orElse(0.0);
      InferenceBackend backend = backend(e, sizeClass, simulated, book, known);
      models.put(
          ModelId.of(e.model()),
          new HostedModel(ModelId.of(e.model()), e.quantization(), sizeClass, memory, backend));
    }
    PowerController power = power(config, device, simulated);
    EnergyMeter meter = meter(config, device, simulated, power);
    // resident experts load in config order while they fit the memory for models: a state never
    // claims a resident set that a plan keeping it would be refused for
    double left = device.usableMemoryGiB().value();
    for (int i = 0; i < config.experts().size(); i++) {
      AgentConfig.Expert e = config.experts().get(i);
      if (e.resident()) {
        HostedModel m = models.get(ModelId.of(e.model()));
        if (m.memoryGiB() > left + 1e-9) {
          LOG.log(
              System.Logger.Level.WARNING,
              String.format(
                  java.util.Locale.ROOT,
                  "experts[%d] (%s) not loaded at start: it needs %.1f GiB and %.1f GiB of the"
                      + " %.1f GiB for models are left; a plan can load it in place of others",
                  i,
                  e.model(),
                  m.memoryGiB(),
                  left,
                  device.usableMemoryGiB().value()));
          continue;
        }
        left -= m.memoryGiB();
        try {
          m.backend().load();
        } catch (RuntimeException ex) {
          throw new ConfigException(
              "experts[" + i + "]", "cannot load " + e.model() + ": " + ex.getMessage(), ex);
        }
      }
    }
    AgentId id = AgentId.of(config.agentId());
    long incarnation = clock.millis();
    AgentConfig.Mqtt mqtt = config.mqtt();
    Properties tls = null;
    if (mqtt.trustStore() != null) {
      tls = new Properties();
      tls.setProperty("com.ibm.ssl.trustStore", mqtt.trustStore().toString());
      if (mqtt.trustStorePassword() != null) {
        tls.setProperty("com.ibm.ssl.trustStorePassword", mqtt.trustStorePassword());
      }
    }
    PahoLink.Settings settings =
        new PahoLink.Settings(
            mqtt.uri(),
            mqtt.username(),
            mqtt.password() == null ? null : mqtt.password().toCharArray(),
            mqtt.keepAliveS(),
            Duration.ofMillis(mqtt.reconnectInitialMs()),
            Duration.ofMillis(mqtt.reconnectMaxMs()),
            tls);
    JsonCodec codec = new JsonCodec(config.serving().maxPayloadKiB() * 1024);
    AgentConfig.Profile p = config.profile();
    return new Agent(
        new Agent.Identity(
            id,
            device.id(),
            (long) (device.usableMemoryGiB().value() * 1024),
            device.id(),
            VERSION,
            incarnation),
        models,
        meter,
        power,
        new Profiler(p.ewmaAlpha(), p.driftThreshold(), p.minSamples()),
        sizeClass ->
            device.sizeClasses().contains(sizeClass)
                ? java.util.Optional.of(device.performance(sizeClass, power.current()))
                : java.util.Optional.empty(),
        device.usableMemoryGiB().value(),
        agent -> new PahoLink(id, settings, codec, agent::lastWill, sim.seed()),
        codec,
        clock,
        Duration.ofSeconds(p.reportIntervalS()),
        config.serving().maxConcurrent(),
        config.serving().dedupeCapacity());
  }

  private static ProfileCatalog catalog(AgentConfig config) {
    return config.profiles() == null
        ? ProfileCatalog.builtIn()
        : ProfileCatalog.load(config.profiles());
  }

  private static DeviceClass deviceClass(ProfileCatalog catalog, AgentConfig config) {
    DeviceClass device;
    try {
      device = catalog.deviceClass(config.deviceClass());
    } catch (RuntimeException e) {
      throw new ConfigException("deviceClass", e.getMessage());
    }
    if (device.mode(config.powerMode()).isEmpty()) {
      throw new ConfigException(
          "powerMode",
          "'"
              + config.powerMode()
              + "' is not a mode of "
              + device.id()
              + " (modes: "
              + device.powerModes().stream().map(PowerMode::id).toList()
              + ")");
    }
    return device;
  }

  /** Whether any part of the agent is simulated (then it runs over a {@link SimulatedDevice}). */
  public static boolean usesSimulation(AgentConfig c) {
    return c.energy().kind() == EnergyMeterKind.SIMULATED
        || c.power().kind() == PowerControllerKind.SIMULATED
        || c.experts().stream().anyMatch(e -> e.backend().equals("simulated"));
  }

  private static AnswerBook answers(AgentConfig.Simulation sim) {
    try {
      return AnswerBook.load(sim.answers());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("simulation.answers", e.getMessage(), e);
    }
  }

  private static Optional<ModelDescriptor> describe(ProfileCatalog catalog, String modelId) {
    for (ModelCatalog c : catalog.modelCatalogs()) {
      for (ModelDescriptor m : c.models()) {
        if (m.id().equals(modelId)) {
          return Optional.of(m);
        }
      }
    }
    return Optional.empty();
  }

  private static InferenceBackend backend(
      AgentConfig.Expert e,
      String sizeClass,
      SimulatedDevice device,
      AnswerBook book,
      Optional<ModelDescriptor> known) {
    return switch (e.backend()) {
      case "onnx" ->
          new OnnxBackend(
              e.onnx().model(),
              e.onnx().tokenizer(),
              e.onnx().vocabSize(),
              e.onnx().contextLength(),
              e.onnx().threads());
      case "openai" ->
          new OpenAiBackend(
              e.openai().url(),
              e.openai().model(),
              Duration.ofSeconds(e.openai().timeoutS()),
              e.openai().apiKey());
      case "simulated" -> {
        try {
          yield new SimulatedBackend(
              e.model(),
              e.simulated().datasetModel() != null
                  ? e.simulated().datasetModel()
                  : known.map(ModelDescriptor::name).orElse(e.model()),
              sizeClass,
              e.simulated().answerTokens(),
              device,
              book);
        } catch (RuntimeException ex) {
          throw new ConfigException(
              "experts[" + e.model() + "].simulated.sizeClass", ex.getMessage(), ex);
        }
      }
      default -> throw new ConfigException("experts[" + e.model() + "].backend", e.backend());
    };
  }

  private static PowerController power(AgentConfig c, DeviceClass device, SimulatedDevice sim) {
    Duration timeout = Duration.ofMillis(c.power().timeoutMs());
    return switch (c.power().kind()) {
      case NVPMODEL -> {
        if (device.powerModes().stream().anyMatch(m -> m.nvpmodelId() == null)) {
          throw new ConfigException(
              "power.controller", "nvpmodel needs nvpmodel ids, which " + device.id() + " lacks");
        }
        yield CommandPowerController.nvpmodel(device, c.power().command(), c.powerMode(), timeout);
      }
      case NVIDIA_SMI -> {
        if (device.powerModes().stream().anyMatch(m -> m.powerLimitW() == null)) {
          throw new ConfigException(
              "power.controller", "nvidia-smi needs power limits, which " + device.id() + " lacks");
        }
        yield CommandPowerController.nvidiaSmi(device, c.power().command(), c.powerMode(), timeout);
      }
      case SIMULATED -> FixedPowerController.simulated(device, c.powerMode(), sim::mode);
      case NONE -> FixedPowerController.none(device, c.powerMode());
    };
  }

  private static EnergyMeter meter(
      AgentConfig c, DeviceClass device, SimulatedDevice sim, PowerController power) {
    AgentConfig.Energy e = c.energy();
    try {
      return switch (e.kind()) {
        case TEGRASTATS -> SampledMeter.tegrastats(e.command().get(0), e.intervalMs(), e.rails());
        case NVIDIA_SMI -> SampledMeter.nvidiaSmi(e.command().get(0), e.intervalMs(), e.gpuIndex());
        case RAPL -> new RaplMeter(e.raplZone());
        case SIMULATED -> new SimulatedMeter(sim);
        case PROFILE -> new ProfileMeter(device, power::current);
      };
    } catch (RuntimeException ex) {
      throw new ConfigException("energy.meter", ex.getMessage(), ex);
    }
  }
}
