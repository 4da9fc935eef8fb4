package dev.moe2.gating.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real int8 all-MiniLM-L6-v2 model from the classpath, through ONNX Runtime. */
class MiniLmEncoderTest {

  private static MiniLmEncoder encoder;

  @BeforeAll
  static void load() {
    encoder = new MiniLmEncoder(1);
  }

  @AfterAll
  static void close() {
    encoder.close();
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
    }
    return dot;
  }

  @Test
  void encode_anyPrompt_isA384dUnitVector() {
    float[] v = encoder.encode("What is the capital of France?");

    assertThat(v).hasSize(384);
    assertThat(cosine(v, v)).isCloseTo(1.0, within(1e-5));
  }

  @Test
  void encode_paraphrases_areCloserThanUnrelatedPrompts() {
    float[] a = encoder.encode("How many legs does a spider have?");
    float[] b = encoder.encode("What is the number of legs of a spider?");
    float[] c = encoder.encode("Solve 3x + 5 = 20 for x.");

    assertThat(cosine(a, b)).isGreaterThan(cosine(a, c) + 0.3);
  }

  @Test
  void encodeBatch_mixedLengths_equalsOneByOne() {
    List<String> prompts =
        List.of(
            "short",
            "a much longer prompt that needs padding inside a batch of several",
            "mid length text");

    List<float[]> batch = encoder.encodeBatch(prompts);

    for (int i = 0; i < prompts.size(); i++) {
      float[] single = encoder.encode(prompts.get(i));
      assertThat(batch.get(i)).as(prompts.get(i)).containsExactly(single);
    }
  }

  @Test
  void encodeTogether_onePaddedRun_closeToOneByOneInOrderButNotEqual() {
    List<String> prompts =
        List.of(
            "short",
            "a much longer prompt that needs padding inside a batch of several, and then some more"
                + " words so that the padding is real",
            "mid length text");

    List<float[]> together = encoder.encodeTogether(prompts);

    assertThat(together).hasSize(3);
    boolean anyDiffers = false;
    for (int i = 0; i < prompts.size(); i++) {
      float[] single = encoder.encode(prompts.get(i));
      assertThat(cosine(together.get(i), single)).as(prompts.get(i)).isGreaterThan(0.95);
      anyDiffers |= !java.util.Arrays.equals(together.get(i), single);
    }
    assertThat(anyDiffers)
        .as("int8 activations are quantised over the whole batch (why the service does not batch)")
        .isTrue();
    assertThat(encoder.encodeTogether(List.of())).isEmpty();
  }

  @Test
  void encode_promptLongerThanTheLimit_isTruncatedNotRejected() {
    float[] v = encoder.encode("word ".repeat(2000));

    assertThat(cosine(v, v)).isCloseTo(1.0, within(1e-5));
  }

  @Test
  void encodeBatch_parallelRuns_equalsOneByOneInOrder() {
    List<String> prompts =
        List.of(
            "Short one.",
            "A somewhat longer prompt about the boiling point of water at altitude.",
            "Which planet is known as the red planet?",
            "Solve 12 * 7 and explain the steps.",
            "def add(a, b): return a + b");
    try (MiniLmEncoder parallel = new MiniLmEncoder(1, 2, MiniLmEncoder.MAX_TOKENS)) {
      List<float[]> batch = parallel.encodeBatch(prompts);
      for (int i = 0; i < prompts.size(); i++) {
        assertThat(batch.get(i)).as("prompt %d", i).containsExactly(encoder.encode(prompts.get(i)));
      }
    }
  }

  @Test
  void close_whileEncodingOnOtherThreads_waitsForThemThenRefusesClearly() throws Exception {
    MiniLmEncoder shared = new MiniLmEncoder(1, 1, MiniLmEncoder.MAX_TOKENS);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      List<java.util.concurrent.Future<Object>> runs = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String prompt = "Prompt number " + i + " about the largest planet of the solar system";
        runs.add(
            pool.submit(
                () -> {
                  try {
                    return shared.encode(prompt);
                  } catch (EncoderException e) {
                    return e; // after the close: refused, not a native crash
                  }
                }));
      }
      shared.close();
      for (java.util.concurrent.Future<Object> r : runs) {
        Object got = r.get();
        if (got instanceof EncoderException e) {
          assertThat(e).hasMessageContaining("is closed");
        } else {
          assertThat((float[]) got).hasSize(384);
        }
      }
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> shared.encode("after"))
          .isInstanceOf(EncoderException.class)
          .hasMessageContaining("is closed");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void id_truncatedEncoder_namesItsLimitSoCachesDoNotMix() {
    try (MiniLmEncoder truncated = new MiniLmEncoder(1, 1, 128)) {
      assertThat(truncated.id()).isEqualTo(MiniLmEncoder.ID + "-max128");
      assertThat(encoder.id()).isEqualTo(MiniLmEncoder.ID);
    }
  }

  @Test
  void constructor_badParameters_nameTheParameter() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new MiniLmEncoder(1, 0, 256))
        .hasMessageContaining("parallelRuns");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new MiniLmEncoder(1, 1, 1000))
        .hasMessageContaining("maxTokens has value 1000");
  }
}
