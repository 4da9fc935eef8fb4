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
}
