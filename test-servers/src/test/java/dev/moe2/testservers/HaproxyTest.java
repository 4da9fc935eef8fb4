package dev.moe2.testservers;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HaproxyTest {

  private static HttpServer backend(String name) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    s.createContext(
        "/",
        x -> {
          byte[] body = name.getBytes(StandardCharsets.UTF_8);
          x.sendResponseHeaders(200, body.length);
          x.getResponseBody().write(body);
          x.close();
        });
    s.start();
    return s;
  }

  @Test
  void start_twoBackends_spreadsRequestsOverBoth() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/sbin/haproxy"))
            || "true".equals(System.getenv("CI")),
        "haproxy is not installed (.ci/run installs it)");
    HttpServer a = backend("a");
    HttpServer b = backend("b");
    try (Haproxy h = Haproxy.start(List.of(a.getAddress().getPort(), b.getAddress().getPort()))) {
      HttpClient client = HttpClient.newHttpClient();
      Set<String> seen = new HashSet<>();
      List<Integer> codes = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        HttpResponse<String> r =
            client.send(
                HttpRequest.newBuilder(URI.create(h.baseUrl() + "/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        codes.add(r.statusCode());
        seen.add(r.body());
      }
      assertThat(codes).containsOnly(200);
      assertThat(seen).containsExactlyInAnyOrder("a", "b");
    } finally {
      a.stop(0);
      b.stop(0);
    }
  }

  @Test
  void config_namesTheReadinessCheckAndEveryBackend() {
    assertThat(Haproxy.config(8080, List.of(8081, 8082)))
        .contains("bind 127.0.0.1:8080")
        .contains("option httpchk GET /q/health/ready")
        .contains("server replica1 127.0.0.1:8081 check")
        .contains("server replica2 127.0.0.1:8082 check");
  }
}
