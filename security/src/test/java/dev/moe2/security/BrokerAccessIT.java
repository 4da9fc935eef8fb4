package dev.moe2.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moe2.protocol.Acl;
import dev.moe2.protocol.AgentId;
import dev.moe2.protocol.Topic;
import dev.moe2.protocol.testing.EmbeddedBroker;
import dev.moe2.security.hivemq.FleetAccessExtension;
import dev.moe2.security.probe.AclProbe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract's ACL enforced by real brokers: the embedded HiveMQ CE with {@link
 * FleetAccessExtension}, and Debian's Mosquitto with the files {@link FleetCredentials} writes.
 */
class BrokerAccessIT {

  private static final Instant NOW = Instant.parse("2026-11-29T10:00:00Z");

  @TempDir Path dir;
  private FleetCredentials store;
  private AclProbe.Login rogue;
  private AclProbe.Login victim;
  private AclProbe.Login orchestrator;

  @BeforeEach
  void identities() {
    SecureRandom random = new SecureRandom();
    store = FleetCredentials.in(dir.resolve("state"));
    rogue = login("orin-a", Acl.Role.AGENT, random);
    victim = login("orin-b", Acl.Role.AGENT, random);
    orchestrator = login("orch-1", Acl.Role.ORCHESTRATOR, random);
  }

  private AclProbe.Login login(String name, Acl.Role role, SecureRandom random) {
    return new AclProbe.Login(name, store.add(new Acl.Identity(name, role), random, NOW));
  }

  @Test
  void rogueAgent_onEmbeddedHiveMq_everyAttemptRefusedNothingLeaks() throws Exception {
    try (EmbeddedBroker broker =
        EmbeddedBroker.start(dir.resolve("hivemq"), FleetAccessExtension.embedded(store))) {
      AclProbe.Report report =
          new AclProbe(broker.uri(), rogue, victim, orchestrator, Duration.ofMillis(500)).run();

      assertThat(report.attempts()).hasSizeGreaterThan(30);
      assertThat(report.attempts())
          .allSatisfy(
              a ->
                  assertThat(a.outcome())
                      .as(a.kind() + " " + a.target())
                      .isIn(AclProbe.Outcome.REFUSED, AclProbe.Outcome.DISCONNECTED));
      legitimateTraffic_flows(broker.uri());
    }
  }

  @Test
  void rogueAgent_onMosquitto_nothingLeaks() throws Exception {
    try (Mosquitto broker = Mosquitto.start(dir.resolve("mosquitto"), store)) {
      AclProbe.Report report =
          new AclProbe(broker.uri(), rogue, victim, orchestrator, Duration.ofMillis(500)).run();

      assertThat(report.attempts()).hasSizeGreaterThan(30);
      assertThat(report.count(AclProbe.Outcome.LEAKED)).as(report.attempts().toString()).isZero();
      // Mosquitto refuses connects and publishes with reason codes; it grants a forbidden
      // subscription but delivers nothing through it (docs/security.md)
      assertThat(report.attempts())
          .filteredOn(a -> !a.kind().equals("subscribe"))
          .allSatisfy(
              a ->
                  assertThat(a.outcome())
                      .as(a.kind() + " " + a.target())
                      .isNotEqualTo(AclProbe.Outcome.LEAKED));
      legitimateTraffic_flows(broker.uri());
    }
  }

  @Test
  void revoke_connectedAgent_isDisconnectedAndCannotReconnect() throws Exception {
    try (EmbeddedBroker broker =
        EmbeddedBroker.start(dir.resolve("hivemq"), FleetAccessExtension.embedded(store))) {
      MqttAsyncClient agent = connect(broker.uri(), victim);
      assertThat(agent.isConnected()).isTrue();

      store.revoke(victim.name());

      await().atMost(Duration.ofSeconds(10)).until(() -> !agent.isConnected());
      agent.close(true);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> connect(broker.uri(), victim))
          .isInstanceOf(org.eclipse.paho.mqttv5.common.MqttException.class);
    }
  }

  /** The agent's own birth reaches the orchestrator; the orchestrator's plan reaches the agent. */
  private void legitimateTraffic_flows(String uri) throws Exception {
    List<String> atOrchestrator = new CopyOnWriteArrayList<>();
    List<String> atAgent = new CopyOnWriteArrayList<>();
    AgentId agentId = AgentId.of(victim.name());
    MqttAsyncClient orch = connect(uri, orchestrator, atOrchestrator);
    MqttAsyncClient agent = connect(uri, victim, atAgent);
    try {
      var granted = orch.subscribe(new MqttSubscription(Topic.filterAll(Topic.Kind.BIRTH), 1));
      granted.waitForCompletion(5000);
      assertThat(granted.getReasonCodes()).containsOnly(1);
      agent.subscribe(new MqttSubscription(Topic.plan(agentId).name(), 1)).waitForCompletion(5000);
      agent.publish(Topic.birth(agentId).name(), message("birth")).waitForCompletion(5000);
      orch.publish(Topic.plan(agentId).name(), message("plan")).waitForCompletion(5000);
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () -> {
                assertThat(atOrchestrator).contains(Topic.birth(agentId).name());
                assertThat(atAgent).contains(Topic.plan(agentId).name());
              });
    } finally {
      agent.disconnect().waitForCompletion(2000);
      orch.disconnect().waitForCompletion(2000);
      agent.close(true);
      orch.close(true);
    }
  }

  private static MqttMessage message(String text) {
    return new MqttMessage(text.getBytes(StandardCharsets.UTF_8), 1, false, null);
  }

  private static MqttAsyncClient connect(String uri, AclProbe.Login login) throws Exception {
    return connect(uri, login, new CopyOnWriteArrayList<>());
  }

  private static MqttAsyncClient connect(String uri, AclProbe.Login login, List<String> arrived)
      throws Exception {
    MqttAsyncClient c = new MqttAsyncClient(uri, login.name(), new MemoryPersistence());
    c.setCallback(
        new org.eclipse.paho.mqttv5.client.MqttCallback() {
          @Override
          public void messageArrived(String topic, MqttMessage message) {
            arrived.add(topic);
          }

          @Override
          public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse r) {}

          @Override
          public void mqttErrorOccurred(org.eclipse.paho.mqttv5.common.MqttException e) {}

          @Override
          public void deliveryComplete(org.eclipse.paho.mqttv5.client.IMqttToken token) {}

          @Override
          public void connectComplete(boolean reconnect, String serverURI) {}

          @Override
          public void authPacketArrived(
              int reasonCode, org.eclipse.paho.mqttv5.common.packet.MqttProperties p) {}
        });
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setUserName(login.name());
    o.setPassword(login.secret().getBytes(StandardCharsets.UTF_8));
    o.setAutomaticReconnect(false);
    try {
      c.connect(o).waitForCompletion(5000);
    } catch (Exception e) {
      c.close(true);
      throw e;
    }
    return c;
  }
}
