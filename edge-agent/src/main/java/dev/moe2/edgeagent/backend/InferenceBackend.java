package dev.moe2.edgeagent.backend;

import dev.moe2.protocol.ChatMessage;
import dev.moe2.protocol.GenerationParams;
import java.util.List;

/**
 * The port to the thing that runs one expert's model: a local ONNX model, an OpenAI-compatible
 * server on the device, or a simulation. One instance per hosted expert; thread-safe.
 */
public interface InferenceBackend extends AutoCloseable {

  /** {@code onnx}, {@code openai} or {@code simulated} (as in the birth message). */
  String kind();

  /** Makes the model resident (loads weights); idempotent. */
  void load();

  /** Releases the model's memory; idempotent. */
  void unload();

  boolean loaded();

  /**
   * The prompt's length in this model's own tokens, as {@link #generate} will count it (before
   * anything runs: the agent judges a request's energy cap with it).
   */
  int promptTokens(List<ChatMessage> messages);

  /** Generates an answer without streaming it. */
  default Generation generate(
      List<ChatMessage> messages, GenerationParams params, Cancellation cancel) {
    return generate(messages, params, cancel, TokenSink.NONE);
  }

  /**
   * Generates an answer, handing its text to {@code sink} as it is produced.
   *
   * @param cancel checked between tokens; when it fires, generation stops with {@link
   *     GenerationCancelledException}; when its {@link Cancellation#stopBefore} says so, the answer
   *     ends there with the finish reason it gives
   * @param sink receives the text as it is produced ({@link TokenSink#NONE}: not streamed)
   * @throws BackendException when the backend fails (not loaded, server error, ...)
   */
  Generation generate(
      List<ChatMessage> messages, GenerationParams params, Cancellation cancel, TokenSink sink);

  @Override
  void close();
}
