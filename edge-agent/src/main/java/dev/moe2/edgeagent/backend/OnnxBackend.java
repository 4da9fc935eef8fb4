package dev.moe2.edgeagent.backend;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.moe2.protocol.ChatMessage;
import dev.moe2.protocol.FinishReason;
import dev.moe2.protocol.GenerationParams;
import java.io.ByteArrayOutputStream;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A llama2.c-style generative model exported to ONNX ({@code input_ids int64 [1,T]} → {@code logits
 * float [1,T,V]}, no KV cache: the prefix is recomputed each step) with its {@code tokenizer.bin}.
 * Greedy decoding at temperature 0, else temperature and top-p sampling from the request's seed.
 * Generation stops at BOS (as llama2.c's {@code run.c}) or EOS, at a stop string, at max tokens, or
 * at the model's context length.
 */
public final class OnnxBackend implements InferenceBackend {

  private final Path modelFile;
  private final Path tokenizerFile;
  private final int vocabSize;
  private final int contextLength;
  private final int threads;
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private volatile OrtSession session;
  private volatile Llama2Tokenizer tokenizer;

  /**
   * @param modelFile the ONNX model
   * @param tokenizerFile its llama2.c tokenizer
   * @param vocabSize tokens in the vocabulary (512 for stories260K)
   * @param contextLength the model's sequence length (512 for stories260K)
   * @param threads ONNX Runtime intra-op threads
   */
  public OnnxBackend(
      Path modelFile, Path tokenizerFile, int vocabSize, int contextLength, int threads) {
    this.modelFile = modelFile;
    this.tokenizerFile = tokenizerFile;
    this.vocabSize = vocabSize;
    this.contextLength = contextLength;
    this.threads = threads;
  }

  @Override
  public String kind() {
    return "onnx";
  }

  @Override
  public synchronized void load() {
    if (session != null) {
      return;
    }
    if (!Files.isRegularFile(modelFile)) {
      throw new BackendException("ONNX model not found at " + modelFile.toAbsolutePath());
    }
    if (!Files.isRegularFile(tokenizerFile)) {
      throw new BackendException("tokenizer not found at " + tokenizerFile.toAbsolutePath());
    }
    tokenizer = Llama2Tokenizer.load(tokenizerFile, vocabSize);
    try {
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      options.setIntraOpNumThreads(threads);
      session = env.createSession(modelFile.toString(), options);
    } catch (OrtException e) {
      throw new BackendException(
          "cannot load the ONNX model " + modelFile + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void unload() {
    if (session == null) {
      return;
    }
    try {
      session.close();
    } catch (OrtException e) {
      throw new BackendException("cannot close the ONNX session of " + modelFile, e);
    } finally {
      session = null;
    }
  }

  @Override
  public boolean loaded() {
    return session != null;
  }

  @Override
  public Generation generate(
      List<ChatMessage> messages, GenerationParams params, Cancellation cancel, TokenSink sink) {
    OrtSession s = session;
    if (s == null) {
      throw new BackendException("the ONNX model " + modelFile.getFileName() + " is not loaded");
    }
    long start = System.nanoTime();
    String prompt = promptText(messages);
    List<Integer> promptTokens = tokenizer.encode(prompt);
    long[] tokens = new long[contextLength];
    int n = 0;
    for (int t : promptTokens) {
      if (n == contextLength) {
        break;
      }
      tokens[n++] = t;
    }
    int promptCount = n;
    Random random = new Random(params.seed() == null ? 0L : params.seed());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Streamed streamed = new Streamed(sink, params.stop());
    long firstToken = -1;
    int generated = 0;
    FinishReason finish = FinishReason.LENGTH;
    while (generated < params.maxTokens() && n < contextLength) {
      if (cancel.cancelled()) {
        throw new GenerationCancelledException(generated, params.maxTokens());
      }
      FinishReason stop =
          generated == 0
              ? null
              : cancel.stopBefore(
                  promptCount, generated, Duration.ofNanos(System.nanoTime() - start));
      if (stop != null) {
        finish = stop;
        break;
      }
      float[] logits = lastLogits(s, tokens, n);
      int next = params.temperature() == 0 ? argmax(logits) : sample(logits, params, random);
      if (firstToken < 0) {
        firstToken = System.nanoTime();
      }
      generated++;
      if (next == Llama2Tokenizer.BOS || next == Llama2Tokenizer.EOS) {
        finish = FinishReason.STOP;
        break;
      }
      byte[] piece = tokenizer.decode((int) tokens[n - 1], next);
      out.writeBytes(piece);
      tokens[n++] = next;
      if (params.stop() != null && endsWithStop(out, params.stop())) {
        finish = FinishReason.STOP;
        break;
      }
      streamed.offer(out, generated);
    }
    long end = System.nanoTime();
    String text = out.toString(StandardCharsets.UTF_8);
    if (finish == FinishReason.STOP && params.stop() != null) {
      text = trimStop(text, params.stop());
    }
    return new Generation(
        text,
        promptCount,
        generated,
        finish,
        Duration.ofNanos((firstToken < 0 ? end : firstToken) - start),
        Duration.ofNanos(end - start));
  }

  /**
   * The text handed to the sink so far: after each token, what is final of the decoded bytes — not
   * an incomplete UTF-8 sequence at the end, nor the last characters a stop string could still
   * claim (the answer is trimmed before a stop string).
   */
  private static final class Streamed {
    private final TokenSink sink;
    private final int holdBack;
    private int sent;

    Streamed(TokenSink sink, List<String> stops) {
      this.sink = sink;
      this.holdBack =
          stops == null
              ? 0
              : Math.max(0, stops.stream().mapToInt(String::length).max().orElse(1) - 1);
    }

    void offer(ByteArrayOutputStream out, int tokens) {
      if (sink == TokenSink.NONE) {
        return;
      }
      String text = out.toString(StandardCharsets.UTF_8);
      int end = text.length();
      while (end > 0 && text.charAt(end - 1) == '\uFFFD') {
        end--; // an incomplete sequence: its bytes decode once the next token completes them
      }
      end -= holdBack;
      if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
        end--;
      }
      if (end > sent) {
        sink.accept(text.substring(sent, end), tokens);
        sent = end;
      }
    }
  }

  /** The prompt in this model's Llama 2 tokens (BOS included), cut at the context length. */
  @Override
  public int promptTokens(List<ChatMessage> messages) {
    return Math.min(contextLength, tokenizer.encode(promptText(messages)).size());
  }

  /** The prompt as plain text: the messages' contents, one per line (no chat template). */
  static String promptText(List<ChatMessage> messages) {
    StringBuilder sb = new StringBuilder();
    for (ChatMessage m : messages) {
      if (!m.content().isEmpty()) {
        if (sb.length() > 0) {
          sb.append('\n');
        }
        sb.append(m.content());
      }
    }
    return sb.toString();
  }

  private float[] lastLogits(OrtSession s, long[] tokens, int n) {
    try (OnnxTensor input =
            OnnxTensor.createTensor(env, LongBuffer.wrap(tokens, 0, n), new long[] {1, n});
        OrtSession.Result result = s.run(Map.of(s.getInputNames().iterator().next(), input))) {
      OnnxTensor logits = (OnnxTensor) result.get(0);
      java.nio.FloatBuffer all = logits.getFloatBuffer();
      float[] last = new float[vocabSize];
      all.position((n - 1) * vocabSize);
      all.get(last);
      return last;
    } catch (OrtException e) {
      throw new BackendException("ONNX Runtime failed on " + n + " tokens: " + e.getMessage(), e);
    }
  }

  static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }

  /** Temperature softmax, then nucleus (top-p) sampling as in llama2.c. */
  static int sample(float[] logits, GenerationParams params, Random random) {
    double[] p = new double[logits.length];
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l / params.temperature());
    }
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      p[i] = Math.exp(logits[i] / params.temperature() - max);
      sum += p[i];
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= sum;
    }
    Integer[] order = new Integer[p.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
    double cumulative = 0;
    int last = order.length - 1;
    for (int i = 0; i < order.length; i++) {
      cumulative += p[order[i]];
      if (cumulative > params.topP()) {
        last = i;
        break;
      }
    }
    double r = random.nextDouble() * cumulative;
    double acc = 0;
    for (int i = 0; i <= last; i++) {
      acc += p[order[i]];
      if (r < acc) {
        return order[i];
      }
    }
    return order[last];
  }

  private static boolean endsWithStop(ByteArrayOutputStream out, List<String> stops) {
    String text = out.toString(StandardCharsets.UTF_8);
    return stops.stream().anyMatch(s -> !s.isEmpty() && text.contains(s));
  }

  private static String trimStop(String text, List<String> stops) {
    int cut = text.length();
    for (String s : stops) {
      int i = s.isEmpty() ? -1 : text.indexOf(s);
      if (i >= 0) {
        cut = Math.min(cut, i);
      }
    }
    return text.substring(0, cut);
  }

  @Override
  public void close() {
    unload();
  }
}
