package dev.moe2.edgeagent.serve;

import dev.moe2.edgeagent.backend.BackendException;
import dev.moe2.edgeagent.backend.Cancellation;
import dev.moe2.edgeagent.backend.Generation;
import dev.moe2.edgeagent.backend.GenerationCancelledException;
import dev.moe2.edgeagent.backend.GenerationStoppedException;
import dev.moe2.edgeagent.energy.EnergyMeter;
import dev.moe2.edgeagent.energy.Work;
import dev.moe2.edgeagent.mqtt.AgentLink;
import dev.moe2.edgeagent.profile.Profiler;
import dev.moe2.mqtt.LinkException;
import dev.moe2.protocol.AgentId;
import dev.moe2.protocol.CancelRequest;
import dev.moe2.protocol.EnergyReading;
import dev.moe2.protocol.ErrorCode;
import dev.moe2.protocol.ErrorReport;
import dev.moe2.protocol.FinishReason;
import dev.moe2.protocol.GenerationParams;
import dev.moe2.protocol.InferenceReply;
import dev.moe2.protocol.InferenceRequest;
import dev.moe2.protocol.JsonCodec;
import dev.moe2.protocol.Latency;
import dev.moe2.protocol.Message;
import dev.moe2.protocol.ModelId;
import dev.moe2.protocol.PartialOutput;
import dev.moe2.protocol.ProtocolException;
import dev.moe2.protocol.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Serves inference requests: decode (a malformed one gets a {@code malformed-request} error and the
 * agent carries on), drop redeliveries, refuse an unknown or non-resident expert, refuse beyond the
 * concurrency limit, run the backend on a worker with the deadline as cancellation, meter the
 * energy, reply (text, tokens, latency, energy with its source) or answer with a specific error,
 * and feed the profiler. Each request is judged before it runs and stopped before the token that
 * would pass its energy cap or finish after its deadline ({@link BudgetGuard}), from the expert's
 * measured rates (the device profile's until it has some).
 */
public final class RequestService {

  private static final System.Logger LOG = System.getLogger(RequestService.class.getName());

  /** Counters for logs, tests and benchmarks. */
  public record Counters(
      long received,
      long replied,
      long errors,
      long duplicates,
      long malformed,
      long overloaded,
      long cancelled) {}

  /** A running dispatch, and why it was withdrawn (null while it was not). */
  private static final class Running {
    volatile String cancelled;
  }

  private final AgentId agent;
  private final Map<ModelId, HostedModel> models;
  private final EnergyMeter meter;
  private final Supplier<String> powerMode;
  private final Function<String, Optional<dev.moe2.profiles.Performance>> profileRates;
  private final Profiler profiler;
  private final Runnable onDrift;
  private final AgentLink link;
  private final JsonCodec codec;
  private final Clock clock;
  private final ExecutorService workers;
  private final Semaphore slots;
  private final RecentRequests recent;
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong replied = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private final AtomicLong overloaded = new AtomicLong();
  private final AtomicLong cancelledCount = new AtomicLong();
  private final java.util.concurrent.ConcurrentMap<String, Running> running =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final RecentRequests withdrawn = new RecentRequests(1024);
  private volatile Duration streamInterval = Duration.ofMillis(PartialOutput.MIN_INTERVAL_MS);
  private volatile boolean stopping;

  /**
   * @param powerMode the power mode in force (for replies)
   * @param profileRates a size class's figures in the power mode in force (empty when the device
   *     profile has none): the energy cap's rates until the expert has measured ones
   * @param onDrift called (on a worker) when the profiler sees drift
   * @param workers runs generations; at most {@code maxConcurrent} at a time are admitted
   */
  public RequestService(
      AgentId agent,
      Map<ModelId, HostedModel> models,
      EnergyMeter meter,
      Supplier<String> powerMode,
      Function<String, Optional<dev.moe2.profiles.Performance>> profileRates,
      Profiler profiler,
      Runnable onDrift,
      AgentLink link,
      JsonCodec codec,
      Clock clock,
      ExecutorService workers,
      int maxConcurrent,
      int dedupeCapacity) {
    this.agent = agent;
    this.models = Map.copyOf(models);
    this.meter = meter;
    this.powerMode = powerMode;
    this.profileRates = profileRates;
    this.profiler = profiler;
    this.onDrift = onDrift;
    this.link = link;
    this.codec = codec;
    this.clock = clock;
    this.workers = workers;
    this.slots = new Semaphore(maxConcurrent);
    this.recent = new RecentRequests(dedupeCapacity);
  }

  public Counters counters() {
    return new Counters(
        received.get(),
        replied.get(),
        errors.get(),
        duplicates.get(),
        malformed.get(),
        overloaded.get(),
        cancelledCount.get());
  }

  /**
   * The least time between two partial outputs of one streamed dispatch (the contract's {@link
   * PartialOutput#MIN_INTERVAL_MS} unless set; never less).
   */
  public void streamInterval(Duration interval) {
    if (interval.toMillis() < PartialOutput.MIN_INTERVAL_MS) {
      throw new IllegalArgumentException(
          "streamInterval has value "
              + interval
              + ": the contract allows at most one piece per "
              + PartialOutput.MIN_INTERVAL_MS
              + " ms");
    }
    this.streamInterval = interval;
  }

  /**
   * A message arrived on this agent's cancel topic: the dispatches it names stop before their next
   * token and are answered {@code cancelled}; one that has not started yet will not run.
   */
  public void cancelArrived(String topicName, byte[] payload) {
    CancelRequest c;
    try {
      c = codec.decode(Topic.parse(topicName), payload, CancelRequest.class);
    } catch (ProtocolException e) {
      LOG.log(
          System.Logger.Level.WARNING, "malformed cancel on {0}: {1}", topicName, e.getMessage());
      return;
    }
    for (ModelId model : models.keySet()) {
      if (c.covers(model)) {
        String key = c.requestId().value() + "#" + model.value();
        withdrawn.firstTime(key);
        Running r = running.get(key);
        if (r != null) {
          r.cancelled = c.reason();
          LOG.log(
              System.Logger.Level.INFO,
              "request {0} on {1} withdrawn: {2}",
              c.requestId(),
              model,
              c.reason());
        }
      }
    }
  }

  /** Refuses new work and cancels running generations (shutdown). */
  public void stop() {
    stopping = true;
  }

  /** A message arrived on this agent's requests topic. */
  public void arrived(String topicName, byte[] payload, String responseTopic) {
    arrived(topicName, payload, responseTopic, Map.of());
  }

  /**
   * A message arrived on this agent's requests topic, with the W3C trace context it carried: the
   * generation runs in a span that continues the orchestrator's trace, and the reply carries that
   * span's context back.
   */
  public void arrived(
      String topicName, byte[] payload, String responseTopic, Map<String, String> trace) {
    received.incrementAndGet();
    InferenceRequest request;
    Topic topic;
    try {
      topic = Topic.parse(topicName);
      request = codec.decode(topic, payload, InferenceRequest.class);
      if (!request.modelId().equals(topic.modelId())) {
        throw new IllegalArgumentException(
            "field 'modelId' has value "
                + request.modelId()
                + " but the topic names expert "
                + topic.modelId());
      }
    } catch (ProtocolException | IllegalArgumentException e) {
      malformed.incrementAndGet();
      LOG.log(
          System.Logger.Level.WARNING, "malformed request on {0}: {1}", topicName, e.getMessage());
      answerMalformed(topicName, responseTopic, e.getMessage());
      return;
    }
    // one dispatch = (request, expert, attempt): k experts on one agent share the request id
    if (!recent.firstTime(
        request.requestId().value() + "#" + request.modelId().value() + "#" + request.attempt())) {
      duplicates.incrementAndGet();
      LOG.log(
          System.Logger.Level.DEBUG, "request {0} redelivered: not run again", request.requestId());
      return;
    }
    Instant now = clock.instant();
    if (!now.isBefore(request.deadline())) {
      fail(
          request,
          ErrorCode.DEADLINE_EXCEEDED,
          "deadline " + request.deadline() + " had passed on arrival at " + now,
          true);
      return;
    }
    HostedModel model = models.get(request.modelId());
    if (model == null || !model.backend().loaded()) {
      fail(
          request,
          ErrorCode.UNKNOWN_EXPERT,
          model == null
              ? "agent "
                  + agent
                  + " does not host "
                  + request.modelId()
                  + " (hosts "
                  + models.keySet()
                  + ")"
              : request.modelId() + " is not resident on " + agent + " under the current plan",
          true);
      return;
    }
    if (stopping || !slots.tryAcquire()) {
      overloaded.incrementAndGet();
      fail(
          request,
          ErrorCode.OVERLOADED,
          stopping
              ? agent + " is shutting down"
              : agent + " is at its limit of concurrent requests",
          true);
      return;
    }
    try {
      workers.execute(() -> traced(request, model, trace));
    } catch (RuntimeException e) {
      slots.release();
      fail(request, ErrorCode.OVERLOADED, "cannot schedule the request: " + e.getMessage(), true);
    }
  }

  /**
   * Runs the request in a span {@code moe2.agent.generate} whose parent is the trace context the
   * request carried (the orchestrator's dispatch); with no OpenTelemetry SDK installed the span is
   * a no-op.
   */
  private void traced(InferenceRequest request, HostedModel model, Map<String, String> trace) {
    io.opentelemetry.context.Context parent = dev.moe2.mqtt.TraceContext.extract(trace);
    io.opentelemetry.api.trace.Span span =
        io.opentelemetry.api.GlobalOpenTelemetry.getTracer("dev.moe2.edge-agent")
            .spanBuilder("moe2.agent.generate")
            .setParent(parent)
            .setSpanKind(io.opentelemetry.api.trace.SpanKind.CONSUMER)
            .setAttribute("moe2.agent", agent.value())
            .setAttribute("moe2.model", request.modelId().value())
            .setAttribute("moe2.request_id", request.requestId().value())
            .startSpan();
    try (io.opentelemetry.context.Scope scope = span.makeCurrent()) {
      run(request, model);
    } finally {
      span.end();
    }
  }

  private void run(InferenceRequest request, HostedModel model) {
    String key = request.requestId().value() + "#" + request.modelId().value();
    Running me = new Running();
    running.put(key, me);
    try {
      if (withdrawn.contains(key)) {
        me.cancelled = "withdrawn before it started";
        throw new GenerationCancelledException(0, request.params().maxTokens());
      }
      GenerationParams params = request.params();
      BudgetGuard guard =
          new BudgetGuard(
              request.energyCapJ() == null ? null : request.energyCapJ().value(),
              request.deadline(),
              rates(model),
              meter,
              model.sizeClass(),
              clock);
      BudgetGuard.Admission admission =
          guard.admit(model.backend().promptTokens(request.messages()), params.maxTokens());
      if (admission.refusal() != null) {
        fail(request, ErrorCode.OVER_BUDGET, admission.refusal(), true);
        return;
      }
      params =
          new GenerationParams(
              admission.maxTokens(),
              params.temperature(),
              params.topP(),
              params.seed(),
              params.stop());
      Cancellation cancel =
          new Cancellation() {
            @Override
            public boolean cancelled() {
              return stopping
                  || me.cancelled != null
                  || !clock.instant().isBefore(request.deadline());
            }

            @Override
            public FinishReason stopBefore(
                int promptTokens, int tokensDone, java.time.Duration busy) {
              return guard.stopBefore(promptTokens, tokensDone, busy);
            }
          };
      EnergyMeter.Window window = meter.begin();
      guard.started(window);
      PartialStream stream =
          request.streamed()
              ? new PartialStream(request, p -> send(request, p), clock, streamInterval)
              : null;
      Generation g;
      try {
        g =
            model
                .backend()
                .generate(
                    request.messages(),
                    params,
                    cancel,
                    stream == null ? dev.moe2.edgeagent.backend.TokenSink.NONE : stream);
      } catch (GenerationStoppedException e) {
        EnergyReading spent =
            meter.end(window, new Work(model.sizeClass(), e.promptTokens(), 0, e.busy()));
        fail(
            request,
            ErrorCode.OVER_BUDGET,
            e.getMessage()
                + " ("
                + spent.joules().value()
                + " J "
                + spent.source().label()
                + ", cap "
                + guard.capJ()
                + " J): the prefill was costlier than the measured rates said",
            true);
        return;
      } catch (RuntimeException e) {
        meter.end(window, new Work(model.sizeClass(), 0, 0, java.time.Duration.ZERO));
        throw e;
      }
      if (admission.lowered() != null
          && g.finishReason() == FinishReason.LENGTH
          && g.completionTokens() >= params.maxTokens()) {
        g =
            new Generation(
                g.text(),
                g.promptTokens(),
                g.completionTokens(),
                admission.lowered(),
                g.ttft(),
                g.total());
      }
      EnergyReading energy =
          meter.end(
              window,
              new Work(model.sizeClass(), g.promptTokens(), g.completionTokens(), g.total()));
      if (guard.capJ() != null && energy.joules().value() > guard.capJ()) {
        LOG.log(
            System.Logger.Level.WARNING,
            "request {0} on {1} spent {2} J, over its energy cap of {3} J (prefill or first token"
                + " costlier than the rates predicted)",
            request.requestId(),
            request.modelId(),
            energy.joules().value(),
            guard.capJ());
      }
      Instant done = clock.instant();
      if (!done.isBefore(request.deadline())) {
        throw new GenerationCancelledException(g.completionTokens(), request.params().maxTokens());
      }
      if (stream != null) {
        stream.finish();
      }
      InferenceReply reply =
          new InferenceReply(
              request.requestId(),
              agent,
              request.modelId(),
              g.text(),
              g.promptTokens(),
              g.completionTokens(),
              g.finishReason(),
              new Latency(g.ttft(), g.prefillPerToken(), g.decodePerToken(), g.total()),
              energy,
              powerMode.get(),
              done);
      send(request, reply);
      replied.incrementAndGet();
      boolean drift =
          profiler.record(
              new Profiler.Sample(
                  request.modelId(),
                  g.ttft(),
                  g.prefillPerToken(),
                  g.decodePerToken(),
                  g.total(),
                  g.completionTokens(),
                  energy.joules().value(),
                  energy.source()));
      if (drift) {
        onDrift.run();
      }
    } catch (GenerationCancelledException e) {
      if (me.cancelled != null && !stopping) {
        cancelledCount.incrementAndGet();
        fail(
            request,
            ErrorCode.CANCELLED,
            "withdrawn by the orchestrator (" + me.cancelled + "); " + e.getMessage(),
            false);
        return;
      }
      fail(
          request,
          ErrorCode.DEADLINE_EXCEEDED,
          (stopping
                  ? "the agent is shutting down; "
                  : "deadline " + request.deadline() + " passed; ")
              + e.getMessage(),
          true);
    } catch (BackendException e) {
      fail(request, ErrorCode.BACKEND_FAILURE, e.getMessage(), true);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "request " + request.requestId() + " failed", e);
      fail(
          request, ErrorCode.INTERNAL, e.getClass().getSimpleName() + ": " + e.getMessage(), false);
    } finally {
      running.remove(key);
      slots.release();
    }
  }

  /** The expert's measured rates, else its size class's figures in the device profile. */
  private Optional<BudgetGuard.Rates> rates(HostedModel model) {
    Optional<Profiler.Measured> m = profiler.measured(model.model());
    if (m.isPresent()) {
      return Optional.of(
          new BudgetGuard.Rates(
              m.get().prefillS(), m.get().decodeS(), m.get().watts(), "measured"));
    }
    return profileRates
        .apply(model.sizeClass())
        .map(
            p ->
                new BudgetGuard.Rates(
                    1 / p.prefillTokPerS().value(),
                    1 / p.decodeTokPerS().value(),
                    p.activePowerW().value(),
                    "device-profile"));
  }

  private void fail(InferenceRequest request, ErrorCode code, String message, boolean retryable) {
    errors.incrementAndGet();
    send(
        request,
        new ErrorReport(
            request.requestId(),
            agent,
            request.modelId(),
            code,
            message,
            retryable,
            clock.instant()));
  }

  private void send(InferenceRequest request, Message message) {
    try {
      link.reply(
          request.replyTo(),
          request.requestId().value().getBytes(StandardCharsets.UTF_8),
          message,
          dev.moe2.mqtt.TraceContext.current());
    } catch (LinkException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "cannot answer request {0}: {1}",
          request.requestId(),
          e.getMessage());
    }
  }

  /** A malformed request: answer on its response topic when it is one of ours, else on errors. */
  private void answerMalformed(String topicName, String responseTopic, String reason) {
    ErrorReport report =
        new ErrorReport(
            null, agent, null, ErrorCode.MALFORMED_REQUEST, reason, false, clock.instant());
    try {
      if (responseTopic != null) {
        try {
          Topic t = Topic.parse(responseTopic);
          if (t.kind() == Topic.Kind.REPLIES && t.agentId().equals(agent)) {
            link.reply(responseTopic, new byte[0], report);
            return;
          }
        } catch (ProtocolException e) {
          // not a replies topic: fall through to the errors topic
        }
      }
      link.publish(Topic.errors(agent), report);
    } catch (LinkException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot report a malformed request on {0}", topicName);
    }
  }
}
