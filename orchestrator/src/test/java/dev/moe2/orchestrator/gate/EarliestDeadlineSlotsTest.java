package dev.moe2.orchestrator.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EarliestDeadlineSlotsTest {

  private static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");

  /** Holds the only slot until {@code free} is counted down. */
  private static Thread holder(
      EarliestDeadlineSlots slots, CountDownLatch held, CountDownLatch free) {
    Thread t =
        new Thread(
            () ->
                slots.run(
                    T0,
                    () -> {
                      held.countDown();
                      try {
                        free.await();
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      return null;
                    }));
    t.start();
    return t;
  }

  private static Thread waiter(
      EarliestDeadlineSlots slots, Instant deadline, String name, List<String> order) {
    Thread t = new Thread(() -> slots.run(deadline, () -> order.add(name)));
    t.start();
    return t;
  }

  @Test
  void run_slotTakenWhileTighterDeadlinesArrive_servesEarliestDeadlineFirst() throws Exception {
    EarliestDeadlineSlots slots = new EarliestDeadlineSlots(1);
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch free = new CountDownLatch(1);
    Thread h = holder(slots, held, free);
    held.await();
    List<String> order = new CopyOnWriteArrayList<>();
    List<Thread> ts = new java.util.ArrayList<>();
    // arrive loosest first, one at a time so that their arrival order is known
    String[][] arrivals = {{"math", "15"}, {"code", "6"}, {"reasoning", "1"}, {"knowledge", "0.5"}};
    for (String[] a : arrivals) {
      int before = slots.waiting();
      ts.add(waiter(slots, T0.plusMillis((long) (Double.parseDouble(a[1]) * 1000)), a[0], order));
      await().atMost(Duration.ofSeconds(10)).until(() -> slots.waiting() == before + 1);
    }
    free.countDown();
    h.join();
    for (Thread t : ts) {
      t.join();
    }
    assertThat(order).containsExactly("knowledge", "reasoning", "code", "math");
    assertThat(slots.waiting()).isZero();
  }

  @Test
  void run_equalDeadlines_servesInArrivalOrder() throws Exception {
    EarliestDeadlineSlots slots = new EarliestDeadlineSlots(1);
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch free = new CountDownLatch(1);
    Thread h = holder(slots, held, free);
    held.await();
    List<String> order = new CopyOnWriteArrayList<>();
    List<Thread> ts = new java.util.ArrayList<>();
    for (String name : List.of("first", "second", "third")) {
      int before = slots.waiting();
      ts.add(waiter(slots, T0.plusSeconds(1), name, order));
      await().atMost(Duration.ofSeconds(10)).until(() -> slots.waiting() == before + 1);
    }
    free.countDown();
    h.join();
    for (Thread t : ts) {
      t.join();
    }
    assertThat(order).containsExactly("first", "second", "third");
  }

  @Test
  void run_freeSlots_runsAtOnceAndNeverMoreThanTheSlotsTogether() throws Exception {
    EarliestDeadlineSlots slots = new EarliestDeadlineSlots(2);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    List<Thread> ts = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Instant deadline = T0.plusMillis(i % 3);
      Thread t =
          new Thread(
              () -> {
                for (int r = 0; r < 200; r++) {
                  slots.run(
                      deadline,
                      () -> {
                        most.accumulateAndGet(running.incrementAndGet(), Math::max);
                        Thread.onSpinWait();
                        return running.decrementAndGet();
                      });
                }
              });
      t.start();
      ts.add(t);
    }
    for (Thread t : ts) {
      t.join();
    }
    assertThat(most.get()).isBetween(1, 2);
    assertThat(slots.waiting()).isZero();
    // both slots are free again: two holders get one each without waiting
    assertThat(slots.run(T0, () -> slots.run(T0, () -> "nested"))).isEqualTo("nested");
  }

  @Test
  void run_workThrows_freesTheSlot() {
    EarliestDeadlineSlots slots = new EarliestDeadlineSlots(1);
    assertThatThrownBy(
            () ->
                slots.run(
                    T0,
                    () -> {
                      throw new IllegalStateException("encoder failed");
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("encoder failed");
    assertThat(slots.run(T0, () -> "again")).isEqualTo("again");
  }

  @Test
  void new_noSlots_isRefusedNamingTheValue() {
    assertThatThrownBy(() -> new EarliestDeadlineSlots(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("slots has value 0");
  }
}
