package dev.moe2.security;

import dev.moe2.protocol.Acl;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The MQTT identities of a site — agents and orchestrators — with their secrets hashed ({@link
 * PasswordHash}), in one JSON file ({@value #FILE} in the state folder). The embedded broker checks
 * every connect against it and sees changes without a restart; {@link #writeMosquittoFiles} writes
 * the same identities and the contract's ACL for a Mosquitto broker. A name is unique across roles.
 */
public final class FleetCredentials {

  /** The store's file name in the state folder. */
  public static final String FILE = "mqtt-identities.json";

  /**
   * One identity.
   *
   * @param name user name and client id (an agent id or an orchestrator id)
   * @param hash the secret, {@code $7$} (never the secret itself)
   */
  public record Entry(String name, Acl.Role role, String hash, String created) {
    public Entry {
      Objects.requireNonNull(role, "role");
      new Acl.Identity(name, role);
      PasswordHash.checkFormat(hash);
      try {
        Instant.parse(created);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("field 'created' has value '" + created + "'", e);
      }
    }

    public Acl.Identity identity() {
      return new Acl.Identity(name, role);
    }
  }

  private final StoreFile<Entry> store;

  private FleetCredentials(Path file) {
    this.store = new StoreFile<>(file, Entry.class);
  }

  /** The store in {@code stateDir} (created on the first change). */
  public static FleetCredentials in(Path stateDir) {
    return new FleetCredentials(stateDir.resolve(FILE));
  }

  public Path path() {
    return store.path();
  }

  /** Every identity, as the file holds it now. */
  public List<Entry> list() {
    return store.entries();
  }

  /**
   * Adds an identity with a new random secret and returns the secret (shown once, stored hashed).
   *
   * @throws CredentialStoreException when the name is taken
   */
  public String add(Acl.Identity who, SecureRandom random, Instant now) {
    String secret = Secrets.next(random);
    Entry entry =
        new Entry(
            who.name(),
            who.role(),
            PasswordHash.hash(secret.toCharArray(), random),
            now.toString());
    store.update(
        entries -> {
          for (Entry e : entries) {
            if (e.name().equals(who.name())) {
              throw new CredentialStoreException(
                  "name '"
                      + who.name()
                      + "' is taken (a "
                      + e.role().word()
                      + " since "
                      + e.created()
                      + "); revoke it first to issue a new secret");
            }
          }
          List<Entry> next = new ArrayList<>(entries);
          next.add(entry);
          return next;
        });
    return secret;
  }

  /** Removes the identity; false when there was none of that name. */
  public boolean revoke(String name) {
    boolean[] found = {false};
    store.update(
        entries -> {
          List<Entry> next = new ArrayList<>();
          for (Entry e : entries) {
            if (e.name().equals(name)) {
              found[0] = true;
            } else {
              next.add(e);
            }
          }
          return next;
        });
    return found[0];
  }

  /** The identity when {@code name} exists and {@code secret} is its secret. */
  public Optional<Acl.Identity> authenticate(String name, char[] secret) {
    if (name == null || secret == null) {
      return Optional.empty();
    }
    for (Entry e : store.entries()) {
      if (e.name().equals(name)) {
        return PasswordHash.verify(secret, e.hash()) ? Optional.of(e.identity()) : Optional.empty();
      }
    }
    return Optional.empty();
  }

  /**
   * Writes a Mosquitto {@code password_file} (the same {@code $7$} hashes) and {@code acl_file}
   * ({@link Acl#mosquittoAclFile}), both readable by the owner only.
   */
  public void writeMosquittoFiles(Path passwordFile, Path aclFile) {
    StringBuilder pw = new StringBuilder();
    List<String> orchestrators = new ArrayList<>();
    for (Entry e : list()) {
      pw.append(e.name()).append(':').append(e.hash()).append('\n');
      if (e.role() == Acl.Role.ORCHESTRATOR) {
        orchestrators.add(e.name());
      }
    }
    StoreFile.writePrivate(passwordFile, pw.toString());
    StoreFile.writePrivate(aclFile, Acl.mosquittoAclFile(orchestrators));
  }

  /**
   * For tests and benchmarks: a Mosquitto on 127.0.0.1:{@code port} set up as docs/deploy.md says
   * (no anonymous clients, these identities' {@code passwd} and {@code acl}, client id = user name,
   * {@code TCP_NODELAY}, no persistence), all written into {@code dir}; run as the current user (as
   * root, Mosquitto would switch to 'mosquitto' and could not read the owner-only files).
   *
   * @return the {@code mosquitto.conf} to pass to {@code mosquitto -c}
   */
  public Path writeLoopbackMosquitto(Path dir, int port) {
    Path passwords = dir.resolve("passwd").toAbsolutePath();
    Path acl = dir.resolve("acl").toAbsolutePath();
    writeMosquittoFiles(passwords, acl);
    Path conf = dir.resolve("mosquitto.conf");
    StoreFile.writePrivate(
        conf,
        String.join(
            "\n",
            "listener " + port + " 127.0.0.1",
            "allow_anonymous false",
            "password_file " + passwords,
            "acl_file " + acl,
            "use_username_as_clientid true",
            // without it each small reply waits for the peer's delayed ACK: ~40 ms per round trip
            "set_tcp_nodelay true",
            "persistence false",
            "user " + System.getProperty("user.name"),
            ""));
    return conf;
  }
}
