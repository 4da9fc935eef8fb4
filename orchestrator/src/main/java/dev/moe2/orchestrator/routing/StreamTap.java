package dev.moe2.orchestrator.routing;

/**
 * Where a streamed request's text goes as its expert generates it (the API's server-sent events).
 * Called on the request's routing thread, in order. With k &gt; 1 experts the stream carries one
 * expert's answer: the one with the highest gate value q; the combined answer comes with the end.
 */
public interface StreamTap {

  /**
   * The request is about to be dispatched (nothing was refused before it).
   *
   * @param requestId its id
   * @param category the category it runs under (the response's {@code model})
   */
  void dispatching(String requestId, String category);

  /** New text of the streamed answer: never empty, never overlapping what came before. */
  void text(String piece);

  /** Whether the client has gone: the request's experts are then withdrawn. */
  boolean gone();
}
