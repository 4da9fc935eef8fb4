package dev.moe2.gating.encoder;

import java.util.List;

/**
 * Turns prompts into fixed-size, L2-normalised sentence embeddings φ(x) (method.md §2).
 * Thread-safe; owns native resources, so close it.
 */
public interface PromptEncoder extends AutoCloseable {

  /** The embedding size. */
  int dimension();

  /** An id naming the model (gates record it and refuse another encoder's embeddings). */
  String id();

  /** Embeds one prompt. */
  float[] encode(String text);

  /** Embeds prompts in one batch, in order. */
  List<float[]> encodeBatch(List<String> texts);

  @Override
  void close();
}
