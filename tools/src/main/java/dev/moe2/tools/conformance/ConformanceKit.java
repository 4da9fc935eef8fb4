package dev.moe2.tools.conformance;

import dev.moe2.mqtt.LinkException;
import dev.moe2.mqtt.MqttLink;
import dev.moe2.profiles.DeviceClass;
import dev.moe2.profiles.ProfileCatalog;
import dev.moe2.protocol.AgentId;
import dev.moe2.protocol.AgentState;
import dev.moe2.protocol.AgentStatus;
import dev.moe2.protocol.Birth;
import dev.moe2.protocol.CancelRequest;
import dev.moe2.protocol.ChatMessage;
import dev.moe2.protocol.ChatRole;
import dev.moe2.protocol.ErrorCode;
import dev.moe2.protocol.ErrorReport;
import dev.moe2.protocol.ExpertProfile;
import dev.moe2.protocol.GenerationParams;
import dev.moe2.protocol.HostedExpert;
import dev.moe2.protocol.InferenceReply;
import dev.moe2.protocol.InferenceRequest;
import dev.moe2.protocol.JsonCodec;
import dev.moe2.protocol.Message;
import dev.moe2.protocol.ModelId;
import dev.moe2.protocol.OrchestratorId;
import dev.moe2.protocol.PartialOutput;
import dev.moe2.protocol.PlanAssignment;
import dev.moe2.protocol.ProfileReport;
import dev.moe2.protocol.RequestId;
import dev.moe2.protocol.Topic;
import dev.moe2.tools.conformance.Inbox.Heard;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The orchestrator's side of {@code docs/mqtt-contract.md} as a script of checks, run against any
 * agent connected to a broker: birth and online state, plans (applied, rejected), requests and
 * replies with their MQTT 5 properties, k experts of one request on one agent, redelivery, the
 * second attempt, errors (unknown expert, expired, malformed), re-asserting online after a late
 * will, and profile reports. It plays an orchestrator: run it against an agent no live orchestrator
 * is serving (their plans would fight); it sends a plan that keeps the agent's power mode and
 * resident models, and clears that retained plan when it is done.
 */
public final class ConformanceKit {

  /** How a check ended. */
  public enum Status {
    PASS,
    FAIL,
    /** A rule the contract recommends (should), not one it requires (must). */
    WARN,
    /** Not run: an earlier check it needs failed, or the agent gives it nothing to test. */
    SKIP
  }

  /** One check's outcome. */
  public record Result(String check, Status status, String detail, Duration took) {
    public Result {
      Objects.requireNonNull(check, "check");
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /**
   * What to check and how to reach it.
   *
   * @param timeout how long one step may take (a plan that loads a model needs most)
   * @param quiet how long to listen for a message that must not come (a redelivered dispatch)
   * @param profileTimeout how long to wait for a profile report; zero: skip that check
   */
  public record Settings(
      String brokerUri,
      String username,
      char[] password,
      AgentId agent,
      OrchestratorId orchestrator,
      Duration timeout,
      Duration quiet,
      Duration profileTimeout) {
    public Settings {
      Objects.requireNonNull(brokerUri, "brokerUri");
      Objects.requireNonNull(agent, "agent");
      Objects.requireNonNull(orchestrator, "orchestrator");
      positive(timeout, "timeout");
      positive(quiet, "quiet");
      if (profileTimeout == null || profileTimeout.isNegative()) {
        throw new IllegalArgumentException(
            "profileTimeout has value " + profileTimeout + ": it must be >= 0");
      }
    }

    private static void positive(Duration d, String field) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(field + " has value " + d + ": it must be > 0");
      }
    }
  }

  /** Thrown inside a check: it failed, with the reason. */
  private static final class CheckFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CheckFailed(String reason) {
      super(reason);
    }
  }

  private final Settings settings;
  private final JsonCodec codec = new JsonCodec();
  private final Inbox inbox = new Inbox(codec);
  private final Consumer<Result> progress;
  private final List<Result> results = new ArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final String runId = Long.toString(System.currentTimeMillis(), 36);

  private MqttLink link;
  private Birth birth;
  private AgentState online;
  private long planVersion;
  private List<ModelId> resident = List.of();
  private boolean planSent;

  /**
   * @param progress told of each result as it is known (the CLI prints it)
   */
  public ConformanceKit(Settings settings, Consumer<Result> progress) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.progress = Objects.requireNonNull(progress, "progress");
  }

  /** Runs every check in order; never throws for the agent's faults (they are results). */
  public List<Result> run() {
    connect();
    try {
      for (Step step : STEPS) {
        check(step);
      }
    } finally {
      cleanUp();
      link.close();
    }
    return List.copyOf(results);
  }

  /** One check: its name, what it runs, and the checks that must have passed (or warned) first. */
  private record Step(String name, Function<ConformanceKit, Object> body, List<String> needs) {
    Step(String name, Function<ConformanceKit, Object> body, String... needs) {
      this(name, body, List.of(needs));
    }
  }

  /** The script, in order. */
  private static final List<Step> STEPS =
      List.of(
          new Step("birth", ConformanceKit::birth),
          new Step("online-state", ConformanceKit::onlineState, "birth"),
          new Step("device-class", ConformanceKit::deviceClass, "birth"),
          new Step("timestamps-ms", ConformanceKit::timestampsMs, "online-state"),
          new Step("plan-applied", ConformanceKit::planApplied, "online-state"),
          new Step("plan-rejected", ConformanceKit::planRejected, "plan-applied"),
          new Step("request-reply", ConformanceKit::requestReply, "plan-applied"),
          new Step("k-on-one-agent", ConformanceKit::kOnOneAgent, "request-reply"),
          new Step("redelivery-dropped", ConformanceKit::redeliveryDropped, "request-reply"),
          new Step("second-attempt", ConformanceKit::secondAttempt, "request-reply"),
          new Step("streaming", ConformanceKit::streaming, "request-reply"),
          new Step("cancel", ConformanceKit::cancel, "request-reply"),
          new Step("unknown-expert", ConformanceKit::unknownExpert, "online-state"),
          new Step("expired-request", ConformanceKit::expiredRequest, "request-reply"),
          new Step("malformed-request", ConformanceKit::malformedRequest, "online-state"),
          new Step(
              "serving-after-malformed", ConformanceKit::servingAfterMalformed, "request-reply"),
          new Step("reassert-online", ConformanceKit::reassertOnline, "online-state"),
          new Step("profile", ConformanceKit::profile, "request-reply"));

  // ---- the checks ---------------------------------------------------------------------------

  private String birth() {
    Heard h = awaitOn(Topic.birth(settings.agent()), "retained birth");
    if (h.message() == null) {
      throw new CheckFailed("the birth does not decode: " + h.decodeError());
    }
    birth = (Birth) h.message();
    if (birth.experts().isEmpty()) {
      throw new CheckFailed("the birth lists no experts");
    }
    return "incarnation "
        + birth.incarnation()
        + ", "
        + birth.deviceClass()
        + " at "
        + birth.powerMode()
        + ", experts "
        + birth.experts().stream().map(e -> e.modelId().value()).toList();
  }

  private String onlineState() {
    Heard h =
        await(
                Inbox.START,
                Inbox.is(
                    AgentState.class,
                    s ->
                        s.incarnation() == birth.incarnation() && s.status() == AgentStatus.ONLINE),
                settings.timeout())
            .orElseThrow(
                () ->
                    new CheckFailed(
                        "no online state of incarnation "
                            + birth.incarnation()
                            + " on "
                            + Topic.state(settings.agent()).name()
                            + " within "
                            + human(settings.timeout())));
    online = (AgentState) h.message();
    if (online.powerMode() == null) {
      throw new CheckFailed("the online state has no powerMode (required when online)");
    }
    return "planVersion " + online.planVersion() + ", resident " + names(online.residentModels());
  }

  private Object deviceClass() {
    DeviceClass dc;
    try {
      dc = ProfileCatalog.builtIn().deviceClass(birth.deviceClass());
    } catch (RuntimeException e) {
      return warn(
          "deviceClass '"
              + birth.deviceClass()
              + "' is not a device profile this orchestrator knows: it is left out of plans");
    }
    if (dc.mode(birth.powerMode()).isEmpty()) {
      throw new CheckFailed(
          "powerMode '"
              + birth.powerMode()
              + "' is not a mode of "
              + dc.id()
              + " (modes are the device profile's mode ids)");
    }
    return birth.deviceClass() + " mode " + birth.powerMode() + " known";
  }

  private Object timestampsMs() {
    List<String> fine = new ArrayList<>();
    if (birth.timestamp().getNano() % 1_000_000 != 0) {
      fine.add("birth.timestamp " + birth.timestamp());
    }
    if (online.timestamp().getNano() % 1_000_000 != 0) {
      fine.add("state.timestamp " + online.timestamp());
    }
    return fine.isEmpty()
        ? "times at millisecond precision"
        : warn("finer than milliseconds (some clients reject them): " + fine);
  }

  private String planApplied() {
    resident = online.residentModels();
    if (resident.isEmpty()) {
      resident =
          birth.experts().stream()
              .filter(HostedExpert::resident)
              .map(HostedExpert::modelId)
              .toList();
    }
    if (resident.isEmpty()) {
      resident = List.of(birth.experts().get(0).modelId());
    }
    planVersion = Math.max(System.currentTimeMillis(), online.planVersion() + 1);
    PlanAssignment plan =
        new PlanAssignment(
            settings.agent(), planVersion, online.powerMode(), resident, Instant.now());
    int mark = inbox.mark();
    publish(Topic.plan(settings.agent()), plan);
    planSent = true;
    AgentState s =
        stateOf(
            mark, x -> x.planVersion() == planVersion, "a state confirming plan " + planVersion);
    if (s.status() != AgentStatus.ONLINE) {
      throw new CheckFailed("the state confirming the plan is " + s.status().label());
    }
    if (!new LinkedHashSet<>(s.residentModels()).equals(new LinkedHashSet<>(resident))) {
      throw new CheckFailed(
          "residentModels " + names(s.residentModels()) + " after a plan of " + names(resident));
    }
    return "plan "
        + planVersion
        + " ("
        + online.powerMode()
        + ", "
        + names(resident)
        + ") confirmed";
  }

  private String planRejected() {
    long bad = planVersion + 1;
    int mark = inbox.mark();
    publish(
        Topic.plan(settings.agent()),
        new PlanAssignment(
            settings.agent(), bad, "conformance-no-such-mode", resident, Instant.now()));
    ErrorReport e =
        awaitMessage(
            mark,
            ErrorReport.class,
            x -> x.code() == ErrorCode.PLAN_REJECTED,
            "a plan-rejected error for an unknown power mode");
    List<AgentState> confirming =
        inbox.since(mark).stream()
            .map(Heard::message)
            .filter(AgentState.class::isInstance)
            .map(AgentState.class::cast)
            .filter(s -> s.planVersion() >= bad)
            .toList();
    // put a plan the agent can apply back in place (retained)
    long good = bad + 1;
    int mark2 = inbox.mark();
    publish(
        Topic.plan(settings.agent()),
        new PlanAssignment(settings.agent(), good, online.powerMode(), resident, Instant.now()));
    stateOf(mark2, x -> x.planVersion() == good, "a state confirming plan " + good);
    planVersion = good;
    if (!confirming.isEmpty()) {
      throw new CheckFailed("a state claims the rejected plan " + bad + " was applied");
    }
    return "plan-rejected on " + topicOf(e) + ": " + e.message();
  }

  private String requestReply() {
    List<String> out = new ArrayList<>();
    for (ModelId model : resident.subList(0, Math.min(3, resident.size()))) {
      InferenceRequest r = request(model, 1, 8, settings.timeout());
      int mark = inbox.mark();
      send(r);
      Heard h = awaitAnswer(mark, r);
      InferenceReply reply = replyOf(h, r);
      if (h.correlation() == null
          || !Arrays.equals(
              h.correlation(), r.requestId().value().getBytes(StandardCharsets.UTF_8))) {
        throw new CheckFailed(
            "the reply's correlation data is not the request's ("
                + (h.correlation() == null
                    ? "none"
                    : "'" + new String(h.correlation(), StandardCharsets.UTF_8) + "'")
                + ")");
      }
      if (reply.completionTokens() > r.params().maxTokens()) {
        throw new CheckFailed(
            "completionTokens "
                + reply.completionTokens()
                + " exceed maxTokens "
                + r.params().maxTokens());
      }
      if (reply.completedAt().isAfter(r.deadline())) {
        throw new CheckFailed(
            "completedAt " + reply.completedAt() + " is after the deadline " + r.deadline());
      }
      out.add(
          String.format(
              "%s %d tok %.0f ms %.2f J (%s)",
              model,
              reply.completionTokens(),
              reply.latency().total().toNanos() / 1e6,
              reply.energy().joules().value(),
              reply.energy().source().label()));
    }
    return String.join("; ", out);
  }

  private Object kOnOneAgent() {
    if (resident.size() < 2) {
      return skip("one resident model: nothing to dispatch twice on one agent");
    }
    List<ModelId> models = resident.subList(0, Math.min(3, resident.size()));
    RequestId id = nextId();
    int mark = inbox.mark();
    List<InferenceRequest> sent = new ArrayList<>();
    for (ModelId m : models) {
      InferenceRequest r = request(id, m, 1, 8, settings.timeout());
      sent.add(r);
      send(r);
    }
    List<String> answered = new ArrayList<>();
    for (InferenceRequest r : sent) {
      replyOf(awaitAnswer(mark, r), r);
      answered.add(r.modelId().value());
    }
    return "request "
        + id
        + " to "
        + models.size()
        + " models: each answered by its model "
        + answered;
  }

  private String redeliveryDropped() {
    InferenceRequest r = request(resident.get(0), 1, 8, settings.timeout());
    int mark = inbox.mark();
    send(r);
    send(r); // what a QoS 1 redelivery looks like to the agent: the same dispatch again
    replyOf(awaitAnswer(mark, r), r);
    List<Heard> answers = inbox.collect(mark, answerTo(r), settings.quiet());
    if (answers.size() != 1) {
      throw new CheckFailed(answers.size() + " answers to one dispatch sent twice");
    }
    return "one answer to a dispatch sent twice (listened " + human(settings.quiet()) + ")";
  }

  private String secondAttempt() {
    RequestId id = nextId();
    ModelId model = resident.get(0);
    InferenceRequest first = request(id, model, 1, 8, settings.timeout());
    InferenceRequest second = request(id, model, 2, 8, settings.timeout());
    int mark = inbox.mark();
    send(first);
    replyOf(awaitAnswer(mark, first), first);
    int mark2 = inbox.mark();
    send(second);
    replyOf(awaitAnswer(mark2, second), second);
    return "attempt 2 of " + id + " is a new dispatch: answered";
  }

  /** The partial pieces heard for {@code r} since {@code mark}, in arrival order. */
  private List<Heard> piecesOf(int mark, InferenceRequest r) {
    String replies = Topic.replies(settings.orchestrator(), settings.agent()).name();
    return inbox.since(mark).stream()
        .filter(
            h ->
                h.topic().equals(replies)
                    && h.message() instanceof PartialOutput p
                    && p.requestId().equals(r.requestId())
                    && p.modelId().equals(r.modelId()))
        .toList();
  }

  private Object streaming() {
    InferenceRequest r = request(resident.get(0), 1, 32, settings.timeout()).withStream(true);
    int mark = inbox.mark();
    send(r);
    InferenceReply reply = replyOf(awaitAnswer(mark, r), r);
    List<Heard> pieces = piecesOf(mark, r);
    if (pieces.isEmpty()) {
      return warn(
          "no partial output for a request with stream: true (allowed for an agent that predates"
              + " streaming: receivers take the reply alone)");
    }
    StringBuilder text = new StringBuilder();
    int seq = -1;
    for (Heard h : pieces) {
      PartialOutput p = (PartialOutput) h.message();
      if (p.seq() <= seq) {
        throw new CheckFailed("piece seq " + p.seq() + " after seq " + seq + ": out of order");
      }
      seq = p.seq();
      if (p.offset() != text.length()) {
        throw new CheckFailed(
            "piece "
                + p.seq()
                + " has offset "
                + p.offset()
                + "; the pieces before it hold "
                + text.length()
                + " characters");
      }
      text.append(p.text());
    }
    if (!reply.text().startsWith(text.toString())) {
      throw new CheckFailed(
          "the pieces ('"
              + text
              + "') are not a prefix of the reply's text ('"
              + reply.text()
              + "')");
    }
    return pieces.size()
        + " piece(s) in order, a prefix of the reply ("
        + text.length()
        + " of "
        + reply.text().length()
        + " characters)";
  }

  private Object cancel() {
    // long enough to be interrupted: the agent stops it before the next token once it hears
    InferenceRequest r = request(resident.get(0), 1, 4000, settings.timeout()).withStream(true);
    int mark = inbox.mark();
    send(r);
    await(
        mark,
        h -> h.message() instanceof PartialOutput p && p.requestId().equals(r.requestId()),
        Duration.ofMillis(500));
    publish(
        Topic.cancel(settings.agent()),
        new CancelRequest(
            r.requestId(),
            settings.agent(),
            r.modelId(),
            "conformance: the client went away",
            Instant.now().truncatedTo(ChronoUnit.MILLIS)));
    Heard h = awaitAnswer(mark, r);
    if (h.message() instanceof ErrorReport e && e.code() == ErrorCode.CANCELLED) {
      return "stopped: " + e.message();
    }
    if (h.message() instanceof InferenceReply reply) {
      return warn(
          "answered in full ("
              + reply.completionTokens()
              + " tokens) before or despite the cancel: an agent should stop a withdrawn"
              + " generation before its next token");
    }
    ErrorReport e = (ErrorReport) h.message();
    throw new CheckFailed(
        "a cancelled request was answered with " + e.code().label() + ": " + e.message());
  }

  private String unknownExpert() {
    InferenceRequest r = request(ModelId.of("conformance-no-such-model"), 1, 8, settings.timeout());
    int mark = inbox.mark();
    send(r);
    ErrorReport e = errorOf(awaitAnswer(mark, r), r, ErrorCode.UNKNOWN_EXPERT);
    if (!e.retryable()) {
      throw new CheckFailed("unknown-expert must be retryable (elsewhere)");
    }
    return e.message();
  }

  private String expiredRequest() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    InferenceRequest r =
        new InferenceRequest(
            nextId(),
            1,
            settings.agent(),
            resident.get(0),
            List.of(new ChatMessage(ChatRole.USER, "Too late?")),
            GenerationParams.greedy(8),
            now.minusSeconds(3),
            now.minusSeconds(1),
            Topic.replies(settings.orchestrator(), settings.agent()).name());
    int mark = inbox.mark();
    // no message expiry: the broker delivers it, the agent must see the deadline has passed
    publishRequest(r, null);
    ErrorReport e = errorOf(awaitAnswer(mark, r), r, ErrorCode.DEADLINE_EXCEEDED);
    return e.message();
  }

  private String malformedRequest() {
    String replyTo = Topic.replies(settings.orchestrator(), settings.agent()).name();
    String topic = Topic.requests(settings.agent(), birth.experts().get(0).modelId()).name();
    byte[] bad =
        ("{\"schemaVersion\":1,\"type\":\"request\",\"requestId\":\""
                + nextId()
                + "\",\"attempt\":1,\"agentId\":\""
                + settings.agent()
                + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    int mark = inbox.mark();
    try {
      link.publish(
          topic, bad, 1, false, new MqttLink.PublishOptions(replyTo, null, null), timeout());
    } catch (LinkException e) {
      throw new CheckFailed("cannot publish: " + e.getMessage());
    }
    ErrorReport e =
        awaitMessage(
            mark,
            ErrorReport.class,
            x -> x.code() == ErrorCode.MALFORMED_REQUEST,
            "a malformed-request error (on the response topic or the errors topic)");
    if (e.retryable()) {
      throw new CheckFailed("malformed-request must not be retryable");
    }
    return "on " + topicOf(e) + ": " + e.message();
  }

  private String servingAfterMalformed() {
    InferenceRequest r = request(resident.get(0), 1, 4, settings.timeout());
    int mark = inbox.mark();
    send(r);
    replyOf(awaitAnswer(mark, r), r);
    return "answered after the malformed request";
  }

  private String reassertOnline() {
    AgentState will =
        new AgentState(
            settings.agent(),
            birth.incarnation(),
            AgentStatus.OFFLINE,
            null,
            List.of(),
            0,
            "connection-lost",
            Instant.now().truncatedTo(ChronoUnit.MILLIS));
    int mark = inbox.mark();
    publish(Topic.state(settings.agent()), will); // what a late will of this incarnation looks like
    Optional<Heard> back =
        await(
            mark,
            Inbox.is(
                AgentState.class,
                s -> s.incarnation() == birth.incarnation() && s.status() == AgentStatus.ONLINE),
            settings.timeout());
    if (back.isEmpty()) {
      // leave the agent as the kit found it: its last online state, retained
      publish(Topic.state(settings.agent()), online);
      throw new CheckFailed(
          "no online state after an offline state of its own incarnation (rule 5 of Liveness)");
    }
    return "online again, reason '" + ((AgentState) back.get().message()).reason() + "'";
  }

  private Object profile() {
    if (settings.profileTimeout().isZero()) {
      return skip("profile timeout 0");
    }
    Optional<Heard> h =
        await(
            Inbox.START,
            Inbox.is(
                ProfileReport.class,
                p -> p.incarnation() == birth.incarnation() && !p.experts().isEmpty()),
            settings.profileTimeout());
    if (h.isEmpty()) {
      List<Heard> broken =
          inbox.since(Inbox.START).stream()
              .filter(x -> x.topic().equals(Topic.profile(settings.agent()).name()))
              .filter(x -> x.decodeError() != null)
              .toList();
      if (!broken.isEmpty()) {
        throw new CheckFailed("a profile that does not decode: " + broken.get(0).decodeError());
      }
      return warn(
          "no profile report within "
              + human(settings.profileTimeout())
              + " (the orchestrator plans such an agent from its device profile alone)");
    }
    ProfileReport p = (ProfileReport) h.get().message();
    for (ExpertProfile e : p.experts()) {
      if (e.samples() < 1) {
        throw new CheckFailed(e.modelId() + " is reported with samples " + e.samples());
      }
    }
    return p.experts().size()
        + " expert(s) over "
        + human(Duration.between(p.windowStart(), p.windowEnd()))
        + ", e.g. "
        + p.experts().get(0).modelId()
        + " decode "
        + p.experts().get(0).decodePerToken().toNanos() / 1e6
        + " ms/token";
  }

  // ---- plumbing -------------------------------------------------------------------------------

  private void connect() {
    AgentId a = settings.agent();
    link =
        new MqttLink(
            new MqttLink.Settings(
                settings.brokerUri(),
                "conformance-" + runId,
                settings.username(),
                settings.password(),
                Duration.ofSeconds(5),
                settings.timeout(),
                Duration.ofMillis(200),
                Duration.ofSeconds(2),
                null,
                1),
            List.of(
                new MqttLink.Subscription(Topic.birth(a).name(), 1),
                new MqttLink.Subscription(Topic.state(a).name(), 1),
                new MqttLink.Subscription(Topic.profile(a).name(), 1),
                new MqttLink.Subscription(Topic.errors(a).name(), 1),
                new MqttLink.Subscription(Topic.replies(settings.orchestrator(), a).name(), 1)),
            null,
            new MqttLink.Listener() {
              @Override
              public void connected(boolean reconnect) {}

              @Override
              public void arrived(MqttLink.Incoming m) {
                inbox.arrived(m.topic(), m.payload(), m.responseTopic(), m.correlationData());
              }
            });
    link.start();
    long end = System.nanoTime() + settings.timeout().toNanos();
    int probe = inbox.mark();
    while (!link.connected()) {
      if (System.nanoTime() > end) {
        link.close();
        throw new ConformanceException(
            "cannot connect to the broker "
                + settings.brokerUri()
                + " within "
                + human(settings.timeout())
                + " (is it running, and are the credentials right?)");
      }
      inbox.await(probe, h -> false, Duration.ofMillis(50));
    }
  }

  private void cleanUp() {
    if (planSent) {
      try {
        link.publish(
            Topic.plan(settings.agent()).name(),
            new byte[0],
            1,
            true,
            MqttLink.PublishOptions.NONE,
            timeout());
      } catch (LinkException e) {
        progress.accept(
            new Result(
                "clean-up",
                Status.WARN,
                "cannot clear the retained plan the kit left: " + e.getMessage(),
                Duration.ZERO));
      }
    }
  }

  private Duration timeout() {
    return settings.timeout();
  }

  private record Marked(Status status, String detail) {}

  private static Marked warn(String detail) {
    return new Marked(Status.WARN, detail);
  }

  private static Marked skip(String detail) {
    return new Marked(Status.SKIP, detail);
  }

  /** Runs a step; its body returns its detail (or a {@link #warn}/{@link #skip} marker). */
  private void check(Step step) {
    String name = step.name();
    for (String need : step.needs()) {
      boolean ok =
          results.stream()
              .anyMatch(
                  r ->
                      r.check().equals(need)
                          && (r.status() == Status.PASS || r.status() == Status.WARN));
      if (!ok) {
        record(new Result(name, Status.SKIP, "needs " + need, Duration.ZERO));
        return;
      }
    }
    long t0 = System.nanoTime();
    Result r;
    try {
      Object out = step.body().apply(this);
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      r =
          out instanceof Marked m
              ? new Result(name, m.status(), m.detail(), took)
              : new Result(name, Status.PASS, String.valueOf(out), took);
    } catch (CheckFailed e) {
      r = new Result(name, Status.FAIL, e.getMessage(), Duration.ofNanos(System.nanoTime() - t0));
    } catch (RuntimeException e) {
      r =
          new Result(
              name,
              Status.FAIL,
              e.getClass().getSimpleName() + ": " + e.getMessage(),
              Duration.ofNanos(System.nanoTime() - t0));
    }
    record(r);
  }

  private void record(Result r) {
    results.add(r);
    progress.accept(r);
  }

  private Optional<Heard> await(int mark, Predicate<Heard> match, Duration timeout) {
    return inbox.await(mark, match, timeout);
  }

  private Heard awaitOn(Topic topic, String what) {
    return await(
            Inbox.START, h -> h.topic().equals(topic.name()) && h.payload().length > 0, timeout())
        .orElseThrow(
            () ->
                new CheckFailed(
                    "no " + what + " on " + topic.name() + " within " + human(settings.timeout())));
  }

  private <T extends Message> T awaitMessage(
      int mark, Class<T> type, Predicate<T> match, String what) {
    return await(mark, Inbox.is(type, match), timeout())
        .map(h -> type.cast(h.message()))
        .orElseThrow(
            () ->
                new CheckFailed(
                    "waited "
                        + human(settings.timeout())
                        + " for "
                        + what
                        + ": none came"
                        + heardSince(mark)));
  }

  private AgentState stateOf(int mark, Predicate<AgentState> match, String what) {
    return awaitMessage(
        mark, AgentState.class, s -> s.incarnation() == birth.incarnation() && match.test(s), what);
  }

  private String heardSince(int mark) {
    List<String> errors =
        inbox.since(mark).stream()
            .map(Heard::message)
            .filter(ErrorReport.class::isInstance)
            .map(m -> ((ErrorReport) m).code().label() + ": " + ((ErrorReport) m).message())
            .toList();
    return errors.isEmpty() ? "" : " (the agent reported " + errors + ")";
  }

  private Predicate<Heard> answerTo(InferenceRequest r) {
    String replies = Topic.replies(settings.orchestrator(), settings.agent()).name();
    return h -> {
      if (!h.topic().equals(replies)) {
        return false;
      }
      if (h.message() instanceof InferenceReply x) {
        return x.requestId().equals(r.requestId()) && x.modelId().equals(r.modelId());
      }
      if (h.message() instanceof ErrorReport x) {
        return r.requestId().equals(x.requestId())
            && (x.modelId() == null || x.modelId().equals(r.modelId()));
      }
      return false;
    };
  }

  private Heard awaitAnswer(int mark, InferenceRequest r) {
    String replies = Topic.replies(settings.orchestrator(), settings.agent()).name();
    return await(mark, answerTo(r), timeout().plus(Duration.ofSeconds(1)))
        .orElseThrow(
            () -> {
              List<String> broken =
                  inbox.since(mark).stream()
                      .filter(h -> h.topic().equals(replies) && h.decodeError() != null)
                      .map(Heard::decodeError)
                      .toList();
              return new CheckFailed(
                  "no reply or error for "
                      + r.requestId()
                      + " to "
                      + r.modelId()
                      + " (attempt "
                      + r.attempt()
                      + ") on "
                      + replies
                      + (broken.isEmpty() ? "" : "; undecodable replies: " + broken));
            });
  }

  private static InferenceReply replyOf(Heard h, InferenceRequest r) {
    if (h.message() instanceof ErrorReport e) {
      throw new CheckFailed(
          "error " + e.code().label() + " for " + r.modelId() + ": " + e.message());
    }
    return (InferenceReply) h.message();
  }

  private static ErrorReport errorOf(Heard h, InferenceRequest r, ErrorCode expected) {
    if (h.message() instanceof ErrorReport e) {
      if (e.code() != expected) {
        throw new CheckFailed(
            "error " + e.code().label() + " where " + expected.label() + " was expected");
      }
      return e;
    }
    throw new CheckFailed(
        "a reply to " + r.modelId() + " where the error " + expected.label() + " was expected");
  }

  private String topicOf(Message m) {
    return inbox.since(Inbox.START).stream()
        .filter(h -> h.message() == m)
        .map(Heard::topic)
        .findFirst()
        .orElse("?");
  }

  private RequestId nextId() {
    return RequestId.of("conf-" + runId + "-" + ids.incrementAndGet());
  }

  private InferenceRequest request(ModelId model, int attempt, int maxTokens, Duration budget) {
    return request(nextId(), model, attempt, maxTokens, budget);
  }

  private InferenceRequest request(
      RequestId id, ModelId model, int attempt, int maxTokens, Duration budget) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    return new InferenceRequest(
        id,
        attempt,
        settings.agent(),
        model,
        List.of(new ChatMessage(ChatRole.USER, "Which planet is the largest? Answer in one word.")),
        GenerationParams.greedy(maxTokens),
        now,
        now.plus(budget),
        Topic.replies(settings.orchestrator(), settings.agent()).name());
  }

  private void send(InferenceRequest r) {
    publishRequest(r, r.messageExpirySeconds(Instant.now()));
  }

  private void publishRequest(InferenceRequest r, Long expirySeconds) {
    try {
      link.publish(
          Topic.requests(r.agentId(), r.modelId()).name(),
          codec.encode(r),
          1,
          false,
          new MqttLink.PublishOptions(
              r.replyTo(), r.requestId().value().getBytes(StandardCharsets.UTF_8), expirySeconds),
          timeout());
    } catch (LinkException e) {
      throw new CheckFailed("cannot publish the request: " + e.getMessage());
    }
  }

  private void publish(Topic topic, Message m) {
    try {
      link.publish(
          topic.name(),
          codec.encode(m),
          topic.kind().qos(),
          topic.kind().retained(),
          MqttLink.PublishOptions.NONE,
          timeout());
    } catch (LinkException e) {
      throw new CheckFailed("cannot publish on " + topic.name() + ": " + e.getMessage());
    }
  }

  private static String human(Duration d) {
    return java.math.BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString()
        + " s";
  }

  private static List<String> names(List<ModelId> models) {
    return models.stream().map(ModelId::value).toList();
  }

  /** The check names, in order (for docs and tests). */
  public static List<String> checks() {
    return STEPS.stream().map(Step::name).toList();
  }
}
