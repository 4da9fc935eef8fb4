package dev.moe2.edgeagent.mqtt;

import dev.moe2.protocol.AgentId;
import dev.moe2.protocol.JsonCodec;
import dev.moe2.protocol.Message;
import dev.moe2.protocol.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
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
 * {@link AgentLink} over MQTT 5 with Eclipse Paho: client id = agent id, clean start, the retained
 * offline state as last will (rebuilt at every connect, so it carries the current incarnation),
 * keep-alive from config, username/password and TLS when configured. Reconnects itself with
 * exponential backoff and full jitter (delay drawn from [d/2, d], d doubling up to the maximum),
 * then re-subscribes and tells the listener, which re-publishes birth and state. One client-wide
 * callback dispatches every arrival (Paho 1.2.5 skips per-subscription listeners for shared
 * subscriptions).
 */
public final class PahoLink implements AgentLink {

  private static final System.Logger LOG = System.getLogger(PahoLink.class.getName());

  /** Connection settings. */
  public record Settings(
      String uri,
      String username,
      char[] password,
      int keepAliveS,
      Duration reconnectInitial,
      Duration reconnectMax,
      java.util.Properties tls) {}

  private final AgentId agent;
  private final Settings settings;
  private final JsonCodec codec;
  private final Supplier<Message> lastWill;
  private final Random jitter;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "mqtt-reconnect");
            t.setDaemon(true);
            return t;
          });
  private final AtomicInteger attempt = new AtomicInteger();
  private final MqttAsyncClient client;
  private volatile Listener listener;
  private volatile boolean closing;
  private volatile boolean everConnected;
  private volatile long blockedUntil;

  /**
   * @param lastWill builds the will for the next connect (the offline state)
   * @param seed seeds the reconnect jitter
   */
  public PahoLink(
      AgentId agent, Settings settings, JsonCodec codec, Supplier<Message> lastWill, long seed) {
    this.agent = agent;
    this.settings = settings;
    this.codec = codec;
    this.lastWill = lastWill;
    this.jitter = new Random(seed);
    try {
      this.client = new MqttAsyncClient(settings.uri(), agent.value(), new MemoryPersistence());
    } catch (MqttException e) {
      throw new LinkException("cannot create an MQTT client for " + settings.uri() + ": " + e, e);
    }
    client.setCallback(new Callback());
  }

  @Override
  public void start(Listener l) {
    this.listener = l;
    scheduler.execute(this::connect);
  }

  private MqttConnectionOptions options() {
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setCleanStart(true);
    o.setSessionExpiryInterval(0L);
    o.setKeepAliveInterval(settings.keepAliveS());
    o.setAutomaticReconnect(false);
    o.setConnectionTimeout(Math.max(2, settings.keepAliveS() * 2));
    if (settings.username() != null) {
      o.setUserName(settings.username());
    }
    if (settings.password() != null) {
      o.setPassword(new String(settings.password()).getBytes(StandardCharsets.UTF_8));
    }
    if (settings.tls() != null) {
      o.setSSLProperties(settings.tls());
    } else if (settings.uri().startsWith("tcp:")) {
      o.setSocketFactory(new dev.moe2.protocol.NoDelaySocketFactory());
    }
    Message will = lastWill.get();
    Topic state = Topic.state(agent);
    o.setWill(
        state.name(),
        new MqttMessage(codec.encode(will), state.kind().qos(), true, new MqttProperties()));
    return o;
  }

  private void connect() {
    if (closing || client.isConnected()) {
      return;
    }
    long wait = blockedUntil - System.nanoTime();
    if (wait > 0) {
      scheduler.schedule(this::connect, wait, TimeUnit.NANOSECONDS);
      return;
    }
    try {
      client.connect(options()).waitForCompletion(settings.keepAliveS() * 3000L);
      attempt.set(0);
      subscribe();
      boolean reconnect = everConnected;
      everConnected = true;
      LOG.log(System.Logger.Level.INFO, "connected to {0} as {1}", settings.uri(), agent);
      listener.connected(reconnect);
    } catch (MqttException | RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "cannot connect to {0}: {1}; retrying",
          settings.uri(),
          e.getMessage());
      if (client.isConnected()) {
        try {
          client.disconnect().waitForCompletion(1000);
        } catch (MqttException ignored) {
          // the next attempt starts from a clean client either way
        }
      }
      scheduleReconnect();
    }
  }

  private void subscribe() throws MqttException {
    List<String> filters = List.of(Topic.requestsFilter(agent), Topic.plan(agent).name());
    MqttSubscription[] subs =
        filters.stream().map(f -> new MqttSubscription(f, 1)).toArray(MqttSubscription[]::new);
    client.subscribe(subs).waitForCompletion(5000);
  }

  private void scheduleReconnect() {
    if (closing) {
      return;
    }
    int n = Math.min(attempt.getAndIncrement(), 20);
    long max = settings.reconnectMax().toMillis();
    long d = Math.min(max, settings.reconnectInitial().toMillis() << Math.min(n, 30));
    long delay;
    synchronized (jitter) {
      delay = d / 2 + (long) (jitter.nextDouble() * (d - d / 2));
    }
    scheduler.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
  }

  @Override
  public boolean connected() {
    return client.isConnected();
  }

  @Override
  public void publish(Topic topic, Message message) {
    send(topic, message, null);
  }

  @Override
  public void publishAndWait(Topic topic, Message message, Duration timeout) {
    send(topic, message, timeout);
  }

  @Override
  public void reply(String responseTopic, byte[] correlation, Message message) {
    Topic topic = Topic.parse(responseTopic);
    MqttProperties props = new MqttProperties();
    props.setCorrelationData(correlation);
    sendRaw(topic, codec.encode(message), props, null);
  }

  private void send(Topic topic, Message message, Duration wait) {
    sendRaw(topic, codec.encode(message), new MqttProperties(), wait);
  }

  private void sendRaw(Topic topic, byte[] payload, MqttProperties props, Duration wait) {
    if (!client.isConnected()) {
      throw new LinkException(
          "not connected to " + settings.uri() + "; cannot publish on " + topic.name());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      try {
        MqttMessage m =
            new MqttMessage(payload, topic.kind().qos(), topic.kind().retained(), props);
        IMqttToken token = client.publish(topic.name(), m);
        if (wait != null) {
          token.waitForCompletion(wait.toMillis());
        }
        return;
      } catch (MqttException e) {
        if (e.getReasonCode() == MqttClientException.REASON_CODE_MAX_INFLIGHT
            && System.nanoTime() < deadline) {
          LockSupport.parkNanos(500_000); // the in-flight window frees as the broker acknowledges
          continue;
        }
        throw new LinkException("cannot publish on " + topic.name() + ": " + e.getMessage(), e);
      }
    }
  }

  @Override
  public void cut(Duration duration) {
    blockedUntil = System.nanoTime() + duration.toNanos();
    try {
      client.disconnectForcibly(0, 100, false);
    } catch (MqttException e) {
      LOG.log(System.Logger.Level.DEBUG, "cut: {0}", e.toString());
    }
    scheduler.schedule(this::connect, duration.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void abort() {
    closing = true;
    scheduler.shutdownNow();
    try {
      client.disconnectForcibly(0, 1000, false);
    } catch (MqttException e) {
      LOG.log(System.Logger.Level.DEBUG, "abort: {0}", e.toString());
    }
    try {
      client.close(true);
    } catch (MqttException e) {
      LOG.log(System.Logger.Level.DEBUG, "abort: {0}", e.toString());
    }
  }

  @Override
  public void close() {
    closing = true;
    scheduler.shutdownNow();
    try {
      if (client.isConnected()) {
        client.disconnect().waitForCompletion(2000);
      }
    } catch (MqttException e) {
      LOG.log(System.Logger.Level.WARNING, "disconnect from {0} failed: {1}", settings.uri(), e);
    }
    try {
      client.close(true);
    } catch (MqttException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot release the MQTT client: {0}", e.toString());
    }
  }

  private final class Callback implements MqttCallback {
    @Override
    public void disconnected(MqttDisconnectResponse response) {
      if (!closing) {
        LOG.log(
            System.Logger.Level.WARNING,
            "lost the broker {0}: {1}; reconnecting",
            settings.uri(),
            response);
        scheduleReconnect();
      }
    }

    @Override
    public void mqttErrorOccurred(MqttException e) {
      LOG.log(System.Logger.Level.WARNING, "MQTT error: {0}", e.toString());
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      MqttProperties p = message.getProperties();
      String responseTopic = p == null ? null : p.getResponseTopic();
      Listener l = listener;
      if (l != null) {
        l.arrived(topic, message.getPayload(), responseTopic);
      }
    }

    @Override
    public void deliveryComplete(IMqttToken token) {}

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {}

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {}
  }
}
