package dev.moe2.orchestrator.gate;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only once the gate is loaded or trained. */
@Readiness
@ApplicationScoped
public class GateHealth implements HealthCheck {

  private final GateService gate;

  GateHealth(GateService gate) {
    this.gate = gate;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("gate")
        .status(gate.ready())
        .withData("gate", gate.status())
        .build();
  }
}
