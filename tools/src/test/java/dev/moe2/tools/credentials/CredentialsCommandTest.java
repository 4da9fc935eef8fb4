package dev.moe2.tools.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moe2.protocol.Acl;
import dev.moe2.security.ApiKeys;
import dev.moe2.security.FleetCredentials;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsCommandTest {

  @TempDir Path dir;
  private StringWriter out;
  private StringWriter err;

  private int run(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    String[] all = new String[args.length + 2];
    all[0] = "--state-dir";
    all[1] = dir.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    return CredentialsCommand.run(new PrintWriter(out, true), new PrintWriter(err, true), all);
  }

  @Test
  void addAgent_printsTheSecretOnceAndItAuthenticates() {
    assertThat(run("add-agent", "orin-a")).isZero();
    String secret = out.toString().strip();
    assertThat(secret).hasSize(43);
    assertThat(FleetCredentials.in(dir).authenticate("orin-a", secret.toCharArray()))
        .contains(new Acl.Identity("orin-a", Acl.Role.AGENT));

    assertThat(run("list")).isZero();
    assertThat(out.toString()).contains("agent").contains("orin-a").doesNotContain(secret);
  }

  @Test
  void addAgent_nameTakenOrInvalid_exit1WithTheReason() {
    run("add-orchestrator", "orch-1", "--keep");
    assertThat(out.toString()).isEmpty();
    assertThat(run("add-agent", "orch-1")).isEqualTo(1);
    assertThat(err.toString()).contains("error: name 'orch-1' is taken");
    assertThat(run("add-agent", "Bad Name")).isEqualTo(1);
    assertThat(err.toString()).contains("agentId");
  }

  @Test
  void revoke_unknownName_exit1_knownName_removed() {
    run("add-agent", "orin-a");
    assertThat(run("revoke", "orin-b")).isEqualTo(1);
    assertThat(run("revoke", "orin-a")).isZero();
    assertThat(FleetCredentials.in(dir).list()).isEmpty();
  }

  @Test
  void addKey_roleAndLabel_printsAKeyThatAuthenticates_badRoleExit1() {
    assertThat(run("add-key", "--role", "viewer", "--label", "wall screen")).isZero();
    String key = out.toString().strip();
    assertThat(ApiKeys.in(dir).authenticate(key)).isPresent();
    assertThat(run("add-key", "--role", "admin")).isEqualTo(1);
    assertThat(err.toString()).contains("field 'role'");
    assertThat(run("revoke-key", ApiKeys.idOf(key))).isZero();
    assertThat(ApiKeys.in(dir).authenticate(key)).isEmpty();
  }

  @Test
  void mosquitto_writesPasswordAndAclFiles() throws Exception {
    run("add-agent", "orin-a");
    run("add-orchestrator", "orch-1", "--keep");
    assertThat(run("mosquitto", "--out", dir.resolve("mq").toString())).isZero();
    assertThat(Files.readString(dir.resolve("mq/passwd"))).contains("orin-a:$7$");
    assertThat(Files.readString(dir.resolve("mq/acl"))).contains("user orch-1");
  }

  @Test
  void noSubcommand_usageAndExit2() {
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString()).contains("add-agent").contains("add-key");
  }
}
