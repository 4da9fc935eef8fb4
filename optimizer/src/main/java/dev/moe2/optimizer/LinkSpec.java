package dev.moe2.optimizer;

/**
 * A device's network link to the orchestrator.
 *
 * @param rttS round-trip time in seconds
 * @param bandwidthBytesPerS throughput in bytes per second
 */
public record LinkSpec(double rttS, double bandwidthBytesPerS) {
  public LinkSpec {
    Checks.nonNegative(rttS, "link.rttS");
    Checks.positive(bandwidthBytesPerS, "link.bandwidthBytesPerS");
  }

  /** Transmission delay of a request and its answer: one RTT plus the bytes both ways. */
  public double transmissionS(double bytes) {
    return rttS + bytes / bandwidthBytesPerS;
  }
}
