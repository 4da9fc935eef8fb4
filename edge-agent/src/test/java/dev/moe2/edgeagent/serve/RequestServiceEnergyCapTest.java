package dev.moe2.edgeagent.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moe2.edgeagent.energy.EnergyMeter;
import dev.moe2.edgeagent.energy.Work;
import dev.moe2.edgeagent.mqtt.AgentLink;
import dev.moe2.edgeagent.profile.Profiler;
import dev.moe2.edgeagent.sim.AnswerBook;
import dev.moe2.edgeagent.sim.SimulatedBackend;
import dev.moe2.edgeagent.sim.SimulatedDevice;
import dev.moe2.profiles.Performance;
import dev.moe2.profiles.ProfileCatalog;
import dev.moe2.protocol.AgentId;
import dev.moe2.protocol.ChatMessage;
import dev.moe2.protocol.ChatRole;
import dev.moe2.protocol.EnergyReading;
import dev.moe2.protocol.EnergySource;
import dev.moe2.protocol.ErrorCode;
import dev.moe2.protocol.ErrorReport;
import dev.moe2.protocol.FinishReason;
import dev.moe2.protocol.GenerationParams;
import dev.moe2.protocol.InferenceReply;
import dev.moe2.protocol.InferenceRequest;
import dev.moe2.protocol.Joules;
import dev.moe2.protocol.JsonCodec;
import dev.moe2.protocol.Message;
import dev.moe2.protocol.ModelId;
import dev.moe2.protocol.OrchestratorId;
import dev.moe2.protocol.RequestId;
import dev.moe2.protocol.Topic;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The agent enforcing a request's energy cap where the energy is spent, with a fake meter (2 J of
 * prefill, then 1 J per generated token) and a fixed clock (the deadline never passes), on a
 * simulated expert that runs instantly.
 */
class RequestServiceEnergyCapTest {

  private static final AgentId AGENT = AgentId.of("orin-a");
  private static final ModelId MODEL = ModelId.of("zephyr-7b-beta");
  private static final Instant NOW = Instant.parse("2026-11-29T08:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  /** 2 J for the prefill and 1 J per generated token, whatever the time. */
  static final class TokenMeter implements EnergyMeter {
    int begun;
    final List<Integer> readAt = new ArrayList<>();

    @Override
    public EnergySource source() {
      return EnergySource.SIMULATED;
    }

    @Override
    public Window begin() {
      begun++;
      return new Window(begun, 0);
    }

    @Override
    public EnergyReading sofar(Window window, Work work) {
      readAt.add(work.completionTokens());
      return reading(work);
    }

    @Override
    public EnergyReading end(Window window, Work work) {
      return reading(work);
    }

    private EnergyReading reading(Work work) {
      return new EnergyReading(Joules.of(2 + work.completionTokens()), source());
    }

    @Override
    public void close() {}
  }

  /** Captures what the agent answers. */
  static final class Replies implements AgentLink {
    final List<Message> sent = new ArrayList<>();

    @Override
    public void start(Listener listener) {}

    @Override
    public boolean connected() {
      return true;
    }

    @Override
    public void publish(Topic topic, Message message) {
      sent.add(message);
    }

    @Override
    public void reply(String responseTopic, byte[] correlation, Message message) {
      sent.add(message);
    }

    @Override
    public void publishAndWait(Topic topic, Message message, Duration timeout) {
      sent.add(message);
    }

    @Override
    public void close() {}
  }

  /** Runs each task on the calling thread. */
  static final class Inline extends AbstractExecutorService {
    @Override
    public void execute(Runnable command) {
      command.run();
    }

    @Override
    public void shutdown() {}

    @Override
    public List<Runnable> shutdownNow() {
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return false;
    }

    @Override
    public boolean isTerminated() {
      return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true;
    }
  }

  private final TokenMeter meter = new TokenMeter();
  private final Replies link = new Replies();
  private final JsonCodec codec = new JsonCodec(64 * 1024);

  private RequestService service(Function<String, Optional<Performance>> profileRates) {
    SimulatedDevice device =
        new SimulatedDevice(
            ProfileCatalog.builtIn().deviceClass("jetson-agx-orin-64gb"), "maxn", 1, 0, 0);
    SimulatedBackend backend =
        new SimulatedBackend(
            MODEL.value(), "HuggingFaceH4/zephyr-7b-beta", "7b-q4", 64, device, AnswerBook.empty());
    backend.load();
    return new RequestService(
        AGENT,
        Map.of(MODEL, new HostedModel(MODEL, "q4", "7b-q4", 0, backend)),
        meter,
        () -> "maxn",
        profileRates,
        new Profiler(0.3, 0.5, 5),
        () -> {},
        link,
        codec,
        CLOCK,
        new Inline(),
        4,
        100);
  }

  private int sent;

  private void send(RequestService service, Double capJ, int maxTokens) {
    InferenceRequest r =
        new InferenceRequest(
            RequestId.of("req-" + (++sent)),
            1,
            AGENT,
            MODEL,
            List.of(new ChatMessage(ChatRole.USER, "x".repeat(400))),
            GenerationParams.greedy(maxTokens),
            NOW,
            NOW.plusSeconds(30),
            Topic.replies(OrchestratorId.of("orch-1"), AGENT).name(),
            capJ == null ? null : Joules.of(capJ));
    Topic topic = Topic.requests(AGENT, MODEL);
    service.arrived(topic.name(), codec.encode(r), r.replyTo());
  }

  @Test
  void arrived_meteredEnergyNearTheCap_stopsBeforeTheTokenThatWouldPassIt() {
    send(service(size -> Optional.empty()), 7.5, 40);

    assertThat(link.sent).hasSize(1).first().isInstanceOf(InferenceReply.class);
    InferenceReply reply = (InferenceReply) link.sent.get(0);
    // 2 J + 5 tokens = 7 J; a sixth would make 8 J > 7.5 J
    assertThat(reply.completionTokens()).isEqualTo(5);
    assertThat(reply.finishReason()).isEqualTo(FinishReason.ENERGY_CAP);
    assertThat(reply.energy().joules().value()).isEqualTo(7.0).isLessThanOrEqualTo(7.5);
    // once between the two 64-token chunks of the 100-token prefill, then before each token
    assertThat(meter.readAt).containsExactly(0, 1, 2, 3, 4, 5);
  }

  @Test
  void arrived_capExactlyMetByTheLastToken_generatesItAndStops() {
    send(service(size -> Optional.empty()), 7.0, 40);

    InferenceReply reply = (InferenceReply) link.sent.get(0);
    assertThat(reply.completionTokens()).isEqualTo(5);
    assertThat(reply.energy().joules().value()).isEqualTo(7.0);
  }

  @Test
  void arrived_withoutCap_runsToMaxTokens() {
    send(service(size -> Optional.empty()), null, 12);

    InferenceReply reply = (InferenceReply) link.sent.get(0);
    assertThat(reply.completionTokens()).isEqualTo(12);
    assertThat(reply.finishReason()).isEqualTo(FinishReason.LENGTH);
    assertThat(meter.readAt).as("no cap: the meter is read once, at the end").isEmpty();
  }

  /** The device profile's figures of a 7B model on an AGX Orin at MAXN. */
  private static Performance orin7b() {
    return ProfileCatalog.builtIn()
        .deviceClass("jetson-agx-orin-64gb")
        .performance("7b-q4", "maxn");
  }

  /** Energy of the 100-token prompt's prefill and a first token at {@code p}'s figures. */
  private static double prefillJ(Performance p) {
    return p.activePowerW().value()
        * (100 / p.prefillTokPerS().value() + 1 / p.decodeTokPerS().value());
  }

  @Test
  void arrived_prefillAloneOverTheCap_refusedAtOnceWithoutRunning() {
    Performance p = orin7b();
    double prefillJ = prefillJ(p);

    send(service(size -> Optional.of(p)), prefillJ * 0.9, 40);

    assertThat(link.sent).hasSize(1).first().isInstanceOf(ErrorReport.class);
    ErrorReport error = (ErrorReport) link.sent.get(0);
    assertThat(error.code()).isEqualTo(ErrorCode.OVER_BUDGET);
    assertThat(error.retryable()).isTrue();
    assertThat(error.message()).contains("100 prompt tokens", "device-profile", "energy cap");
    assertThat(meter.begun).as("nothing ran, no window opened").isZero();
  }

  @Test
  void arrived_ratesSayFewerTokensFit_lowersMaxTokensAndSaysEnergyCap() {
    Performance p = orin7b();
    double prefillJ = prefillJ(p);
    double tokenJ = p.activePowerW().value() / p.decodeTokPerS().value();
    // room for the first token and 3.5 more by the rates: 4 tokens in all
    double cap = prefillJ + 3.5 * tokenJ;

    send(service(size -> Optional.of(p)), cap, 40);

    InferenceReply reply = (InferenceReply) link.sent.get(0);

    assertThat(reply.completionTokens()).isEqualTo(4);
    assertThat(reply.finishReason()).isEqualTo(FinishReason.ENERGY_CAP);
  }

  @Test
  void arrived_prefillCostlierThanTheRatesSaid_stopsBetweenPrefillChunksWithoutAnAnswer() {
    // the fake meter charges 2 J as soon as anything ran: a cap of 1.5 J is passed in the prefill
    send(service(size -> Optional.empty()), 1.5, 40);

    assertThat(link.sent).hasSize(1).first().isInstanceOf(ErrorReport.class);
    ErrorReport error = (ErrorReport) link.sent.get(0);
    assertThat(error.code()).isEqualTo(ErrorCode.OVER_BUDGET);
    assertThat(error.message())
        .contains("reached the energy cap", "stopped before the first token");
    assertThat(meter.readAt).containsExactly(0);
  }
}
