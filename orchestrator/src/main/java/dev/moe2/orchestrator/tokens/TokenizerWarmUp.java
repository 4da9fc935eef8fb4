package dev.moe2.orchestrator.tokens;

import dev.moe2.orchestrator.config.OrchestratorConfig;
import dev.moe2.protocol.ChatMessage;
import dev.moe2.protocol.ChatRole;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Loads the shared tokenizers at start-up, so the first requests do not spend their delay budgets
 * on loading them; a missing tokenizer is reported here, naming its path.
 */
@Singleton
final class TokenizerWarmUp {

  private static final Logger LOG = Logger.getLogger(TokenizerWarmUp.class);

  private final HuggingFaceTokenCounter counter;
  private final boolean lengthAware;

  TokenizerWarmUp(HuggingFaceTokenCounter counter, OrchestratorConfig config) {
    this.counter = counter;
    this.lengthAware = config.requests().lengthAware();
  }

  void start(@Observes StartupEvent event) {
    if (!lengthAware) {
      LOG.warn(
          "moe2.requests.length-aware=false: requests are judged at their category's planned"
              + " lengths, outputs are not capped and agents get no energy cap; answers may break"
              + " their energy and delay budgets (for comparisons only)");
      return;
    }
    List<ChatMessage> sample = List.of(new ChatMessage(ChatRole.USER, "Which planet is largest?"));
    for (String family : List.of("llama2", "llama3")) {
      try {
        LOG.debugf("%s tokenizer loaded: %d tokens", family, counter.count(family, sample));
      } catch (UnknownTokenizerException e) {
        LOG.warnf("%s; requests to its models are refused until it is there", e.getMessage());
      }
    }
  }
}
