package dev.moe2.orchestrator.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moe2.optimizer.Expert;
import dev.moe2.optimizer.FineSelector.Pick;
import dev.moe2.orchestrator.routing.Decision.ExpertStatus;
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
import dev.moe2.protocol.Latency;
import dev.moe2.protocol.Message;
import dev.moe2.protocol.ModelId;
import dev.moe2.protocol.OrchestratorId;
import dev.moe2.protocol.testing.MovingClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The dispatcher against a scripted channel and a clock that only moves when a poll waits. */
class DispatcherTest {

  static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");

  /** A deadline far away. */
  static final Instant FAR = T0.plusSeconds(60);

  /** Answers each request as {@code script} says (null: silence); polls advance the clock. */
  static final class ScriptedChannel implements RequestChannel {
    final MovingClock clock;
    final Function<InferenceRequest, Message> script;
    final Deque<Message> box = new ArrayDeque<>();
    final List<InferenceRequest> sent = new ArrayList<>();
    final Set<String> refuse = new HashSet<>();
    final List<dev.moe2.protocol.CancelRequest> cancels = new ArrayList<>();

    ScriptedChannel(MovingClock clock, Function<InferenceRequest, Message> script) {
      this.clock = clock;
      this.script = script;
    }

    @Override
    public OrchestratorId id() {
      return OrchestratorId.of("orch-test");
    }

    @Override
    public boolean send(InferenceRequest r) {
      if (refuse.contains(r.agentId().value())) {
        return false;
      }
      sent.add(r);
      Message m = script.apply(r);
      if (m != null) {
        box.add(m);
      }
      return true;
    }

    @Override
    public boolean cancel(dev.moe2.protocol.CancelRequest c) {
      cancels.add(c);
      return true;
    }

    @Override
    public Mailbox open(String requestId) {
      return new Mailbox() {
        @Override
        public Message poll(Duration max) {
          Message m = box.poll();
          if (m == null) {
            clock.now = clock.now.plus(max);
          }
          return m;
        }

        @Override
        public void close() {}
      };
    }
  }

  static Pick pick(String model, String agent, double delayS) {
    return new Pick(new Expert(model, agent, "maxn", delayS, 10), 0.5, 0.5);
  }

  static InferenceReply reply(InferenceRequest r, String text) {
    return new InferenceReply(
        r.requestId(),
        r.agentId(),
        r.modelId(),
        text,
        10,
        2,
        FinishReason.values()[0],
        new Latency(
            Duration.ofMillis(10), Duration.ZERO, Duration.ofMillis(5), Duration.ofMillis(20)),
        new EnergyReading(Joules.of(1.5), EnergySource.SIMULATED),
        "maxn",
        T0);
  }

  final MovingClock clock = new MovingClock(T0);
  final InFlight inFlight = new InFlight();
  final Set<String> dead = new HashSet<>();
  int slots = 4;

  Dispatcher.Job job() {
    return new Dispatcher.Job(
        "req-1",
        List.of(new ChatMessage(ChatRole.USER, "2+2?")),
        new GenerationParams(16, 0, 1, null, null),
        T0.plusMillis(500));
  }

  List<Dispatcher.Tracked> run(ScriptedChannel ch, List<Pick> first, List<Pick> fallbacks) {
    return new Dispatcher(ch, inFlight, a -> !dead.contains(a), a -> slots, clock)
        .run(job(), first, fallbacks);
  }

  @Test
  void run_agentsOnlySlotTakenAndNoTimeToWait_neverSentThenReDispatchedElsewhere() {
    slots = 1;
    ScriptedChannel ch = new ScriptedChannel(clock, r -> reply(r, "A from " + r.modelId()));
    InFlight.Slot busy = inFlight.tryAcquire("orin-1", 1, 5, FAR, null, clock);

    // 0.6 s of work cannot wait for a slot before a deadline 0.5 s away
    List<Dispatcher.Tracked> out =
        run(ch, List.of(pick("zephyr", "orin-1", 0.6)), List.of(pick("mistral", "orin-2", 0.2)));

    assertThat(out)
        .extracting(t -> t.state)
        .containsExactly(ExpertStatus.QUEUE_TIMEOUT, ExpertStatus.REPLIED);
    assertThat(ch.sent).extracting(r -> r.agentId().value()).containsExactly("orin-2");
    assertThat(inFlight.load("orin-1")).as("only the slot taken before").isEqualTo(1);
    inFlight.release(busy);
    assertThat(inFlight.load("orin-1")).isZero();
    assertThat(inFlight.load("orin-2")).isZero();
  }

  @Test
  void run_deadlinePassedBeforeTheSend_nothingSentTheExpertEndsAsDeadlineAndItsSlotIsFree() {
    // a loaded machine reaches the send after the deadline that the ranking still had time for
    clock.now = T0.plusMillis(511);
    ScriptedChannel ch = new ScriptedChannel(clock, r -> reply(r, "too late"));

    List<Dispatcher.Tracked> out = run(ch, List.of(pick("zephyr", "orin-1", 0.2)), List.of());

    assertThat(out).extracting(t -> t.state).containsExactly(ExpertStatus.DEADLINE);
    assertThat(ch.sent).isEmpty();
    assertThat(inFlight.load("orin-1")).isZero();
  }

  @Test
  void run_replyDeliveredButTheDispatcherWokeLate_theReplyStillCounts() {
    // the answer is in the mailbox, but this thread only looks after the deadline (a loaded
    // machine): what was delivered counts
    ScriptedChannel ch =
        new ScriptedChannel(
            clock,
            r -> {
              clock.now = T0.plusSeconds(10);
              return reply(r, "on time, read late");
            });

    List<Dispatcher.Tracked> out = run(ch, List.of(pick("zephyr", "orin-1", 0.2)), List.of());

    assertThat(out).extracting(t -> t.state).containsExactly(ExpertStatus.REPLIED);
    assertThat(out.get(0).reply.text()).isEqualTo("on time, read late");
    assertThat(inFlight.load("orin-1")).isZero();
  }

  @Test
  void run_kExpertsOnAOneSlotAgent_theSecondQueuesUntilTheFirstEndsThenRuns() {
    slots = 1;
    ScriptedChannel ch = new ScriptedChannel(clock, r -> reply(r, "A from " + r.modelId()));

    List<Dispatcher.Tracked> out =
        run(ch, List.of(pick("zephyr", "orin-1", 0.2), pick("mistral", "orin-1", 0.2)), List.of());

    assertThat(out)
        .extracting(t -> t.state)
        .containsExactly(ExpertStatus.REPLIED, ExpertStatus.REPLIED);
    assertThat(ch.sent).extracting(r -> r.modelId().value()).containsExactly("zephyr", "mistral");
    assertThat(ch.sent.get(1).issuedAt()).as("sent when its turn came").isAfterOrEqualTo(T0);
    assertThat(inFlight.load("orin-1")).isZero();
    assertThat(inFlight.waiting("orin-1")).isZero();
  }

  @Test
  void run_twoModelsOnOneAgent_eachTrackedAndCreditedToItsOwnModel() {
    ScriptedChannel ch = new ScriptedChannel(clock, r -> reply(r, "A from " + r.modelId()));

    List<Dispatcher.Tracked> out =
        run(ch, List.of(pick("zephyr", "orin-1", 0.2), pick("mistral", "orin-1", 0.2)), List.of());

    assertThat(out)
        .extracting(t -> t.state)
        .containsExactly(ExpertStatus.REPLIED, ExpertStatus.REPLIED);
    assertThat(out).extracting(t -> t.reply.modelId().value()).containsExactly("zephyr", "mistral");
    assertThat(out)
        .extracting(t -> t.reply.text())
        .containsExactly("A from zephyr", "A from mistral");
    assertThat(inFlight.load("orin-1")).isZero();
  }

  @Test
  void run_silentExpert_endsAtTheDeadlinePlusGraceAndReDispatchesNothingWhenTimeIsUp() {
    ScriptedChannel ch = new ScriptedChannel(clock, r -> null);

    List<Dispatcher.Tracked> out =
        run(ch, List.of(pick("zephyr", "orin-1", 0.2)), List.of(pick("mistral", "orin-2", 0.2)));

    assertThat(out)
        .singleElement()
        .satisfies(t -> assertThat(t.state).isEqualTo(ExpertStatus.DEADLINE));
    assertThat(clock.now).isAfterOrEqualTo(T0.plusMillis(500).plus(Dispatcher.GRACE));
    assertThat(ch.sent).hasSize(1);
  }

  @Test
  void run_errorFromTheFirst_reDispatchesOnceToTheNextThatFits() {
    ScriptedChannel ch =
        new ScriptedChannel(
            clock,
            r ->
                r.agentId().value().equals("orin-1")
                    ? new ErrorReport(
                        r.requestId(),
                        r.agentId(),
                        r.modelId(),
                        ErrorCode.OVERLOADED,
                        "busy",
                        true,
                        T0)
                    : reply(r, "B"));

    List<Dispatcher.Tracked> out =
        run(
            ch,
            List.of(pick("zephyr", "orin-1", 0.2)),
            List.of(pick("slow", "orin-3", 5.0), pick("mistral", "orin-2", 0.2)));

    assertThat(out).hasSize(2);
    assertThat(out.get(0).state).isEqualTo(ExpertStatus.ERROR);
    assertThat(out.get(0).errorCode).isEqualTo("overloaded");
    assertThat(out.get(1).attempt).isEqualTo(2);
    assertThat(out.get(1).pick.expert().modelId()).isEqualTo("mistral");
    assertThat(out.get(1).state).isEqualTo(ExpertStatus.REPLIED);
    assertThat(ch.sent).extracting(InferenceRequest::attempt).containsExactly(1, 2);
  }

  @Test
  void run_agentDiesWhileWaiting_isDroppedAtOnce() {
    ScriptedChannel ch = new ScriptedChannel(clock, r -> null);
    dead.add("orin-1");

    List<Dispatcher.Tracked> out = run(ch, List.of(pick("zephyr", "orin-1", 0.2)), List.of());

    assertThat(out)
        .singleElement()
        .satisfies(t -> assertThat(t.state).isEqualTo(ExpertStatus.AGENT_DIED));
    assertThat(clock.now).isBefore(T0.plusMillis(100));
  }

  @Test
  void run_brokerRefusesTheRequest_noAnswerWithoutWaiting() {
    ScriptedChannel ch = new ScriptedChannel(clock, r -> reply(r, "A"));
    ch.refuse.add("orin-1");

    List<Dispatcher.Tracked> out = run(ch, List.of(pick("zephyr", "orin-1", 0.2)), List.of());

    assertThat(out)
        .singleElement()
        .satisfies(t -> assertThat(t.state).isEqualTo(ExpertStatus.NO_ANSWER));
    assertThat(inFlight.load("orin-1")).isZero();
  }

  @Test
  void run_replyFromAnUnaskedModel_isIgnored() {
    ScriptedChannel ch =
        new ScriptedChannel(
            clock,
            r ->
                reply(
                    new InferenceRequest(
                        r.requestId(),
                        1,
                        AgentId.of("orin-1"),
                        ModelId.of("other"),
                        r.messages(),
                        r.params(),
                        r.issuedAt(),
                        r.deadline(),
                        r.replyTo()),
                    "X"));

    List<Dispatcher.Tracked> out = run(ch, List.of(pick("zephyr", "orin-1", 0.2)), List.of());

    assertThat(out)
        .singleElement()
        .satisfies(t -> assertThat(t.state).isEqualTo(ExpertStatus.DEADLINE));
  }

  /** Collects what a stream receives; gone once {@code goneAfterPolls} questions were asked. */
  static final class Tap implements StreamTap {
    final List<String> pieces = new ArrayList<>();
    int goneAfter = Integer.MAX_VALUE;
    int asked;

    @Override
    public void dispatching(String requestId, String category) {}

    @Override
    public void text(String piece) {
      pieces.add(piece);
    }

    @Override
    public boolean gone() {
      return ++asked > goneAfter;
    }
  }

  static dev.moe2.protocol.PartialOutput piece(
      String model, String agent, int seq, int offset, String text) {
    return new dev.moe2.protocol.PartialOutput(
        dev.moe2.protocol.RequestId.of("req-1"),
        AgentId.of(agent),
        ModelId.of(model),
        seq,
        offset,
        text,
        seq + 1,
        T0);
  }

  Dispatcher.Job streamedJob(StreamTap tap) {
    Dispatcher.Job j = job();
    return new Dispatcher.Job(j.requestId(), j.messages(), j.params(), j.deadline(), tap);
  }

  @Test
  void run_streamedWithTwoExperts_onlyTheHighestQStreamsAndItsNewTextIsForwardedOnce() {
    ScriptedChannel ch = new ScriptedChannel(clock, r -> reply(r, "Hello world"));
    // pieces already waiting: a redelivery, an overlap and one past a gap
    ch.box.add(piece("m-best", "orin-2", 0, 0, "Hel"));
    ch.box.add(piece("m-best", "orin-2", 0, 0, "Hel"));
    ch.box.add(piece("m-best", "orin-2", 1, 2, "llo w"));
    ch.box.add(piece("m-other", "orin-1", 0, 0, "Other"));
    ch.box.add(piece("m-best", "orin-2", 3, 20, "past a gap"));
    Tap tap = new Tap();
    Pick low = new Pick(new Expert("m-other", "orin-1", "maxn", 0.1, 10), 0.4, 0.5);
    Pick best = new Pick(new Expert("m-best", "orin-2", "maxn", 0.1, 10), 0.9, 0.5);

    List<Dispatcher.Tracked> out =
        new Dispatcher(ch, inFlight, a -> true, a -> slots, clock)
            .assigned(
                streamedJob(tap),
                List.of(
                    new Dispatcher.Assignment(low, 16, null),
                    new Dispatcher.Assignment(best, 16, null)),
                List.of());

    assertThat(ch.sent)
        .extracting(r -> r.modelId().value() + ":" + r.streamed())
        .containsExactly("m-other:false", "m-best:true");
    assertThat(tap.pieces).containsExactly("Hel", "lo w");
    assertThat(out).extracting(t -> t.state).containsOnly(ExpertStatus.REPLIED);
  }

  @Test
  void run_streamedClientGone_runningExpertsWithdrawnWithACancelAndNoReDispatch() {
    ScriptedChannel ch = new ScriptedChannel(clock, r -> null);
    Tap tap = new Tap();
    tap.goneAfter = 2;

    List<Dispatcher.Tracked> out =
        new Dispatcher(ch, inFlight, a -> true, a -> slots, clock)
            .assigned(
                streamedJob(tap),
                List.of(new Dispatcher.Assignment(pick("m1", "orin-1", 0.1), 16, null)),
                List.of(new Dispatcher.Assignment(pick("m2", "orin-2", 0.1), 16, null)));

    assertThat(out).extracting(t -> t.state).containsExactly(ExpertStatus.WITHDRAWN);
    assertThat(ch.sent).hasSize(1);
    assertThat(ch.cancels)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.requestId().value()).isEqualTo("req-1");
              assertThat(c.agentId().value()).isEqualTo("orin-1");
              assertThat(c.modelId().value()).isEqualTo("m1");
              assertThat(c.reason()).isEqualTo(Dispatcher.CLIENT_GONE);
            });
    assertThat(inFlight.load("orin-1")).isZero();
  }
}
