package dev.moe2.edgeagent;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The agent's contract tests on the embedded HiveMQ CE broker (127.0.0.1). */
class AgentOnHiveMqIT extends AgentContractTests {

  @TempDir static Path brokerDir;
  static TestBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = TestBroker.hivemq(brokerDir);
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Override
  TestBroker broker() {
    return broker;
  }
}
