package dev.moe2.optimizer;

import java.util.HashSet;
import java.util.List;

/**
 * A device of the fleet.
 *
 * @param id its id (its agent's id)
 * @param memoryGiB memory available to resident models
 * @param modes its power modes (one is chosen per plan)
 * @param idlePowerW what it draws when no model runs on it (counted against the site power cap only
 *     when {@link Problem#idleDevicesCount()} is set)
 * @param link its link to the orchestrator
 */
public record DeviceSpec(
    String id, double memoryGiB, List<ModeSpec> modes, double idlePowerW, LinkSpec link) {
  public DeviceSpec {
    Checks.id(id, "device.id");
    Checks.positive(memoryGiB, "device.memoryGiB");
    if (modes == null || modes.isEmpty()) {
      throw new IllegalArgumentException("field 'device.modes' of device " + id + " is empty");
    }
    modes = List.copyOf(modes);
    var seen = new HashSet<String>();
    for (ModeSpec m : modes) {
      if (!seen.add(m.id())) {
        throw new IllegalArgumentException(
            "field 'device.modes' of device " + id + " has mode '" + m.id() + "' twice");
      }
    }
    Checks.nonNegative(idlePowerW, "device.idlePowerW");
    if (link == null) {
      throw new IllegalArgumentException("field 'device.link' of device " + id + " is null");
    }
  }
}
