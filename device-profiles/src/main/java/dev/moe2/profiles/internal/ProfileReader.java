package dev.moe2.profiles.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.module.paramnames.ParameterNamesModule;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.moe2.profiles.ProfileLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Reads one YAML (or JSON) profile file: parse, check against its JSON Schema, bind to a record.
 * Every failure is a {@link ProfileLoadException} naming the file, the key and the reason.
 */
public final class ProfileReader {

  /** The kinds of file and the schema each is checked against. */
  public enum FileKind {
    DEVICE_CLASS("device-class"),
    MODEL_CATALOG("model-catalog"),
    FLEET("fleet");

    private final String schemaName;

    FileKind(String schemaName) {
      this.schemaName = schemaName;
    }
  }

  private static final String SCHEMA_DIR = "/moe2/profiles/schema/";

  private final ObjectMapper yaml =
      YAMLMapper.builder(new YAMLFactory())
          .addModule(new ParameterNamesModule())
          .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();
  private final java.util.Map<FileKind, JsonSchema> schemas =
      new java.util.EnumMap<>(FileKind.class);

  public ProfileReader() {
    JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    for (FileKind kind : FileKind.values()) {
      String resource = SCHEMA_DIR + kind.schemaName + ".schema.json";
      try (InputStream in = ProfileReader.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("schema resource missing from the jar: " + resource);
        }
        schemas.put(kind, factory.getSchema(in));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read schema " + resource, e);
      }
    }
  }

  /** Parses {@code content} and checks it against the schema of {@code kind}. */
  public JsonNode readValid(String file, InputStream content, FileKind kind) {
    JsonNode tree;
    try {
      tree = yaml.readTree(content);
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr();
      throw new ProfileLoadException(
          file, "$", "not valid YAML" + where + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ProfileLoadException(file, "$", "cannot be read: " + e.getMessage(), e);
    }
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      throw new ProfileLoadException(file, "$", "the file is empty");
    }
    Set<ValidationMessage> errors = schemas.get(kind).validate(tree);
    if (!errors.isEmpty()) {
      List<ValidationMessage> sorted =
          errors.stream()
              .sorted(
                  Comparator.comparing((ValidationMessage m) -> m.getInstanceLocation().toString())
                      .thenComparing(ValidationMessage::getMessage))
              .toList();
      ValidationMessage first = sorted.get(0);
      String key = first.getInstanceLocation().toString();
      String reason = first.getMessage();
      if (reason.startsWith(key + ": ")) {
        reason = reason.substring(key.length() + 2);
      }
      String more =
          sorted.size() > 1 ? " (and " + (sorted.size() - 1) + " more schema errors)" : "";
      throw new ProfileLoadException(
          file, key, "violates the " + kind.schemaName + " schema: " + reason + more);
    }
    return tree;
  }

  /** Parses the built-in index (no schema: it ships with the code). */
  public JsonNode readValidIndex(String file, InputStream content) {
    try {
      return yaml.readTree(content);
    } catch (IOException e) {
      throw new ProfileLoadException(file, "$", "cannot be read: " + e.getMessage(), e);
    }
  }

  /** Binds a schema-valid tree to its record type. */
  public <T> T bind(String file, JsonNode tree, Class<T> type) {
    try {
      return yaml.treeToValue(tree, type);
    } catch (JsonProcessingException e) {
      throw new ProfileLoadException(file, "$", "cannot be bound: " + e.getOriginalMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new ProfileLoadException(file, "$", "cannot be bound: " + e.getMessage(), e);
    }
  }
}
