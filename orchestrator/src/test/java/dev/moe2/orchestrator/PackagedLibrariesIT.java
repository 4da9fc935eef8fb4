package dev.moe2.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The packaged service ships none of the tools' libraries (docs/adr/0009). */
class PackagedLibrariesIT {

  static final Path LIBS = Path.of("target/quarkus-app/lib/main");

  @Test
  void packagedLibraries_afterPackage_containNoToolLibraries() throws IOException {
    assertThat(LIBS).as("the packaged application's libraries (run mvn package)").isDirectory();
    List<String> jars;
    try (Stream<Path> s = Files.list(LIBS)) {
      jars = s.map(p -> p.getFileName().toString()).sorted().toList();
    }

    assertThat(jars)
        .as("libraries of the packaged orchestrator")
        .isNotEmpty()
        .anyMatch(j -> j.startsWith("dev.moe2.gating-"))
        .anyMatch(j -> j.startsWith("dev.moe2.planning-"))
        .noneMatch(j -> j.contains("xchart"))
        .noneMatch(j -> j.contains("jackson-dataformat-csv"))
        .noneMatch(j -> j.toLowerCase(java.util.Locale.ROOT).contains("hdrhistogram"))
        .noneMatch(j -> j.contains("picocli"))
        .noneMatch(j -> j.startsWith("dev.moe2.tools-"));
  }
}
