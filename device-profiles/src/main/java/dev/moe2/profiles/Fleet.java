package dev.moe2.profiles;

import java.util.List;

/**
 * A concrete fleet: devices of known classes with their links, and the models it may run ({@code
 * fleets/*.yaml}).
 *
 * @param id e.g. {@code reference}
 * @param description what the fleet is
 * @param devices its devices
 * @param models the model catalog it runs
 * @param sitePowerCapW optional cap on the summed max power of the devices in use; {@code null}:
 *     none
 */
public record Fleet(
    String id,
    String description,
    List<Device> devices,
    ModelCatalog models,
    Double sitePowerCapW) {

  public Fleet {
    devices = List.copyOf(devices);
  }

  /**
   * One device of the fleet.
   *
   * @param id its id (and its agent's id)
   * @param deviceClass its class
   * @param link its network link to the orchestrator
   */
  public record Device(String id, DeviceClass deviceClass, Link link) {}

  /**
   * A network link to the orchestrator.
   *
   * @param rttMs round-trip time
   * @param bandwidthMbps throughput in megabits per second
   * @param note what it stands for (e.g. "wired gigabit LAN")
   */
  public record Link(double rttMs, double bandwidthMbps, String note) {}
}
