package dev.moe2.tools.encoder;

import dev.moe2.gating.data.RouterDcDataset;
import dev.moe2.gating.data.RouterDcRecord;
import dev.moe2.gating.encoder.MiniLmEncoder;
import dev.moe2.profiles.workload.ReferenceWorkload;
import dev.moe2.profiles.workload.SharedData;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/bench-encoder}: single-prompt latency and batched throughput of the prompt encoder
 * on MMLU test prompts, at each truncation limit asked for, with the cost of truncation measured as
 * the cosine between a truncated embedding and the full ({@value MiniLmEncoder#MAX_TOKENS}-token)
 * one.
 */
@Command(
    name = "bench-encoder",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmark the prompt encoder (all-MiniLM-L6-v2 int8, ONNX Runtime) on MMLU test prompts:",
      "single-prompt latency (p50/p90/p99) and batched throughput, per truncation limit. The last",
      "line is a key=value summary."
    })
public final class EncoderBenchmark implements Callable<Integer> {

  @Option(names = "--shared", defaultValue = "../shared", description = "Shared data folder.")
  Path shared;

  @Option(names = "--prompts", defaultValue = "1000", description = "MMLU test prompts timed.")
  int prompts;

  @Option(names = "--warmup", defaultValue = "50", description = "Untimed prompts first.")
  int warmup;

  @Option(
      names = "--max-tokens",
      split = ",",
      defaultValue = "128,256",
      description =
          "Truncation limits to measure (comma-separated; the first is the summary's: 128, the"
              + " orchestrator's moe2.gate.encoder-max-tokens).")
  List<Integer> maxTokens;

  @Option(
      names = "--threads",
      defaultValue = "2",
      description = "Cores: intra-op threads for single prompts, parallel runs for batches.")
  int threads;

  @Option(
      names = "--together",
      split = ",",
      defaultValue = "8,32",
      description =
          "Batch sizes for one-run batches (prompts sorted by length, padded, one ONNX Runtime run"
              + " per batch, one batch per core at a time), compared with one run per prompt: speed"
              + " and cosine to the single-run embedding (none: --together=0).")
  List<Integer> together;

  private final PrintStream stdout = System.out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new EncoderBenchmark()).execute(args));
  }

  private record Row(
      int maxTokens,
      double p50,
      double p90,
      double p99,
      double batchedPerSecond,
      double truncatedShare,
      double meanCosine,
      double minCosine) {}

  @Override
  public Integer call() {
    Path file =
        shared
            .resolve(SharedData.ROUTERDC)
            .resolve(ReferenceWorkload.primary("knowledge").testFile());
    if (!Files.isRegularFile(file)) {
      System.err.println("error: MMLU test prompts not found at " + file.toAbsolutePath());
      return 2;
    }
    List<String> texts = new ArrayList<>();
    for (RouterDcRecord r : RouterDcDataset.load(file)) {
      if (texts.size() < prompts + warmup) {
        texts.add(r.question());
      }
    }
    List<String> warm = texts.subList(0, Math.min(warmup, texts.size()));
    List<String> timed = texts.subList(warm.size(), texts.size());
    System.err.printf(
        Locale.ROOT,
        "bench-encoder: %d prompts (+%d warm-up) from %s%n",
        timed.size(),
        warm.size(),
        file);
    List<float[]> full = null;
    List<Row> rows = new ArrayList<>();
    for (int limit : maxTokens) {
      Histogram h = new Histogram(60_000_000L, 3);
      List<float[]> vectors = new ArrayList<>(timed.size());
      try (MiniLmEncoder single = new MiniLmEncoder(threads, 1, limit)) {
        warm.forEach(single::encode);
        for (int i = 0; i < timed.size(); i++) {
          long t0 = System.nanoTime();
          vectors.add(single.encode(timed.get(i)));
          h.recordValue((System.nanoTime() - t0) / 1000);
          if ((i + 1) % 200 == 0) {
            System.err.printf(
                Locale.ROOT, "  max %d tokens, single: %d/%d%n", limit, i + 1, timed.size());
          }
        }
      }
      double perSecond;
      try (MiniLmEncoder batched = new MiniLmEncoder(1, threads, limit)) {
        batched.encodeBatch(warm);
        long t0 = System.nanoTime();
        batched.encodeBatch(timed);
        perSecond = timed.size() / ((System.nanoTime() - t0) / 1e9);
      }
      if (limit == MiniLmEncoder.MAX_TOKENS) {
        full = vectors;
      } else if (full == null) {
        try (MiniLmEncoder reference = new MiniLmEncoder(1, threads, MiniLmEncoder.MAX_TOKENS)) {
          full = reference.encodeBatch(timed);
        }
      }
      double[] cos = cosines(vectors, full);
      rows.add(
          new Row(
              limit,
              h.getValueAtPercentile(50) / 1000.0,
              h.getValueAtPercentile(90) / 1000.0,
              h.getValueAtPercentile(99) / 1000.0,
              perSecond,
              cos[2],
              cos[0],
              cos[1]));
    }
    stdout.printf(
        Locale.ROOT,
        "%-10s %9s %9s %9s %14s %11s %12s %11s%n",
        "max_tokens",
        "p50_ms",
        "p90_ms",
        "p99_ms",
        "batched_pps",
        "truncated",
        "mean_cosine",
        "min_cosine");
    for (Row r : rows) {
      stdout.printf(
          Locale.ROOT,
          "%-10d %9.2f %9.2f %9.2f %14.1f %10.1f%% %12.4f %11.4f%n",
          r.maxTokens(),
          r.p50(),
          r.p90(),
          r.p99(),
          r.batchedPerSecond(),
          100 * r.truncatedShare(),
          r.meanCosine(),
          r.minCosine());
    }
    List<double[]> joint = together(timed, full);
    if (!joint.isEmpty()) {
      stdout.printf(
          Locale.ROOT,
          "%n%-22s %14s %12s %11s%n",
          "one run per batch of",
          "prompts/s",
          "mean_cosine",
          "min_cosine");
      for (double[] j : joint) {
        stdout.printf(Locale.ROOT, "%-22d %14.1f %12.4f %11.4f%n", (int) j[0], j[1], j[2], j[3]);
      }
    }
    Row main = rows.get(0);
    StringBuilder summary =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "encoder prompts=%d threads=%d max_tokens=%d single_p50_ms=%.2f single_p90_ms=%.2f"
                    + " batched_pps=%.1f",
                timed.size(),
                threads,
                main.maxTokens(),
                main.p50(),
                main.p90(),
                main.batchedPerSecond()));
    for (Row r : rows.subList(1, rows.size())) {
      summary.append(
          String.format(
              Locale.ROOT,
              " p50_ms_max%d=%.2f batched_pps_max%d=%.1f mean_cosine_max%d=%.4f",
              r.maxTokens(),
              r.p50(),
              r.maxTokens(),
              r.batchedPerSecond(),
              r.maxTokens(),
              r.meanCosine()));
    }
    for (double[] j : joint) {
      summary.append(
          String.format(
              Locale.ROOT,
              " together%d_pps=%.1f together%d_min_cosine=%.4f",
              (int) j[0],
              j[1],
              (int) j[0],
              j[3]));
    }
    stdout.println(summary);
    return 0;
  }

  /**
   * Cosines of unit vectors {@code a.get(i)} and {@code b.get(i)}: mean, min, and the share that
   * differ from 1.
   */
  private static double[] cosines(List<float[]> a, List<float[]> b) {
    double sum = 0;
    double min = 1;
    int changed = 0;
    for (int i = 0; i < a.size(); i++) {
      double c = 0;
      for (int d = 0; d < MiniLmEncoder.DIMENSION; d++) {
        c += a.get(i)[d] * b.get(i)[d];
      }
      sum += c;
      min = Math.min(min, c);
      changed += c < 1 - 1e-6 ? 1 : 0;
    }
    return new double[] {sum / a.size(), min, (double) changed / a.size()};
  }

  /**
   * Batches of prompts sorted by length, each embedded in one run ({@link
   * MiniLmEncoder#encodeTogether}), one batch per core at a time, timed as the single runs' {@code
   * batched_pps}; embeddings compared with {@code reference} (one run per prompt).
   *
   * @return per batch size: size, prompts/s, mean cosine, min cosine
   */
  private List<double[]> together(List<String> timed, List<float[]> reference) {
    List<double[]> out = new ArrayList<>();
    for (int size : together) {
      if (size < 2) {
        continue;
      }
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < timed.size(); i++) {
        order.add(i);
      }
      order.sort(java.util.Comparator.comparingInt(i -> timed.get(i).length()));
      List<List<Integer>> batches = new ArrayList<>();
      for (int i = 0; i < order.size(); i += size) {
        batches.add(order.subList(i, Math.min(order.size(), i + size)));
      }
      float[][] vectors = new float[timed.size()][];
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(threads);
      try (MiniLmEncoder encoder = new MiniLmEncoder(1, 1, MiniLmEncoder.MAX_TOKENS)) {
        encoder.encodeTogether(timed.subList(0, Math.min(size, timed.size())));
        long t0 = System.nanoTime();
        List<java.util.concurrent.Future<?>> runs = new ArrayList<>();
        for (List<Integer> batch : batches) {
          runs.add(
              pool.submit(
                  () -> {
                    List<float[]> v =
                        encoder.encodeTogether(batch.stream().map(timed::get).toList());
                    for (int j = 0; j < batch.size(); j++) {
                      vectors[batch.get(j)] = v.get(j);
                    }
                  }));
        }
        for (java.util.concurrent.Future<?> run : runs) {
          run.get();
        }
        double perSecond = timed.size() / ((System.nanoTime() - t0) / 1e9);
        double[] cos = cosines(java.util.Arrays.asList(vectors), reference);
        out.add(new double[] {size, perSecond, cos[0], cos[1]});
        System.err.printf(Locale.ROOT, "  one run per %d prompts: done%n", size);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("a batched run failed: " + e.getCause(), e.getCause());
      } finally {
        pool.shutdownNow();
      }
    }
    return out;
  }
}
