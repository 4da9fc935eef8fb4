package dev.moe2.protocol;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One valid instance of every contract message, with the topic it travels on: for round-trip and
 * bad-input tests here, and for the fuzzing in {@code scripts/bench-security}.
 */
public final class ContractExamples {

  public static final AgentId AGENT = AgentId.of("orin-a");
  public static final ModelId MODEL = ModelId.of("zephyr-7b-beta");
  public static final OrchestratorId ORCHESTRATOR = OrchestratorId.of("orch-1");
  public static final Instant T0 = Instant.parse("2026-11-25T08:00:00Z");

  private ContractExamples() {}

  public static Birth birth() {
    return birth(AGENT, 1764057600000L);
  }

  public static Birth birth(AgentId agent, long incarnation) {
    return new Birth(
        agent,
        incarnation,
        "jetson-agx-orin-64gb",
        "maxn",
        61440,
        List.of(
            new HostedExpert(MODEL, "q4_k_m", "openai", true),
            new HostedExpert(ModelId.of("meta-llama-3-8b"), "q4_k_m", "openai", false)),
        "0.1.0",
        "jetson-agx-orin-64gb",
        T0);
  }

  public static AgentState state() {
    return state(AGENT, 1764057600000L);
  }

  public static AgentState state(AgentId agent, long incarnation) {
    return new AgentState(
        agent,
        incarnation,
        AgentStatus.ONLINE,
        "maxn",
        List.of(MODEL),
        3,
        "plan-applied",
        T0.plusSeconds(1));
  }

  public static ProfileReport profile() {
    return profile(AGENT);
  }

  public static ProfileReport profile(AgentId agent) {
    return new ProfileReport(
        agent,
        1764057600000L,
        "maxn",
        T0,
        T0.plusSeconds(30),
        51.5,
        List.of(
            new ExpertProfile(
                MODEL,
                42,
                Duration.ofNanos(180_500_000),
                Duration.ofNanos(1_250_000),
                Duration.ofNanos(21_300_000),
                Duration.ofMillis(2900),
                Duration.ofMillis(3400),
                Duration.ofMillis(3900),
                Joules.of(118.4),
                Joules.of(0.93),
                EnergySource.TEGRASTATS)));
  }

  public static PlanAssignment plan() {
    return new PlanAssignment(AGENT, 3, "50w", List.of(MODEL), T0);
  }

  public static InferenceRequest request() {
    return new InferenceRequest(
        RequestId.of("req-0001"),
        1,
        AGENT,
        MODEL,
        List.of(
            new ChatMessage(ChatRole.SYSTEM, "Answer with one letter."),
            new ChatMessage(ChatRole.USER, "Which planet is largest? A) Mars B) Jupiter")),
        new GenerationParams(16, 0.7, 0.9, 42L, List.of("\n\n")),
        T0,
        T0.plusSeconds(8),
        Topic.replies(ORCHESTRATOR, AGENT).name());
  }

  public static InferenceReply reply() {
    return new InferenceReply(
        RequestId.of("req-0001"),
        AGENT,
        MODEL,
        "B",
        31,
        2,
        FinishReason.STOP,
        new Latency(
            Duration.ofNanos(180_500_000),
            Duration.ofNanos(1_250_000),
            Duration.ofNanos(21_300_000),
            Duration.ofNanos(230_100_000)),
        new EnergyReading(Joules.of(9.6), EnergySource.TEGRASTATS),
        "maxn",
        T0.plusMillis(231));
  }

  public static ErrorReport error() {
    return new ErrorReport(
        RequestId.of("req-0001"),
        AGENT,
        MODEL,
        ErrorCode.DEADLINE_EXCEEDED,
        "deadline 2026-11-25T08:00:08Z passed after 14 of 16 tokens",
        true,
        T0.plusSeconds(8));
  }

  public static PartialOutput partial() {
    return new PartialOutput(
        RequestId.of("req-0001"), AGENT, MODEL, 0, 0, "B", 1, T0.plusMillis(181));
  }

  public static CancelRequest cancel() {
    return new CancelRequest(
        RequestId.of("req-0001"), AGENT, MODEL, "the client closed the stream", T0.plusSeconds(1));
  }

  /** Each sample with the topic it travels on. */
  public static List<Object[]> all() {
    return List.of(
        new Object[] {Topic.birth(AGENT), birth()},
        new Object[] {Topic.state(AGENT), state()},
        new Object[] {Topic.profile(AGENT), profile()},
        new Object[] {Topic.plan(AGENT), plan()},
        new Object[] {Topic.requests(AGENT, MODEL), request()},
        new Object[] {Topic.replies(ORCHESTRATOR, AGENT), reply()},
        new Object[] {Topic.replies(ORCHESTRATOR, AGENT), partial()},
        new Object[] {Topic.cancel(AGENT), cancel()},
        new Object[] {Topic.replies(ORCHESTRATOR, AGENT), error()},
        new Object[] {Topic.errors(AGENT), error()});
  }
}
