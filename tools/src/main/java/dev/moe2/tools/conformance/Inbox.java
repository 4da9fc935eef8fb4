package dev.moe2.tools.conformance;

import dev.moe2.protocol.JsonCodec;
import dev.moe2.protocol.Message;
import dev.moe2.protocol.ProtocolException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Everything the kit heard from the agent, in arrival order, and waits on it (no polling: arrivals
 * notify). A payload that does not decode is kept with its error, so a check can name it.
 */
final class Inbox {

  /** One message: decoded, or the reason it did not decode. */
  record Heard(
      String topic,
      byte[] payload,
      Message message,
      String decodeError,
      String responseTopic,
      byte[] correlation,
      Instant at) {}

  /** The mark before the first message: everything heard. */
  static final int START = 0;

  private final JsonCodec codec;
  private final List<Heard> heard = new ArrayList<>();

  Inbox(JsonCodec codec) {
    this.codec = codec;
  }

  void arrived(String topic, byte[] payload, String responseTopic, byte[] correlation) {
    Message m = null;
    String error = null;
    if (payload.length > 0) {
      try {
        m = codec.decode(topic, payload);
      } catch (ProtocolException | IllegalArgumentException e) {
        error = e.getMessage();
      }
    }
    synchronized (heard) {
      heard.add(new Heard(topic, payload, m, error, responseTopic, correlation, Instant.now()));
      heard.notifyAll();
    }
  }

  /** How many messages arrived so far (a mark to wait for later ones). */
  int mark() {
    synchronized (heard) {
      return heard.size();
    }
  }

  List<Heard> since(int mark) {
    synchronized (heard) {
      return List.copyOf(heard.subList(mark, heard.size()));
    }
  }

  /** The first message since {@code mark} that matches, waiting up to {@code timeout}. */
  Optional<Heard> await(int mark, Predicate<Heard> match, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    synchronized (heard) {
      while (true) {
        for (int i = mark; i < heard.size(); i++) {
          if (match.test(heard.get(i))) {
            return Optional.of(heard.get(i));
          }
        }
        long left = end - System.nanoTime();
        if (left <= 0) {
          return Optional.empty();
        }
        try {
          heard.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return Optional.empty();
        }
      }
    }
  }

  /** Messages since {@code mark} that match, after waiting the whole {@code quiet} period. */
  List<Heard> collect(int mark, Predicate<Heard> match, Duration quiet) {
    await(mark, h -> false, quiet);
    return since(mark).stream().filter(match).toList();
  }

  static <T extends Message> Predicate<Heard> is(Class<T> type, Predicate<T> match) {
    return h -> type.isInstance(h.message()) && match.test(type.cast(h.message()));
  }
}
