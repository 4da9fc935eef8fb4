package dev.moe2.simulator.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.stream.Stream;

/**
 * One streamed chat completion as a client times it: when the first text chunk arrived, when the
 * stream ended, how many text chunks came, and the orchestrator's own time to first token from the
 * last chunk's {@code moe2} extension.
 */
public final class StreamProbe {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param status the HTTP status
   * @param ttftMs client-side: request sent → first chunk with text (NaN without text)
   * @param totalMs client-side: request sent → {@code [DONE]}
   * @param chunks chunks that carried text
   * @param serverTtftMs the decision's {@code ttftMs} (NaN when absent)
   */
  public record Timing(int status, double ttftMs, double totalMs, int chunks, double serverTtftMs) {
    public boolean answered() {
      return status == 200 && chunks > 0;
    }
  }

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final URI completions;
  private final String apiKey;

  public StreamProbe(String baseUrl, String apiKey) {
    this.completions = URI.create(baseUrl + "/v1/chat/completions");
    this.apiKey = apiKey;
  }

  /** Streams one answer to {@code prompt} in {@code category} with at most {@code maxTokens}. */
  public Timing stream(String category, String prompt, int maxTokens)
      throws IOException, InterruptedException {
    String body =
        JSON.createObjectNode()
            .put("model", category)
            .put("stream", true)
            .put("max_tokens", maxTokens)
            .set(
                "messages",
                JSON.createArrayNode()
                    .add(JSON.createObjectNode().put("role", "user").put("content", prompt)))
            .toString();
    HttpRequest.Builder b =
        HttpRequest.newBuilder(completions)
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (apiKey != null) {
      b.header("Authorization", "Bearer " + apiKey);
    }
    long t0 = System.nanoTime();
    HttpResponse<Stream<String>> r = http.send(b.build(), HttpResponse.BodyHandlers.ofLines());
    double first = Double.NaN;
    double server = Double.NaN;
    int chunks = 0;
    try (Stream<String> lines = r.body()) {
      Iterator<String> it = lines.iterator();
      while (it.hasNext()) {
        String line = it.next();
        if (!line.startsWith("data: ") || line.equals("data: [DONE]")) {
          continue;
        }
        JsonNode chunk = JSON.readTree(line.substring(6));
        if (!chunk.path("choices").path(0).path("delta").path("content").asText("").isEmpty()) {
          if (chunks++ == 0) {
            first = (System.nanoTime() - t0) / 1e6;
          }
        }
        if (chunk.path("moe2").has("ttftMs")) {
          server = chunk.path("moe2").path("ttftMs").asDouble();
        }
      }
    }
    return new Timing(r.statusCode(), first, (System.nanoTime() - t0) / 1e6, chunks, server);
  }
}
