package dev.moe2.orchestrator.ledger;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.moe2.orchestrator.routing.Decision;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The energy ledger on the embedded database (H2, migrated by Flyway at start): decisions add up
 * per key, category and hour; {@code /api/usage} reads them back per hour or per day.
 */
@QuarkusTest
class EnergyLedgerTest {

  @Inject EnergyLedger ledger;

  /** A decision of {@code caller} at {@code at} (its id made of the time and the joules). */
  static Decision decision(
      String caller, String category, Instant at, Decision.Outcome outcome, double joules) {
    return new Decision(
        "req-" + at.toEpochMilli() + "-" + joules,
        at,
        category,
        false,
        1,
        1.0,
        60.0,
        List.of(),
        List.of(),
        "energy",
        outcome,
        null,
        null,
        12.5,
        joules,
        false,
        null,
        caller,
        null);
  }

  @Test
  void usage_decisionsOfTwoKeysOverTwoHours_sumPerKeyCategoryAndHourOrDay() {
    Instant h1 = Instant.parse("2026-11-20T10:15:00Z");
    Instant h2 = Instant.parse("2026-11-20T11:40:00Z");
    ledger.offer(decision("keyaaaaaaa", "math", h1, Decision.Outcome.ANSWERED, 12.0));
    ledger.offer(
        decision("keyaaaaaaa", "math", h1.plusSeconds(60), Decision.Outcome.ANSWERED, 8.0));
    ledger.offer(decision("keyaaaaaaa", "math", h2, Decision.Outcome.OVER_BUDGET, 0));
    ledger.offer(decision("keybbbbbbb", "code", h2, Decision.Outcome.ANSWERED, 30.5));

    JsonPath hourly =
        given()
            .queryParam("key", "keyaaaaaaa")
            .queryParam("from", "2026-11-20T00:00:00Z")
            .queryParam("to", "2026-11-21T00:00:00Z")
            .get("/api/usage")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(hourly.getList("rows.from", String.class))
        .containsExactly("2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z");
    assertThat(hourly.getList("rows.requests", Integer.class)).containsExactly(2, 1);
    assertThat(hourly.getList("rows.answered", Integer.class)).containsExactly(2, 0);
    assertThat(hourly.getList("rows.refused", Integer.class)).containsExactly(0, 1);
    assertThat(hourly.getDouble("joules")).isEqualTo(20.0);

    JsonPath daily =
        given()
            .queryParam("from", "2026-11-20T00:00:00Z")
            .queryParam("to", "2026-11-21T00:00:00Z")
            .queryParam("by", "day")
            .get("/api/usage")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(daily.getList("rows.caller", String.class))
        .containsExactlyInAnyOrder("keyaaaaaaa", "keybbbbbbb");
    assertThat(daily.getDouble("joules")).isEqualTo(50.5);
    assertThat(daily.getInt("requests")).isEqualTo(4);
    assertThat(ledger.lost()).isZero();
  }

  @Test
  void decisions_stored_pagedLatestFirstPerKey_andPrunedByAge() {
    Instant t = Instant.parse("2026-11-21T08:00:00Z");
    for (int i = 0; i < 3; i++) {
      ledger.offer(decision("keyccccccc", "code", t.plusSeconds(i), Decision.Outcome.ANSWERED, i));
    }
    JsonPath page =
        given()
            .queryParam("key", "keyccccccc")
            .queryParam("limit", 2)
            .get("/api/usage/decisions")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(page.getList("at", String.class))
        .containsExactly("2026-11-21T08:00:02Z", "2026-11-21T08:00:01Z");
    assertThat(page.getList("caller", String.class)).containsOnly("keyccccccc");
    JsonPath next =
        given()
            .queryParam("key", "keyccccccc")
            .queryParam("before", "2026-11-21T08:00:01Z")
            .get("/api/usage/decisions")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(next.getList("at", String.class)).containsExactly("2026-11-21T08:00:00Z");

    assertThat(ledger.prune(Instant.parse("2026-11-21T08:00:02Z"))).isGreaterThanOrEqualTo(2);
    assertThat(
            given()
                .queryParam("key", "keyccccccc")
                .get("/api/usage/decisions")
                .jsonPath()
                .getList("at", String.class))
        .containsExactly("2026-11-21T08:00:02Z");
  }

  @Test
  void usage_badParameters_400NamingTheField() {
    given()
        .queryParam("from", "yesterday")
        .get("/api/usage")
        .then()
        .statusCode(400)
        .body("error.message", containsString("field 'from'"));
    given()
        .queryParam("by", "week")
        .get("/api/usage")
        .then()
        .statusCode(400)
        .body("error.code", equalTo("invalid-field"));
    given()
        .queryParam("from", "2026-01-01T00:00:00Z")
        .queryParam("to", "2025-01-01T00:00:00Z")
        .get("/api/usage")
        .then()
        .statusCode(400);
    given().queryParam("key", "x'; drop table usage_hour").get("/api/usage").then().statusCode(400);
  }
}
