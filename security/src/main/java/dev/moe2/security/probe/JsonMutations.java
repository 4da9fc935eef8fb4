package dev.moe2.security.probe;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Bad input from good input, seeded: a valid JSON text with a character flipped, cut short, a value
 * replaced or a fragment spliced in (fragments chosen to hit the edges: null, empty containers,
 * huge and negative numbers, wrong types, NUL). Shared by the REST fuzz test and {@code
 * scripts/bench-security}.
 */
public final class JsonMutations {

  /** A valid chat completion request with every field the API reads. */
  public static final String VALID_CHAT =
      "{\"model\": \"knowledge\", \"max_tokens\": 8, \"temperature\": 0.5, \"top_p\": 0.9,"
          + " \"stream\": false, \"messages\": [{\"role\": \"user\", \"content\": \"2+2?\"}],"
          + " \"moe2\": {\"delayBudgetS\": 1.5, \"energyBudgetJ\": 40, \"k\": 1}}";

  public static final List<String> FRAGMENTS =
      List.of(
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
          "}",
          "\"schemaVersion\":2",
          "\"2026-13-45T99:00:00Z\"");

  private JsonMutations() {}

  /** One mutation of {@code json}. */
  public static String mutate(String json, Random random) {
    if (json.isEmpty()) {
      return fragment(random);
    }
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
          return json.substring(0, colon + 1) + fragment(random) + json.substring(end);
        }
      default: // splice a fragment in
        {
          int at = random.nextInt(json.length());
          return json.substring(0, at) + fragment(random) + json.substring(at);
        }
    }
  }

  /** Random bytes read as ISO-8859-1 text (anything at all). */
  public static String randomBytes(Random random, int maxLength) {
    byte[] b = new byte[random.nextInt(maxLength)];
    random.nextBytes(b);
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  private static String fragment(Random random) {
    return FRAGMENTS.get(random.nextInt(FRAGMENTS.size()));
  }
}
