package dev.moe2.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/** Reads the orchestrator's dashboard API (what a person watching the dashboard sees). */
public final class FleetWatch {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;

  private final String key;

  /**
   * @param viewerKey an API key with the viewer role (sent as {@code Authorization: Bearer}); null:
   *     none
   */
  public FleetWatch(String baseUrl, String viewerKey) {
    this.base = baseUrl;
    this.key = viewerKey;
  }

  private HttpRequest request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return b.build();
  }

  public String base() {
    return base;
  }

  public JsonNode get(String path) {
    try {
      return JSON.readTree(http.send(request(path), HttpResponse.BodyHandlers.ofString()).body());
    } catch (IOException e) {
      return JSON.createArrayNode();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return JSON.createArrayNode();
    }
  }

  /** Whether the orchestrator reports itself ready (its broker link is up). */
  public boolean ready() {
    try {
      return http.send(
                  HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** One value of the orchestrator's Prometheus metrics ({@code -1} when absent). */
  public double metric(String name) {
    try {
      String text = http.send(request("/q/metrics"), HttpResponse.BodyHandlers.ofString()).body();
      for (String line : text.split("\n")) {
        if (line.startsWith(name) && !line.startsWith("#")) {
          return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return -1;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Agents online with the current plan applied. */
  public int confirmed() {
    int n = 0;
    for (JsonNode a : get("/api/fleet")) {
      n += a.path("online").asBoolean() && a.path("confirmed").asBoolean() ? 1 : 0;
    }
    return n;
  }

  public int online() {
    int n = 0;
    for (JsonNode a : get("/api/fleet")) {
      n += a.path("online").asBoolean() ? 1 : 0;
    }
    return n;
  }

  /** The latest plan (empty object before one). */
  public JsonNode latestPlan() {
    JsonNode p = get("/api/plans");
    return p.size() == 0 ? JSON.createObjectNode() : p.get(p.size() - 1);
  }

  /** Polls (every 20 ms) until {@code condition} holds on this watch. */
  public void await(Duration max, Predicate<FleetWatch> condition, String what) {
    long end = System.nanoTime() + max.toNanos();
    while (!condition.test(this)) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException(
            "timed out after " + max.toSeconds() + " s waiting for " + what);
      }
      LockSupport.parkNanos(20_000_000L);
    }
  }
}
