package dev.moe2.edgeagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moe2.edgeagent.config.ConfigLoader;
import dev.moe2.profiles.workload.SharedData;
import dev.moe2.protocol.AgentState;
import dev.moe2.protocol.AgentStatus;
import dev.moe2.protocol.Birth;
import dev.moe2.protocol.CancelRequest;
import dev.moe2.protocol.ChatMessage;
import dev.moe2.protocol.ChatRole;
import dev.moe2.protocol.EnergySource;
import dev.moe2.protocol.ErrorCode;
import dev.moe2.protocol.ErrorReport;
import dev.moe2.protocol.FinishReason;
import dev.moe2.protocol.GenerationParams;
import dev.moe2.protocol.InferenceReply;
import dev.moe2.protocol.InferenceRequest;
import dev.moe2.protocol.ModelId;
import dev.moe2.protocol.PartialOutput;
import dev.moe2.protocol.PlanAssignment;
import dev.moe2.protocol.ProfileReport;
import dev.moe2.protocol.RequestId;
import dev.moe2.protocol.Topic;
import dev.moe2.protocol.testing.FaultProxy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent against a real broker, from the orchestrator's side of the contract. Subclasses pick
 * the broker (embedded HiveMQ CE, Debian's mosquitto).
 */
abstract class AgentContractTests {

  private static final AtomicInteger IDS = new AtomicInteger();

  abstract TestBroker broker();

  @TempDir Path dir;
  final List<Agent> agents = new ArrayList<>();
  final List<Orchestra> orchestras = new ArrayList<>();
  final List<FaultProxy> proxies = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (Agent a : agents) {
      a.close();
    }
    for (Orchestra o : orchestras) {
      o.close();
    }
    proxies.forEach(FaultProxy::close);
  }

  static Path shared() {
    return SharedData.dir();
  }

  String config(String agentId, String extra) throws IOException {
    return config(agentId, extra, broker().uri());
  }

  String config(String agentId, String extra, String brokerUri) throws IOException {
    Path models = shared().resolve("models/stories260K").toAbsolutePath();
    String yaml =
        """
        agentId: %s
        deviceClass: jetson-agx-orin-64gb
        powerMode: maxn
        mqtt: {uri: "%s", keepAliveS: 1, reconnectInitialMs: 50, reconnectMaxMs: 400}
        serving: {maxConcurrent: 2}
        energy: {meter: simulated}
        profile: {reportIntervalS: 1, minSamples: 2}
        simulation: {seed: 7, noise: 0.0, timeScale: 0.01}
        experts:
          - {model: zephyr-7b-beta, backend: simulated}
          - {model: mistral-7b, backend: simulated, simulated: {answerTokens: 4000}}
          - model: stories260k
            backend: onnx
            quantization: fp32
            onnx: {model: "%s", tokenizer: "%s"}
        %s
        """
            .formatted(
                agentId,
                brokerUri,
                models.resolve("stories260K.onnx"),
                models.resolve("tok512.bin"),
                extra);
    Path file = dir.resolve(agentId + ".yaml");
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    return file.toString();
  }

  Agent agent(String extra) throws IOException {
    return agent(extra, broker().uri());
  }

  Agent agent(String extra, String brokerUri) throws IOException {
    String id = "agent-" + IDS.incrementAndGet();
    Agent a =
        AgentFactory.build(
            ConfigLoader.load(Path.of(config(id, extra, brokerUri)), Map.of(), Map.of()),
            Clock.systemUTC());
    agents.add(a);
    return a.start();
  }

  Orchestra orchestra() throws Exception {
    Orchestra o = new Orchestra(broker().uri(), "orch-" + IDS.incrementAndGet());
    orchestras.add(o);
    return o;
  }

  static InferenceRequest request(
      Orchestra o,
      Agent a,
      String model,
      String id,
      String prompt,
      int maxTokens,
      Duration budget) {
    Instant now = Instant.now();
    return new InferenceRequest(
        RequestId.of(id),
        1,
        a.id(),
        ModelId.of(model),
        List.of(new ChatMessage(ChatRole.USER, prompt)),
        GenerationParams.greedy(maxTokens),
        now,
        now.plus(budget),
        Topic.replies(o.id(), a.id()).name());
  }

  private AgentState awaitOnline(Orchestra o, Agent a) {
    return o.awaitOne(
        AgentState.class, s -> s.agentId().equals(a.id()) && s.status() == AgentStatus.ONLINE);
  }

  @Test
  void start_connects_publishesRetainedBirthAndOnlineState() throws Exception {
    Agent a = agent("");
    Orchestra o = orchestra(); // subscribes after the agent: sees the retained copies

    Birth birth = o.awaitOne(Birth.class, b -> b.agentId().equals(a.id()));
    assertThat(birth.deviceClass()).isEqualTo("jetson-agx-orin-64gb");
    assertThat(birth.powerMode()).isEqualTo("maxn");
    assertThat(birth.experts())
        .extracting(e -> e.modelId().value() + ":" + e.backend() + ":" + e.resident())
        .containsExactly(
            "mistral-7b:simulated:true", "stories260k:onnx:true", "zephyr-7b-beta:simulated:true");
    AgentState state = awaitOnline(o, a);
    assertThat(state.incarnation()).isEqualTo(birth.incarnation());
  }

  @Test
  void request_simulatedExpert_repliesWithTokensLatencyAndLabelledEnergy() throws Exception {
    Orchestra o = orchestra();
    Agent a = agent("");
    awaitOnline(o, a);

    o.request(
        request(
            o, a, "zephyr-7b-beta", "r-1", "Which planet is largest?", 16, Duration.ofSeconds(10)));

    InferenceReply reply =
        o.awaitOne(InferenceReply.class, r -> r.requestId().value().equals("r-1"));
    assertThat(reply.completionTokens()).isEqualTo(16);
    assertThat(reply.energy().source()).isEqualTo(EnergySource.SIMULATED);
    assertThat(reply.energy().joules().value()).isPositive();
    assertThat(reply.latency().ttft()).isPositive();
    assertThat(reply.powerMode()).isEqualTo("maxn");
    assertThat(o.received)
        .filteredOn(r -> r.message() == reply)
        .extracting(r -> new String(r.correlation(), StandardCharsets.UTF_8))
        .containsExactly("r-1");
  }

  @Test
  void request_onnxExpert_answersWithTheRealModel() throws Exception {
    Orchestra o = orchestra();
    Agent a = agent("");
    awaitOnline(o, a);

    o.request(
        request(o, a, "stories260k", "r-onnx", "Once upon a time", 20, Duration.ofSeconds(20)));

    InferenceReply reply =
        o.awaitOne(InferenceReply.class, r -> r.requestId().value().equals("r-onnx"));
    assertThat(reply.text()).isNotBlank();
    assertThat(reply.completionTokens()).isBetween(1, 20);
    assertThat(reply.promptTokens()).isGreaterThan(2);
  }

  @Test
  void request_longerThanItsDeadlineAllows_stopsBeforeItAndRepliesWhatItHas() throws Exception {
    Orchestra o = orchestra();
    Agent a = agent("");
    awaitOnline(o, a);

    // mistral-7b is configured to write 4000 tokens: about 1.8 s at this time scale
    InferenceRequest r =
        request(o, a, "mistral-7b", "r-slow", "Tell a long story", 4000, Duration.ofMillis(300));
    o.request(r);

    InferenceReply reply =
        o.awaitOne(InferenceReply.class, x -> x.requestId().value().equals("r-slow"));
    assertThat(reply.finishReason()).isEqualTo(FinishReason.DEADLINE);
    assertThat(reply.completionTokens()).isBetween(1, 3999);
    assertThat(reply.completedAt()).isBeforeOrEqualTo(r.deadline());
  }

  @Test
  void request_streamed_sendsOrderedPiecesFromTheFirstTokenThenTheReply() throws Exception {
    Orchestra o = orchestra();
    Agent a = agent("");
    awaitOnline(o, a);

    // 1,000 tokens of mistral-7b: about 0.45 s at this time scale, so several 50 ms pieces
    InferenceRequest r =
        request(o, a, "mistral-7b", "r-stream", "Tell a long story", 1000, Duration.ofSeconds(20))
            .withStream(true);
    o.request(r);

    InferenceReply reply =
        o.awaitOne(InferenceReply.class, x -> x.requestId().value().equals("r-stream"));
    List<PartialOutput> pieces =
        o.all(PartialOutput.class, p -> p.requestId().value().equals("r-stream"));
    assertThat(pieces).hasSizeGreaterThanOrEqualTo(3);
    assertThat(pieces).extracting(PartialOutput::seq).isSorted().doesNotHaveDuplicates();
    StringBuilder text = new StringBuilder();
    for (PartialOutput p : pieces) {
      assertThat(p.offset()).as("offset of piece %s", p.seq()).isEqualTo(text.length());
      text.append(p.text());
    }
    assertThat(text.toString()).isEqualTo(reply.text());
    // the first piece left at the first token, long before the answer was done
    assertThat(Duration.between(pieces.get(0).sentAt(), reply.completedAt()))
        .isGreaterThan(Duration.between(r.issuedAt(), reply.completedAt()).dividedBy(2));
    assertThat(pieces.get(0).tokens()).isLessThan(reply.completionTokens() / 4);
    for (int i = 1; i < pieces.size() - 1; i++) {
      assertThat(Duration.between(pieces.get(i - 1).sentAt(), pieces.get(i).sentAt()))
          .as("gap before piece %s", i)
          .isGreaterThanOrEqualTo(Duration.ofMillis(PartialOutput.MIN_INTERVAL_MS));
    }
  }

  @Test
  void request_streamedOnnxExpert_piecesAreTheRealModelsTextAsItIsDecoded() throws Exception {
    Orchestra o = orchestra();
    Agent a = agent("");
    awaitOnline(o, a);

    o.request(
        request(o, a, "stories260k", "r-onnx-s", "Once upon a time", 60, Duration.ofSeconds(20))
            .withStream(true));

    InferenceReply reply =
        o.awaitOne(InferenceReply.class, r -> r.requestId().value().equals("r-onnx-s"));
    List<PartialOutput> pieces =
        o.all(PartialOutput.class, p -> p.requestId().value().equals("r-onnx-s"));
    assertThat(pieces).isNotEmpty();
    assertThat(pieces.stream().map(PartialOutput::text).reduce("", String::concat))
        .isEqualTo(reply.text());
    assertThat(pieces.get(0).tokens()).isLessThan(reply.completionTokens());
  }

  @Test
  void cancel_runningStreamedRequest_stopsTheGenerationAndAnswersCancelled() throws Exception {
    Orchestra o = orchestra();
    Agent a = agent("");
    awaitOnline(o, a);

    // 4,000 tokens: about 1.8 s at this time scale; withdrawn after its first piece
    InferenceRequest r =
        request(o, a, "mistral-7b", "r-gone", "Tell a long story", 4000, Duration.ofSeconds(30))
            .withStream(true);
    o.request(r);
    PartialOutput first =
        o.awaitOne(PartialOutput.class, p -> p.requestId().value().equals("r-gone"));
    o.publish(
        Topic.cancel(a.id()),
        new CancelRequest(
            r.requestId(), a.id(), r.modelId(), "the client closed the stream", Instant.now()));

    ErrorReport error =
        o.awaitOne(
            ErrorReport.class,
            e -> e.requestId() != null && e.requestId().value().equals("r-gone"));
    assertThat(error.code()).isEqualTo(ErrorCode.CANCELLED);
    assertThat(error.retryable()).isFalse();
    assertThat(error.message()).contains("the client closed the stream");
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("after (\\d+) of (\\d+) tokens").matcher(error.message());
    assertThat(m.find()).as(error.message()).isTrue();
    assertThat(Integer.parseInt(m.group(1))).isLessThan(Integer.parseInt(m.group(2)));
    assertThat(Duration.between(first.sentAt(), error.occurredAt()))
        .isLessThan(Duration.ofMillis(1500));
    assertThat(o.all(InferenceReply.class, x -> x.requestId().equals(r.requestId()))).isEmpty();
    assertThat(a.counters().cancelled()).isEqualTo(1);
  }

  @Test
  void request_redelivered_runsOnce() throws Exception {
    Orchestra o = orchestra();
    Agent a = agent("");
    awaitOnline(o, a);
    InferenceRequest r =
        request(o, a, "zephyr-7b-beta", "r-dup", "Hello?", 8, Duration.ofSeconds(10));

    o.request(r);
    o.request(r);

    await().atMost(Duration.ofSeconds(10)).until(() -> a.counters().duplicates() == 1);
    o.awaitOne(InferenceReply.class, x -> x.requestId().value().equals("r-dup"));
    assertThat(a.counters().replied()).isEqualTo(1);
    assertThat(o.all(InferenceReply.class, x -> x.requestId().value().equals("r-dup"))).hasSize(1);
  }

  @Test
  void request_sameRequestIdForTwoModelsOfOneAgent_bothAnswered() throws Exception {
    Orchestra o = orchestra();
    Agent a = agent("");
    awaitOnline(o, a);

    o.request(request(o, a, "zephyr-7b-beta", "r-k2", "Hello?", 8, Duration.ofSeconds(10)));
    o.request(request(o, a, "mistral-7b", "r-k2", "Hello?", 8, Duration.ofSeconds(10)));

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                o.all(InferenceReply.class, x -> x.requestId().value().equals("r-k2")).size() == 2);
    assertThat(o.all(InferenceReply.class, x -> x.requestId().value().equals("r-k2")))
        .extracting(x -> x.modelId().value())
        .containsExactlyInAnyOrder("zephyr-7b-beta", "mistral-7b");
    assertThat(a.counters().duplicates()).isZero();
  }

  @Test
  void request_malformed_answeredWithAnErrorAndTheAgentKeepsServing() throws Exception {
    Orchestra o = orchestra();
    Agent a = agent("");
    awaitOnline(o, a);
    String replies = Topic.replies(o.id(), a.id()).name();

    o.publishRaw(
        Topic.requests(a.id(), ModelId.of("zephyr-7b-beta")).name(),
        "{\"schemaVersion\":1,\"type\":\"request\",\"requestId\":".getBytes(StandardCharsets.UTF_8),
        false,
        replies);
    ErrorReport e = o.awaitOne(ErrorReport.class, r -> r.code() == ErrorCode.MALFORMED_REQUEST);
    assertThat(e.message()).contains(Topic.requests(a.id(), ModelId.of("zephyr-7b-beta")).name());

    o.request(
        request(o, a, "zephyr-7b-beta", "r-after", "Still there?", 4, Duration.ofSeconds(10)));
    o.awaitOne(InferenceReply.class, r -> r.requestId().value().equals("r-after"));
    assertThat(a.counters().malformed()).isEqualTo(1);
  }

  @Test
  void request_beyondTheConcurrencyLimit_refusedAsOverloaded() throws Exception {
    Orchestra o = orchestra();
    Agent a = agent("");
    awaitOnline(o, a);

    for (int i = 0; i < 4; i++) {
      o.request(request(o, a, "mistral-7b", "r-busy-" + i, "Busy?", 4000, Duration.ofSeconds(20)));
    }

    ErrorReport e = o.awaitOne(ErrorReport.class, r -> r.code() == ErrorCode.OVERLOADED);
    assertThat(e.message()).contains("limit of concurrent requests");
    assertThat(a.counters().overloaded()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void request_unknownExpert_refusedWithTheHostedOnes() throws Exception {
    Orchestra o = orchestra();
    Agent a = agent("");
    awaitOnline(o, a);

    o.request(request(o, a, "llama-70b", "r-unknown", "Hi", 4, Duration.ofSeconds(10)));

    ErrorReport e = o.awaitOne(ErrorReport.class, r -> r.code() == ErrorCode.UNKNOWN_EXPERT);
    assertThat(e.message()).contains("does not host llama-70b");
  }

  @Test
  void connectionDropped_withoutAWord_brokerPublishesTheLastWill() throws Exception {
    Orchestra o = orchestra();
    FaultProxy network = FaultProxy.to(broker().uri());
    proxies.add(network);
    Agent a = agent("", network.uri());
    long incarnation = awaitOnline(o, a).incarnation();

    network.blockForever(); // the host is gone: no DISCONNECT reaches the broker

    AgentState will =
        o.awaitOne(
            AgentState.class, s -> s.agentId().equals(a.id()) && s.status() == AgentStatus.OFFLINE);
    assertThat(will.reason()).isEqualTo("connection-lost");
    assertThat(will.incarnation()).isEqualTo(incarnation);
  }

  @Test
  void ownState_offlineOfItsIncarnationWhileConnected_reassertsOnline() throws Exception {
    Orchestra o = orchestra();
    Agent a = agent("");
    AgentState online = awaitOnline(o, a);

    // what the broker does when it publishes the will of a connection it noticed late
    o.publish(
        Topic.state(a.id()),
        new AgentState(
            a.id(),
            online.incarnation(),
            AgentStatus.OFFLINE,
            null,
            List.of(),
            0,
            "connection-lost",
            Instant.now()));

    AgentState again =
        o.awaitOne(
            AgentState.class, s -> s.agentId().equals(a.id()) && "reasserted".equals(s.reason()));
    assertThat(again.status()).isEqualTo(AgentStatus.ONLINE);
    assertThat(again.incarnation()).isEqualTo(online.incarnation());
  }

  @Test
  void close_cleanShutdown_publishesOfflineItself() throws Exception {
    Orchestra o = orchestra();
    Agent a = agent("");
    awaitOnline(o, a);

    a.close();

    AgentState off =
        o.awaitOne(
            AgentState.class, s -> s.agentId().equals(a.id()) && s.status() == AgentStatus.OFFLINE);
    assertThat(off.reason()).isEqualTo("shutdown");
  }

  @Test
  void plan_applied_setsModeUnloadsDroppedModelsAndConfirms() throws Exception {
    Orchestra o = orchestra();
    Agent a = agent("power: {controller: simulated}");
    awaitOnline(o, a);

    o.publish(
        Topic.plan(a.id()),
        new PlanAssignment(a.id(), 1, "30w", List.of(ModelId.of("zephyr-7b-beta")), Instant.now()));

    AgentState applied =
        o.awaitOne(AgentState.class, s -> s.agentId().equals(a.id()) && s.planVersion() == 1);
    assertThat(applied.powerMode()).isEqualTo("30w");
    assertThat(applied.residentModels()).containsExactly(ModelId.of("zephyr-7b-beta"));
    assertThat(applied.reason()).isEqualTo("plan-applied");

    o.request(request(o, a, "mistral-7b", "r-dropped", "Hi", 4, Duration.ofSeconds(10)));
    ErrorReport e = o.awaitOne(ErrorReport.class, r -> r.code() == ErrorCode.UNKNOWN_EXPERT);
    assertThat(e.message()).contains("not resident");
    o.request(request(o, a, "zephyr-7b-beta", "r-kept", "Hi", 4, Duration.ofSeconds(10)));
    assertThat(
            o.awaitOne(InferenceReply.class, r -> r.requestId().value().equals("r-kept"))
                .powerMode())
        .isEqualTo("30w");
  }

  @Test
  void plan_powerCommandFails_reportedWithItsReasonAndNotConfirmed() throws Exception {
    Orchestra o = orchestra();
    Agent a = agent("power: {controller: nvpmodel, command: [\"false\"]}");
    awaitOnline(o, a);

    o.publish(
        Topic.plan(a.id()),
        new PlanAssignment(a.id(), 1, "15w", List.of(ModelId.of("zephyr-7b-beta")), Instant.now()));

    ErrorReport e = o.awaitOne(ErrorReport.class, r -> r.code() == ErrorCode.PLAN_REJECTED);
    assertThat(e.message())
        .contains("cannot set power mode 15w")
        .contains("false -m 1")
        .contains("exit code 1");
    AgentState s =
        o.awaitOne(
            AgentState.class,
            x -> x.agentId().equals(a.id()) && "plan-rejected".equals(x.reason()));
    assertThat(s.planVersion()).isZero();
    assertThat(s.powerMode()).isEqualTo("maxn");
  }

  @Test
  void profile_afterRequests_reportsPerExpertFiguresWithTheirSource() throws Exception {
    Orchestra o = orchestra();
    Agent a = agent("");
    awaitOnline(o, a);
    for (int i = 0; i < 3; i++) {
      o.request(
          request(o, a, "zephyr-7b-beta", "r-p" + i, "Profile me", 16, Duration.ofSeconds(10)));
    }

    ProfileReport p =
        o.awaitOne(ProfileReport.class, r -> r.agentId().equals(a.id()) && !r.experts().isEmpty());
    assertThat(p.experts().get(0).modelId()).isEqualTo(ModelId.of("zephyr-7b-beta"));
    assertThat(p.experts().get(0).energySource()).isEqualTo(EnergySource.SIMULATED);
    assertThat(p.experts().get(0).decodePerToken()).isPositive();
  }

  @Test
  void brokerRestart_agentReconnectsAndRepublishesBirth() throws Exception {
    Orchestra before = orchestra();
    Agent a = agent("");
    long incarnation = awaitOnline(before, a).incarnation();

    broker().stop();
    await().atMost(Duration.ofSeconds(10)).until(() -> !a.connected());
    broker().start();

    await().atMost(Duration.ofSeconds(15)).until(a::connected);
    Orchestra after = orchestra();
    Birth birth = after.awaitOne(Birth.class, b -> b.agentId().equals(a.id()));
    assertThat(birth.incarnation()).isEqualTo(incarnation);
    AgentState state = awaitOnline(after, a);
    assertThat(state.reason()).isEqualTo("reconnected");
    after.request(
        request(after, a, "zephyr-7b-beta", "r-back", "Back?", 4, Duration.ofSeconds(10)));
    after.awaitOne(InferenceReply.class, r -> r.requestId().value().equals("r-back"));
  }
}
