package dev.moe2.mqtt;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The W3C trace context as MQTT 5 user properties ({@code traceparent}, {@code tracestate}; the
 * contract's only user properties): what a request carries from the orchestrator's dispatch span,
 * and what a reply carries back from the agent's span.
 */
public final class TraceContext {

  /** The user properties that carry it. */
  public static final List<String> KEYS = List.of("traceparent", "tracestate");

  /** Longer values are dropped (a W3C traceparent is 55 characters). */
  static final int MAX_VALUE = 512;

  private static final TextMapGetter<Map<String, String>> GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
          return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  private TraceContext() {}

  /** The current span's context as user properties; empty when there is no valid span. */
  public static Map<String, String> current() {
    if (!Span.current().getSpanContext().isValid()) {
      return Map.of();
    }
    Map<String, String> out = new HashMap<>();
    W3CTraceContextPropagator.getInstance().inject(Context.current(), out, Map::put);
    return out;
  }

  /** The context {@code user} carries: a parent for a span; the root context when none. */
  public static Context extract(Map<String, String> user) {
    return W3CTraceContextPropagator.getInstance().extract(Context.root(), only(user), GETTER);
  }

  /** Whether {@code user} carries a valid trace context. */
  public static boolean carried(Map<String, String> user) {
    return Span.fromContext(extract(user)).getSpanContext().isValid();
  }

  /** The trace context's properties among {@code user}, nothing else, none too long. */
  public static Map<String, String> only(Map<String, String> user) {
    Map<String, String> out = new HashMap<>();
    for (String k : KEYS) {
      String v = user.get(k);
      if (v != null && v.length() <= MAX_VALUE) {
        out.put(k, v);
      }
    }
    return out;
  }
}
