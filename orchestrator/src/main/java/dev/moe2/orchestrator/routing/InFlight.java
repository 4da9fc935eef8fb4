package dev.moe2.orchestrator.routing;

import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Requests dispatched to each agent and not yet ended: the load the replica choice sees. */
@Singleton
public class InFlight {

  private final Map<String, AtomicInteger> byAgent = new ConcurrentHashMap<>();

  void started(String agent) {
    byAgent.computeIfAbsent(agent, a -> new AtomicInteger()).incrementAndGet();
  }

  void ended(String agent) {
    byAgent.computeIfAbsent(agent, a -> new AtomicInteger()).decrementAndGet();
  }

  /** Requests in flight on {@code agent} now. */
  public int load(String agent) {
    AtomicInteger n = byAgent.get(agent);
    return n == null ? 0 : n.get();
  }
}
