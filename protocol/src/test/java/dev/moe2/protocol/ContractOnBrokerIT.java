package dev.moe2.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moe2.protocol.testing.EmbeddedBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract on a real MQTT 5 broker (embedded HiveMQ CE on 127.0.0.1): retained births and
 * states, the last will, request/reply with MQTT 5 properties, and shared subscriptions.
 */
class ContractOnBrokerIT {

  @TempDir static Path brokerDir;
  static EmbeddedBroker broker;

  private final JsonCodec codec = new JsonCodec();

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedBroker.start(brokerDir);
  }

  @AfterAll
  static void stopBroker() throws Exception {
    broker.close();
  }

  /** A client-wide callback that decodes every arrival (per-subscription listeners miss $share). */
  record Received(Topic topic, Message message, MqttProperties properties) {}

  private MqttAsyncClient client(String id, List<Received> sink, MqttConnectionOptions options)
      throws MqttException {
    MqttAsyncClient client = new MqttAsyncClient(broker.uri(), id, new MemoryPersistence());
    client.setCallback(
        new MqttCallback() {
          @Override
          public void messageArrived(String topic, MqttMessage m) {
            sink.add(
                new Received(
                    Topic.parse(topic), codec.decode(topic, m.getPayload()), m.getProperties()));
          }

          @Override
          public void disconnected(MqttDisconnectResponse r) {}

          @Override
          public void mqttErrorOccurred(MqttException e) {}

          @Override
          public void deliveryComplete(IMqttToken t) {}

          @Override
          public void connectComplete(boolean reconnect, String uri) {}

          @Override
          public void authPacketArrived(int reasonCode, MqttProperties p) {}
        });
    client.connect(options).waitForCompletion(5_000);
    return client;
  }

  private static MqttConnectionOptions options() {
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setCleanStart(true);
    o.setKeepAliveInterval(2);
    return o;
  }

  /**
   * Publishes with the topic's QoS and retain flag and waits for the broker's acknowledgement. Paho
   * may still count the previous publish as in flight right after its token completes ("too many
   * publishes in progress"); such a publish is retried until the window frees.
   */
  private void publish(MqttAsyncClient client, Topic topic, Message message, MqttProperties props) {
    byte[] payload = codec.encode(message);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> {
              try {
                MqttMessage m =
                    new MqttMessage(payload, topic.kind().qos(), topic.kind().retained(), props);
                client.publish(topic.name(), m).waitForCompletion(5_000);
                return true;
              } catch (MqttException e) {
                if (e.getReasonCode() == MqttClientException.REASON_CODE_MAX_INFLIGHT) {
                  return false;
                }
                throw e;
              }
            });
  }

  private MqttConnectionOptions agentOptions(AgentId agent, long incarnation) {
    MqttConnectionOptions o = options();
    Topic state = Topic.state(agent);
    o.setWill(
        state.name(),
        new MqttMessage(
            codec.encode(AgentState.lastWill(agent, incarnation, Instant.now())),
            state.kind().qos(),
            state.kind().retained(),
            null));
    return o;
  }

  @Test
  void lastWill_agentConnectionLost_orchestratorSeesRetainedOfflineOfSameIncarnation()
      throws Exception {
    AgentId agent = AgentId.of("orin-will");
    List<Received> seen = new CopyOnWriteArrayList<>();
    MqttAsyncClient orchestrator = client("orch-will", seen, options());
    orchestrator.subscribe(Topic.filterAll(Topic.Kind.STATE), 1).waitForCompletion(5_000);
    MqttAsyncClient agentClient =
        client(agent.value(), new CopyOnWriteArrayList<>(), agentOptions(agent, 7));
    publish(
        agentClient, Topic.birth(agent), ContractExamples.birth(agent, 7), new MqttProperties());
    publish(
        agentClient, Topic.state(agent), ContractExamples.state(agent, 7), new MqttProperties());

    agentClient.disconnectForcibly(0, 1_000, false); // the socket closes without DISCONNECT

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(seen)
                    .extracting(Received::message)
                    .filteredOn(m -> m.agentId().equals(agent))
                    .last()
                    .isInstanceOfSatisfying(
                        AgentState.class,
                        s -> {
                          assertThat(s.status()).isEqualTo(AgentStatus.OFFLINE);
                          assertThat(s.incarnation()).isEqualTo(7);
                          assertThat(s.reason()).isEqualTo("connection-lost");
                        }));

    // An orchestrator started later rebuilds the fleet from retained messages: birth + offline.
    List<Received> late = new CopyOnWriteArrayList<>();
    MqttAsyncClient restarted = client("orch-will-2", late, options());
    restarted
        .subscribe(
            new String[] {Topic.filterAll(Topic.Kind.BIRTH), Topic.filterAll(Topic.Kind.STATE)},
            new int[] {1, 1})
        .waitForCompletion(5_000);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(late)
                    .filteredOn(r -> r.topic().agentId().equals(agent))
                    .extracting(r -> r.topic().kind())
                    .containsExactlyInAnyOrder(Topic.Kind.BIRTH, Topic.Kind.STATE));
    assertThat(late)
        .filteredOn(r -> r.topic().kind() == Topic.Kind.STATE && r.topic().agentId().equals(agent))
        .singleElement()
        .satisfies(
            r -> assertThat(((AgentState) r.message()).status()).isEqualTo(AgentStatus.OFFLINE));
    orchestrator.disconnect().waitForCompletion(5_000);
    restarted.disconnect().waitForCompletion(5_000);
  }

  @Test
  void requestReply_mqtt5Properties_carryDeadlineResponseTopicAndCorrelation() throws Exception {
    AgentId agent = ContractExamples.AGENT;
    InferenceRequest request = ContractExamples.request();
    List<Received> atAgent = new CopyOnWriteArrayList<>();
    List<Received> atOrchestrator = new CopyOnWriteArrayList<>();
    MqttAsyncClient agentClient = client(agent.value(), atAgent, agentOptions(agent, 1));
    agentClient.subscribe(Topic.requestsFilter(agent), 1).waitForCompletion(5_000);
    MqttAsyncClient orchestrator =
        client(ContractExamples.ORCHESTRATOR.value(), atOrchestrator, options());
    orchestrator
        .subscribe(Topic.repliesFilter(ContractExamples.ORCHESTRATOR), 1)
        .waitForCompletion(5_000);

    MqttProperties props = new MqttProperties();
    props.setResponseTopic(request.replyTo());
    props.setCorrelationData(request.requestId().correlationData());
    props.setMessageExpiryInterval(8L);
    publish(orchestrator, Topic.requests(agent, request.modelId()), request, props);

    await().atMost(Duration.ofSeconds(5)).until(() -> !atAgent.isEmpty());
    Received arrived = atAgent.get(0);
    assertThat(arrived.message()).isEqualTo(request);
    assertThat(arrived.properties().getResponseTopic()).isEqualTo(request.replyTo());
    assertThat(RequestId.fromCorrelationData(arrived.properties().getCorrelationData()))
        .isEqualTo(request.requestId());
    assertThat(arrived.properties().getMessageExpiryInterval()).isBetween(1L, 8L);

    MqttProperties replyProps = new MqttProperties();
    replyProps.setCorrelationData(arrived.properties().getCorrelationData());
    publish(
        agentClient,
        Topic.parse(arrived.properties().getResponseTopic()),
        ContractExamples.reply(),
        replyProps);

    await().atMost(Duration.ofSeconds(5)).until(() -> !atOrchestrator.isEmpty());
    assertThat(atOrchestrator.get(0).message()).isEqualTo(ContractExamples.reply());
    assertThat(atOrchestrator.get(0).properties().getCorrelationData())
        .isEqualTo(request.requestId().correlationData());
    agentClient.disconnect().waitForCompletion(5_000);
    orchestrator.disconnect().waitForCompletion(5_000);
  }

  @Test
  void sharedSubscription_twoReplicas_eachReportDeliveredOnceAndSurvivorTakesOver()
      throws Exception {
    List<Received> one = new CopyOnWriteArrayList<>();
    List<Received> two = new CopyOnWriteArrayList<>();
    String shared = Topic.shared("orchestrators", Topic.filterAll(Topic.Kind.PROFILE));
    MqttAsyncClient replica1 = client("orch-r1", one, options());
    MqttAsyncClient replica2 = client("orch-r2", two, options());
    replica1.subscribe(new MqttSubscription(shared, 1)).waitForCompletion(5_000);
    replica2.subscribe(new MqttSubscription(shared, 1)).waitForCompletion(5_000);
    AgentId agent = AgentId.of("orin-shared");
    MqttAsyncClient agentClient =
        client(agent.value(), new CopyOnWriteArrayList<>(), agentOptions(agent, 1));

    int reports = 20;
    for (int i = 0; i < reports; i++) {
      publish(
          agentClient, Topic.profile(agent), ContractExamples.profile(agent), new MqttProperties());
    }
    // The broker chooses which replica gets each report; the group gets every report once.
    await().atMost(Duration.ofSeconds(5)).until(() -> one.size() + two.size() >= reports);
    assertThat(one.size() + two.size()).isEqualTo(reports);

    replica1.disconnect().waitForCompletion(5_000);
    int before = two.size();
    for (int i = 0; i < reports; i++) {
      publish(
          agentClient, Topic.profile(agent), ContractExamples.profile(agent), new MqttProperties());
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> two.size() >= before + reports);
    assertThat(two).hasSize(before + reports);
    agentClient.disconnect().waitForCompletion(5_000);
    replica2.disconnect().waitForCompletion(5_000);
  }
}
