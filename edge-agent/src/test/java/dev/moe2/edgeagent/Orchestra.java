package dev.moe2.edgeagent;

import static org.awaitility.Awaitility.await;

import dev.moe2.protocol.JsonCodec;
import dev.moe2.protocol.Message;
import dev.moe2.protocol.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
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

/**
 * The orchestrator's side of the contract, for tests: a real Paho v5 client that watches every
 * agent topic and its replies, and publishes requests and plans.
 */
final class Orchestra implements AutoCloseable {

  record Received(String topic, Message message, byte[] correlation) {}

  final JsonCodec codec = new JsonCodec();
  final List<Received> received = new CopyOnWriteArrayList<>();
  private final Object arrivals = new Object();
  private final MqttAsyncClient client;
  private final dev.moe2.protocol.OrchestratorId id;

  Orchestra(String uri, String id) throws MqttException {
    this.id = dev.moe2.protocol.OrchestratorId.of(id);
    client = new MqttAsyncClient(uri, id, new MemoryPersistence());
    client.setCallback(
        new MqttCallback() {
          @Override
          public void messageArrived(String topic, MqttMessage m) {
            if (m.getPayload().length == 0) {
              return;
            }
            MqttProperties p = m.getProperties();
            received.add(
                new Received(
                    topic,
                    codec.decode(topic, m.getPayload()),
                    p == null ? null : p.getCorrelationData()));
            synchronized (arrivals) {
              arrivals.notifyAll();
            }
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
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setCleanStart(true);
    o.setKeepAliveInterval(2);
    o.setSocketFactory(new dev.moe2.protocol.NoDelaySocketFactory());
    client.connect(o).waitForCompletion(5_000);
    client
        .subscribe(
            new MqttSubscription[] {
              new MqttSubscription("moe2/v1/agents/+/birth", 1),
              new MqttSubscription("moe2/v1/agents/+/state", 1),
              new MqttSubscription("moe2/v1/agents/+/profile", 1),
              new MqttSubscription("moe2/v1/agents/+/errors", 1),
              new MqttSubscription("moe2/v1/orchestrators/" + id + "/replies/+", 1)
            })
        .waitForCompletion(5_000);
  }

  /** Publishes with the topic's QoS and retain flag, retrying while Paho's window is full. */
  void publish(Topic topic, Message message) {
    publishRaw(topic.name(), codec.encode(message), topic.kind().retained(), null);
  }

  void publishRaw(String topic, byte[] payload, boolean retained, String responseTopic) {
    MqttProperties props = new MqttProperties();
    if (responseTopic != null) {
      props.setResponseTopic(responseTopic);
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> {
              try {
                client
                    .publish(topic, new MqttMessage(payload, 1, retained, props))
                    .waitForCompletion(5_000);
                return true;
              } catch (MqttException e) {
                if (e.getReasonCode() == MqttClientException.REASON_CODE_MAX_INFLIGHT) {
                  return false;
                }
                throw e;
              }
            });
  }

  /** A request published as an orchestrator does: response topic and correlation data set. */
  void request(dev.moe2.protocol.InferenceRequest r) {
    Topic topic = Topic.requests(r.agentId(), r.modelId());
    MqttProperties props = new MqttProperties();
    props.setResponseTopic(r.replyTo());
    props.setCorrelationData(r.requestId().value().getBytes(StandardCharsets.UTF_8));
    byte[] payload = codec.encode(r);
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (true) {
      try {
        client.publish(topic.name(), new MqttMessage(payload, 1, false, props));
        return;
      } catch (MqttException e) {
        if (e.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT
            || System.nanoTime() > deadline) {
          throw new IllegalStateException("cannot publish " + r.requestId(), e);
        }
        java.util.concurrent.locks.LockSupport.parkNanos(200_000);
      }
    }
  }

  /** Waits (without polling) for the first message matching; for benchmarks. */
  <T extends Message> T next(Class<T> type, Predicate<T> filter, Duration timeout)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    synchronized (arrivals) {
      while (true) {
        List<T> found = all(type, filter);
        if (!found.isEmpty()) {
          return found.get(0);
        }
        long left = end - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException("no " + type.getSimpleName() + " within " + timeout);
        }
        arrivals.wait(Math.max(1, left / 1_000_000));
      }
    }
  }

  dev.moe2.protocol.OrchestratorId id() {
    return id;
  }

  <T extends Message> List<T> all(Class<T> type, Predicate<T> filter) {
    return received.stream()
        .map(Received::message)
        .filter(type::isInstance)
        .map(type::cast)
        .filter(filter)
        .toList();
  }

  <T extends Message> T awaitOne(Class<T> type, Predicate<T> filter) {
    await().atMost(Duration.ofSeconds(15)).until(() -> !all(type, filter).isEmpty());
    return all(type, filter).get(0);
  }

  @Override
  public void close() throws MqttException {
    if (client.isConnected()) {
      client.disconnect().waitForCompletion(2_000);
    }
    client.close(true);
  }
}
