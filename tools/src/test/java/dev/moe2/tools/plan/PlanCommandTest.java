package dev.moe2.tools.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.moe2.profiles.workload.SharedData;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PlanCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = new CommandLine(new PlanCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    String[] all = new String[args.length + 2];
    all[0] = "--routerdc";
    all[1] = SharedData.routerDc(SharedData.dir()).toString();
    System.arraycopy(args, 0, all, 2, args.length);
    return cli.execute(all);
  }

  @Test
  void plan_referenceFleet_printsDevicesCategoriesAndTheSummaryLine() {
    int status = run("--max-prompts", "200");

    assertThat(status).isZero();
    String text = out.toString();
    assertThat(text).contains("Plan for fleet reference by dmo (proven optimal)");
    assertThat(text).contains("orin-agx-1").contains("rtx4090-1").contains("knowledge");
    assertThat(text.strip().lines().reduce((a, b) -> b).orElseThrow())
        .startsWith("plan selector=dmo objective=")
        .contains("proven_optimal=true")
        .contains("infeasible_categories=0");
  }

  @Test
  void plan_jsonWithPowerCap_respectsTheCapAndListsUsableExperts() throws IOException {
    int status =
        run("--max-prompts", "200", "--json", "--power-cap", "100", "--selector", "greedy");

    assertThat(status).isZero();
    JsonNode root = new ObjectMapper().readTree(out.toString());
    assertThat(root.get("selector").asText()).isEqualTo("greedy");
    assertThat(root.get("sitePowerW").asDouble()).isLessThanOrEqualTo(100);
    assertThat(root.get("sitePowerCapW").asDouble()).isEqualTo(100);
    assertThat(root.get("devices")).hasSize(4);
    assertThat(root.get("categories")).hasSize(4);
    for (JsonNode c : root.get("categories")) {
      assertThat(c.get("binding").asText()).isNotBlank();
      if (c.get("feasible").asBoolean()) {
        assertThat(c.get("usable").size()).isGreaterThanOrEqualTo(c.get("k").asInt());
        assertThat(c.get("worstEnergyJ").asDouble())
            .isLessThanOrEqualTo(c.get("energyBudgetJ").asDouble());
      } else {
        assertThat(c.get("reason").asText()).isNotBlank();
      }
    }
  }

  @Test
  void plan_categoriesFileWithNegativeBudget_failsNamingFileAndKey(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("categories.yaml");
    Files.writeString(
        file,
        "categories:\n  - id: qa\n    inputTokens: 10\n    outputTokens: 10\n    weight: 1\n    k: 1\n"
            + "    delayBudgetS: -1\n    energyBudgetJ: 10\n    datasets: [mmlu_train.json]\n");

    int status = run("--categories", file.toString());

    assertThat(status).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "error: "
                + file
                + ": key '$.categories[0].delayBudgetS': value -1.0 is out of range [0.0,"
                + " 1000000.0]"
                + System.lineSeparator());
  }

  @Test
  void plan_unknownFleet_failsListingTheKnownOnes() {
    int status = run("--fleet", "nowhere");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("unknown fleet 'nowhere'").contains("known: reference");
  }

  static String categoriesYaml(String inputTokens, String weight, String energy) {
    return "categories:\n  - id: qa\n    inputTokens: "
        + inputTokens
        + "\n    outputTokens: 10\n    weight: "
        + weight
        + "\n    k: 1\n    delayBudgetS: 5\n    energyBudgetJ: "
        + energy
        + "\n    datasets: [mmlu_train.json]\n";
  }

  @Test
  void plan_fractionalInputTokens_refusedNotCut(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("categories.yaml");
    Files.writeString(file, categoriesYaml("300.7", "1", "10"));

    assertThat(run("--categories", file.toString())).isEqualTo(2);
    assertThat(err.toString())
        .contains("$.categories[0].inputTokens")
        .contains("300.7 is not a whole number");
  }

  @Test
  void plan_everyWeightZero_refusedSayingWhy(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("categories.yaml");
    Files.writeString(file, categoriesYaml("100", "0", "10"));

    assertThat(run("--categories", file.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("every weight is 0").doesNotContain("memory");
  }

  @Test
  void plan_budgetZero_warnsOnStderr(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("categories.yaml");
    Files.writeString(file, categoriesYaml("100", "1", "0"));

    assertThat(run("--categories", file.toString(), "--max-prompts", "50")).isZero();
    assertThat(err.toString())
        .contains("warning: category qa has a energy budget of 0: no expert can be usable for it");
  }

  @Test
  void plan_missingFile_saysWhereItLooked() {
    assertThat(run("--categories", "no/such/categories.yaml")).isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "no such file (looked for " + Path.of("no/such/categories.yaml").toAbsolutePath());
  }

  @Test
  void plan_fleetFileNamedOtherThanItsId_loads(@TempDir Path dir) throws IOException {
    String reference =
        new String(
            PlanCommandTest.class
                .getResourceAsStream("/moe2/profiles/fleets/reference.yaml")
                .readAllBytes(),
            java.nio.charset.StandardCharsets.UTF_8);
    Path file = dir.resolve("my-site.yaml");
    Files.writeString(file, reference);

    assertThat(run("--fleet", file.toString(), "--max-prompts", "50")).isZero();
    assertThat(out.toString()).contains("Plan for fleet reference by dmo");
  }

  @Test
  void plan_maxEvaluations_stopsWithTheProvenGapOnStderr() {
    assertThat(run("--max-evaluations", "20", "--quiet", "--max-prompts", "50")).isZero();

    assertThat(out.toString()).contains("proven_optimal=false");
    assertThat(err.toString())
        .contains("note: stopped at the limit after ")
        .contains("% of the optimum");
  }

  @Test
  void plan_limitWithAnotherSelector_refused() {
    assertThat(run("--selector", "greedy", "--time-limit", "1")).isEqualTo(2);
    assertThat(err.toString()).contains("apply to --selector dmo");
  }
}
