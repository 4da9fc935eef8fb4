package dev.moe2.orchestrator.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

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

  private static final String VALID =
      "{\"model\": \"knowledge\", \"max_tokens\": 8, \"temperature\": 0.5, \"top_p\": 0.9,"
          + " \"stream\": false, \"messages\": [{\"role\": \"user\", \"content\": \"2+2?\"}],"
          + " \"moe2\": {\"delayBudgetS\": 1.5, \"energyBudgetJ\": 40, \"k\": 1}}";

  private static final String[] FRAGMENTS = {
    "null",
    "{}",
    "[]",
    "\"\"",
    "-1",
    "1e999",
    "true",
    "\"x\"",
    "9223372036854775808",
    "0",
    "[{\"role\":\"user\"}]",
    "{\"role\":\"tool\",\"content\":1}",
    "\"\\u0000\"",
    ",",
    "}"
  };

  @Test
  void postChat_mutatedBodies_neverA5xxFromTheInputNorAStackTrace() {
    Random random = new Random(1501);
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      bodies.add(mutate(VALID, random));
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

  private static String mutate(String json, Random random) {
    switch (random.nextInt(4)) {
      case 0: // flip a character
        {
          char[] c = json.toCharArray();
          c[random.nextInt(c.length)] = (char) (32 + random.nextInt(95));
          return new String(c);
        }
      case 1: // cut
        return json.substring(0, random.nextInt(json.length()));
      case 2: // replace a value after the n-th ':'
        {
          int colon = -1;
          for (int n = 0; n <= random.nextInt(12); n++) {
            int next = json.indexOf(':', colon + 1);
            if (next < 0) {
              break;
            }
            colon = next;
          }
          int end = colon + 1;
          while (end < json.length() && ",}]".indexOf(json.charAt(end)) < 0) {
            end++;
          }
          return json.substring(0, colon + 1)
              + FRAGMENTS[random.nextInt(FRAGMENTS.length)]
              + json.substring(end);
        }
      default: // splice a fragment in
        {
          int at = random.nextInt(json.length());
          return json.substring(0, at)
              + FRAGMENTS[random.nextInt(FRAGMENTS.length)]
              + json.substring(at);
        }
    }
  }
}
