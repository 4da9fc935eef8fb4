package dev.moe2.orchestrator.routing;

import dev.moe2.optimizer.FineSelector.Pick;
import dev.moe2.optimizer.RequestChoice;
import dev.moe2.orchestrator.routing.Decision.ExpertStatus;
import dev.moe2.protocol.AgentId;
import dev.moe2.protocol.ErrorReport;
import dev.moe2.protocol.GenerationParams;
import dev.moe2.protocol.InferenceReply;
import dev.moe2.protocol.InferenceRequest;
import dev.moe2.protocol.Message;
import dev.moe2.protocol.ModelId;
import dev.moe2.protocol.RequestId;
import dev.moe2.protocol.Topic;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Dispatch and collection for one request (method.md §4, failure rules): sends the chosen experts
 * their request with the request's deadline, collects their replies until every one has answered,
 * failed, lost its agent, or the deadline (plus a small grace) has passed; when nothing came back,
 * re-dispatches once to the best remaining expert whose predicted delay fits what is left of the
 * budget. Every dispatched expert is tracked on its own.
 */
final class Dispatcher {

  /** Replies this late after the deadline still count (clock skew, the last hop). */
  static final Duration GRACE = Duration.ofMillis(50);

  private static final Duration POLL = Duration.ofMillis(20);

  /** What the dispatcher needs to know of a request. */
  record Job(
      String requestId,
      List<dev.moe2.protocol.ChatMessage> messages,
      GenerationParams params,
      Instant deadline) {}

  /**
   * One expert to dispatch to, with the most tokens it may generate.
   *
   * @param capped the fine level's figures for it (cap, its bound, queue, energy share); {@code
   *     null} when dispatched without per-request budgets
   */
  record Assignment(Pick pick, int maxTokens, RequestChoice.CappedPick capped) {}

  /** One dispatched expert and what became of it. */
  static final class Tracked {
    final Pick pick;
    final Assignment assignment;
    final int attempt;
    ExpertStatus state;
    String errorCode;
    InferenceReply reply;

    Tracked(Assignment assignment, int attempt, ExpertStatus state) {
      this.pick = assignment.pick();
      this.assignment = assignment;
      this.attempt = attempt;
      this.state = state;
    }

    boolean pending() {
      return state == null;
    }

    boolean answers(String agent, String model) {
      return pick.expert().deviceId().equals(agent)
          && (model == null || pick.expert().modelId().equals(model));
    }
  }

  private final RequestChannel channel;
  private final InFlight inFlight;
  private final Predicate<String> agentOnline;
  private final Clock clock;

  Dispatcher(
      RequestChannel channel, InFlight inFlight, Predicate<String> agentOnline, Clock clock) {
    this.channel = channel;
    this.inFlight = inFlight;
    this.agentOnline = agentOnline;
    this.clock = clock;
  }

  /**
   * Runs one request.
   *
   * @param chosen the first experts, best first
   * @param fallbacks the other usable experts, best first (for the one re-dispatch)
   * @return every dispatched expert with its outcome, in dispatch order
   */
  List<Tracked> run(Job job, List<Pick> chosen, List<Pick> fallbacks) {
    int max = job.params().maxTokens();
    return assigned(
        job,
        chosen.stream().map(p -> new Assignment(p, max, null)).toList(),
        fallbacks.stream().map(p -> new Assignment(p, max, null)).toList());
  }

  /**
   * Runs one request whose experts each have their own output cap.
   *
   * @param chosen the first experts, best first
   * @param fallbacks the other experts that fit, best first (for the one re-dispatch); an expert's
   *     predicted delay is its worst case at its cap
   */
  List<Tracked> assigned(Job job, List<Assignment> chosen, List<Assignment> fallbacks) {
    List<Tracked> all = new ArrayList<>();
    try (RequestChannel.Mailbox box = channel.open(job.requestId())) {
      List<Tracked> first = new ArrayList<>();
      for (Assignment a : chosen) {
        first.add(dispatch(job, a, 1));
      }
      all.addAll(first);
      collect(box, first, job.deadline());
      if (all.stream().noneMatch(t -> t.reply != null)) {
        Assignment next = nextFitting(fallbacks, job.deadline());
        if (next != null) {
          Tracked again = dispatch(job, next, 2);
          all.add(again);
          collect(box, List.of(again), job.deadline());
        }
      }
    }
    return all;
  }

  private Assignment nextFitting(List<Assignment> fallbacks, Instant deadline) {
    double left = Duration.between(clock.instant(), deadline).toNanos() / 1e9;
    return fallbacks.stream()
        .filter(a -> a.pick().expert().delayS() <= left)
        .findFirst()
        .orElse(null);
  }

  private Tracked dispatch(Job job, Assignment a, int attempt) {
    Pick pick = a.pick();
    GenerationParams p = job.params();
    AgentId agent = AgentId.of(pick.expert().deviceId());
    InferenceRequest r =
        new InferenceRequest(
            RequestId.of(job.requestId()),
            attempt,
            agent,
            ModelId.of(pick.expert().modelId()),
            job.messages(),
            new GenerationParams(a.maxTokens(), p.temperature(), p.topP(), p.seed(), p.stop()),
            clock.instant(),
            job.deadline(),
            Topic.replies(channel.id(), agent).name());
    inFlight.started(agent.value());
    if (channel.send(r)) {
      return new Tracked(a, attempt, null);
    }
    inFlight.ended(agent.value());
    return new Tracked(a, attempt, ExpertStatus.NO_ANSWER);
  }

  private void collect(RequestChannel.Mailbox box, List<Tracked> waiting, Instant deadline) {
    Instant until = deadline.plus(GRACE);
    while (waiting.stream().anyMatch(Tracked::pending)) {
      Duration left = Duration.between(clock.instant(), until);
      if (left.isNegative() || left.isZero()) {
        break;
      }
      Message m;
      try {
        m = box.poll(left.compareTo(POLL) < 0 ? left : POLL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      if (m != null) {
        accept(m, waiting);
      }
      for (Tracked t : waiting) {
        if (t.pending() && !agentOnline.test(t.pick.expert().deviceId())) {
          end(t, ExpertStatus.AGENT_DIED); // its last will: dropped at once
        }
      }
    }
    waiting.stream().filter(Tracked::pending).forEach(t -> end(t, ExpertStatus.DEADLINE));
  }

  private void accept(Message m, List<Tracked> waiting) {
    if (m instanceof InferenceReply r) {
      Tracked t = pendingFor(waiting, r.agentId().value(), r.modelId().value());
      if (t != null) {
        t.reply = r;
        end(t, ExpertStatus.REPLIED);
      }
    } else if (m instanceof ErrorReport e) {
      String model = e.modelId() == null ? null : e.modelId().value();
      Tracked t = pendingFor(waiting, e.agentId().value(), model);
      if (t != null) {
        t.errorCode = e.code().label();
        end(t, ExpertStatus.ERROR);
      }
    }
  }

  private static Tracked pendingFor(List<Tracked> waiting, String agent, String model) {
    return waiting.stream()
        .filter(t -> t.pending() && t.answers(agent, model))
        .findFirst()
        .orElse(null);
  }

  private void end(Tracked t, ExpertStatus state) {
    t.state = state;
    inFlight.ended(t.pick.expert().deviceId());
  }
}
