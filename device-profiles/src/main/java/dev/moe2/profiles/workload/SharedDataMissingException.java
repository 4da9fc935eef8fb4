package dev.moe2.profiles.workload;

import java.nio.file.Path;

/** A file or folder of the shared data is not where the configuration says; names the path. */
public final class SharedDataMissingException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final transient Path path;

  public SharedDataMissingException(Path path) {
    super(
        "shared data not found at "
            + path
            + " (set "
            + SharedData.PROPERTY
            + " / --shared to the folder holding routing/, models/ and tokenizers/)");
    this.path = path;
  }

  public Path path() {
    return path;
  }
}
