package dev.moe2.profiles;

import java.util.Collection;

/**
 * A lookup of a power mode, size class, device class, model or fleet device that does not exist.
 */
public final class UnknownProfileEntryException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public UnknownProfileEntryException(
      String what, String value, String where, Collection<String> known) {
    this(what, value, where, known, "Maybe a typo?");
  }

  /**
   * @param hint advice on a line starting "Maybe ..."
   */
  public UnknownProfileEntryException(
      String what, String value, String where, Collection<String> known, String hint) {
    super(
        "unknown "
            + what
            + " '"
            + value
            + "' in "
            + where
            + "; known: "
            + String.join(", ", known)
            + ". "
            + hint);
  }
}
