package dev.moe2.orchestrator.tokens;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.moe2.protocol.ChatMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link TokenCounter} over the Hugging Face tokenizers in {@code shared/tokenizers/{family}}
 * (DJL): each family's tokenizer is loaded once, on first use; counts are cached per (family, text)
 * in a bounded LRU, so a prompt is counted once per family, not once per expert. Thread-safe;
 * closes the native tokenizers.
 */
public final class HuggingFaceTokenCounter implements TokenCounter, AutoCloseable {

  /**
   * Added per chat message for the model's chat template (role markers, separators): Llama 3 uses
   * 4–5 tokens a message, Mistral's {@code [INST]} format 3–4; 8 keeps the count on the safe side.
   */
  public static final int TEMPLATE_TOKENS_PER_MESSAGE = 8;

  /** Added once: BOS and the assistant's header the template ends with. */
  public static final int TEMPLATE_TOKENS_PER_PROMPT = 8;

  private final Path dir;
  private final Map<String, HuggingFaceTokenizer> tokenizers = new ConcurrentHashMap<>();
  private final Map<String, Integer> cache;

  /**
   * @param dir the folder holding one sub-folder per family ({@code shared/tokenizers})
   * @param cacheSize counts kept (per family and message text)
   */
  public HuggingFaceTokenCounter(Path dir, int cacheSize) {
    this.dir = dir;
    this.cache =
        java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, true) {
              private static final long serialVersionUID = 1L;

              @Override
              protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
                return size() > cacheSize;
              }
            });
  }

  @Override
  public int count(String family, List<ChatMessage> messages) {
    int n = TEMPLATE_TOKENS_PER_PROMPT;
    for (ChatMessage m : messages) {
      n += TEMPLATE_TOKENS_PER_MESSAGE + text(family, m.content());
    }
    return n;
  }

  private int text(String family, String text) {
    String key = family + '\u0000' + text;
    Integer known = cache.get(key);
    if (known != null) {
      return known;
    }
    int n = tokenizer(family).encode(text, false, false).getIds().length;
    cache.put(key, n);
    return n;
  }

  private HuggingFaceTokenizer tokenizer(String family) {
    return tokenizers.computeIfAbsent(
        family,
        f -> {
          Path folder = dir.resolve(f);
          if (!Files.isRegularFile(folder.resolve("tokenizer.json"))) {
            throw new UnknownTokenizerException(
                "no tokenizer for family '"
                    + f
                    + "': "
                    + folder.resolve("tokenizer.json")
                    + " is missing",
                null);
          }
          try {
            return HuggingFaceTokenizer.newInstance(
                folder, Map.of("truncation", "false", "padding", "false"));
          } catch (IOException | RuntimeException e) {
            throw new UnknownTokenizerException(
                "cannot load the " + f + " tokenizer from " + folder + ": " + e.getMessage(), e);
          }
        });
  }

  @Override
  public void close() {
    tokenizers.values().forEach(HuggingFaceTokenizer::close);
    tokenizers.clear();
  }
}
