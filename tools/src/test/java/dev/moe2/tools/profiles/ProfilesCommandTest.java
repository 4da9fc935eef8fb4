package dev.moe2.tools.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ProfilesCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = new CommandLine(new ProfilesCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void run_builtIns_printsEveryModeAndEndsWithTheSummaryLine() {
    int status = run();

    assertThat(status).isZero();
    String text = out.toString();
    assertThat(text)
        .contains("jetson-agx-orin-64gb   maxn   m0    7b-q4    mlc             47.0 ")
        .contains("jetson-agx-orin-64gb   15w    m1    7b-q4    mlc             17.8*")
        .contains("rtx-4090               pl450  pl450 7b-q4    llama.cpp      193.0 ")
        .contains("orin-nx-1    jetson-orin-nx-16gb");
    assertThat(text.strip().lines().reduce((a, b) -> b))
        .hasValue(
            "profiles device_classes=3 models=7 fleet=reference devices=4 site_power_cap_w=none"
                + " valid=true");
  }

  @Test
  void run_json_includesDerivationRules() {
    int status = run("--json");

    assertThat(status).isZero();
    assertThat(out.toString())
        .contains("\"derived\" : \"J/token = 60.0 W / 47.0 tok/s\"")
        .contains("\"source\" : \"jetson-ai-lab.com benchmarks");
  }

  @Test
  void run_brokenFleetFile_exitsTwoNamingFileKeyAndReason(@TempDir Path dir) throws IOException {
    Path fleet = dir.resolve("site.yaml");
    Files.writeString(
        fleet,
        "id: site\ndescription: x\nmodels: routerdc-7\ndevices:\n"
            + "  - id: a\n    deviceClass: rtx-4090\n    link: {rttMs: 1, bandwidthMbps: 0, note: x}\n",
        StandardCharsets.UTF_8);

    int status = run("--fleet", fleet.toString());

    assertThat(status).isEqualTo(2);
    assertThat(err.toString())
        .startsWith(
            "error: "
                + fleet
                + ": key '$.devices[0].link.bandwidthMbps': violates the fleet schema");
  }
}
