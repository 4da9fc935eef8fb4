package dev.moe2.orchestrator.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.moe2.orchestrator.routing.Decision;
import dev.moe2.security.ApiKeys;
import dev.moe2.security.ApiRole;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Quotas per API key, with security on: an operator sets them, a key over its joules of the day or
 * its requests per minute gets 429 {@code quota-exceeded} naming the quota and when it resets;
 * other keys are not affected.
 */
@QuarkusTest
@TestProfile(SecureOrchestratorTest.Secure.class)
class QuotaTest {

  @Inject SiteSecurity security;
  @Inject Event<Decision> recorded;

  private String key(ApiRole role) {
    return security.keys().create(role, "quota", new SecureRandom(), Instant.now()).key();
  }

  private static final String CHAT =
      "{\"model\": \"knowledge\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";

  private static Decision spent(String caller, double joules) {
    return new Decision(
        "req-quota-" + joules,
        Instant.now(),
        "knowledge",
        false,
        1,
        0.5,
        60,
        List.of(),
        List.of(),
        "energy",
        Decision.Outcome.ANSWERED,
        "x",
        "m@a",
        10,
        joules,
        false,
        null,
        caller,
        null);
  }

  @Test
  void joulesPerDay_spent_429NamingTheQuotaAndTheReset_otherKeysUnaffected() {
    String operator = key(ApiRole.OPERATOR);
    String client = key(ApiRole.CLIENT);
    String id = ApiKeys.idOf(client);
    given()
        .auth()
        .oauth2(operator)
        .contentType(ContentType.JSON)
        .body("{\"joulesPerDay\": 50}")
        .put("/api/quotas/" + id)
        .then()
        .statusCode(200)
        .body("joulesPerDay", equalTo(50.0f));

    recorded.fire(spent(id, 51.5));

    given()
        .auth()
        .oauth2(client)
        .contentType(ContentType.JSON)
        .body(CHAT)
        .post("/v1/chat/completions")
        .then()
        .statusCode(429)
        .header("Retry-After", org.hamcrest.Matchers.notNullValue())
        .body("error.code", equalTo("quota-exceeded"))
        .body("error.message", containsString("spent 51.5 J of its 50.0 J per day"))
        .body("error.message", containsString("resets at"));
    // another client key is not held by it (whatever the fleet then answers, it is not a 429)
    assertThat(
            given()
                .auth()
                .oauth2(key(ApiRole.CLIENT))
                .contentType(ContentType.JSON)
                .body(CHAT)
                .post("/v1/chat/completions")
                .statusCode())
        .isNotEqualTo(429);
    String quotas =
        given()
            .auth()
            .oauth2(operator)
            .get("/api/quotas")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    assertThat(quotas).contains(id).contains("51.5");
  }

  @Test
  void requestsPerMinute_overTheQuota_429() {
    String operator = key(ApiRole.OPERATOR);
    String client = key(ApiRole.CLIENT);
    given()
        .auth()
        .oauth2(operator)
        .contentType(ContentType.JSON)
        .body("{\"requestsPerMinute\": 2}")
        .put("/api/quotas/" + ApiKeys.idOf(client))
        .then()
        .statusCode(200);
    for (int i = 0; i < 2; i++) {
      assertThat(
              given()
                  .auth()
                  .oauth2(client)
                  .contentType(ContentType.JSON)
                  .body(CHAT)
                  .post("/v1/chat/completions")
                  .statusCode())
          .isNotEqualTo(429);
    }
    given()
        .auth()
        .oauth2(client)
        .contentType(ContentType.JSON)
        .body(CHAT)
        .post("/v1/chat/completions")
        .then()
        .statusCode(429)
        .body("error.message", containsString("its quota is 2 per minute"));
  }

  @Test
  void setQuota_byAViewerOrWithBadValues_refused() {
    String viewer = key(ApiRole.VIEWER);
    given()
        .auth()
        .oauth2(viewer)
        .contentType(ContentType.JSON)
        .body("{\"joulesPerDay\": 1}")
        .put("/api/quotas/aaaaaaaaaa")
        .then()
        .statusCode(403);
    String operator = key(ApiRole.OPERATOR);
    for (String bad :
        new String[] {
          "{\"joulesPerDay\": -1}",
          "{\"joulesPerDay\": \"5\"}",
          "{\"requestsPerMinute\": 1.5}",
          "[]"
        }) {
      given()
          .auth()
          .oauth2(operator)
          .contentType(ContentType.JSON)
          .body(bad)
          .put("/api/quotas/aaaaaaaaaa")
          .then()
          .statusCode(400);
    }
  }
}
