package dev.moe2.edgeagent.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Builds an {@link AgentConfig} from a YAML file, then environment variables, then {@code
 * key=value} overrides (flags), later ones winning. Unknown keys are errors (a typo must not be
 * silently ignored). Environment variables: {@code MOE2_AGENT_ID}, {@code MOE2_DEVICE_CLASS},
 * {@code MOE2_POWER_MODE}, {@code MOE2_MQTT_URI}, {@code MOE2_MQTT_USERNAME}, {@code
 * MOE2_MQTT_PASSWORD}.
 */
public final class ConfigLoader {

  /** Environment variable → config key. */
  public static final Map<String, String> ENVIRONMENT =
      Map.of(
          "MOE2_AGENT_ID", "agentId",
          "MOE2_DEVICE_CLASS", "deviceClass",
          "MOE2_POWER_MODE", "powerMode",
          "MOE2_MQTT_URI", "mqtt.uri",
          "MOE2_MQTT_USERNAME", "mqtt.username",
          "MOE2_MQTT_PASSWORD", "mqtt.password");

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .findAndRegisterModules();

  private ConfigLoader() {}

  /**
   * Loads {@code file} (relative paths inside it resolve against its folder), applies {@code env}
   * and {@code overrides} (dotted keys, e.g. {@code mqtt.uri}).
   *
   * @throws ConfigException naming the key (or the file) and the reason
   */
  public static AgentConfig load(
      Path file, Map<String, String> env, Map<String, String> overrides) {
    ObjectNode root;
    if (file == null) {
      root = YAML.createObjectNode();
    } else {
      if (!Files.isRegularFile(file)) {
        throw new ConfigException("--config", "no such file: " + file.toAbsolutePath());
      }
      try {
        JsonNode read = YAML.readTree(file.toFile());
        if (read == null || read.isMissingNode() || read.isNull()) {
          root = YAML.createObjectNode();
        } else if (!read.isObject()) {
          throw new ConfigException("$", file + " must hold a YAML mapping at the top");
        } else {
          root = (ObjectNode) read;
        }
      } catch (IOException e) {
        throw new ConfigException("$", file + " is not valid YAML: " + e.getMessage(), e);
      }
    }
    Map<String, String> all = new LinkedHashMap<>();
    ENVIRONMENT.forEach(
        (var, key) -> {
          String v = env.get(var);
          if (v != null && !v.isBlank()) {
            all.put(key, v);
          }
        });
    all.putAll(overrides);
    all.forEach((key, value) -> set(root, key, value));
    AgentConfig config;
    try {
      config = YAML.treeToValue(root, AgentConfig.class);
    } catch (JsonMappingException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ConfigException ce) {
        throw ce;
      }
      String key =
          e.getPath().stream()
              .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
              .collect(Collectors.joining("."))
              .replace(".[", "[");
      throw new ConfigException(key.isEmpty() ? "$" : key, e.getOriginalMessage(), e);
    } catch (JsonProcessingException e) {
      throw new ConfigException("$", e.getOriginalMessage(), e);
    }
    return file == null ? config : resolvePaths(config, file.toAbsolutePath().getParent());
  }

  private static void set(ObjectNode root, String dottedKey, String value) {
    String[] parts = dottedKey.split("\\.");
    ObjectNode node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonNode child = node.get(parts[i]);
      if (child == null || !child.isObject()) {
        child = node.putObject(parts[i]);
      }
      node = (ObjectNode) child;
    }
    node.set(parts[parts.length - 1], TextNode.valueOf(value));
  }

  private static AgentConfig resolvePaths(AgentConfig c, Path base) {
    return new AgentConfig(
        c.agentId(),
        c.deviceClass(),
        c.powerMode(),
        c.profiles() == null ? null : base.resolve(c.profiles()),
        c.mqtt(),
        c.serving(),
        c.energy(),
        c.power(),
        c.profile(),
        new AgentConfig.Simulation(
            c.simulation().seed(),
            c.simulation().noise(),
            c.simulation().timeScale(),
            c.simulation().throttle(),
            c.simulation().answers() == null ? null : base.resolve(c.simulation().answers()),
            c.simulation().networkDelayMs()),
        c.experts().stream()
            .map(
                e ->
                    e.onnx() == null
                        ? e
                        : new AgentConfig.Expert(
                            e.model(),
                            e.backend(),
                            e.quantization(),
                            e.resident(),
                            new AgentConfig.Onnx(
                                base.resolve(e.onnx().model()),
                                base.resolve(e.onnx().tokenizer()),
                                e.onnx().vocabSize(),
                                e.onnx().contextLength(),
                                e.onnx().threads()),
                            e.openai(),
                            e.simulated()))
            .toList());
  }
}
