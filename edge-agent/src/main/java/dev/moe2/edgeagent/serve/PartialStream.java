package dev.moe2.edgeagent.serve;

import dev.moe2.edgeagent.backend.TokenSink;
import dev.moe2.protocol.InferenceRequest;
import dev.moe2.protocol.PartialOutput;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * The partial output of one streamed dispatch, as the contract bounds it: the first piece at once,
 * then at most one per {@code interval}, each at most {@link PartialOutput#MAX_TEXT_CHARS}
 * characters (more text waiting goes out at once in the next piece); {@link #finish} sends what is
 * left before the reply. Sending is the caller's (a failed send loses a piece, which the reply's
 * text makes up for).
 */
final class PartialStream implements TokenSink {

  private final InferenceRequest request;
  private final Consumer<PartialOutput> send;
  private final Clock clock;
  private final Duration interval;
  private final StringBuilder pending = new StringBuilder();
  private int seq;
  private int offset;
  private int tokens;
  private Instant last;

  PartialStream(
      InferenceRequest request, Consumer<PartialOutput> send, Clock clock, Duration interval) {
    this.request = request;
    this.send = send;
    this.clock = clock;
    this.interval = interval;
  }

  @Override
  public synchronized void accept(String piece, int tokensSoFar) {
    pending.append(piece);
    tokens = Math.max(1, tokensSoFar);
    Instant now = clock.instant();
    if (last == null
        || !now.isBefore(last.plus(interval))
        || pending.length() >= PartialOutput.MAX_TEXT_CHARS) {
      flush(now, false);
    }
  }

  /** Sends whatever is still waiting (before the reply). */
  synchronized void finish() {
    if (pending.length() > 0) {
      flush(clock.instant(), true);
    }
  }

  /** Pieces sent so far. */
  synchronized int sent() {
    return seq;
  }

  private void flush(Instant now, boolean all) {
    while (pending.length() > 0) {
      int n = Math.min(pending.length(), PartialOutput.MAX_TEXT_CHARS);
      if (n < pending.length() && Character.isHighSurrogate(pending.charAt(n - 1))) {
        n--; // never split a surrogate pair between two pieces
      }
      if (!all && seq > 0 && n < PartialOutput.MAX_TEXT_CHARS && last != null) {
        // a short rest waits for the next interval, unless this is the first piece
        if (now.isBefore(last.plus(interval))) {
          return;
        }
      }
      String text = pending.substring(0, n);
      pending.delete(0, n);
      send.accept(
          new PartialOutput(
              request.requestId(),
              request.agentId(),
              request.modelId(),
              seq++,
              offset,
              text,
              tokens,
              now));
      offset += n;
      last = now;
    }
  }
}
