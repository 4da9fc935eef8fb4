package dev.moe2.planning;

import dev.moe2.optimizer.Problem;
import dev.moe2.profiles.Fleet;
import dev.moe2.profiles.ProfileCatalog;
import dev.moe2.profiles.workload.SharedData;
import java.nio.file.Path;
import java.util.List;

/** The reference fleet with the reference categories and the recorded RouterDC train scores. */
final class ReferencePlanning {

  private ReferencePlanning() {}

  static Path routerdc() {
    return SharedData.routerDc(SharedData.dir());
  }

  static Fleet fleet() {
    return ProfileCatalog.builtIn().fleet("reference");
  }

  static Problem problem(Fleet fleet, Double powerCap) {
    CategoriesFile categories = CategoriesFile.builtIn();
    Qualities q = Qualities.fromRouterDc(routerdc(), fleet.models(), categories, 300);
    return FleetProblems.build(fleet, categories, q, powerCap);
  }

  /** The reference fleet restricted to the named devices. */
  static Fleet subFleet(Fleet fleet, List<String> deviceIds) {
    return new Fleet(
        fleet.id() + "-" + String.join("+", deviceIds),
        fleet.description(),
        fleet.devices().stream().filter(d -> deviceIds.contains(d.id())).toList(),
        fleet.models(),
        fleet.sitePowerCapW());
  }
}
