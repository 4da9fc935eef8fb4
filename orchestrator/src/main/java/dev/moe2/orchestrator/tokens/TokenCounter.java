package dev.moe2.orchestrator.tokens;

import dev.moe2.protocol.ChatMessage;
import java.util.List;

/**
 * Counts a prompt's tokens as one model family's tokenizer does (port; one adapter per technology).
 */
public interface TokenCounter {

  /**
   * Tokens of the chat {@code messages} for models of {@code family}, chat-template overhead
   * included (see {@link HuggingFaceTokenCounter#TEMPLATE_TOKENS_PER_MESSAGE}).
   *
   * @throws UnknownTokenizerException when no tokenizer of that family is available
   */
  int count(String family, List<ChatMessage> messages);
}
