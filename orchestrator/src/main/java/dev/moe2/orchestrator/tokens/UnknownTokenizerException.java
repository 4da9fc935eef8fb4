package dev.moe2.orchestrator.tokens;

/** A model's tokenizer family has no tokenizer files where the shared data should hold them. */
public final class UnknownTokenizerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UnknownTokenizerException(String message, Throwable cause) {
    super(message, cause);
  }
}
