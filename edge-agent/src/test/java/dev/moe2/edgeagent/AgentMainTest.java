package dev.moe2.edgeagent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AgentMainTest {

  private static String[] run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      code = new CommandLine(new AgentMain()).execute(args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return new String[] {
      Integer.toString(code), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)
    };
  }

  @Test
  void main_invalidConfig_exitsTwoWithKeyAndReason(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("a.yaml");
    Files.writeString(
        f,
        "agentId: a\ndeviceClass: jetson-agx-orin-64gb\npowerMode: 99w\n"
            + "experts: [{model: zephyr-7b-beta, backend: simulated}]\n");

    String[] r = run("--config", f.toString());
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2])
        .contains("config key 'powerMode'")
        .contains("'99w' is not a mode of jetson-agx-orin-64gb");
  }

  @Test
  void main_checkLocalDemoConfig_validatesAndExitsZero() {
    String[] r = run("--config", "config/local-demo.yaml", "--check", "--agent-id", "check-1");
    assertThat(r[0]).as(r[2]).isEqualTo("0");
    assertThat(r[1]).contains("config ok: agent check-1").contains("3 experts");
  }

  @Test
  void main_help_describesTheEnvironment() {
    String[] r = run("--help");
    assertThat(r[0]).isEqualTo("0");
    assertThat(r[1]).contains("--config").contains("MOE2_MQTT_PASSWORD");
  }
}
