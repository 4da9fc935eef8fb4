package dev.moe2.orchestrator.routing;

import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The slots of each agent (the requests it runs at once) and the dispatches holding them: what the
 * replica choice and the queueing delay see. A dispatch takes a slot before it is sent and gives it
 * back when it ends; when every slot is taken it queues for one (first come, first served), at most
 * as long as its request can still afford.
 *
 * <p>Predicted wait of a new request on an agent with {@code S} slots: none while a slot is free
 * and nobody waits; else the time until the slot it would get frees — the {@code w}-th release
 * after now, where {@code w} is the number already waiting, counting the dispatches running now by
 * their predicted worst-case end (once overdue, by the latest they can hold on: their deadline and
 * the wait past it) and every further round by their mean predicted service time. Worst cases make
 * the estimate pessimistic: a request predicted not to fit goes elsewhere.
 */
@Singleton
public class InFlight {

  /** A slot held by one dispatch. */
  static final class Slot {
    final String agent;
    final Instant predictedEnd;
    final Instant latestEnd;
    final double serviceS;

    Slot(String agent, Instant predictedEnd, Instant latestEnd, double serviceS) {
      this.agent = agent;
      this.predictedEnd = predictedEnd;
      this.latestEnd = latestEnd;
      this.serviceS = serviceS;
    }

    /** Seconds until it frees: its predicted end, or, once overdue, the latest it can hold on. */
    double remainingS(Instant now) {
      Instant end = now.isBefore(predictedEnd) ? predictedEnd : latestEnd;
      return Math.max(0, Duration.between(now, end).toNanos() / 1e9);
    }
  }

  /** A dispatch waiting for a slot on one agent, first come first served. */
  static final class Ticket {
    final String agent;

    Ticket(String agent) {
      this.agent = agent;
    }
  }

  private static final class Agent {
    final List<Slot> running = new ArrayList<>();
    final java.util.ArrayDeque<Ticket> queue = new java.util.ArrayDeque<>();
  }

  private final Map<String, Agent> agents = new HashMap<>();

  /** Dispatches running on {@code agent} now. */
  public synchronized int load(String agent) {
    Agent a = agents.get(agent);
    return a == null ? 0 : a.running.size();
  }

  /** Dispatches waiting for a slot on {@code agent} now. */
  public synchronized int waiting(String agent) {
    Agent a = agents.get(agent);
    return a == null ? 0 : a.queue.size();
  }

  /**
   * The predicted wait, seconds, of a request dispatched now to {@code agent} with {@code slots}.
   */
  public synchronized double queueS(String agent, int slots, Instant now) {
    Agent a = agents.get(agent);
    if (a == null || a.running.size() + a.queue.size() < slots) {
      return 0;
    }
    List<Double> remaining = new ArrayList<>();
    double service = 0;
    for (Slot s : a.running) {
      remaining.add(s.remainingS(now));
      service += s.serviceS;
    }
    if (remaining.isEmpty()) {
      return 0; // slots about to be taken by the queue's head: a release is imminent
    }
    remaining.sort(Double::compare);
    int m = remaining.size();
    int ahead = Math.max(0, a.queue.size() - Math.max(0, slots - m));
    return remaining.get(ahead % m) + (ahead / m) * (service / m);
  }

  /**
   * Takes a slot on {@code agent} when one is free for this caller: a newcomer ({@code ticket}
   * null) only when there are more free slots than dispatches waiting, a waiting one when enough
   * slots are free for its place in the queue (which it then leaves).
   *
   * @param serviceS the dispatch's predicted worst-case time once it starts
   * @param latestEnd the latest it can hold the slot (its deadline and the wait past it)
   * @return the slot, or null when it must wait
   */
  synchronized Slot tryAcquire(
      String agent, int slots, double serviceS, Instant latestEnd, Ticket ticket, Clock clock) {
    Agent a = agents.computeIfAbsent(agent, x -> new Agent());
    int free = slots - a.running.size();
    int place = 0;
    if (ticket == null) {
      place = a.queue.size();
    } else {
      for (Ticket t : a.queue) {
        if (t == ticket) {
          break;
        }
        place++;
      }
    }
    if (place >= free) {
      return null;
    }
    if (ticket != null) {
      a.queue.remove(ticket);
    }
    Instant predicted = clock.instant().plusNanos((long) (Math.max(0, serviceS) * 1e9));
    Slot s =
        new Slot(
            agent,
            predicted,
            latestEnd.isBefore(predicted) ? predicted : latestEnd,
            Math.max(0, serviceS));
    a.running.add(s);
    return s;
  }

  /** Joins the queue for a slot on {@code agent}. */
  synchronized Ticket enqueue(String agent) {
    Ticket t = new Ticket(agent);
    agents.computeIfAbsent(agent, x -> new Agent()).queue.addLast(t);
    return t;
  }

  /** Leaves the queue without a slot (gave up). */
  synchronized void leave(Ticket ticket) {
    Agent a = agents.get(ticket.agent);
    if (a != null) {
      a.queue.remove(ticket);
    }
  }

  /** Gives a slot back (idempotent). */
  synchronized void release(Slot slot) {
    Agent a = agents.get(slot.agent);
    if (a != null) {
      a.running.remove(slot);
    }
  }
}
