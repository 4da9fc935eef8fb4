package dev.moe2.security;

/** A credential store that cannot be read, or a change it refuses (the message says which). */
public final class CredentialStoreException extends RuntimeException {

  public CredentialStoreException(String message) {
    super(message);
  }

  public CredentialStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
