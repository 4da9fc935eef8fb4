package dev.moe2.orchestrator.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

/**
 * Every edge of the REST input bounded, on the running service: out-of-range and wrongly typed
 * budgets, the wrong content type, bodies over the limits — each a 4xx in the one error shape,
 * nothing stored.
 */
@QuarkusTest
class RestInputTest {

  @Test
  void putBudgets_infiniteHugeOrStringBudgets_refusedAndNothingStored() {
    String before = given().get("/v1/models").asString();
    for (String body :
        new String[] {
          "{\"energyBudgetJ\": 1e999}",
          "{\"delayBudgetS\": 1e10}",
          "{\"energyBudgetJ\": \"40\"}",
          "{\"k\": 1.5}"
        }) {
      given()
          .contentType(ContentType.JSON)
          .body(body)
          .put("/api/budgets/knowledge")
          .then()
          .statusCode(400)
          .body("error.code", org.hamcrest.Matchers.oneOf("invalid-budget", "invalid-field"))
          .body("error.type", equalTo("invalid_request_error"));
    }
    assertThat(given().get("/v1/models").asString()).isEqualTo(before);
  }

  @Test
  void postChat_notJson_is415InTheErrorShape() {
    given()
        .contentType(ContentType.TEXT)
        .body("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}")
        .post("/v1/chat/completions")
        .then()
        .statusCode(415)
        .body("error.code", equalTo("unsupported-media-type"));
  }

  @Test
  void postChat_bodyOverTheLimit_is413InTheErrorShape() {
    String big = "x".repeat(300 * 1024);
    given()
        .contentType(ContentType.JSON)
        .body("{\"messages\": [{\"role\": \"user\", \"content\": \"" + big + "\"}]}")
        .post("/v1/chat/completions")
        .then()
        .statusCode(413)
        .body("error.code", equalTo("body-too-large"))
        .body("error.message", containsString("the limit is 262144"));
  }

  @Test
  void postChat_bodyOverTheServersLimit_is413InTheErrorShapeToo() {
    given()
        .contentType(ContentType.JSON)
        .body(
            "{\"messages\": [{\"role\": \"user\", \"content\": \"" + "x".repeat(2 << 20) + "\"}]}")
        .post("/v1/chat/completions")
        .then()
        .statusCode(413)
        .body("error.code", equalTo("body-too-large"));
  }

  @Test
  void getFits_budgetsBeyondTheMaxima_is400() {
    given()
        .queryParam("category", "knowledge")
        .queryParam("energyBudgetJ", 1e12)
        .get("/api/fits")
        .then()
        .statusCode(400)
        .body("error.code", equalTo("invalid-what-if"));
  }

  @Test
  void randomPaths_doNotGrowTheMetricsWithoutBound() {
    for (int i = 0; i < 150; i++) {
      given()
          .get("/api/budgets/random-" + i)
          .then()
          .statusCode(org.hamcrest.Matchers.greaterThanOrEqualTo(400));
    }

    String metrics = given().get("/q/metrics").asString();
    long series =
        metrics.lines().filter(l -> l.startsWith("http_server_requests_seconds_count")).count();
    assertThat(metrics).doesNotContain("random-149");
    assertThat(series).isLessThanOrEqualTo(45);
  }
}
