package dev.moe2.tools;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The module rules of docs/architecture.md that the enforcer cannot see, checked on every library
 * the tools link (device-profiles, optimizer, gating, planning): nothing depends on the tools, the
 * runtime libraries use no tool library (CLI parsing, charts, CSV, histograms), and the domain
 * never sees MQTT.
 */
class ModuleRulesTest {

  private static final JavaClasses LIBRARIES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages(
              "dev.moe2.profiles", "dev.moe2.optimizer", "dev.moe2.gating", "dev.moe2.planning");

  @Test
  void libraries_dependOnNothingInTools() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.moe2.tools..")
        .because("tools is the top of the graph: nothing depends on it")
        .check(LIBRARIES);
  }

  @Test
  void libraries_useNoToolLibraries() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "picocli..",
            "org.knowm.xchart..",
            "com.fasterxml.jackson.dataformat.csv..",
            "org.HdrHistogram..")
        .because("the orchestrator links these libraries and must not ship the tools' dependencies")
        .check(LIBRARIES);
  }

  @Test
  void libraries_neverSeeMqtt() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.eclipse.paho..", "com.hivemq..", "dev.moe2.protocol..")
        .because("transport stays at the edges (agent, orchestrator, simulator)")
        .check(LIBRARIES);
  }

  @Test
  void gating_doesNotKnowThePlanner() {
    noClasses()
        .that()
        .resideInAPackage("dev.moe2.gating..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.moe2.optimizer..", "dev.moe2.planning..")
        .because("the gate predicts quality; joining it with the fleet is planning's job")
        .check(LIBRARIES);
  }
}
