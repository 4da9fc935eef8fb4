package dev.moe2.edgeagent.backend;

/** Generation stopped because its {@link Cancellation} fired; says how far it got. */
public final class GenerationCancelledException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int tokensDone;
  private final int tokensAsked;

  public GenerationCancelledException(int tokensDone, int tokensAsked) {
    super("generation stopped after " + tokensDone + " of " + tokensAsked + " tokens");
    this.tokensDone = tokensDone;
    this.tokensAsked = tokensAsked;
  }

  public int tokensDone() {
    return tokensDone;
  }

  public int tokensAsked() {
    return tokensAsked;
  }
}
