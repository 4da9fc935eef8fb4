package dev.moe2.edgeagent.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.moe2.edgeagent.backend.Cancellation;
import dev.moe2.edgeagent.backend.Generation;
import dev.moe2.profiles.ProfileCatalog;
import dev.moe2.profiles.workload.SharedData;
import dev.moe2.protocol.ChatMessage;
import dev.moe2.protocol.ChatRole;
import dev.moe2.protocol.GenerationParams;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulatedBackendTest {

  static final Path ROUTERDC = SharedData.routerDc(SharedData.dir());

  private static SimulatedDevice device(String mode) {
    return new SimulatedDevice(
        ProfileCatalog.builtIn().deviceClass("jetson-agx-orin-64gb"), mode, 1, 0, 0);
  }

  @Test
  void generate_latencyFollowsTheProfileAndTheMode() {
    SimulatedDevice d = device("maxn");
    SimulatedBackend b =
        new SimulatedBackend(
            "zephyr-7b-beta", "HuggingFaceH4/zephyr-7b-beta", "7b-q4", 16, d, AnswerBook.empty());
    b.load();
    var perf = d.performance("7b-q4");
    Generation g =
        b.generate(
            List.of(new ChatMessage(ChatRole.USER, "x".repeat(400))),
            GenerationParams.greedy(64),
            Cancellation.NONE);

    assertThat(g.completionTokens()).isEqualTo(16);
    assertThat(g.promptTokens()).isEqualTo(100);
    double expected = 100 / perf.prefillTokPerS().value() + 16 / perf.decodeTokPerS().value();
    assertThat(g.total().toNanos() / 1e9).isCloseTo(expected, within(1e-6));

    d.mode("15w");
    Generation slow =
        b.generate(
            List.of(new ChatMessage(ChatRole.USER, "x".repeat(400))),
            GenerationParams.greedy(64),
            Cancellation.NONE);
    assertThat(slow.total()).as("15 W is slower than MAXN").isGreaterThan(g.total());

    d.mode("maxn");
    d.throttle(1.5);
    Generation hot =
        b.generate(
            List.of(new ChatMessage(ChatRole.USER, "x".repeat(400))),
            GenerationParams.greedy(64),
            Cancellation.NONE);
    assertThat(hot.total().toNanos() / 1e9).isCloseTo(1.5 * expected, within(1e-6));
  }

  @Test
  void generate_capReached_stopsBeforeTheNextTokenWithEnergyCapAndItsBusyTime() {
    SimulatedDevice d = device("maxn");
    SimulatedBackend b =
        new SimulatedBackend(
            "zephyr-7b-beta", "HuggingFaceH4/zephyr-7b-beta", "7b-q4", 40, d, AnswerBook.empty());
    b.load();
    var perf = d.performance("7b-q4");
    java.util.List<java.time.Duration> busy = new java.util.ArrayList<>();
    Cancellation fiveTokens =
        new Cancellation() {
          @Override
          public boolean cancelled() {
            return false;
          }

          @Override
          public dev.moe2.protocol.FinishReason stopBefore(
              int promptTokens, int tokensDone, java.time.Duration soFar) {
            if (tokensDone == 0) {
              return null; // between prefill chunks
            }
            busy.add(soFar);
            return tokensDone >= 5 ? dev.moe2.protocol.FinishReason.DEADLINE : null;
          }
        };

    Generation g =
        b.generate(
            List.of(new ChatMessage(ChatRole.USER, "x".repeat(400))),
            GenerationParams.greedy(64),
            fiveTokens);

    assertThat(g.completionTokens()).isEqualTo(5);
    assertThat(g.finishReason()).isEqualTo(dev.moe2.protocol.FinishReason.DEADLINE);
    double perToken = 1 / perf.decodeTokPerS().value();
    assertThat(busy.get(4).toNanos() / 1e9)
        .as("busy before token 6 = prefill + 5 tokens")
        .isCloseTo(100 / perf.prefillTokPerS().value() + 5 * perToken, within(1e-6));
    assertThat(g.total()).isEqualTo(busy.get(4));
  }

  @Test
  void answer_recordedScores_decideGoldOrWrong() {
    AnswerBook book = AnswerBook.load(ROUTERDC);
    String q =
        "The field of psychology arose out of which of the following?\nA. Biochemistry\nB. Physics\n"
            + "C. Philosophy\nD. Cross-cultural anthropology";

    assertThat(book.size()).isGreaterThan(10_000);
    assertThat(book.score(q, "HuggingFaceH4/zephyr-7b-beta")).isPresent();
    assertThat(book.answer(q, "HuggingFaceH4/zephyr-7b-beta")).contains(AnswerBook.GOLD);
    assertThat(book.answer("not in the book", "HuggingFaceH4/zephyr-7b-beta")).isEmpty();

    SimulatedBackend b =
        new SimulatedBackend(
            "zephyr-7b-beta", "HuggingFaceH4/zephyr-7b-beta", "7b-q4", 4, device("maxn"), book);
    b.load();
    assertThat(
            b.generate(
                    List.of(new ChatMessage(ChatRole.USER, q)),
                    GenerationParams.greedy(4),
                    Cancellation.NONE)
                .text())
        .isEqualTo(AnswerBook.GOLD);
  }
}
