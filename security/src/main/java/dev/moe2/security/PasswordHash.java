package dev.moe2.security;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Secrets hashed in Mosquitto's own password-file format, {@code $7$iterations$salt$hash}: PBKDF2
 * with HMAC-SHA512, a 12-byte random salt and a 64-byte hash, both Base64 — what {@code
 * mosquitto_passwd} writes (Mosquitto 2.0+), so one store serves the embedded broker and a
 * Mosquitto {@code password_file} alike. The JDK's own PBKDF2 computes it (ADR 0013).
 */
public final class PasswordHash {

  /** Mosquitto's marker for PBKDF2-SHA512. */
  static final String PREFIX = "$7$";

  /**
   * Iterations for new hashes. Mosquitto's default is 101; ours are random secrets of 256 bits, so
   * iterations add little, but a stolen store should still cost something to test guesses on.
   */
  static final int ITERATIONS = 20_000;

  private static final int SALT_BYTES = 12;
  private static final int HASH_BYTES = 64;
  private static final int MAX_ITERATIONS = 10_000_000;

  private PasswordHash() {}

  /** Hashes {@code secret} with a fresh salt. */
  public static String hash(char[] secret, SecureRandom random) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    return PREFIX
        + ITERATIONS
        + "$"
        + Base64.getEncoder().encodeToString(salt)
        + "$"
        + Base64.getEncoder().encodeToString(pbkdf2(secret, salt, ITERATIONS));
  }

  /**
   * Whether {@code secret} matches {@code encoded} (constant time in the hash).
   *
   * @throws IllegalArgumentException when {@code encoded} is not a {@code $7$} hash
   */
  public static boolean verify(char[] secret, String encoded) {
    String[] p = parts(encoded);
    int iterations = Integer.parseInt(p[1]);
    byte[] salt = Base64.getDecoder().decode(p[2]);
    byte[] expected = Base64.getDecoder().decode(p[3]);
    return MessageDigest.isEqual(expected, pbkdf2(secret, salt, iterations));
  }

  /** Checks the form of a stored hash; returns it. */
  static String checkFormat(String encoded) {
    parts(encoded);
    return encoded;
  }

  private static String[] parts(String encoded) {
    if (encoded == null || !encoded.startsWith(PREFIX)) {
      throw new IllegalArgumentException(
          "field 'hash' is not a Mosquitto $7$ (PBKDF2-SHA512) hash");
    }
    String[] p = encoded.substring(1).split("\\$", -1);
    try {
      if (p.length != 4) {
        throw new IllegalArgumentException("it has " + p.length + " parts, not 4");
      }
      int iterations = Integer.parseInt(p[1]);
      if (iterations < 1 || iterations > MAX_ITERATIONS) {
        throw new IllegalArgumentException("iterations " + iterations + " out of range");
      }
      if (Base64.getDecoder().decode(p[2]).length == 0
          || Base64.getDecoder().decode(p[3]).length != HASH_BYTES) {
        throw new IllegalArgumentException("salt or hash of the wrong length");
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "field 'hash' is not a valid $7$ hash: " + e.getMessage(), e);
    }
    return p;
  }

  private static byte[] pbkdf2(char[] secret, byte[] salt, int iterations) {
    // Mosquitto hashes the password's UTF-8 bytes; PBEKeySpec takes chars and the JDK's PBKDF2
    // encodes them as UTF-8 too
    PBEKeySpec spec = new PBEKeySpec(secret, salt, iterations, HASH_BYTES * 8);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no PBKDF2WithHmacSHA512", e);
    } finally {
      spec.clearPassword();
    }
  }
}
