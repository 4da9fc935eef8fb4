package dev.moe2.edgeagent.backend;

/**
 * Receives an answer's text as a backend generates it (a streamed request): called on the
 * generating thread, in order, with each new piece of text once it is final — a backend holds back
 * what a stop string or an incomplete UTF-8 sequence may still change. The pieces concatenate to a
 * prefix of the {@link Generation}'s text.
 */
@FunctionalInterface
public interface TokenSink {

  /** Discards everything (a request that is not streamed). */
  TokenSink NONE = (piece, tokens) -> {};

  /**
   * @param piece new text, never empty
   * @param tokens tokens generated so far
   */
  void accept(String piece, int tokens);
}
