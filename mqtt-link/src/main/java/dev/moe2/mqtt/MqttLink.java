package dev.moe2.mqtt;

import dev.moe2.protocol.NoDelaySocketFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
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
 * The one MQTT 5 client of the project (Eclipse Paho), used by the edge agent and the orchestrator:
 *
 * <ul>
 *   <li>clean start, keep-alive, user name / password and TLS when configured, {@code TCP_NODELAY}
 *       on plain TCP, the last will rebuilt at every connect;
 *   <li>a connect that does not complete within the connect timeout fails, and the next attempt
 *       starts from a fresh client (a Paho client whose connect hung stays "connecting");
 *   <li>its own reconnect loop (Paho 1.2.5 does not reconnect after a server-sent DISCONNECT):
 *       exponential backoff with jitter, the delay drawn from [d/2, d], d doubling from the initial
 *       delay up to the maximum;
 *   <li>after every connect it subscribes again and checks every reason code: a refused or
 *       timed-out subscription drops the connection and retries. {@link #connected()} is true only
 *       once the broker has granted every subscription, and only then is the listener told.
 * </ul>
 *
 * One client-wide callback delivers every arrival (Paho skips per-subscription listeners for shared
 * subscriptions).
 */
public final class MqttLink implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(MqttLink.class.getName());

  /**
   * Connection settings.
   *
   * @param uri {@code tcp://host:port} or {@code ssl://host:port}
   * @param clientId the MQTT client id
   * @param password never logged
   * @param tls Paho SSL properties for {@code ssl://} (trust store); {@code null}: the JVM's
   * @param jitterSeed seeds the reconnect jitter
   */
  public record Settings(
      String uri,
      String clientId,
      String username,
      char[] password,
      Duration keepAlive,
      Duration connectTimeout,
      Duration reconnectInitial,
      Duration reconnectMax,
      Properties tls,
      long jitterSeed) {
    public Settings {
      Objects.requireNonNull(uri, "uri");
      if (!uri.startsWith("tcp://") && !uri.startsWith("ssl://")) {
        throw new IllegalArgumentException(
            "uri has value '" + uri + "': it must start with tcp:// or ssl://");
      }
      if (clientId == null || clientId.isBlank()) {
        throw new IllegalArgumentException("clientId has value '" + clientId + "': it is blank");
      }
      positive(keepAlive, "keepAlive");
      positive(connectTimeout, "connectTimeout");
      positive(reconnectInitial, "reconnectInitial");
      positive(reconnectMax, "reconnectMax");
      if (reconnectMax.compareTo(reconnectInitial) < 0) {
        throw new IllegalArgumentException(
            "reconnectMax has value "
                + reconnectMax
                + ": it must be >= reconnectInitial ("
                + reconnectInitial
                + ")");
      }
    }

    private static void positive(Duration d, String field) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(field + " has value " + d + ": it must be > 0");
      }
    }

    @Override
    public String toString() {
      return "Settings[uri=" + uri + ", clientId=" + clientId + ", username=" + username + "]";
    }
  }

  /** The last will, published by the broker when the connection ends without a DISCONNECT. */
  public record Will(String topic, byte[] payload, int qos, boolean retained) {}

  /** A subscription made after every connect. */
  public record Subscription(String filter, int qos) {}

  /**
   * A message that arrived, with the MQTT 5 request/response properties the contract uses and its
   * user properties (e.g. the W3C trace context: {@code traceparent}, {@code tracestate}).
   */
  public record Incoming(
      String topic,
      byte[] payload,
      String responseTopic,
      byte[] correlationData,
      java.util.Map<String, String> userProperties) {
    public Incoming {
      userProperties =
          userProperties == null ? java.util.Map.of() : java.util.Map.copyOf(userProperties);
    }

    public Incoming(String topic, byte[] payload, String responseTopic, byte[] correlationData) {
      this(topic, payload, responseTopic, correlationData, java.util.Map.of());
    }
  }

  /**
   * MQTT 5 properties of an outgoing message.
   *
   * @param expirySeconds message expiry interval; {@code null}: none
   */
  public record PublishOptions(
      String responseTopic,
      byte[] correlationData,
      Long expirySeconds,
      java.util.Map<String, String> userProperties) {
    public static final PublishOptions NONE = new PublishOptions(null, null, null);

    public PublishOptions {
      userProperties =
          userProperties == null ? java.util.Map.of() : java.util.Map.copyOf(userProperties);
    }

    public PublishOptions(String responseTopic, byte[] correlationData, Long expirySeconds) {
      this(responseTopic, correlationData, expirySeconds, java.util.Map.of());
    }

    /** These options with {@code properties} as MQTT 5 user properties. */
    public PublishOptions withUserProperties(java.util.Map<String, String> properties) {
      return new PublishOptions(responseTopic, correlationData, expirySeconds, properties);
    }
  }

  /** What the owner does with the link's events; called on the link's threads. */
  public interface Listener {
    /** Connected and every subscription granted ({@code reconnect}: not the first time). */
    void connected(boolean reconnect);

    /** A message arrived on a subscribed topic. */
    void arrived(Incoming message);

    /** The connection was lost; the link is reconnecting. */
    default void lost(String cause) {}
  }

  private final Settings settings;
  private final List<Subscription> subscriptions;
  private final Supplier<Will> will;
  private final Listener listener;
  private final Random jitter;

  /** Sockets with TCP_NODELAY, plain or TLS (as Paho would build them from the settings). */
  private final javax.net.SocketFactory sockets;

  private final AtomicInteger attempt = new AtomicInteger();
  private final ScheduledExecutorService scheduler;
  private volatile MqttAsyncClient client;
  private volatile boolean ready;
  private volatile boolean closing;
  private volatile boolean everConnected;

  /**
   * @param will builds the will for the next connect; {@code null}: none
   */
  public MqttLink(
      Settings settings, List<Subscription> subscriptions, Supplier<Will> will, Listener listener) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.subscriptions = List.copyOf(subscriptions);
    this.will = will;
    this.listener = Objects.requireNonNull(listener, "listener");
    // built once, so settings that make no TLS context stop the owner's start-up, named
    this.sockets =
        settings.uri().startsWith("ssl:")
            ? NoDelaySslSocketFactory.from(
                settings.tls() != null ? settings.tls() : new java.util.Properties())
            : new NoDelaySocketFactory();
    this.jitter = new Random(settings.jitterSeed());
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "mqtt-link-" + settings.clientId());
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts connecting in the background (and keeps reconnecting); returns at once. */
  public void start() {
    scheduler.execute(this::connect);
  }

  public String uri() {
    return settings.uri();
  }

  /** Connected with every subscription granted: what is sent now can be answered. */
  public boolean connected() {
    MqttAsyncClient c = client;
    return ready && c != null && c.isConnected();
  }

  /**
   * Publishes a message.
   *
   * @param wait wait for the broker's acknowledgement this long; {@code null}: do not wait
   * @throws LinkException when not connected, or the client refuses (the in-flight window is waited
   *     on for up to 5 s first)
   */
  public void publish(
      String topic,
      byte[] payload,
      int qos,
      boolean retained,
      PublishOptions options,
      Duration wait) {
    MqttAsyncClient c = client;
    if (!ready || c == null || !c.isConnected()) {
      throw new LinkException(
          "not connected to " + settings.uri() + "; cannot publish on " + topic);
    }
    MqttProperties p = new MqttProperties();
    if (options.responseTopic() != null) {
      p.setResponseTopic(options.responseTopic());
    }
    if (options.correlationData() != null) {
      p.setCorrelationData(options.correlationData());
    }
    if (options.expirySeconds() != null) {
      p.setMessageExpiryInterval(options.expirySeconds());
    }
    if (!options.userProperties().isEmpty()) {
      java.util.List<org.eclipse.paho.mqttv5.common.packet.UserProperty> user =
          new java.util.ArrayList<>();
      options
          .userProperties()
          .forEach(
              (k, v) -> user.add(new org.eclipse.paho.mqttv5.common.packet.UserProperty(k, v)));
      p.setUserProperties(user);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      try {
        IMqttToken token;
        // Paho 1.2.5 registers a topic's outgoing alias before it checks the in-flight window: a
        // publish refused for a full window leaves the alias registered though the message that
        // defines it was never sent, the next publish on the topic names only the alias, and the
        // broker drops the connection ("Topic alias in PUBLISH could not be mapped", seen under
        // load). So publishes go one at a time, each only once the window has room.
        synchronized (sending) {
          long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
          // Paho counts a message in flight only once its sender thread takes it off the queue,
          // so the in-flight count can grow between a check of it and Paho's own: count what is
          // queued too (every unacknowledged publish holds a pending token)
          while (pending(c) >= receiveMaximum && System.nanoTime() < until) {
            LockSupport.parkNanos(200_000); // the window frees as the broker acknowledges
          }
          token = c.publish(topic, new MqttMessage(payload, qos, retained, p));
        }
        if (wait != null) {
          token.waitForCompletion(wait.toMillis());
        }
        return;
      } catch (MqttException e) {
        if (e.getReasonCode() == MqttClientException.REASON_CODE_MAX_INFLIGHT
            && System.nanoTime() < deadline) {
          LockSupport.parkNanos(200_000); // the window frees as the broker acknowledges
          continue;
        }
        throw new LinkException("cannot publish on " + topic + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Messages handed to {@code c} and not yet acknowledged (queued or in flight).
   *
   * @throws LinkException when the client was closed under us (the link reconnected)
   */
  private int pending(MqttAsyncClient c) {
    try {
      return c.getPendingTokens().length;
    } catch (NullPointerException e) {
      throw new LinkException(
          "not connected to " + settings.uri() + ": the connection was replaced while publishing",
          e);
    }
  }

  /** Held while a message is handed to the client (see {@link #publish}). */
  private final Object sending = new Object();

  /** The broker's Receive Maximum of the current connection: our in-flight window. */
  private volatile int receiveMaximum = 65_535;

  private static int receiveMaximumOf(IMqttToken connect) {
    if (connect.getResponse() instanceof org.eclipse.paho.mqttv5.common.packet.MqttConnAck ack
        && ack.getProperties() != null
        && ack.getProperties().getReceiveMaximum() != null) {
      return Math.max(1, ack.getProperties().getReceiveMaximum());
    }
    return 65_535;
  }

  /** Disconnects normally (the broker discards the will) and releases the client. */
  @Override
  public void close() {
    closing = true;
    ready = false;
    scheduler.shutdownNow();
    MqttAsyncClient c = client;
    if (c == null) {
      return;
    }
    try {
      if (c.isConnected()) {
        c.disconnect().waitForCompletion(2000);
      }
    } catch (MqttException e) {
      LOG.log(System.Logger.Level.WARNING, "disconnect from {0} failed: {1}", settings.uri(), e);
    }
    try {
      c.close(true);
    } catch (MqttException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot release the MQTT client: {0}", e.toString());
    }
  }

  /** One attempt: a fresh client, connect, subscribe, tell the listener; else retry later. */
  private void connect() {
    if (closing || connected()) {
      return;
    }
    MqttAsyncClient c = null;
    try {
      MqttAsyncClient old = client;
      client = null; // its callbacks are no longer ours
      discard(old);
      c = new MqttAsyncClient(settings.uri(), settings.clientId(), new MemoryPersistence());
      c.setCallback(new Callback(c));
      client = c;
      IMqttToken connecting = c.connect(options());
      connecting.waitForCompletion(settings.connectTimeout().toMillis() + 1000);
      receiveMaximum = receiveMaximumOf(connecting);
      subscribe(c);
      boolean reconnect = everConnected;
      everConnected = true;
      attempt.set(0);
      ready = true;
      LOG.log(
          System.Logger.Level.INFO,
          "connected to {0} as {1}, {2} subscriptions granted",
          settings.uri(),
          settings.clientId(),
          subscriptions.size());
      listener.connected(reconnect);
    } catch (MqttException | RuntimeException e) {
      ready = false;
      if (closing) {
        return;
      }
      long delay = nextDelay();
      LOG.log(
          System.Logger.Level.WARNING,
          "cannot connect to {0} as {1}: {2}; retrying in {3} ms",
          settings.uri(),
          settings.clientId(),
          e.getMessage(),
          delay);
      if (client == c) {
        client = null;
      }
      discard(c);
      schedule(delay);
    }
  }

  private void subscribe(MqttAsyncClient c) throws MqttException {
    if (subscriptions.isEmpty()) {
      return;
    }
    MqttSubscription[] subs = mqttSubscriptions();
    IMqttToken token = c.subscribe(subs);
    token.waitForCompletion(settings.connectTimeout().toMillis() + 1000);
    int[] codes = token.getReasonCodes();
    if (codes == null || codes.length < subs.length) {
      throw new LinkException("the broker answered no reason code for every subscription");
    }
    for (int i = 0; i < subs.length; i++) {
      if (codes[i] >= 0x80) {
        throw new LinkException(
            "the broker refused the subscription to "
                + subs[i].getTopic()
                + " (reason code 0x"
                + Integer.toHexString(codes[i])
                + ")");
      }
    }
  }

  /**
   * The subscriptions as made: No Local, Retain As Published and Retain Handling at their defaults
   * (false, false, 0 = retained messages at subscribe), as the contract's session table says.
   */
  MqttSubscription[] mqttSubscriptions() {
    return subscriptions.stream()
        .map(s -> new MqttSubscription(s.filter(), s.qos()))
        .toArray(MqttSubscription[]::new);
  }

  /** The connect options (the contract's session table); package-private for its test. */
  MqttConnectionOptions options() {
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setCleanStart(true);
    o.setSessionExpiryInterval(0L);
    o.setKeepAliveInterval((int) Math.max(1, settings.keepAlive().toSeconds()));
    o.setAutomaticReconnect(false);
    o.setConnectionTimeout((int) Math.max(1, settings.connectTimeout().toSeconds()));
    if (settings.username() != null) {
      o.setUserName(settings.username());
    }
    if (settings.password() != null) {
      o.setPassword(new String(settings.password()).getBytes(StandardCharsets.UTF_8));
    }
    if (settings.tls() != null) {
      o.setSSLProperties(settings.tls());
    }
    o.setSocketFactory(sockets);
    Will w = will == null ? null : will.get();
    if (w != null) {
      o.setWill(
          w.topic(), new MqttMessage(w.payload(), w.qos(), w.retained(), new MqttProperties()));
    }
    return o;
  }

  /** Exponential backoff with jitter: from [d/2, d], d doubling up to the maximum. */
  private long nextDelay() {
    int n = Math.min(attempt.getAndIncrement(), 30);
    long max = settings.reconnectMax().toMillis();
    long d = Math.min(max, settings.reconnectInitial().toMillis() << Math.min(n, 20));
    synchronized (jitter) {
      return d / 2 + (long) (jitter.nextDouble() * (d - d / 2));
    }
  }

  private void schedule(long delayMs) {
    if (!closing) {
      try {
        scheduler.schedule(this::connect, delayMs, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closing
      }
    }
  }

  /** Drops a client that is not (or no longer) usable, without a DISCONNECT. */
  private static void discard(MqttAsyncClient c) {
    if (c == null) {
      return;
    }
    try {
      c.disconnectForcibly(0, 100, false);
    } catch (MqttException | RuntimeException ignored) {
      // it is being replaced
    }
    try {
      c.close(true);
    } catch (MqttException | RuntimeException ignored) {
      // it is being replaced
    }
  }

  private final class Callback implements MqttCallback {
    private final MqttAsyncClient owner;

    Callback(MqttAsyncClient owner) {
      this.owner = owner;
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
      if (owner != client || closing) {
        return; // a replaced client's late news
      }
      ready = false;
      String cause = String.valueOf(response);
      LOG.log(
          System.Logger.Level.WARNING,
          "lost the broker {0}: {1}; reconnecting",
          settings.uri(),
          cause);
      listener.lost(cause);
      schedule(nextDelay());
    }

    @Override
    public void mqttErrorOccurred(MqttException e) {
      LOG.log(System.Logger.Level.WARNING, "MQTT error: {0}", e.toString());
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      MqttProperties p = message.getProperties();
      java.util.Map<String, String> user = java.util.Map.of();
      if (p != null && p.getUserProperties() != null && !p.getUserProperties().isEmpty()) {
        user = new java.util.HashMap<>();
        for (org.eclipse.paho.mqttv5.common.packet.UserProperty u : p.getUserProperties()) {
          user.putIfAbsent(u.getKey(), u.getValue());
        }
      }
      listener.arrived(
          new Incoming(
              topic,
              message.getPayload(),
              p == null ? null : p.getResponseTopic(),
              p == null ? null : p.getCorrelationData(),
              user));
    }

    @Override
    public void deliveryComplete(IMqttToken token) {}

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {}

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {}
  }
}
