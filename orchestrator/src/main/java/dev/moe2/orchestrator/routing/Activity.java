package dev.moe2.orchestrator.routing;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * This replica's requests minute by minute over the last hour, for the dashboard's charts: how many
 * were answered, refused with a 503 (no usable expert, fleet busy, overloaded, no answer), refused
 * as over budget (422), answered over their budget, abandoned by their client; the measured joules
 * per category; the median time to first token of streamed ones. Fed by every recorded {@link
 * Decision}; kept in memory (the database's ledger keeps the energy for good).
 */
@Singleton
public class Activity {

  /** Minutes kept. */
  static final int MINUTES = 60;

  private final Clock clock;
  private final Deque<Bucket> buckets = new ArrayDeque<>();

  Activity(Clock clock) {
    this.clock = clock;
  }

  /** One minute's counts. */
  private static final class Bucket {
    final Instant minute;
    int answered;
    int unavailable;
    int overBudget;
    int violations;
    int clientGone;
    final Map<String, Double> joules = new TreeMap<>();
    final List<Double> ttftMs = new ArrayList<>();

    Bucket(Instant minute) {
      this.minute = minute;
    }
  }

  /**
   * One minute as the API shows it.
   *
   * @param minute its start
   * @param answered requests answered
   * @param unavailable requests refused with a 503
   * @param overBudget requests refused as over budget (422)
   * @param violations answers whose measured delay or energy broke their budget
   * @param clientGone streamed requests whose client went away
   * @param joulesByCategory measured joules of the experts that ran, per category
   * @param ttftP50Ms the median time to first token of streamed requests (null: none)
   */
  public record Minute(
      Instant minute,
      int answered,
      int unavailable,
      int overBudget,
      int violations,
      int clientGone,
      Map<String, Double> joulesByCategory,
      Double ttftP50Ms) {}

  void recorded(@Observes Decision d) {
    Instant minute = d.at().truncatedTo(ChronoUnit.MINUTES);
    synchronized (this) {
      Bucket b = bucket(minute);
      switch (d.outcome()) {
        case ANSWERED -> b.answered++;
        case OVER_BUDGET -> b.overBudget++;
        case CLIENT_GONE -> b.clientGone++;
        default -> b.unavailable++;
      }
      if (d.budgetViolated()) {
        b.violations++;
      }
      if (d.energyJ() > 0) {
        b.joules.merge(d.category(), d.energyJ(), Double::sum);
      }
      if (d.ttftMs() != null) {
        b.ttftMs.add(d.ttftMs());
      }
    }
  }

  private Bucket bucket(Instant minute) {
    Bucket last = buckets.peekLast();
    if (last != null && last.minute.equals(minute)) {
      return last;
    }
    for (Bucket b : buckets) {
      if (b.minute.equals(minute)) {
        return b; // a decision recorded a little late, in the minute before
      }
    }
    Bucket b = new Bucket(minute);
    if (last == null || minute.isAfter(last.minute)) {
      buckets.addLast(b);
    } else {
      buckets.addFirst(b);
    }
    trim();
    return b;
  }

  private void trim() {
    Instant oldest =
        clock.instant().truncatedTo(ChronoUnit.MINUTES).minus(MINUTES - 1, ChronoUnit.MINUTES);
    while (!buckets.isEmpty() && buckets.peekFirst().minute.isBefore(oldest)) {
      buckets.removeFirst();
    }
  }

  /** Every minute of the last hour, oldest first, the quiet ones as zeros. */
  public synchronized List<Minute> lastHour() {
    trim();
    Instant now = clock.instant().truncatedTo(ChronoUnit.MINUTES);
    Map<Instant, Bucket> byMinute = new LinkedHashMap<>();
    buckets.forEach(b -> byMinute.put(b.minute, b));
    List<Minute> out = new ArrayList<>(MINUTES);
    for (int i = MINUTES - 1; i >= 0; i--) {
      Instant m = now.minus(i, ChronoUnit.MINUTES);
      Bucket b = byMinute.get(m);
      out.add(
          b == null
              ? new Minute(m, 0, 0, 0, 0, 0, Map.of(), null)
              : new Minute(
                  m,
                  b.answered,
                  b.unavailable,
                  b.overBudget,
                  b.violations,
                  b.clientGone,
                  Map.copyOf(b.joules),
                  median(b.ttftMs)));
    }
    return out;
  }

  private static Double median(List<Double> values) {
    if (values.isEmpty()) {
      return null;
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
