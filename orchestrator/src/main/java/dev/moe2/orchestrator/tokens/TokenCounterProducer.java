package dev.moe2.orchestrator.tokens;

import dev.moe2.orchestrator.config.OrchestratorConfig;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The orchestrator's {@link TokenCounter}: the shared tokenizers, {@code
 * moe2.shared.dir}/tokenizers.
 */
final class TokenCounterProducer {

  @Produces
  @Singleton
  HuggingFaceTokenCounter counter(OrchestratorConfig config) {
    return new HuggingFaceTokenCounter(
        config.shared().dir().resolve("tokenizers"), config.requests().tokenCache());
  }

  void close(@Disposes HuggingFaceTokenCounter counter) {
    counter.close();
  }
}
