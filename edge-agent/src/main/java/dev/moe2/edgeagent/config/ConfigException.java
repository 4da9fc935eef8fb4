package dev.moe2.edgeagent.config;

/** Invalid agent configuration: names the key and the reason; the agent does not start. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String key;

  public ConfigException(String key, String reason) {
    super("config key '" + key + "': " + reason);
    this.key = key;
  }

  public ConfigException(String key, String reason, Throwable cause) {
    super("config key '" + key + "': " + reason, cause);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
