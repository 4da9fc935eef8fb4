package dev.moe2.profiles;

import com.fasterxml.jackson.databind.JsonNode;
import dev.moe2.profiles.internal.BuiltInIndex;
import dev.moe2.profiles.internal.FleetFile;
import dev.moe2.profiles.internal.ProfileReader;
import dev.moe2.profiles.internal.ProfileReader.FileKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Device classes, model catalogs and fleets, loaded and validated: every file is checked against
 * its JSON Schema, then against the rules a schema cannot say (modes that exist, ids that resolve,
 * a top-mode figure to derive the other modes from). A broken file stops loading with a {@link
 * ProfileLoadException} naming the file, the key and the reason.
 *
 * <p>A folder holds {@code devices/}, {@code models/} and {@code fleets/} sub-folders of {@code
 * .yaml}, {@code .yml} or {@code .json} files, each named after the id inside it.
 */
public final class ProfileCatalog {

  private static final String BUILT_IN = "/moe2/profiles/";

  private final Map<String, DeviceClass> deviceClasses;
  private final Map<String, ModelCatalog> modelCatalogs;
  private final Map<String, Fleet> fleets;

  private ProfileCatalog(
      Map<String, DeviceClass> deviceClasses,
      Map<String, ModelCatalog> modelCatalogs,
      Map<String, Fleet> fleets) {
    this.deviceClasses = Map.copyOf(deviceClasses);
    this.modelCatalogs = Map.copyOf(modelCatalogs);
    this.fleets = Map.copyOf(fleets);
  }

  /** The profiles shipped in this jar. */
  public static ProfileCatalog builtIn() {
    ProfileReader reader = new ProfileReader();
    BuiltInIndex index =
        reader.bind("classpath:" + BUILT_IN + "index.yaml", readIndex(reader), BuiltInIndex.class);
    Loader loader = new Loader(reader);
    index.devices().forEach(id -> loader.deviceClass(resource("devices/" + id + ".yaml")));
    index.models().forEach(id -> loader.modelCatalog(resource("models/" + id + ".yaml")));
    index.fleets().forEach(id -> loader.fleet(resource("fleets/" + id + ".yaml")));
    return loader.build();
  }

  /**
   * Loads every profile under {@code dir}.
   *
   * @throws ProfileLoadException when the folder is missing or a file is broken
   */
  public static ProfileCatalog load(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new ProfileLoadException(
          dir.toString(), "$", "is not a folder (expected devices/, models/ and fleets/ inside)");
    }
    Loader loader = new Loader(new ProfileReader());
    files(dir.resolve("devices")).forEach(f -> loader.deviceClass(fileSource(f)));
    files(dir.resolve("models")).forEach(f -> loader.modelCatalog(fileSource(f)));
    files(dir.resolve("fleets")).forEach(f -> loader.fleet(fileSource(f)));
    return loader.build();
  }

  /**
   * Loads one fleet file against this catalog's device classes and model catalogs.
   *
   * @throws ProfileLoadException when the file is missing or broken, or names an unknown class
   */
  public Fleet loadFleet(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ProfileLoadException(
          file.toString(), "$", "no such file (looked for " + file.toAbsolutePath() + ")");
    }
    Loader loader = new Loader(new ProfileReader());
    loader.namedAfterId = false;
    loader.deviceClasses.putAll(deviceClasses);
    loader.modelCatalogs.putAll(modelCatalogs);
    return loader.fleet(fileSource(file));
  }

  public Collection<DeviceClass> deviceClasses() {
    return deviceClasses.values().stream()
        .sorted(java.util.Comparator.comparing(DeviceClass::id))
        .toList();
  }

  public Collection<ModelCatalog> modelCatalogs() {
    return modelCatalogs.values().stream()
        .sorted(java.util.Comparator.comparing(ModelCatalog::id))
        .toList();
  }

  public Collection<Fleet> fleets() {
    return fleets.values().stream().sorted(java.util.Comparator.comparing(Fleet::id)).toList();
  }

  public DeviceClass deviceClass(String id) {
    return get(deviceClasses, "device class", id);
  }

  public ModelCatalog modelCatalog(String id) {
    return get(modelCatalogs, "model catalog", id);
  }

  public Fleet fleet(String id) {
    return get(fleets, "fleet", id);
  }

  private static <T> T get(Map<String, T> map, String what, String id) {
    T value = map.get(id);
    if (value == null) {
      throw new UnknownProfileEntryException(
          what, id, "the profile catalog", map.keySet().stream().sorted().toList());
    }
    return value;
  }

  // ---- sources -------------------------------------------------------------------------------

  private record Source(String name, String stem, IoSupplier open) {}

  @FunctionalInterface
  private interface IoSupplier {
    InputStream get() throws IOException;
  }

  private static JsonNode readIndex(ProfileReader reader) {
    Source index = resource("index.yaml");
    try (InputStream in = index.open().get()) {
      return reader.readValidIndex(index.name(), in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Source resource(String relative) {
    String path = BUILT_IN + relative;
    String stem = relative.substring(relative.lastIndexOf('/') + 1).replaceFirst("\\.[^.]+$", "");
    return new Source(
        "classpath:" + path,
        stem,
        () -> {
          InputStream in = ProfileCatalog.class.getResourceAsStream(path);
          if (in == null) {
            throw new IOException("built-in profile missing from the jar: " + path);
          }
          return in;
        });
  }

  private static Source fileSource(Path file) {
    String stem = file.getFileName().toString().replaceFirst("\\.[^.]+$", "");
    return new Source(file.toString(), stem, () -> Files.newInputStream(file));
  }

  private static List<Path> files(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().matches(".*\\.(ya?ml|json)$")).sorted().toList();
    } catch (IOException e) {
      throw new ProfileLoadException(
          dir.toString(), "$", "cannot list the folder: " + e.getMessage(), e);
    }
  }

  // ---- loading and semantic checks -----------------------------------------------------------

  private static final class Loader {
    private final ProfileReader reader;
    private final Map<String, DeviceClass> deviceClasses = new LinkedHashMap<>();
    private final Map<String, ModelCatalog> modelCatalogs = new LinkedHashMap<>();
    private final Map<String, Fleet> fleets = new LinkedHashMap<>();

    /** In a catalog folder a file is named after its id; a fleet file given on its own need not. */
    private boolean namedAfterId = true;

    Loader(ProfileReader reader) {
      this.reader = reader;
    }

    ProfileCatalog build() {
      return new ProfileCatalog(deviceClasses, modelCatalogs, fleets);
    }

    private <T> T read(Source source, FileKind kind, Class<T> type) {
      try (InputStream in = source.open().get()) {
        JsonNode tree = reader.readValid(source.name(), in, kind);
        String id = tree.path("id").asText();
        if (namedAfterId && !id.equals(source.stem())) {
          throw new ProfileLoadException(
              source.name(),
              "$.id",
              "'" + id + "' does not match the file name; name the file " + id + ".yaml");
        }
        return reader.bind(source.name(), tree, type);
      } catch (IOException e) {
        throw new ProfileLoadException(source.name(), "$", "cannot be read: " + e.getMessage(), e);
      }
    }

    void deviceClass(Source source) {
      DeviceClass dc = read(source, FileKind.DEVICE_CLASS, DeviceClass.class);
      String f = source.name();
      unique(deviceClasses.keySet(), dc.id(), f, "device class");
      List<String> modes = new ArrayList<>();
      for (int i = 0; i < dc.powerModes().size(); i++) {
        PowerMode m = dc.powerModes().get(i);
        String key = "$.powerModes[" + i + "]";
        if (modes.contains(m.id())) {
          throw new ProfileLoadException(f, key + ".id", "duplicate power mode '" + m.id() + "'");
        }
        modes.add(m.id());
        if (dc.kind() == DeviceKind.JETSON && (m.nvpmodelId() == null || m.powerLimitW() != null)) {
          throw new ProfileLoadException(
              f, key, "a jetson power mode needs an nvpmodelId and no powerLimitW");
        }
        if (dc.kind() == DeviceKind.DGPU && (m.powerLimitW() == null || m.nvpmodelId() != null)) {
          throw new ProfileLoadException(
              f, key, "a dgpu power mode needs a powerLimitW and no nvpmodelId");
        }
      }
      if (!modes.contains(dc.topMode())) {
        throw unknownMode(f, "$.topMode", dc.topMode(), modes);
      }
      for (int i = 0; i < dc.throughput().size(); i++) {
        ThroughputFigure t = dc.throughput().get(i);
        if (!modes.contains(t.mode())) {
          throw unknownMode(f, "$.throughput[" + i + "].mode", t.mode(), modes);
        }
        boolean hasTop =
            dc.throughput().stream()
                .anyMatch(
                    o ->
                        o.sizeClass().equals(t.sizeClass())
                            && o.runtime().equals(t.runtime())
                            && o.mode().equals(dc.topMode()));
        if (!hasTop) {
          throw new ProfileLoadException(
              f,
              "$.throughput[" + i + "]",
              "no figure for "
                  + t.sizeClass()
                  + "/"
                  + t.runtime()
                  + " in the top mode '"
                  + dc.topMode()
                  + "', so its other modes cannot be derived");
        }
      }
      if (dc.throughput().stream().noneMatch(t -> t.runtime().equals(dc.defaultRuntime()))) {
        throw new ProfileLoadException(
            f,
            "$.defaultRuntime",
            "'" + dc.defaultRuntime() + "' has no throughput figure in this file");
      }
      if (dc.usableMemoryGiB().value() > dc.memoryGiB().value()) {
        throw new ProfileLoadException(
            f,
            "$.usableMemoryGiB.value",
            dc.usableMemoryGiB().value() + " exceeds memoryGiB " + dc.memoryGiB().value());
      }
      deviceClasses.put(dc.id(), dc);
    }

    void modelCatalog(Source source) {
      ModelCatalog catalog = read(source, FileKind.MODEL_CATALOG, ModelCatalog.class);
      String f = source.name();
      unique(modelCatalogs.keySet(), catalog.id(), f, "model catalog");
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < catalog.models().size(); i++) {
        ModelDescriptor m = catalog.models().get(i);
        if (!ids.add(m.id())) {
          throw new ProfileLoadException(
              f, "$.models[" + i + "].id", "duplicate model '" + m.id() + "'");
        }
        if (m.footprintGiB().value() < m.weightsGiB().value()) {
          throw new ProfileLoadException(
              f,
              "$.models[" + i + "].footprintGiB.value",
              m.footprintGiB().value() + " is smaller than the weights, " + m.weightsGiB().value());
        }
      }
      modelCatalogs.put(catalog.id(), catalog);
    }

    Fleet fleet(Source source) {
      FleetFile file = read(source, FileKind.FLEET, FleetFile.class);
      String f = source.name();
      unique(fleets.keySet(), file.id(), f, "fleet");
      ModelCatalog models = modelCatalogs.get(file.models());
      if (models == null) {
        throw new ProfileLoadException(
            f,
            "$.models",
            "unknown model catalog '"
                + file.models()
                + "'; known: "
                + String.join(", ", modelCatalogs.keySet().stream().sorted().toList()));
      }
      List<Fleet.Device> devices = new ArrayList<>();
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < file.devices().size(); i++) {
        FleetFile.DeviceEntry d = file.devices().get(i);
        if (!ids.add(d.id())) {
          throw new ProfileLoadException(
              f, "$.devices[" + i + "].id", "duplicate device '" + d.id() + "'");
        }
        DeviceClass dc = deviceClasses.get(d.deviceClass());
        if (dc == null) {
          throw new ProfileLoadException(
              f,
              "$.devices[" + i + "].deviceClass",
              "unknown device class '"
                  + d.deviceClass()
                  + "'; known: "
                  + String.join(", ", deviceClasses.keySet().stream().sorted().toList()));
        }
        devices.add(
            new Fleet.Device(
                d.id(),
                dc,
                new Fleet.Link(d.link().rttMs(), d.link().bandwidthMbps(), d.link().note())));
      }
      for (int i = 0; i < models.models().size(); i++) {
        ModelDescriptor m = models.models().get(i);
        boolean hostable =
            devices.stream()
                .anyMatch(
                    d ->
                        d.deviceClass().sizeClasses().contains(m.sizeClass())
                            && d.deviceClass().usableMemoryGiB().value()
                                >= m.footprintGiB().value());
        if (!hostable) {
          throw new ProfileLoadException(
              f,
              "$.models",
              "model '"
                  + m.id()
                  + "' ("
                  + m.sizeClass()
                  + ", "
                  + m.footprintGiB().value()
                  + " GiB) fits no device of the fleet");
        }
      }
      Fleet fleet = new Fleet(file.id(), file.description(), devices, models, file.sitePowerCapW());
      fleets.put(fleet.id(), fleet);
      return fleet;
    }

    private static void unique(Set<String> seen, String id, String file, String what) {
      if (seen.contains(id)) {
        throw new ProfileLoadException(
            file, "$.id", "a " + what + " '" + id + "' is already loaded");
      }
    }

    private static ProfileLoadException unknownMode(
        String file, String key, String mode, List<String> modes) {
      return new ProfileLoadException(
          file,
          key,
          "unknown power mode '" + mode + "'; this class has " + String.join(", ", modes));
    }
  }
}
