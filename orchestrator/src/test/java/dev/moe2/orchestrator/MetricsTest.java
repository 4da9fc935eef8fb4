package dev.moe2.orchestrator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code /q/metrics} as an operator's Prometheus reads it: every {@code moe2_*} family has HELP
 * text, latency and energy are histograms with buckets (p99 computable) labelled by category (and
 * outcome), and the labels stay bounded.
 */
@QuarkusTest
class MetricsTest {

  @Test
  void metrics_afterRequests_helpOnEveryMoe2FamilyAndBoundedHistograms() {
    // a refused request records a decision too (no agent needed): every family appears
    given()
        .contentType("application/json")
        .body(OrchestratorEndToEndTest.chat("knowledge", "What is 2+2?"))
        .post("/v1/chat/completions");

    String text = given().get("/q/metrics").then().statusCode(200).extract().asString();

    Set<String> families = new TreeSet<>();
    Matcher m =
        Pattern.compile("(?m)^(moe2_[a-z_]+?)(_bucket|_count|_sum|_max)?[{ ]").matcher(text);
    while (m.find()) {
      families.add(m.group(1));
    }
    assertThat(families).contains("moe2_requests_total", "moe2_request_latency_seconds");
    for (String f : families) {
      // a counter's family is named without _total (OpenMetrics)
      String family = f.replaceFirst("_total$", "");
      assertThat(text).as("HELP of " + f).containsPattern("(?m)^# HELP " + family + " \\S");
    }
    List<String> buckets =
        text.lines().filter(l -> l.startsWith("moe2_request_latency_seconds_bucket{")).toList();
    assertThat(buckets).isNotEmpty();
    assertThat(buckets).allMatch(l -> l.contains("category=\"") && l.contains("outcome=\""));
    assertThat(buckets).anyMatch(l -> l.contains("le=\"0.5\""));
    assertThat(buckets.stream().map(l -> l.replaceAll("le=\"[^\"]*\",?", "")).distinct().count())
        .as("series: categories x outcomes")
        .isLessThanOrEqualTo(4L * 10);
  }

  @Test
  void metrics_samePromptTwice_oneEmbeddingCacheMissThenOneHit() {
    String prompt =
        "Which metal is liquid at room temperature? (cache check " + System.nanoTime() + ")";
    double hits = cacheGets("hit");
    double misses = cacheGets("miss");

    for (int i = 0; i < 2; i++) {
      given()
          .contentType("application/json")
          .body(OrchestratorEndToEndTest.chat("knowledge", prompt))
          .post("/v1/chat/completions");
    }

    assertThat(cacheGets("miss") - misses).isEqualTo(1.0);
    assertThat(cacheGets("hit") - hits).isEqualTo(1.0);
  }

  private static double cacheGets(String result) {
    String prefix = "cache_gets_total{cache=\"moe2-embeddings\",result=\"" + result + "\"";
    return given()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .extract()
        .asString()
        .lines()
        .filter(l -> l.startsWith(prefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + prefix + " in /q/metrics"));
  }
}
