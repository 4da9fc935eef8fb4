package dev.moe2.orchestrator.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moe2.gating.encoder.MiniLmEncoder;
import dev.moe2.gating.gate.Gate;
import dev.moe2.gating.recipe.GateRecipe;
import dev.moe2.orchestrator.config.OrchestratorConfig;
import dev.moe2.profiles.workload.SharedData;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gate service with real data: a gate saved for another truncation is trained again. */
class GateServiceTest {

  @TempDir Path work;

  @SuppressWarnings("unchecked")
  private static <T> T config(Class<T> type, Map<String, Object> values) {
    return (T)
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (proxy, method, args) -> {
              if (!values.containsKey(method.getName())) {
                throw new UnsupportedOperationException(method.getName() + " is not set here");
              }
              return values.get(method.getName());
            });
  }

  private GateService service(int maxTokens) {
    OrchestratorConfig.Gate gate =
        config(
            OrchestratorConfig.Gate.class,
            Map.of(
                "dir",
                work.resolve("gate"),
                "cacheDir",
                work.resolve("embeddings"),
                "trainMaxPrompts",
                8,
                "seed",
                1L,
                "embeddingCacheSize",
                0,
                "encoderRuns",
                OptionalInt.of(1),
                "encoderMaxTokens",
                maxTokens));
    OrchestratorConfig.Shared shared =
        config(OrchestratorConfig.Shared.class, Map.of("dir", SharedData.dir().toAbsolutePath()));
    OrchestratorConfig root =
        config(OrchestratorConfig.class, Map.of("gate", gate, "shared", shared));
    return new GateService(root, new SimpleMeterRegistry());
  }

  private static void startAndAwait(GateService s) {
    s.start();
    await().atMost(Duration.ofMinutes(3)).until(s::ready);
  }

  @Test
  void start_gateSavedForAnotherTruncation_trainsOneForThisTruncationAndLoadsItNextTime() {
    GateService at128 = service(128);
    startAndAwait(at128);
    Path file = work.resolve("gate").resolve(GateRecipe.GATE_FILE);
    assertThat(Gate.encoderIdOf(file)).hasValue(MiniLmEncoder.ID + "-max128");
    at128.close(null);

    GateService at64 = service(64);
    startAndAwait(at64);

    assertThat(at64.status()).startsWith("trained on");
    assertThat(Gate.encoderIdOf(file)).hasValue(MiniLmEncoder.ID + "-max64");
    assertThat(at64.embed("which planet is the largest?", java.time.Instant.EPOCH)).hasSize(384);
    at64.close(null);

    GateService again = service(64);
    startAndAwait(again);
    assertThat(again.status()).startsWith("loaded from");
    again.close(null);
  }
}
