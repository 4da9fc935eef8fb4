package dev.moe2.protocol;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The contract is transport-neutral: records and a codec, no MQTT client, no framework. */
class ProtocolArchitectureTest {

  private static final JavaClasses PROTOCOL =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.moe2.protocol");

  @Test
  void protocol_dependsOnlyOnJdkAndJackson() {
    classes()
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..", "javax.net..", "com.fasterxml.jackson..", "dev.moe2.protocol..")
        .because("the contract must not leak a transport or framework into its users")
        .check(PROTOCOL);
  }

  @Test
  void internalPackage_isNotPartOfTheApiSurfaceOfOtherModules() {
    noClasses()
        .that()
        .resideInAPackage("dev.moe2.protocol.internal..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.moe2.protocol")
        .because("internal helpers sit below the API, not beside it")
        .check(PROTOCOL);
  }
}
