package dev.moe2.tools.profiles;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.moe2.profiles.DeviceClass;
import dev.moe2.profiles.Figure;
import dev.moe2.profiles.Fleet;
import dev.moe2.profiles.ModelDescriptor;
import dev.moe2.profiles.Performance;
import dev.moe2.profiles.PowerMode;
import dev.moe2.profiles.ProfileCatalog;
import dev.moe2.profiles.ProfileLoadException;
import dev.moe2.profiles.UnknownProfileEntryException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code scripts/profiles}: validates the device catalog and prints it, with a fleet. */
@Command(
    name = "profiles",
    mixinStandardHelpOptions = true,
    version = "moe2 device-profiles 0.1.0",
    description = {
      "Validates device profiles, model catalogs and fleets (JSON Schema + rules) and prints them.",
      "Figures marked * are derived (the rule is in the profile file; --json includes it).",
      "Exit status: 0 valid, 2 a profile is broken (the message names file, key and reason)."
    })
public final class ProfilesCommand implements Callable<Integer> {

  @Option(
      names = "--dir",
      paramLabel = "FOLDER",
      description =
          "Load profiles from FOLDER (devices/, models/, fleets/) instead of the built-ins.")
  Path dir;

  @Option(
      names = "--fleet",
      paramLabel = "ID|FILE",
      defaultValue = "reference",
      description =
          "The fleet to print: an id in the catalog or a fleet file (default: ${DEFAULT-VALUE}).")
  String fleet;

  @Option(names = "--json", description = "Print JSON (every figure with its source or rule).")
  boolean json;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ProfilesCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      ProfileCatalog catalog = dir == null ? ProfileCatalog.builtIn() : ProfileCatalog.load(dir);
      Fleet selected =
          fleet.endsWith(".yaml") || fleet.endsWith(".yml") || fleet.endsWith(".json")
              ? catalog.loadFleet(Path.of(fleet))
              : catalog.fleet(fleet);
      if (json) {
        out.println(toJson(catalog, selected));
      } else {
        printTables(out, catalog, selected);
      }
      out.flush();
      return 0;
    } catch (ProfileLoadException | UnknownProfileEntryException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return 2;
    }
  }

  private static String mark(Figure f, String format) {
    return String.format(Locale.ROOT, format, f.value()) + (f.isDerived() ? "*" : " ");
  }

  private static void printTables(PrintWriter out, ProfileCatalog catalog, Fleet fleet) {
    out.println("Device classes (per power mode; * = derived)");
    out.printf(
        Locale.ROOT,
        "%-22s %-6s %-5s %-8s %-10s %10s %10s %9s %9s %8s%n",
        "class",
        "mode",
        "ctl",
        "size",
        "runtime",
        "decode t/s",
        "prefill t/s",
        "power W",
        "J/token",
        "mem GiB");
    for (DeviceClass dc : catalog.deviceClasses()) {
      for (String size : dc.sizeClasses()) {
        for (PowerMode mode : dc.powerModes()) {
          Performance p = dc.performance(size, mode.id());
          String ctl =
              mode.nvpmodelId() != null ? "m" + mode.nvpmodelId() : "pl" + mode.powerLimitW();
          out.printf(
              Locale.ROOT,
              "%-22s %-6s %-5s %-8s %-10s %10s %10s %9s %9s %8s%n",
              dc.id(),
              mode.id(),
              ctl,
              size,
              p.runtime(),
              mark(p.decodeTokPerS(), "%.1f"),
              mark(p.prefillTokPerS(), "%.0f"),
              mark(p.activePowerW(), "%.1f"),
              mark(p.energyPerTokenJ(), "%.3f"),
              mark(dc.usableMemoryGiB(), "%.1f"));
        }
      }
    }
    for (var catalogOfModels : catalog.modelCatalogs()) {
      out.println();
      out.println("Models: " + catalogOfModels.id() + " — " + catalogOfModels.description());
      out.printf(
          Locale.ROOT,
          "%-24s %-46s %-6s %-7s %9s %11s%n",
          "model",
          "name",
          "size",
          "quant",
          "params B",
          "footprint");
      for (ModelDescriptor m : catalogOfModels.models()) {
        out.printf(
            Locale.ROOT,
            "%-24s %-46s %-6s %-7s %9s %10s%n",
            m.id(),
            m.name(),
            m.sizeClass(),
            m.quantization(),
            mark(m.paramsBillions(), "%.2f"),
            mark(m.footprintGiB(), "%.2f"));
      }
    }
    out.println();
    out.println("Fleet: " + fleet.id() + " — " + fleet.description());
    out.printf(
        Locale.ROOT,
        "%-12s %-22s %9s %9s %9s  %s%n",
        "device",
        "class",
        "mem GiB",
        "models≤",
        "max W",
        "link");
    double smallest =
        fleet.models().models().stream().mapToDouble(m -> m.footprintGiB().value()).min().orElse(1);
    for (Fleet.Device d : fleet.devices()) {
      DeviceClass dc = d.deviceClass();
      double maxW =
          dc.powerModes().stream().mapToDouble(m -> m.maxPowerW().value()).max().orElse(0);
      out.printf(
          Locale.ROOT,
          "%-12s %-22s %9.1f %9d %9.0f  %.1f ms RTT, %.0f Mbit/s (%s)%n",
          d.id(),
          dc.id(),
          dc.usableMemoryGiB().value(),
          (int) (dc.usableMemoryGiB().value() / smallest),
          maxW,
          d.link().rttMs(),
          d.link().bandwidthMbps(),
          d.link().note());
    }
    out.println();
    out.printf(
        Locale.ROOT,
        "profiles device_classes=%d models=%d fleet=%s devices=%d site_power_cap_w=%s valid=true%n",
        catalog.deviceClasses().size(),
        catalog.modelCatalogs().stream().mapToInt(c -> c.models().size()).sum(),
        fleet.id(),
        fleet.devices().size(),
        fleet.sitePowerCapW() == null ? "none" : fleet.sitePowerCapW());
  }

  private static String toJson(ProfileCatalog catalog, Fleet fleet) throws Exception {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    ArrayNode classes = root.putArray("deviceClasses");
    for (DeviceClass dc : catalog.deviceClasses()) {
      ObjectNode c = mapper.valueToTree(dc);
      ArrayNode perf = c.putArray("performance");
      for (String size : dc.sizeClasses()) {
        for (PowerMode mode : dc.powerModes()) {
          perf.add(mapper.valueToTree(dc.performance(size, mode.id())));
        }
      }
      classes.add(c);
    }
    root.set("modelCatalogs", mapper.valueToTree(List.copyOf(catalog.modelCatalogs())));
    root.set("fleet", mapper.valueToTree(fleet));
    return mapper.writeValueAsString(root);
  }
}
