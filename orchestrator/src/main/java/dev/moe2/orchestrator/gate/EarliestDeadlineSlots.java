package dev.moe2.orchestrator.gate;

import java.time.Instant;
import java.util.PriorityQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A fixed number of slots for work that cannot run more often at once than there are cores (the
 * encoder), handed to the waiting caller with the earliest deadline first; equal deadlines in the
 * order they came. Under a burst, a request with a 0.5 s delay budget is embedded before one with
 * 15 s that came earlier, instead of spending its budget behind it. A free slot is taken at once.
 */
final class EarliestDeadlineSlots {

  private record Waiter(Instant deadline, long seq, Condition turn) {}

  private final ReentrantLock lock = new ReentrantLock();
  private final PriorityQueue<Waiter> waiting =
      new PriorityQueue<>(
          (a, b) -> {
            int c = a.deadline().compareTo(b.deadline());
            return c != 0 ? c : Long.compare(a.seq(), b.seq());
          });
  private final java.util.Set<Waiter> granted = new java.util.HashSet<>();
  private int free;
  private long seq;

  EarliestDeadlineSlots(int slots) {
    if (slots < 1) {
      throw new IllegalArgumentException("slots has value " + slots + ": it must be >= 1");
    }
    this.free = slots;
  }

  /** Runs {@code work} in a slot, after every waiter with an earlier deadline has had one. */
  <T> T run(Instant deadline, Supplier<T> work) {
    java.util.Objects.requireNonNull(deadline, "deadline");
    acquire(deadline);
    try {
      return work.get();
    } finally {
      release();
    }
  }

  /** Callers waiting for a slot now. */
  int waiting() {
    lock.lock();
    try {
      return waiting.size();
    } finally {
      lock.unlock();
    }
  }

  private void acquire(Instant deadline) {
    lock.lock();
    try {
      if (free > 0 && waiting.isEmpty()) {
        free--;
        return;
      }
      Waiter me = new Waiter(deadline, seq++, lock.newCondition());
      waiting.add(me);
      while (!granted.remove(me)) {
        me.turn().awaitUninterruptibly();
      }
    } finally {
      lock.unlock();
    }
  }

  private void release() {
    lock.lock();
    try {
      Waiter next = waiting.poll();
      if (next == null) {
        free++;
      } else {
        granted.add(next); // the slot passes straight to it: no caller can take it in between
        next.turn().signal();
      }
    } finally {
      lock.unlock();
    }
  }
}
