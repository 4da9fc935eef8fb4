package dev.moe2.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;

/**
 * The session table of {@code docs/mqtt-contract.md} and the options {@link MqttLink} connects
 * with.
 */
class SessionSettingsDocTest {

  static final Path DOC = Path.of("").toAbsolutePath().getParent().resolve("docs/mqtt-contract.md");

  /** The rows of the table under "## Sessions and connections": setting → value. */
  static Map<String, String> table() throws IOException {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    int start = doc.indexOf("## Sessions and connections");
    assertThat(start).as("the section in %s", DOC).isNotNegative();
    Map<String, String> rows = new LinkedHashMap<>();
    for (String line : doc.substring(start).lines().skip(1).toList()) {
      if (line.startsWith("## ")) {
        break;
      }
      if (line.startsWith("| ") && !line.startsWith("| setting") && !line.startsWith("|---")) {
        String[] cells = Arrays.stream(line.split("\\|")).map(String::strip).toArray(String[]::new);
        rows.put(cells[1], cells[2]);
      }
    }
    return rows;
  }

  static MqttLink link() {
    return new MqttLink(
        new MqttLink.Settings(
            "tcp://127.0.0.1:1",
            "agent-1",
            null,
            null,
            Duration.ofSeconds(2),
            Duration.ofSeconds(5),
            Duration.ofMillis(100),
            Duration.ofSeconds(1),
            null,
            1),
        List.of(new MqttLink.Subscription("moe2/v1/agents/agent-1/state", 1)),
        () -> new MqttLink.Will("moe2/v1/agents/agent-1/state", new byte[] {'{', '}'}, 1, true),
        new MqttLink.Listener() {
          @Override
          public void connected(boolean reconnect) {}

          @Override
          public void arrived(MqttLink.Incoming message) {}
        });
  }

  @Test
  void options_asTheSessionTableSays() throws IOException {
    Map<String, String> doc = table();
    MqttConnectionOptions o = link().options();

    assertThat(doc.get("Clean Start")).isEqualTo(String.valueOf(o.isCleanStart()));
    assertThat(doc.get("Session Expiry Interval"))
        .isEqualTo(String.valueOf(o.getSessionExpiryInterval()));
    assertThat(doc.get("Keep Alive")).startsWith(o.getKeepAliveInterval() + " s");
    assertThat(doc.get("Will Delay Interval"))
        .isEqualTo(
            String.valueOf(
                o.getWillMessageProperties() == null
                        || o.getWillMessageProperties().getWillDelayInterval() == null
                    ? 0
                    : o.getWillMessageProperties().getWillDelayInterval()));
    assertThat(o.getWillMessage().getQos()).isEqualTo(1);
    assertThat(o.getWillMessage().isRetained()).isTrue();
    assertThat(doc.get("Will")).contains("QoS 1, retained");
  }

  @Test
  void subscriptions_asTheSessionTableSays() throws IOException {
    Map<String, String> doc = table();
    MqttSubscription s = link().mqttSubscriptions()[0];

    assertThat(doc.get("Subscription QoS")).isEqualTo(String.valueOf(s.getQos()));
    assertThat(doc.get("No Local")).isEqualTo(String.valueOf(s.isNoLocal()));
    assertThat(doc.get("Retain As Published")).isEqualTo(String.valueOf(s.isRetainAsPublished()));
    assertThat(doc.get("Retain Handling")).startsWith(String.valueOf(s.getRetainHandling()));
  }
}
