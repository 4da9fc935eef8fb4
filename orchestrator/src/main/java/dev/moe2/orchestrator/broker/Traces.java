package dev.moe2.orchestrator.broker;

import dev.moe2.mqtt.TraceContext;
import dev.moe2.protocol.Topic;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import java.util.Map;

/**
 * The trace across the broker, orchestrator side: a request carries the dispatch span's W3C context
 * in its MQTT 5 user properties ({@link TraceContext}); a reply carries the agent's span back, and
 * its arrival is a span {@code moe2.reply} child of it. Nothing when tracing is off.
 */
final class Traces {

  private Traces() {}

  /** A reply arrived: a span {@code moe2.reply} child of the agent's span it names, if any. */
  static void arrived(Tracer tracer, Map<String, String> user, Topic topic) {
    if (user.isEmpty() || !TraceContext.carried(user)) {
      return;
    }
    tracer
        .spanBuilder("moe2.reply")
        .setParent(TraceContext.extract(user))
        .setSpanKind(SpanKind.CONSUMER)
        .setAttribute("moe2.agent", topic.agentId().value())
        .startSpan()
        .end();
  }
}
