package dev.moe2.profiles.internal;

import java.util.List;

/** A fleet file as written: classes and the model catalog by id, resolved by the catalog. */
public record FleetFile(
    String id, String description, String models, Double sitePowerCapW, List<DeviceEntry> devices) {

  /** One device as written. */
  public record DeviceEntry(String id, String deviceClass, LinkEntry link) {}

  /** A link as written. */
  public record LinkEntry(double rttMs, double bandwidthMbps, String note) {}
}
