package dev.moe2.profiles;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared data folder ({@code moe2.shared.dir}, default {@code ../shared}); never skipped. */
final class SharedData {

  private SharedData() {}

  static Path path(String relative) {
    String dir = System.getProperty("moe2.shared.dir", "../../shared");
    Path path = Path.of(dir).resolve(relative).toAbsolutePath().normalize();
    if (!Files.exists(path)) {
      throw new IllegalStateException(
          "shared data not found at "
              + path
              + " (set -Dmoe2.shared.dir to the folder holding routing/ and models/)");
    }
    return path;
  }
}
