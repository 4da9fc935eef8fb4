package dev.moe2.security;

import dev.moe2.protocol.Acl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Optional;

/**
 * Secrets a site keeps for its own processes (the orchestrator's MQTT secret, the demo's agents and
 * keys) in {@code secrets/} of the state folder, readable by the owner only. Operators' agents get
 * theirs printed once by {@code scripts/credentials} instead.
 */
public final class SecretFiles {

  private SecretFiles() {}

  /** Where the secret of {@code name} is kept. */
  public static Path of(Path stateDir, String name) {
    return stateDir.resolve("secrets").resolve(name + ".secret");
  }

  /** The kept secret of {@code name}, if there is one. */
  public static Optional<String> read(Path stateDir, String name) {
    Path f = of(stateDir, name);
    try {
      return Files.exists(f) ? Optional.of(Files.readString(f).strip()) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + f, e);
    }
  }

  /** Keeps {@code secret} for {@code name} (owner-only). */
  public static void write(Path stateDir, String name, String secret) {
    StoreFile.writePrivate(of(stateDir, name), secret + "\n");
  }

  /**
   * The secret of an identity this site runs itself: the kept one when the store has the identity
   * and its secret still matches; otherwise the identity is (re)issued and its new secret kept.
   */
  public static String ensure(
      FleetCredentials store, Path stateDir, Acl.Identity who, SecureRandom random, Instant now) {
    Optional<String> kept = read(stateDir, who.name());
    if (kept.isPresent()
        && store
            .authenticate(who.name(), kept.get().toCharArray())
            .filter(who::equals)
            .isPresent()) {
      return kept.get();
    }
    store.revoke(who.name());
    String secret = store.add(who, random, now);
    write(stateDir, who.name(), secret);
    return secret;
  }

  /** A kept API key for {@code name} ({@code <role>-<label>}), created when missing or revoked. */
  public static String ensureKey(
      ApiKeys keys, Path stateDir, ApiRole role, String label, SecureRandom random, Instant now) {
    String name = "key-" + role.word() + "-" + label;
    Optional<String> kept = read(stateDir, name);
    if (kept.isPresent()
        && keys.authenticate(kept.get()).filter(e -> e.role() == role).isPresent()) {
      return kept.get();
    }
    String key = keys.create(role, label, random, now).key();
    write(stateDir, name, key);
    return key;
  }
}
