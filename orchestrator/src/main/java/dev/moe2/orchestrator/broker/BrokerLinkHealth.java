package dev.moe2.orchestrator.broker;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the MQTT link to the broker is up. */
@Readiness
@ApplicationScoped
public class BrokerLinkHealth implements HealthCheck {

  private final FleetLink link;
  private final BrokerService broker;

  BrokerLinkHealth(FleetLink link, BrokerService broker) {
    this.link = link;
    this.broker = broker;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("mqtt-broker-link")
        .status(link.connected())
        .withData("broker", broker.uri())
        .withData("embedded", broker.embedded())
        .build();
  }
}
