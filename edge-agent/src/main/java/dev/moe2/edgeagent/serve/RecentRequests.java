package dev.moe2.edgeagent.serve;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The request keys an agent has accepted, newest last, at most {@code capacity}: a redelivered
 * request (QoS 1 is at-least-once) is recognised and not run twice. Thread-safe.
 */
final class RecentRequests {

  private final Map<String, Boolean> seen;

  RecentRequests(int capacity) {
    this.seen =
        new LinkedHashMap<>(16, 0.75f, false) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > capacity;
          }
        };
  }

  /** Whether {@code key} has been offered (and not yet aged out). */
  synchronized boolean contains(String key) {
    return seen.containsKey(key);
  }

  /** True the first time {@code key} is offered, false for a duplicate. */
  synchronized boolean firstTime(String key) {
    return seen.putIfAbsent(key, Boolean.TRUE) == null;
  }
}
