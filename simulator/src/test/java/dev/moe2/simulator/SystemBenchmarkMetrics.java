package dev.moe2.simulator;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Reads one Prometheus value from the orchestrator's /q/metrics. */
final class SystemBenchmarkMetrics {

  private SystemBenchmarkMetrics() {}

  static double value(FleetWatch watch, String name) {
    try {
      String text =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(watch.base() + "/q/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      for (String line : text.split("\n")) {
        if (line.startsWith(name) && !line.startsWith("#")) {
          return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return -1;
    } catch (Exception e) {
      return -1;
    }
  }
}
