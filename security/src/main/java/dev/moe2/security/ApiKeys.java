package dev.moe2.security;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The API keys of a site, in one JSON file ({@value #FILE} in the state folder). A key reads {@code
 * moe2_<id>_<secret>}: the id (10 characters) names it in logs, decisions and lists; the secret is
 * 256 random bits and is stored only as its SHA-256 (a fast hash suits a secret of full entropy;
 * ADR 0013). Keys travel as {@code Authorization: Bearer <key>}, what OpenAI clients send.
 */
public final class ApiKeys {

  /** The store's file name in the state folder. */
  public static final String FILE = "api-keys.json";

  private static final String PREFIX = "moe2_";
  private static final Pattern ID = Pattern.compile("[a-z0-9]{10}");
  private static final Pattern KEY = Pattern.compile("moe2_([a-z0-9]{10})_([A-Za-z0-9_-]{43})");
  private static final String ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";

  /**
   * One key.
   *
   * @param id public; names the key
   * @param label what it is for, as given when created
   * @param sha256 hex SHA-256 of the whole key
   */
  public record Entry(String id, ApiRole role, String label, String sha256, String created) {
    public Entry {
      if (id == null || !ID.matcher(id).matches()) {
        throw new IllegalArgumentException("field 'id' has value '" + id + "'");
      }
      Objects.requireNonNull(role, "role");
      label = label == null ? "" : label;
      if (label.length() > 200) {
        throw new IllegalArgumentException("field 'label' is longer than 200 characters");
      }
      if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException("field 'sha256' of key " + id + " is not a SHA-256");
      }
      Instant.parse(created);
    }
  }

  /** A key just created: the whole key (shown once) and its entry. */
  public record Created(String key, Entry entry) {
    @Override
    public String toString() {
      return "Created[id=" + entry.id() + ", role=" + entry.role() + "]";
    }
  }

  private final StoreFile<Entry> store;

  private ApiKeys(Path file) {
    this.store = new StoreFile<>(file, Entry.class);
  }

  /** The store in {@code stateDir} (created on the first change). */
  public static ApiKeys in(Path stateDir) {
    return new ApiKeys(stateDir.resolve(FILE));
  }

  public Path path() {
    return store.path();
  }

  public List<Entry> list() {
    return store.entries();
  }

  /** Creates a key; the result holds the only copy of it. */
  public Created create(ApiRole role, String label, SecureRandom random, Instant now) {
    StringBuilder id = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      id.append(ID_CHARS.charAt(random.nextInt(ID_CHARS.length())));
    }
    String key = PREFIX + id + "_" + Secrets.next(random);
    Entry entry = new Entry(id.toString(), role, label, sha256(key), now.toString());
    store.update(
        entries -> {
          List<Entry> next = new ArrayList<>(entries);
          next.add(entry);
          return next;
        });
    return new Created(key, entry);
  }

  /** Revokes the key with this id; false when there is none. */
  public boolean revoke(String id) {
    boolean[] found = {false};
    store.update(
        entries -> {
          List<Entry> next = new ArrayList<>();
          for (Entry e : entries) {
            if (e.id().equals(id)) {
              found[0] = true;
            } else {
              next.add(e);
            }
          }
          return next;
        });
    return found[0];
  }

  /** The key's entry when {@code key} is a valid, unrevoked key. */
  public Optional<Entry> authenticate(String key) {
    if (key == null) {
      return Optional.empty();
    }
    var m = KEY.matcher(key);
    if (!m.matches()) {
      return Optional.empty();
    }
    String id = m.group(1);
    byte[] presented = HexFormat.of().parseHex(sha256(key));
    for (Entry e : store.entries()) {
      if (e.id().equals(id)) {
        return MessageDigest.isEqual(presented, HexFormat.of().parseHex(e.sha256()))
            ? Optional.of(e)
            : Optional.empty();
      }
    }
    return Optional.empty();
  }

  /** The id part of something that looks like a key (for logs), or "-". */
  public static String idOf(String key) {
    if (key != null) {
      var m = KEY.matcher(key);
      if (m.matches()) {
        return m.group(1);
      }
    }
    return "-";
  }

  static String sha256(String key) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
