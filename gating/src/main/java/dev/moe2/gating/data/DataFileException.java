package dev.moe2.gating.data;

/** A data or configuration file that cannot be used: names the file, the key and the reason. */
public final class DataFileException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String file;
  private final String key;

  public DataFileException(String file, String key, String reason) {
    this(file, key, reason, null);
  }

  public DataFileException(String file, String key, String reason, Throwable cause) {
    super(file + ": key '" + key + "': " + reason, cause);
    this.file = file;
    this.key = key;
  }

  public String file() {
    return file;
  }

  public String key() {
    return key;
  }
}
