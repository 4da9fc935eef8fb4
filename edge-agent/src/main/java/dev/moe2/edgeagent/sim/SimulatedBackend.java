package dev.moe2.edgeagent.sim;

import dev.moe2.edgeagent.backend.BackendException;
import dev.moe2.edgeagent.backend.Cancellation;
import dev.moe2.edgeagent.backend.Generation;
import dev.moe2.edgeagent.backend.GenerationCancelledException;
import dev.moe2.edgeagent.backend.GenerationStoppedException;
import dev.moe2.edgeagent.backend.InferenceBackend;
import dev.moe2.edgeagent.backend.TokenSink;
import dev.moe2.profiles.Performance;
import dev.moe2.protocol.ChatMessage;
import dev.moe2.protocol.ChatRole;
import dev.moe2.protocol.FinishReason;
import dev.moe2.protocol.GenerationParams;
import java.time.Duration;
import java.util.List;

/**
 * An expert whose latency follows its device profile: prefill at the mode's prefill rate, decode at
 * its decode rate, times the device's throttling and seeded noise, spent for real (scaled by the
 * device's time scale) so deadlines and concurrency behave; the prefill runs in chunks of 64 tokens
 * and can stop between them. Prompt tokens are estimated at four characters each; it generates
 * {@code min(maxTokens, answerTokens)} tokens. The text is the answer book's recorded answer when
 * the question is in it, else a fixed sentence.
 */
public final class SimulatedBackend implements InferenceBackend {

  /** Prompt tokens prefilled between two questions whether to stop. */
  static final int PREFILL_CHUNK = 64;

  private final String modelId;
  private final String datasetModel;
  private final String sizeClass;
  private final int answerTokens;
  private final SimulatedDevice device;
  private final AnswerBook book;
  private volatile boolean loaded;

  /**
   * @param datasetModel the model's name in the answer book (e.g. {@code
   *     HuggingFaceH4/zephyr-7b-beta})
   * @param sizeClass its size class in the device profile
   */
  public SimulatedBackend(
      String modelId,
      String datasetModel,
      String sizeClass,
      int answerTokens,
      SimulatedDevice device,
      AnswerBook book) {
    if (answerTokens < 1) {
      throw new IllegalArgumentException("answerTokens must be >= 1: " + answerTokens);
    }
    device.deviceClass().performance(sizeClass, device.mode()); // fails early on an unknown size
    this.modelId = modelId;
    this.datasetModel = datasetModel;
    this.sizeClass = sizeClass;
    this.answerTokens = answerTokens;
    this.device = device;
    this.book = book;
  }

  @Override
  public String kind() {
    return "simulated";
  }

  @Override
  public void load() {
    loaded = true;
  }

  @Override
  public void unload() {
    loaded = false;
  }

  @Override
  public boolean loaded() {
    return loaded;
  }

  public String sizeClass() {
    return sizeClass;
  }

  @Override
  public Generation generate(
      List<ChatMessage> messages, GenerationParams params, Cancellation cancel, TokenSink sink) {
    if (!loaded) {
      throw new BackendException("simulated model " + modelId + " is not loaded");
    }
    int promptTokens = promptTokens(messages);
    int tokens = Math.min(params.maxTokens(), answerTokens);
    Performance p = device.performance(sizeClass);
    double slow = device.throttle();
    double prefillS = promptTokens / p.prefillTokPerS().value() * slow * device.noise();
    Duration first =
        device.networkDelay().multipliedBy(2).plus(seconds(1 / p.decodeTokPerS().value() * slow));
    Duration ttft = seconds(prefillS).plus(first);
    double perToken = 1 / p.decodeTokPerS().value() * slow * device.noise();
    // the prefill in chunks of PREFILL_CHUNK tokens, asking between them whether to stop
    int chunks = Math.max(1, (promptTokens + PREFILL_CHUNK - 1) / PREFILL_CHUNK);
    for (int c = 0; c < chunks; c++) {
      Duration busy = seconds(prefillS * c / chunks);
      if (c > 0 && cancel.stopBefore(promptTokens, 0, busy) != null) {
        throw new GenerationStoppedException(promptTokens, busy);
      }
      if (!device.pass(seconds(prefillS / chunks), cancel)) {
        throw new GenerationCancelledException(0, params.maxTokens());
      }
    }
    if (!device.pass(first, cancel)) {
      throw new GenerationCancelledException(0, params.maxTokens());
    }
    String question =
        messages.stream()
            .filter(m -> m.role() == ChatRole.USER)
            .reduce((a, b) -> b)
            .map(ChatMessage::content)
            .orElse("");
    String text =
        book.answer(question, datasetModel)
            .orElse("simulated answer from " + modelId + " (" + tokens + " tokens)");
    // the text streams in step with the tokens: after token i, ceil(i / tokens) of it
    int sent = stream(sink, text, 0, 1, tokens);
    FinishReason capped = null;
    int done = 1;
    for (; done < tokens; done++) {
      capped = cancel.stopBefore(promptTokens, done, ttft.plus(seconds(perToken * (done - 1))));
      if (capped != null) {
        break;
      }
      if (!device.pass(seconds(perToken), cancel)) {
        throw new GenerationCancelledException(done, params.maxTokens());
      }
      sent = stream(sink, text, sent, done + 1, tokens);
    }
    tokens = done;
    Duration total = ttft.plus(seconds(perToken * (tokens - 1)));
    return new Generation(
        text,
        promptTokens,
        tokens,
        capped != null
            ? capped
            : tokens == params.maxTokens() && tokens < answerTokens
                ? FinishReason.LENGTH
                : FinishReason.STOP,
        ttft,
        total);
  }

  /**
   * Hands the sink the text due after {@code done} of {@code tokens} tokens; returns chars sent.
   */
  private static int stream(TokenSink sink, String text, int sent, int done, int tokens) {
    int due = (int) Math.min(text.length(), ((long) text.length() * done + tokens - 1) / tokens);
    if (due > 0 && due < text.length() && Character.isHighSurrogate(text.charAt(due - 1))) {
      due--;
    }
    if (due > sent) {
      sink.accept(text.substring(sent, due), done);
      return due;
    }
    return sent;
  }

  /** Four characters a token, at least one. */
  @Override
  public int promptTokens(List<ChatMessage> messages) {
    int chars = messages.stream().mapToInt(m -> m.content().length()).sum();
    return Math.max(1, chars / 4);
  }

  private static Duration seconds(double s) {
    return Duration.ofNanos((long) (s * 1e9));
  }

  @Override
  public void close() {
    loaded = false;
  }
}
