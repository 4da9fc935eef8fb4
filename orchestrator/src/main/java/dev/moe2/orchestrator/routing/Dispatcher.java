package dev.moe2.orchestrator.routing;

import dev.moe2.optimizer.FineSelector.Pick;
import dev.moe2.optimizer.RequestChoice;
import dev.moe2.orchestrator.routing.Decision.ExpertStatus;
import dev.moe2.protocol.AgentId;
import dev.moe2.protocol.CancelRequest;
import dev.moe2.protocol.ErrorReport;
import dev.moe2.protocol.GenerationParams;
import dev.moe2.protocol.InferenceReply;
import dev.moe2.protocol.InferenceRequest;
import dev.moe2.protocol.Joules;
import dev.moe2.protocol.Message;
import dev.moe2.protocol.ModelId;
import dev.moe2.protocol.PartialOutput;
import dev.moe2.protocol.RequestId;
import dev.moe2.protocol.Topic;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

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

  /** How often a dispatch queued for a slot looks again. */
  private static final Duration QUEUED_POLL = Duration.ofMillis(2);

  /**
   * What the dispatcher needs to know of a request.
   *
   * @param tap where a streamed request's text goes (null: not streamed)
   */
  record Job(
      String requestId,
      List<dev.moe2.protocol.ChatMessage> messages,
      GenerationParams params,
      Instant deadline,
      StreamTap tap) {

    /** A request that is not streamed. */
    Job(
        String requestId,
        List<dev.moe2.protocol.ChatMessage> messages,
        GenerationParams params,
        Instant deadline) {
      this(requestId, messages, params, deadline, null);
    }
  }

  /** Why a withdrawn request's experts were asked to stop. */
  static final String CLIENT_GONE = "the client closed the stream";

  /**
   * One expert to dispatch to, with the most tokens it may generate.
   *
   * @param capped the fine level's figures for it (cap, its bound, queue, energy share); {@code
   *     null} when dispatched without per-request budgets
   * @param reserved its place in its agent's queue, taken when it was chosen (null: none; it queues
   *     when dispatched)
   */
  record Assignment(
      Pick pick, int maxTokens, RequestChoice.CappedPick capped, InFlight.Ticket reserved) {

    Assignment(Pick pick, int maxTokens, RequestChoice.CappedPick capped) {
      this(pick, maxTokens, capped, null);
    }
  }

  /** One dispatched expert and what became of it. */
  static final class Tracked {
    final Pick pick;
    final Assignment assignment;
    final int attempt;
    ExpertStatus state;
    String errorCode;
    InferenceReply reply;
    InFlight.Slot slot;

    /** Waiting for a slot on its agent (not sent yet); null once sent or given up. */
    InFlight.Ticket ticket;

    Instant latestStart;
    double serviceS;

    /** Its text goes to the job's stream ({@link Job#tap}). */
    boolean streamed;

    /** Characters of its text forwarded to the stream so far. */
    int streamedChars;

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
  private final ToIntFunction<String> slotsOf;
  private final Clock clock;

  /**
   * @param slotsOf the requests an agent runs at once (its birth's {@code maxConcurrent}, else the
   *     configured default)
   */
  Dispatcher(
      RequestChannel channel,
      InFlight inFlight,
      Predicate<String> agentOnline,
      ToIntFunction<String> slotsOf,
      Clock clock) {
    this.channel = channel;
    this.inFlight = inFlight;
    this.agentOnline = agentOnline;
    this.slotsOf = slotsOf;
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
      // with a stream, it carries the expert with the highest gate value q
      Assignment streamed =
          job.tap() == null
              ? null
              : chosen.stream()
                  .max(java.util.Comparator.comparingDouble(a -> a.pick().quality()))
                  .orElse(null);
      for (Assignment a : chosen) {
        first.add(dispatch(job, a, 1, a == streamed));
      }
      all.addAll(first);
      collect(box, first, job);
      if (all.stream().noneMatch(t -> t.reply != null) && !gone(job)) {
        Assignment next = nextFitting(fallbacks, job.deadline());
        if (next != null) {
          // the re-dispatch streams only when the client has seen no text of the first
          boolean stream = job.tap() != null && all.stream().allMatch(t -> t.streamedChars == 0);
          Tracked again = dispatch(job, next, 2, stream);
          all.add(again);
          collect(box, List.of(again), job);
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

  /**
   * Dispatches one expert: takes a slot on its agent and sends, or, when every slot is taken,
   * queues for one — the collect loop retries it until it may start no later (its predicted time
   * once started must still fit before the deadline), else it ends as {@code queue-timeout}, never
   * sent.
   */
  private static boolean gone(Job job) {
    return job.tap() != null && job.tap().gone();
  }

  private Tracked dispatch(Job job, Assignment a, int attempt, boolean streamed) {
    Tracked t = new Tracked(a, attempt, null);
    t.streamed = streamed;
    double queue = a.capped() == null ? 0 : a.capped().queueS();
    t.serviceS = Math.max(0, a.pick().expert().delayS() - queue);
    t.latestStart = job.deadline().minusNanos((long) (t.serviceS * 1e9));
    String agent = a.pick().expert().deviceId();
    InFlight.Slot slot =
        inFlight.tryAcquire(
            agent,
            slotsOf.applyAsInt(agent),
            t.serviceS,
            job.deadline().plus(GRACE),
            a.reserved(),
            clock);
    if (slot != null) {
      send(job, t, slot);
    } else if (clock.instant().isBefore(t.latestStart)) {
      t.ticket = a.reserved() != null ? a.reserved() : inFlight.enqueue(agent);
    } else {
      if (a.reserved() != null) {
        inFlight.leave(a.reserved());
      }
      t.state = ExpertStatus.QUEUE_TIMEOUT;
    }
    return t;
  }

  /** A queued dispatch's turn: sent when its slot is free, given up when it can no longer fit. */
  private void retry(Job job, Tracked t) {
    String agent = t.pick.expert().deviceId();
    InFlight.Slot slot =
        inFlight.tryAcquire(
            agent,
            slotsOf.applyAsInt(agent),
            t.serviceS,
            job.deadline().plus(GRACE),
            t.ticket,
            clock);
    if (slot != null) {
      t.ticket = null;
      send(job, t, slot);
    } else if (!clock.instant().isBefore(t.latestStart)) {
      inFlight.leave(t.ticket);
      t.ticket = null;
      t.state = ExpertStatus.QUEUE_TIMEOUT;
    }
  }

  private void send(Job job, Tracked t, InFlight.Slot slot) {
    Instant now = clock.instant();
    if (!now.isBefore(job.deadline())) {
      // a loaded machine got here after the deadline (the ranking found time left): nothing is
      // sent, the expert ends as a missed deadline instead of the request failing unexpectedly
      inFlight.release(slot);
      t.state = ExpertStatus.DEADLINE;
      return;
    }
    GenerationParams p = job.params();
    AgentId agent = AgentId.of(t.pick.expert().deviceId());
    Assignment a = t.assignment;
    InferenceRequest r =
        new InferenceRequest(
            RequestId.of(job.requestId()),
            t.attempt,
            agent,
            ModelId.of(t.pick.expert().modelId()),
            job.messages(),
            new GenerationParams(a.maxTokens(), p.temperature(), p.topP(), p.seed(), p.stop()),
            now,
            job.deadline(),
            Topic.replies(channel.id(), agent).name(),
            a.capped() == null ? null : Joules.of(a.capped().energyShareJ()),
            t.streamed ? Boolean.TRUE : null);
    t.slot = slot;
    boolean sent;
    try {
      sent = channel.send(r);
    } catch (RuntimeException e) {
      inFlight.release(slot); // never leak a slot, whatever the channel did
      throw e;
    }
    if (!sent) {
      inFlight.release(slot);
      t.slot = null;
      t.state = ExpertStatus.NO_ANSWER;
    }
  }

  private void collect(RequestChannel.Mailbox box, List<Tracked> waiting, Job job) {
    Instant until = job.deadline().plus(GRACE);
    while (waiting.stream().anyMatch(Tracked::pending)) {
      for (Tracked t : waiting) {
        if (t.ticket != null) {
          retry(job, t);
        }
      }
      if (waiting.stream().noneMatch(Tracked::pending)) {
        break;
      }
      Duration left = Duration.between(clock.instant(), until);
      if (left.isNegative() || left.isZero()) {
        break;
      }
      Message m;
      try {
        Duration step = waiting.stream().anyMatch(t -> t.ticket != null) ? QUEUED_POLL : POLL;
        m = box.poll(left.compareTo(step) < 0 ? left : step);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      if (m != null) {
        accept(m, waiting, job);
      }
      if (gone(job)) {
        withdraw(job, waiting);
        return;
      }
      for (Tracked t : waiting) {
        if (t.pending() && !agentOnline.test(t.pick.expert().deviceId())) {
          end(t, ExpertStatus.AGENT_DIED); // its last will: dropped at once
        }
      }
    }
    // what was delivered before this thread got to look (a loaded machine wakes it late) counts
    drain(box, waiting, job);
    for (Tracked t : waiting) {
      if (t.pending()) {
        end(t, t.ticket != null ? ExpertStatus.QUEUE_TIMEOUT : ExpertStatus.DEADLINE);
      }
    }
  }

  private void drain(RequestChannel.Mailbox box, List<Tracked> waiting, Job job) {
    try {
      Message m;
      while (waiting.stream().anyMatch(Tracked::pending) && (m = box.poll(Duration.ZERO)) != null) {
        accept(m, waiting, job);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The client of a streamed request went away: every expert still running is asked to stop (a
   * {@code cancel} to its agent, so no more energy goes into it) and ends {@code withdrawn}.
   */
  private void withdraw(Job job, List<Tracked> waiting) {
    for (Tracked t : waiting) {
      if (!t.pending()) {
        continue;
      }
      if (t.slot != null) {
        channel.cancel(
            new CancelRequest(
                RequestId.of(job.requestId()),
                AgentId.of(t.pick.expert().deviceId()),
                ModelId.of(t.pick.expert().modelId()),
                CLIENT_GONE,
                clock.instant()));
      }
      end(t, ExpertStatus.WITHDRAWN);
    }
  }

  private void accept(Message m, List<Tracked> waiting, Job job) {
    if (m instanceof PartialOutput p) {
      Tracked t = pendingFor(waiting, p.agentId().value(), p.modelId().value());
      if (t != null && t.streamed && job.tap() != null) {
        forward(t, p, job.tap());
      }
    } else if (m instanceof InferenceReply r) {
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

  /**
   * Hands the new part of a piece to the stream: a redelivered or overlapping piece adds only what
   * is new, a piece past a gap is left for the reply's text to make up.
   */
  private static void forward(Tracked t, PartialOutput p, StreamTap tap) {
    int end = p.offset() + p.text().length();
    if (p.offset() > t.streamedChars || end <= t.streamedChars) {
      return;
    }
    tap.text(p.text().substring(t.streamedChars - p.offset()));
    t.streamedChars = end;
  }

  private static Tracked pendingFor(List<Tracked> waiting, String agent, String model) {
    return waiting.stream()
        .filter(t -> t.pending() && t.answers(agent, model))
        .findFirst()
        .orElse(null);
  }

  private void end(Tracked t, ExpertStatus state) {
    t.state = state;
    if (t.ticket != null) {
      inFlight.leave(t.ticket);
      t.ticket = null;
    }
    if (t.slot != null) {
      inFlight.release(t.slot);
    }
  }
}
