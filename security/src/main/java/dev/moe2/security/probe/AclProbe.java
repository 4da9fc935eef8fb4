package dev.moe2.security.probe;

import dev.moe2.protocol.AgentId;
import dev.moe2.protocol.ModelId;
import dev.moe2.protocol.OrchestratorId;
import dev.moe2.protocol.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * Attacks a broker as a rogue client with valid agent credentials would, and reports what got
 * through: connects under other names or ids, every publish and subscribe the contract's ACL
 * forbids (other agents' births, states, profiles, errors, plans, requests and replies; wildcards;
 * {@code $share}; topics outside the root), and a will on another agent's state. Two honest
 * witnesses — an orchestrator and the victim agent, on their own credentials — watch for forged
 * messages, and legitimate traffic on the forbidden filters shows whether a granted subscription
 * leaks. Used by the broker tests (HiveMQ and Mosquitto) and {@code scripts/bench-security}.
 */
public final class AclProbe {

  /** A user name and secret (the client id is the user name). */
  public record Login(String name, String secret) {
    public Login {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(secret, "secret");
    }

    @Override
    public String toString() {
      return "Login[" + name + "]";
    }
  }

  /** How the broker answered one attempt. */
  public enum Outcome {
    /** A reason code of 0x80 or more (CONNACK, PUBACK or SUBACK). */
    REFUSED,
    /** The broker closed the connection. */
    DISCONNECTED,
    /** A subscription or will the broker accepted, but through which nothing was delivered. */
    GRANTED_SILENT,
    /** A forged message reached a witness or a granted subscription delivered: a breach. */
    LEAKED
  }

  public record Attempt(String kind, String target, Outcome outcome) {}

  public record Report(List<Attempt> attempts) {
    public long count(Outcome o) {
      return attempts.stream().filter(a -> a.outcome() == o).count();
    }

    /** Refused by a reason code or a disconnect. */
    public long refused() {
      return count(Outcome.REFUSED) + count(Outcome.DISCONNECTED);
    }
  }

  private static final String MARK = "rogue-probe-";
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final String uri;
  private final Login rogue;
  private final Login victim;
  private final Login orchestrator;
  private final Duration settle;
  private final List<Attempt> attempts = new ArrayList<>();
  private final List<String> witnessed = new CopyOnWriteArrayList<>();
  private final List<String> rogueReceived = new CopyOnWriteArrayList<>();
  private volatile boolean witnessLost;

  /**
   * @param rogue an agent's valid credentials, used to attack
   * @param victim another agent (witness)
   * @param orchestrator an orchestrator (witness)
   * @param settle how long to wait for forged or leaked messages after the attempts
   */
  public AclProbe(String uri, Login rogue, Login victim, Login orchestrator, Duration settle) {
    this.uri = uri;
    this.rogue = rogue;
    this.victim = victim;
    this.orchestrator = orchestrator;
    this.settle = settle;
  }

  /** Runs every attempt once. */
  public Report run() throws MqttException {
    AgentId r = AgentId.of(rogue.name());
    AgentId v = AgentId.of(victim.name());
    OrchestratorId o = OrchestratorId.of(orchestrator.name());
    ModelId m = ModelId.of("qwen2-1.5b");
    MqttAsyncClient orch = connect(orchestrator.name(), orchestrator, null, watcher("orch"));
    MqttAsyncClient vic = connect(victim.name(), victim, null, watcher("victim"));
    try {
      for (String f :
          List.of(
              Topic.filterAll(Topic.Kind.BIRTH),
              Topic.filterAll(Topic.Kind.STATE),
              Topic.filterAll(Topic.Kind.PROFILE),
              Topic.filterAll(Topic.Kind.ERRORS),
              Topic.repliesFilter(o))) {
        orch.subscribe(new MqttSubscription(f, 1)).waitForCompletion(WAIT.toMillis());
      }
      for (String f : List.of(Topic.requestsFilter(v), Topic.plan(v).name())) {
        vic.subscribe(new MqttSubscription(f, 1)).waitForCompletion(WAIT.toMillis());
      }
      connects(r, v, o);
      MqttAsyncClient bad = connect(rogue.name(), rogue, null, rogueWatcher());
      publishes(bad, r, v, o, m);
      List<String> granted = subscribes(bad, r, v, o);
      will(v);
      // legitimate traffic on everything the rogue tried to read
      legit(orch, Topic.plan(v).name(), true);
      legit(orch, Topic.requests(v, m).name(), false);
      legit(vic, Topic.birth(v).name(), true);
      legit(vic, Topic.state(v).name(), true);
      legit(vic, Topic.replies(o, v).name(), false);
      waitFor(settle);
      for (String filter : granted) {
        boolean leaked = rogueReceived.stream().anyMatch(t -> matches(filter, t));
        attempts.add(
            new Attempt("subscribe", filter, leaked ? Outcome.LEAKED : Outcome.GRANTED_SILENT));
      }
      // any forged message a witness saw turns its attempt into a leak
      for (int i = 0; i < attempts.size(); i++) {
        Attempt a = attempts.get(i);
        String mark = MARK + i;
        if (witnessed.stream().anyMatch(w -> w.endsWith(" " + mark))) {
          attempts.set(i, new Attempt(a.kind(), a.target(), Outcome.LEAKED));
        }
      }
      close(bad);
      // clear what a leaked retained publish may have left behind
      return new Report(List.copyOf(attempts));
    } finally {
      close(orch);
      close(vic);
    }
  }

  private void connects(AgentId r, AgentId v, OrchestratorId o) {
    tryConnect("connect anonymous", null, null);
    tryConnect("connect wrong secret", r.value(), new Login(r.value(), rogue.secret() + "x"));
    tryConnect("connect as the victim", v.value(), new Login(v.value(), rogue.secret()));
    tryConnect("connect with the orchestrator's client id", o.value(), rogue);
    tryConnect("connect with the victim's client id", v.value(), rogue);
  }

  private void tryConnect(String kind, String clientId, Login login) {
    String id = clientId == null ? "anon-" + attempts.size() : clientId;
    try {
      MqttAsyncClient c = connect(id, login, null, null);
      // accepted: a breach if it got in under someone else's name, or took a witness's session
      // (a broker that sets the client id from the user name accepts it as the rogue itself)
      boolean breach = login == null || !login.secret().equals(rogue.secret()) || witnessLost;
      attempts.add(new Attempt(kind, id, breach ? Outcome.LEAKED : Outcome.GRANTED_SILENT));
      close(c);
    } catch (MqttException e) {
      attempts.add(new Attempt(kind, id, outcomeOf(e)));
    }
  }

  private void publishes(MqttAsyncClient bad, AgentId r, AgentId v, OrchestratorId o, ModelId m)
      throws MqttException {
    List<String> topics =
        List.of(
            Topic.birth(v).name(),
            Topic.state(v).name(),
            Topic.profile(v).name(),
            Topic.errors(v).name(),
            Topic.replies(o, v).name(),
            Topic.plan(v).name(),
            Topic.plan(r).name(),
            Topic.requests(v, m).name(),
            Topic.requests(r, m).name(),
            Topic.ROOT + "/orchestrators/" + o + "/replies",
            Topic.ROOT + "/agents/" + r + "/birth/extra",
            "moe2/v2/agents/" + r + "/birth",
            "other/topic",
            "moe2");
    for (String t : topics) {
      if (!bad.isConnected()) {
        bad = connect(rogue.name(), rogue, null, rogueWatcher());
      }
      String mark = MARK + attempts.size();
      MqttMessage msg = new MqttMessage(mark.getBytes(StandardCharsets.UTF_8), 1, false, null);
      try {
        IMqttToken token = bad.publish(t, msg);
        token.waitForCompletion(WAIT.toMillis());
        int[] codes = token.getReasonCodes();
        boolean refused = codes != null && codes.length > 0 && codes[0] >= 0x80;
        attempts.add(new Attempt("publish", t, refused ? Outcome.REFUSED : Outcome.GRANTED_SILENT));
      } catch (MqttException e) {
        attempts.add(new Attempt("publish", t, outcomeOf(e)));
      }
    }
  }

  private List<String> subscribes(MqttAsyncClient bad, AgentId r, AgentId v, OrchestratorId o)
      throws MqttException {
    List<String> filters =
        List.of(
            "#",
            "moe2/#",
            "moe2/v1/#",
            "+/+/+/+",
            Topic.filterAll(Topic.Kind.BIRTH),
            Topic.filterAll(Topic.Kind.REQUESTS),
            Topic.requestsFilter(v),
            Topic.plan(v).name(),
            Topic.state(v).name(),
            Topic.birth(v).name(),
            Topic.ROOT + "/agents/" + v + "/#",
            Topic.repliesFilter(o),
            Topic.filterAll(Topic.Kind.REPLIES),
            Topic.shared("g", Topic.requestsFilter(v)),
            Topic.shared("g", Topic.requestsFilter(r)),
            "$share/g/#",
            "$SYS/#");
    List<String> granted = new ArrayList<>();
    for (String f : filters) {
      if (!bad.isConnected()) {
        bad = connect(rogue.name(), rogue, null, rogueWatcher());
      }
      try {
        IMqttToken token = bad.subscribe(new MqttSubscription(f, 1));
        token.waitForCompletion(WAIT.toMillis());
        int[] codes = token.getReasonCodes();
        if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
          attempts.add(new Attempt("subscribe", f, Outcome.REFUSED));
        } else {
          granted.add(f); // judged after the legitimate traffic
        }
      } catch (MqttException e) {
        attempts.add(new Attempt("subscribe", f, outcomeOf(e)));
      }
    }
    return granted;
  }

  private void will(AgentId v) {
    String topic = Topic.state(v).name();
    String mark = MARK + attempts.size();
    attempts.add(new Attempt("will", topic, Outcome.GRANTED_SILENT));
    try {
      MqttAsyncClient c =
          connect(
              rogue.name(),
              rogue,
              new MqttMessage(mark.getBytes(StandardCharsets.UTF_8), 1, true, null),
              null,
              topic);
      c.disconnectForcibly(0, 1000, false);
      c.close(true);
    } catch (MqttException e) {
      attempts.set(attempts.size() - 1, new Attempt("will", topic, outcomeOf(e)));
    }
  }

  private static void legit(MqttAsyncClient c, String topic, boolean retained)
      throws MqttException {
    c.publish(topic, new MqttMessage("legit".getBytes(StandardCharsets.UTF_8), 1, retained, null))
        .waitForCompletion(WAIT.toMillis());
  }

  private static Outcome outcomeOf(MqttException e) {
    int code = e.getReasonCode();
    if (code >= 0x80 && code <= 0xFF) {
      return Outcome.REFUSED;
    }
    return Outcome.DISCONNECTED;
  }

  private MqttCallback watcher(String who) {
    return new Callback(
        (topic, payload) -> {
          if (payload.startsWith(MARK)) {
            witnessed.add(who + " " + topic + " " + payload);
          }
        },
        () -> witnessLost = true);
  }

  private MqttCallback rogueWatcher() {
    return new Callback(
        (topic, payload) -> {
          rogueReceived.add(topic);
        },
        () -> {});
  }

  /** Whether the MQTT filter (a shared one too) matches the topic name. */
  static boolean matches(String filter, String topic) {
    String f = filter;
    if (f.startsWith(Topic.SHARED_PREFIX)) {
      int slash = f.indexOf('/', Topic.SHARED_PREFIX.length());
      f = slash < 0 ? "" : f.substring(slash + 1);
    }
    if (topic.startsWith("$") && !f.startsWith("$")) {
      return false;
    }
    String[] p = f.split("/", -1);
    String[] t = topic.split("/", -1);
    for (int i = 0; i < p.length; i++) {
      if (p[i].equals("#")) {
        return true;
      }
      if (i >= t.length || (!p[i].equals("+") && !p[i].equals(t[i]))) {
        return false;
      }
    }
    return p.length == t.length;
  }

  private MqttAsyncClient connect(String clientId, Login login, MqttMessage will, MqttCallback cb)
      throws MqttException {
    return connect(clientId, login, will, cb, null);
  }

  private MqttAsyncClient connect(
      String clientId, Login login, MqttMessage will, MqttCallback cb, String willTopic)
      throws MqttException {
    MqttAsyncClient c = new MqttAsyncClient(uri, clientId, new MemoryPersistence());
    MqttConnectionOptions opts = new MqttConnectionOptions();
    opts.setCleanStart(true);
    opts.setAutomaticReconnect(false);
    opts.setConnectionTimeout((int) WAIT.toSeconds());
    if (login != null) {
      opts.setUserName(login.name());
      opts.setPassword(login.secret().getBytes(StandardCharsets.UTF_8));
    }
    if (will != null) {
      opts.setWill(willTopic, will);
    }
    if (cb != null) {
      c.setCallback(cb);
    }
    try {
      c.connect(opts).waitForCompletion(WAIT.toMillis());
    } catch (MqttException e) {
      c.close(true);
      throw e;
    }
    return c;
  }

  private static void close(MqttAsyncClient c) {
    try {
      if (c.isConnected()) {
        c.disconnect().waitForCompletion(2000);
      }
      c.close(true);
    } catch (MqttException e) {
      // closing a client of the probe: nothing to keep
    }
  }

  private static void waitFor(Duration d) {
    long end = System.nanoTime() + d.toNanos();
    while (System.nanoTime() < end) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  private interface Arrival {
    void accept(String topic, String payload);
  }

  private static final class Callback implements MqttCallback {
    private final Arrival arrival;
    private final Runnable lost;

    Callback(Arrival arrival, Runnable lost) {
      this.arrival = arrival;
      this.lost = lost;
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      arrival.accept(topic, new String(message.getPayload(), StandardCharsets.UTF_8));
    }

    @Override
    public void disconnected(MqttDisconnectResponse r) {
      lost.run();
    }

    @Override
    public void mqttErrorOccurred(MqttException e) {}

    @Override
    public void deliveryComplete(IMqttToken token) {}

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {}

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {}
  }
}
