package dev.moe2.orchestrator.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.moe2.orchestrator.broker.FleetLink;
import dev.moe2.protocol.Acl;
import dev.moe2.security.ApiKeys;
import dev.moe2.security.ApiRole;
import dev.moe2.security.SecretFiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;

/**
 * The service as a user who follows the README runs it: security on. The API wants a key with the
 * right role (401, 403, 429 in the one error shape), the embedded broker wants credentials and the
 * orchestrator connects to it with the secret it issued itself.
 */
@QuarkusTest
@TestProfile(SecureOrchestratorTest.Secure.class)
class SecureOrchestratorTest {

  static final Path STATE = Path.of("target", "secure-test-state-" + ProcessHandle.current().pid());
  static final String BROKER = "tcp://127.0.0.1:18833";

  static final Path PKI = Path.of("target", "secure-test-pki-" + ProcessHandle.current().pid());
  static final String BROKER_TLS = "ssl://127.0.0.1:18834";

  public static final class Secure implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      sitePki();
      Map<String, String> c = new java.util.HashMap<>();
      c.put("moe2.security.enabled", "true");
      c.put("moe2.security.state-dir", STATE.toAbsolutePath().toString());
      c.put("moe2.security.requests-per-second", "5");
      c.put("moe2.security.burst", "40");
      c.put("moe2.broker.port", "18833");
      c.put("moe2.broker.tls.port", "18834");
      c.put("moe2.broker.tls.bind-address", "127.0.0.1");
      c.put("moe2.broker.tls.keystore", PKI.resolve("broker.p12").toAbsolutePath().toString());
      c.put("moe2.broker.tls.client-auth", "optional");
      c.put(
          "quarkus.http.ssl.certificate.files",
          PKI.resolve("broker.crt").toAbsolutePath().toString());
      c.put(
          "quarkus.http.ssl.certificate.key-files",
          PKI.resolve("broker.key").toAbsolutePath().toString());
      c.put("quarkus.http.test-ssl-port", "18443");
      return c;
    }
  }

  /** The site's CA and the broker's certificate, made by the command an operator runs. */
  static synchronized void sitePki() {
    if (Files.exists(PKI.resolve("broker.p12"))) {
      return;
    }
    try {
      Process p =
          new ProcessBuilder(
                  "bash",
                  "../scripts/site-ca",
                  "--dir",
                  PKI.toString(),
                  "--host",
                  "127.0.0.1",
                  "--host",
                  "localhost",
                  "--agent",
                  "orin-tls",
                  "--agent",
                  "orin-other")
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IllegalStateException("scripts/site-ca failed: " + out);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Inject FleetLink link;
  @Inject SiteSecurity security;

  private String key(ApiRole role) {
    return security.keys().create(role, "test", new SecureRandom(), Instant.now()).key();
  }

  @Test
  void anyApiPath_withoutOrWithAnUnknownKey_is401InTheErrorShape() {
    for (String path : new String[] {"/v1/models", "/api/fleet", "/api/keys", "/q/metrics"}) {
      given()
          .get(path)
          .then()
          .statusCode(401)
          .header("WWW-Authenticate", containsString("Bearer"))
          .body("error.code", equalTo("unauthorized"))
          .body("error.type", equalTo("authentication_error"));
    }
    given()
        .auth()
        .oauth2("moe2_aaaaaaaaaa_" + "A".repeat(43))
        .get("/api/fleet")
        .then()
        .statusCode(401)
        .body("error.message", containsString("aaaaaaaaaa is unknown or revoked"));
    given()
        .contentType(ContentType.JSON)
        .body("{\"energyBudgetJ\": 1}")
        .put("/api/budgets/knowledge")
        .then()
        .statusCode(401);
  }

  @Test
  void publicPaths_needNoKey() {
    given().get("/").then().statusCode(200);
    given().get("/q/health/live").then().statusCode(200);
  }

  @Test
  void viewerKey_readsTheDashboardButCannotChangeBudgetsOrChat() {
    String viewer = key(ApiRole.VIEWER);
    given().auth().oauth2(viewer).get("/api/fleet").then().statusCode(200);
    given()
        .auth()
        .oauth2(viewer)
        .contentType(ContentType.JSON)
        .body("{\"energyBudgetJ\": 60}")
        .put("/api/budgets/knowledge")
        .then()
        .statusCode(403)
        .body("error.code", equalTo("forbidden"))
        .body("error.type", equalTo("permission_error"))
        .body("error.message", containsString("needs operator"));
    given()
        .auth()
        .oauth2(viewer)
        .contentType(ContentType.JSON)
        .body("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}")
        .post("/v1/chat/completions")
        .then()
        .statusCode(403);
  }

  @Test
  void operatorKey_createsListsAndRevokesKeys_andTheKeyNeverShowsInTheList() {
    String operator = key(ApiRole.OPERATOR);
    String created =
        given()
            .auth()
            .oauth2(operator)
            .contentType(ContentType.JSON)
            .body("{\"role\": \"client\", \"label\": \"app-1\"}")
            .post("/api/keys")
            .then()
            .statusCode(201)
            .body("role", equalTo("client"))
            .extract()
            .path("key");
    String id = ApiKeys.idOf(created);
    given().auth().oauth2(created).get("/v1/models").then().statusCode(200);
    String list =
        given()
            .auth()
            .oauth2(operator)
            .get("/api/keys")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    assertThat(list).contains(id).doesNotContain(created.substring(16));

    given().auth().oauth2(operator).delete("/api/keys/" + id).then().statusCode(200);
    given().auth().oauth2(created).get("/v1/models").then().statusCode(401);
    given()
        .auth()
        .oauth2(operator)
        .contentType(ContentType.JSON)
        .body("{\"role\": \"admin\"}")
        .post("/api/keys")
        .then()
        .statusCode(400)
        .body("error.message", containsString("field 'role'"));
  }

  @Test
  void chatRefusal_neverEchoesTheKey_andTheLogKeepsOnlyItsId() {
    String client = key(ApiRole.CLIENT);
    String body =
        given()
            .auth()
            .oauth2(client)
            .contentType(ContentType.JSON)
            .body(
                "{\"model\": \"knowledge\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}")
            .post("/v1/chat/completions")
            .then()
            .extract()
            .asString();
    assertThat(body).doesNotContain(client.substring(16));
    String decisions =
        given()
            .auth()
            .oauth2(key(ApiRole.VIEWER))
            .get("/api/decisions")
            .then()
            .extract()
            .asString();
    assertThat(decisions).doesNotContain(client.substring(16));
  }

  @Test
  void budgetChange_byAnOperator_isStoredWithWhoAndOldToNew() {
    String operator = key(ApiRole.OPERATOR);
    double before =
        given()
            .auth()
            .oauth2(operator)
            .get("/api/budgets")
            .jsonPath()
            .getDouble("find { it.id == 'math' }.energyBudgetJ");
    given()
        .auth()
        .oauth2(operator)
        .contentType(ContentType.JSON)
        .body("{\"energyBudgetJ\": 249}")
        .put("/api/budgets/math")
        .then()
        .statusCode(200);
    var last = given().auth().oauth2(operator).get("/api/budget-changes?limit=1").jsonPath();
    assertThat(last.getString("[0].category")).isEqualTo("math");
    assertThat(last.getString("[0].by")).isEqualTo(ApiKeys.idOf(operator));
    assertThat(last.getDouble("[0].oldEnergyBudgetJ")).isEqualTo(before);
    assertThat(last.getDouble("[0].energyBudgetJ")).isEqualTo(249.0);
    assertThat(
            given()
                .auth()
                .oauth2(operator)
                .get("/api/budgets")
                .jsonPath()
                .getDouble("find { it.id == 'math' }.energyBudgetJ"))
        .isEqualTo(249.0);
  }

  @Test
  void oneKey_overItsBurst_is429WithRetryAfter() {
    String client = key(ApiRole.CLIENT);
    int ok = 0;
    io.restassured.response.Response last = null;
    for (int i = 0; i < 80; i++) {
      last = given().auth().oauth2(client).get("/v1/models");
      if (last.statusCode() == 429) {
        break;
      }
      ok++;
    }
    assertThat(ok).isBetween(40, 60); // the burst, plus what the rate refilled meanwhile
    assertThat(last.statusCode()).isEqualTo(429);
    assertThat(last.header("Retry-After")).isNotBlank();
    assertThat(last.jsonPath().getString("error.code")).isEqualTo("rate-limited");
    // another key is not slowed by this one
    given().auth().oauth2(key(ApiRole.CLIENT)).get("/v1/models").then().statusCode(200);
  }

  @Test
  void embeddedBroker_orchestratorConnectsWithItsOwnSecret_strangersAreRefused() throws Exception {
    await().atMost(Duration.ofSeconds(30)).until(link::connected);
    Path secret = SecretFiles.of(STATE.toAbsolutePath(), "orch-1");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)))
        .isEqualTo("rw-------");
    assertThat(security.fleet().list())
        .extracting(e -> e.identity())
        .contains(new Acl.Identity("orch-1", Acl.Role.ORCHESTRATOR));

    assertThatThrownBy(() -> connect("intruder", null, null)).isInstanceOf(MqttException.class);
    String agentSecret =
        security
            .fleet()
            .add(new Acl.Identity("orin-x", Acl.Role.AGENT), new SecureRandom(), Instant.now());
    // an agent's credentials under the orchestrator's client id cannot take its session over
    assertThatThrownBy(() -> connect("orch-1", "orin-x", agentSecret))
        .isInstanceOf(MqttException.class);
    assertThat(link.connected()).isTrue();
    connect("orin-x", "orin-x", agentSecret).disconnect().waitForCompletion(2000);
  }

  @Test
  void https_clientTrustingTheSiteCa_getsTheApiWithItsKey() throws Exception {
    java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(PKI.resolve("truststore.p12"))) {
      trust.load(in, Files.readString(PKI.resolve("password")).strip().toCharArray());
    }
    javax.net.ssl.TrustManagerFactory tmf =
        javax.net.ssl.TrustManagerFactory.getInstance(
            javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().sslContext(tls).build();
    var request =
        java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("https://localhost:18443/api/fleet"));
    assertThat(
            http.send(
                    request.header("Authorization", "Bearer " + key(ApiRole.VIEWER)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(200);
    // a client that does not trust the site CA cannot even connect
    assertThatThrownBy(
            () ->
                java.net.http.HttpClient.newHttpClient()
                    .send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
  }

  @Test
  void tlsListener_agentTrustingTheSiteCa_connects_aClientWithoutItIsRefused() throws Exception {
    security.fleet().revoke("orin-tls");
    String secret =
        security
            .fleet()
            .add(new Acl.Identity("orin-tls", Acl.Role.AGENT), new SecureRandom(), Instant.now());
    java.util.Properties trust = new java.util.Properties();
    trust.setProperty(
        "com.ibm.ssl.trustStore", PKI.resolve("truststore.p12").toAbsolutePath().toString());
    trust.setProperty("com.ibm.ssl.trustStoreType", "PKCS12");
    trust.setProperty(
        "com.ibm.ssl.trustStorePassword", Files.readString(PKI.resolve("password")).strip());

    MqttAsyncClient agent = connect(BROKER_TLS, "orin-tls", "orin-tls", secret, trust);
    assertThat(agent.isConnected()).isTrue();
    agent.disconnect().waitForCompletion(2000);
    agent.close(true);
    // the agents' own link (its TLS sockets with TCP_NODELAY) connects and subscribes the same way
    try (dev.moe2.mqtt.MqttLink link =
        new dev.moe2.mqtt.MqttLink(
            new dev.moe2.mqtt.MqttLink.Settings(
                BROKER_TLS,
                "orin-tls",
                "orin-tls",
                secret.toCharArray(),
                java.time.Duration.ofSeconds(10),
                java.time.Duration.ofSeconds(5),
                java.time.Duration.ofMillis(50),
                java.time.Duration.ofMillis(400),
                trust,
                1),
            java.util.List.of(
                new dev.moe2.mqtt.MqttLink.Subscription(
                    dev.moe2.protocol.Topic.requestsFilter(
                        dev.moe2.protocol.AgentId.of("orin-tls")),
                    1)),
            null,
            new dev.moe2.mqtt.MqttLink.Listener() {
              @Override
              public void connected(boolean reconnect) {}

              @Override
              public void arrived(dev.moe2.mqtt.MqttLink.Incoming message) {}
            })) {
      link.start();
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(20))
          .until(link::connected);
    }
    // the JVM's default trust store does not know the site CA: the handshake fails
    assertThatThrownBy(() -> connect(BROKER_TLS, "orin-tls", "orin-tls", secret, null))
        .isInstanceOf(MqttException.class);
    // credentials are still needed over TLS
    assertThatThrownBy(() -> connect(BROKER_TLS, "orin-tls", "orin-tls", secret + "x", trust))
        .isInstanceOf(MqttException.class);
  }

  @Test
  void mutualTls_certificateOfTheAgent_connects_certificateOfAnotherIsRefused() throws Exception {
    String secret =
        security
            .fleet()
            .add(new Acl.Identity("orin-mtls", Acl.Role.AGENT), new SecureRandom(), Instant.now());
    // the certificates site-ca issued are for orin-tls and orin-other; this identity is orin-mtls
    assertThatThrownBy(
            () -> connect(BROKER_TLS, "orin-mtls", "orin-mtls", secret, tls("agent-orin-other")))
        .isInstanceOf(MqttException.class);
    security.fleet().revoke("orin-tls");
    String own =
        security
            .fleet()
            .add(new Acl.Identity("orin-tls", Acl.Role.AGENT), new SecureRandom(), Instant.now());
    MqttAsyncClient agent = connect(BROKER_TLS, "orin-tls", "orin-tls", own, tls("agent-orin-tls"));
    assertThat(agent.isConnected()).isTrue();
    agent.disconnect().waitForCompletion(2000);
    agent.close(true);
    assertThatThrownBy(
            () -> connect(BROKER_TLS, "orin-tls", "orin-tls", own, tls("agent-orin-other")))
        .isInstanceOf(MqttException.class);
  }

  /** Paho's TLS settings: trust the site CA, and show {@code keystore}'s certificate if given. */
  private static java.util.Properties tls(String keystore) throws java.io.IOException {
    String password = Files.readString(PKI.resolve("password")).strip();
    java.util.Properties p = new java.util.Properties();
    p.setProperty(
        "com.ibm.ssl.trustStore", PKI.resolve("truststore.p12").toAbsolutePath().toString());
    p.setProperty("com.ibm.ssl.trustStoreType", "PKCS12");
    p.setProperty("com.ibm.ssl.trustStorePassword", password);
    if (keystore != null) {
      p.setProperty(
          "com.ibm.ssl.keyStore", PKI.resolve(keystore + ".p12").toAbsolutePath().toString());
      p.setProperty("com.ibm.ssl.keyStoreType", "PKCS12");
      p.setProperty("com.ibm.ssl.keyStorePassword", password);
    }
    return p;
  }

  private static MqttAsyncClient connect(String clientId, String user, String password)
      throws MqttException {
    return connect(BROKER, clientId, user, password, null);
  }

  private static MqttAsyncClient connect(
      String uri, String clientId, String user, String password, java.util.Properties tls)
      throws MqttException {
    MqttAsyncClient c = new MqttAsyncClient(uri, clientId, new MemoryPersistence());
    MqttConnectionOptions o = new MqttConnectionOptions();
    if (tls != null) {
      o.setSSLProperties(tls);
    }
    o.setAutomaticReconnect(false);
    if (user != null) {
      o.setUserName(user);
      o.setPassword(password.getBytes(StandardCharsets.UTF_8));
    }
    try {
      c.connect(o).waitForCompletion(5000);
    } catch (MqttException e) {
      c.close(true);
      throw e;
    }
    return c;
  }
}
