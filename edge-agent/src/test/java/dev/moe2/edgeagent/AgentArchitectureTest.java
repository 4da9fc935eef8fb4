package dev.moe2.edgeagent;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Each technology stays in its adapter: ports by role, adapters by technology. */
class AgentArchitectureTest {

  private static final JavaClasses AGENT =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.moe2.edgeagent");

  @Test
  void paho_onlyInTheMqttAdapter() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.moe2.edgeagent.mqtt..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.eclipse.paho..")
        .because("transport details never leak into the serving, plan or profile code")
        .check(AGENT);
  }

  @Test
  void onnxRuntime_onlyInTheBackendAdapter() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.moe2.edgeagent.backend..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("ai.onnxruntime..")
        .check(AGENT);
  }

  @Test
  void servingAndPlans_dependOnPortsNotOnAdapters() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.moe2.edgeagent.serve..",
            "dev.moe2.edgeagent.plan..",
            "dev.moe2.edgeagent.profile..")
        .should()
        .dependOnClassesThat()
        .haveSimpleNameEndingWith("PahoLink")
        .orShould()
        .dependOnClassesThat()
        .haveSimpleNameEndingWith("OnnxBackend")
        .orShould()
        .dependOnClassesThat()
        .haveSimpleNameEndingWith("SampledMeter")
        .check(AGENT);
  }
}
