package dev.moe2.orchestrator.security;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per API key: a token bucket (sustained requests per second, with a burst) and a cap on requests
 * in progress. Only keys that authenticated get a bucket, so the map is as large as the key store.
 * A token bucket is a dozen lines; a library (Bucket4j) would add a dependency for them (ADR 0013).
 */
final class RateLimits {

  /** Whether a request may proceed; when not, why and after how many seconds to retry. */
  record Verdict(boolean allowed, String reason, long retryAfterS) {
    static final Verdict OK = new Verdict(true, "", 0);
  }

  private final double ratePerS;
  private final int burst;
  private final int maxConcurrent;
  private final Clock clock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  RateLimits(double ratePerS, int burst, int maxConcurrent, Clock clock) {
    this.ratePerS = ratePerS;
    this.burst = burst;
    this.maxConcurrent = maxConcurrent;
    this.clock = clock;
  }

  Verdict acquire(String keyId) {
    Bucket b = buckets.computeIfAbsent(keyId, k -> new Bucket(burst, clock.millis()));
    synchronized (b) {
      long now = clock.millis();
      b.tokens = Math.min(burst, b.tokens + (now - b.at) / 1000.0 * ratePerS);
      b.at = now;
      if (b.inFlight >= maxConcurrent) {
        return new Verdict(false, maxConcurrent + " requests already in progress", 1);
      }
      if (b.tokens < 1) {
        long waitS = (long) Math.ceil((1 - b.tokens) / ratePerS);
        return new Verdict(
            false, "over " + ratePerS + " requests/s (burst " + burst + ")", Math.max(1, waitS));
      }
      b.tokens -= 1;
      b.inFlight++;
      return Verdict.OK;
    }
  }

  void release(String keyId) {
    Bucket b = buckets.get(keyId);
    if (b != null) {
      synchronized (b) {
        b.inFlight = Math.max(0, b.inFlight - 1);
      }
    }
  }

  private static final class Bucket {
    double tokens;
    long at;
    int inFlight;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }
  }
}
