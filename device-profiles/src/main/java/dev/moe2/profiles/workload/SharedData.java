package dev.moe2.profiles.workload;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the shared data lives: the one definition of the shared folder ({@code moe2.shared.dir},
 * default {@code ../shared} next to the repository) and of the RouterDC score folder inside it.
 * Every module, tool and test resolves data through here; a missing folder fails naming the path.
 */
public final class SharedData {

  /** The system property (and the orchestrator's config key) holding the shared folder. */
  public static final String PROPERTY = "moe2.shared.dir";

  /** The shared folder when {@link #PROPERTY} is not set: next to the repository. */
  public static final String DEFAULT_DIR = "../shared";

  /** The RouterDC per-query score files (7 models), relative to the shared folder. */
  public static final String ROUTERDC = "routing/routerdc/split2_model7";

  private SharedData() {}

  /** The shared folder from {@link #PROPERTY}, or {@link #DEFAULT_DIR}. */
  public static Path dir() {
    return Path.of(System.getProperty(PROPERTY, DEFAULT_DIR));
  }

  /**
   * The RouterDC score folder under {@code shared}.
   *
   * @throws SharedDataMissingException when it is not a folder (names the absolute path)
   */
  public static Path routerDc(Path shared) {
    return require(shared, ROUTERDC);
  }

  /**
   * {@code relative} under {@code shared}, which must exist.
   *
   * @throws SharedDataMissingException when it does not exist (names the absolute path)
   */
  public static Path require(Path shared, String relative) {
    Path path = shared.resolve(relative).toAbsolutePath().normalize();
    if (!Files.exists(path)) {
      throw new SharedDataMissingException(path);
    }
    return path;
  }
}
