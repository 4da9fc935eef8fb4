package dev.moe2.edgeagent;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's contract tests on Debian's mosquitto 2.0 (MQTT 5), bound to 127.0.0.1. {@code
 * .ci/run} installs it; on a machine without it these tests are skipped, except in CI ({@code
 * CI=true}), where a missing mosquitto fails them.
 */
class AgentOnMosquittoIT extends AgentContractTests {

  @TempDir static Path brokerDir;
  static TestBroker broker;

  @BeforeAll
  static void startBroker() {
    if (!"true".equals(System.getenv("CI"))) {
      Assumptions.assumeTrue(
          TestBroker.mosquittoBinary() != null,
          "mosquitto is not installed (apt-get install mosquitto; .ci/run does)");
    }
    broker = TestBroker.mosquitto(brokerDir);
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Override
  TestBroker broker() {
    return broker;
  }
}
