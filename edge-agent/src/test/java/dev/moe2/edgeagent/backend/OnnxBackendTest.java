package dev.moe2.edgeagent.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moe2.profiles.workload.SharedData;
import dev.moe2.protocol.ChatMessage;
import dev.moe2.protocol.ChatRole;
import dev.moe2.protocol.FinishReason;
import dev.moe2.protocol.GenerationParams;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real stories260K model and tokenizer from {@code ../shared/models}. */
class OnnxBackendTest {

  /** The upstream reference text (llama2.c, greedy from an empty prompt); ../shared/README.md. */
  static final String REFERENCE =
      "Once upon a time, there was a little girl named Lily. She loved to play outside in the park."
          + " One day, she saw a big, red ball.";

  static OnnxBackend backend;

  static Path models() {
    return SharedData.dir().resolve("models/stories260K");
  }

  @BeforeAll
  static void load() {
    backend =
        new OnnxBackend(
            models().resolve("stories260K.onnx"), models().resolve("tok512.bin"), 512, 512, 1);
    backend.load();
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  private static List<ChatMessage> prompt(String text) {
    return List.of(new ChatMessage(ChatRole.USER, text));
  }

  @Test
  void generate_greedyFromEmptyPrompt_reproducesTheUpstreamReferenceText() {
    Generation g = backend.generate(prompt(""), GenerationParams.greedy(100), Cancellation.NONE);

    assertThat(g.text()).startsWith(REFERENCE);
    assertThat(g.promptTokens()).isEqualTo(1);
    assertThat(g.completionTokens()).isBetween(30, 100);
    assertThat(g.ttft()).isPositive().isLessThanOrEqualTo(g.total());
  }

  @Test
  void generate_maxTokens_stopsWithLength() {
    Generation g =
        backend.generate(prompt("Once upon a time"), GenerationParams.greedy(5), Cancellation.NONE);

    assertThat(g.completionTokens()).isEqualTo(5);
    assertThat(g.finishReason()).isEqualTo(FinishReason.LENGTH);
    assertThat(g.promptTokens()).isGreaterThan(2);
  }

  @Test
  void generate_capReachedAfterThreeTokens_endsThereWithEnergyCap() {
    List<Integer> asked = new java.util.ArrayList<>();
    Cancellation threeTokens =
        new Cancellation() {
          @Override
          public boolean cancelled() {
            return false;
          }

          @Override
          public FinishReason stopBefore(
              int promptTokens, int tokensDone, java.time.Duration busy) {
            asked.add(tokensDone);
            return tokensDone >= 3 ? FinishReason.ENERGY_CAP : null;
          }
        };

    Generation g = backend.generate(prompt(""), GenerationParams.greedy(50), threeTokens);

    assertThat(g.completionTokens()).isEqualTo(3);
    assertThat(g.finishReason()).isEqualTo(FinishReason.ENERGY_CAP);
    assertThat(REFERENCE).startsWith(g.text());
    assertThat(asked).containsExactly(1, 2, 3);
  }

  @Test
  void promptTokens_countsWhatGenerateCounts() {
    List<ChatMessage> p = prompt("Once upon a time there was a dog");

    assertThat(backend.promptTokens(p))
        .isEqualTo(
            backend.generate(p, GenerationParams.greedy(1), Cancellation.NONE).promptTokens());
  }

  @Test
  void generate_sameSeed_sameSampleAndOtherSeedDiffers() {
    GenerationParams a = new GenerationParams(60, 1.0, 0.9, 7L, null);
    GenerationParams b = new GenerationParams(60, 1.0, 0.9, 8L, null);

    String first = backend.generate(prompt("Lily"), a, Cancellation.NONE).text();
    assertThat(backend.generate(prompt("Lily"), a, Cancellation.NONE).text()).isEqualTo(first);
    assertThat(backend.generate(prompt("Lily"), b, Cancellation.NONE).text()).isNotEqualTo(first);
  }

  @Test
  void generate_stopString_cutsTheTextThere() {
    GenerationParams p = new GenerationParams(100, 0, 1, null, List.of("."));
    Generation g = backend.generate(prompt(""), p, Cancellation.NONE);

    assertThat(g.text()).isEqualTo("Once upon a time, there was a little girl named Lily");
    assertThat(g.finishReason()).isEqualTo(FinishReason.STOP);
  }

  @Test
  void generate_cancelledAfterThreeTokens_throwsWithProgress() {
    AtomicInteger asks = new AtomicInteger();
    assertThatThrownBy(
            () ->
                backend.generate(
                    prompt(""), GenerationParams.greedy(50), () -> asks.incrementAndGet() > 3))
        .isInstanceOf(GenerationCancelledException.class)
        .hasMessageContaining("after 3 of 50 tokens");
  }

  @Test
  void tokenizer_encode_mergesToKnownPieces() {
    Llama2Tokenizer t = Llama2Tokenizer.load(models().resolve("tok512.bin"), 512);
    List<Integer> ids = t.encode("Once upon a time");

    assertThat(ids.get(0)).isEqualTo(Llama2Tokenizer.BOS);
    StringBuilder back = new StringBuilder();
    int prev = ids.get(0);
    for (int id : ids.subList(1, ids.size())) {
      back.append(new String(t.decode(prev, id), java.nio.charset.StandardCharsets.UTF_8));
      prev = id;
    }
    assertThat(back.toString())
        .as("the dummy-prefix space is dropped after BOS")
        .isEqualTo("Once upon a time");
    assertThat(ids.size()).as("BPE merged characters").isLessThan(" Once upon a time".length());
  }

  @Test
  void load_missingModel_namesThePath() {
    try (OnnxBackend missing =
        new OnnxBackend(
            Path.of("/nowhere/model.onnx"), models().resolve("tok512.bin"), 512, 512, 1)) {
      assertThatThrownBy(missing::load)
          .isInstanceOf(BackendException.class)
          .hasMessageContaining("/nowhere/model.onnx");
    }
  }
}
