package dev.moe2.profiles;

/** A profile, model or fleet file that cannot be loaded: names the file, the key and the reason. */
public final class ProfileLoadException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String file;
  private final String key;
  private final String reason;

  public ProfileLoadException(String file, String key, String reason) {
    this(file, key, reason, null);
  }

  public ProfileLoadException(String file, String key, String reason, Throwable cause) {
    super(file + ": key '" + key + "': " + reason, cause);
    this.file = file;
    this.key = key;
    this.reason = reason;
  }

  public String file() {
    return file;
  }

  /** The offending key as a JSON path, e.g. {@code $.throughput[0].decodeTokPerS.value}. */
  public String key() {
    return key;
  }

  public String reason() {
    return reason;
  }
}
