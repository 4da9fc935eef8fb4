package dev.moe2.orchestrator.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moe2.security.probe.JsonMutations;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutated and random request bodies against the running service (seeded, bounded): every answer is
 * an answer or a 4xx in the one error shape — never a 5xx from the input's shape, never a stack
 * trace in a body. (A 503 for a valid request the fleet cannot serve is an answer too.)
 */
@QuarkusTest
class RestFuzzTest {

  @Test
  void postChat_mutatedBodies_neverA5xxFromTheInputNorAStackTrace() {
    Random random = new Random(1501);
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      bodies.add(JsonMutations.mutate(JsonMutations.VALID_CHAT, random));
    }
    for (int i = 0; i < 30; i++) {
      byte[] b = new byte[random.nextInt(200)];
      random.nextBytes(b);
      bodies.add(new String(b, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    for (String body : bodies) {
      Response r = given().contentType("application/json").body(body).post("/v1/chat/completions");
      String text = r.asString();
      assertThat(text).as(body).doesNotContain("at dev.moe2").doesNotContain("Exception:");
      if (r.statusCode() >= 400) {
        assertThat(r.jsonPath().getString("error.code")).as(body).isNotBlank();
        assertThat(r.statusCode())
            .as(body + " -> " + text)
            .satisfiesAnyOf(
                s -> assertThat(s).isLessThan(500),
                s -> assertThat(s).isEqualTo(503)); // a valid request the fleet cannot serve
      }
    }
  }
}
