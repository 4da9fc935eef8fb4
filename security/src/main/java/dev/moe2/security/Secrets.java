package dev.moe2.security;

import java.security.SecureRandom;
import java.util.Base64;

/** Random secrets: 32 bytes (256 bits) from a {@link SecureRandom}, Base64url without padding. */
public final class Secrets {

  /** Bytes of randomness in a secret. */
  public static final int BYTES = 32;

  private Secrets() {}

  /** A new secret of {@value #BYTES} random bytes, 43 characters of [A-Za-z0-9_-]. */
  public static String next(SecureRandom random) {
    byte[] b = new byte[BYTES];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
