package dev.moe2.tools.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moe2.profiles.workload.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The evaluation end to end on a small subset of the real RouterDC files (CI's run; the full one is
 * {@code scripts/eval-routing}).
 */
class EvalRoutingCommandTest {

  @TempDir static Path out;
  static int exit;
  static Map<String, String> summary;

  @BeforeAll
  static void runOnASubset() throws IOException {
    System.setProperty("java.awt.headless", "true");
    exit =
        new CommandLine(
                new EvalRoutingCommand(
                    new java.io.PrintStream(java.io.OutputStream.nullOutputStream())))
            .execute(
                "--shared", SharedData.dir().toString(),
                "--out", out.toString(),
                "--cache", "target/moe2-embeddings-test",
                "--max-prompts", "40",
                "--c4-train-size", "60",
                "--knn-k", "5");
    summary = new HashMap<>();
    String line = Files.readString(out.resolve("summary.txt"), StandardCharsets.UTF_8).strip();
    assertThat(line).startsWith("routing ");
    for (String pair : line.substring("routing ".length()).split(" ")) {
      String[] kv = pair.split("=", 2);
      summary.put(kv[0], kv[1]);
    }
  }

  @Test
  void call_smallSubset_writesReportCsvsAndPlots() {
    assertThat(exit).isZero();
    for (String file :
        new String[] {
          "report.md",
          "scores.csv",
          "c4.csv",
          "c3-budgets.csv",
          "pooled-scores.png",
          "c3-energy.png",
          "c3-pareto.png"
        }) {
      assertThat(out.resolve(file)).as(file).isNotEmptyFile();
    }
  }

  @Test
  void call_smallSubset_summaryHoldsEveryFigureAsAFraction() {
    assertThat(summary)
        .containsKeys(
            "gate_top1_pooled",
            "per_category_best_pooled",
            "knn_pooled",
            "best_single_pooled",
            "c3_violations",
            "c4_mean_gap",
            "ece");
    for (String key :
        new String[] {"gate_top1_pooled", "per_category_best_pooled", "knn_pooled", "ece"}) {
      assertThat(Double.parseDouble(summary.get(key))).as(key).isBetween(0.0, 1.0);
    }
    assertThat(Double.parseDouble(summary.get("oracle_pooled")))
        .as("the oracle bounds every router")
        .isGreaterThanOrEqualTo(Double.parseDouble(summary.get("gate_top1_pooled")));
  }

  @Test
  void call_smallSubset_budgetSweepsCoverEnergyDelayAndPowerCap() throws IOException {
    String csv = Files.readString(out.resolve("c3-budgets.csv"), StandardCharsets.UTF_8);
    assertThat(csv)
        .contains("energy budget (J)")
        .contains("delay budget (s)")
        .contains("site power cap (W)");
    assertThat(Integer.parseInt(summary.get("c3_violations"))).isGreaterThanOrEqualTo(0);
    assertThat(Files.readString(out.resolve("report.md"), StandardCharsets.UTF_8))
        .contains("14.4 %")
        .contains("C4");
  }
}
