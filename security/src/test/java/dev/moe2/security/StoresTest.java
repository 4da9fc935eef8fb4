package dev.moe2.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moe2.protocol.Acl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoresTest {

  private static final Instant NOW = Instant.parse("2026-11-29T10:00:00Z");
  private final SecureRandom random = new SecureRandom(new byte[] {7});

  @TempDir Path dir;

  @Test
  void add_agent_secretAuthenticatesAndIsStoredOnlyHashed() throws Exception {
    FleetCredentials store = FleetCredentials.in(dir.resolve("state"));
    String secret = store.add(new Acl.Identity("orin-a", Acl.Role.AGENT), random, NOW);

    assertThat(secret).hasSize(43);
    assertThat(store.authenticate("orin-a", secret.toCharArray()))
        .contains(new Acl.Identity("orin-a", Acl.Role.AGENT));
    assertThat(store.authenticate("orin-a", (secret + "x").toCharArray())).isEmpty();
    assertThat(store.authenticate("orin-b", secret.toCharArray())).isEmpty();
    String file = Files.readString(store.path());
    assertThat(file).contains("\"orin-a\"").contains("$7$").doesNotContain(secret);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.path())))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("state"))))
        .isEqualTo("rwx------");
  }

  @Test
  void add_nameTakenByAnotherRole_isRefusedNamingIt() {
    FleetCredentials store = FleetCredentials.in(dir);
    store.add(new Acl.Identity("orch-1", Acl.Role.ORCHESTRATOR), random, NOW);
    assertThatThrownBy(() -> store.add(new Acl.Identity("orch-1", Acl.Role.AGENT), random, NOW))
        .isInstanceOf(CredentialStoreException.class)
        .hasMessageContaining("'orch-1' is taken (a orchestrator");
  }

  @Test
  void revoke_byAnotherProcess_isSeenByARunningReader() {
    FleetCredentials broker = FleetCredentials.in(dir);
    FleetCredentials command = FleetCredentials.in(dir);
    String secret = command.add(new Acl.Identity("orin-a", Acl.Role.AGENT), random, NOW);
    assertThat(broker.authenticate("orin-a", secret.toCharArray())).isPresent();

    assertThat(command.revoke("orin-a")).isTrue();
    assertThat(command.revoke("orin-a")).isFalse();
    assertThat(broker.authenticate("orin-a", secret.toCharArray())).isEmpty();
    assertThat(broker.list()).isEmpty();
  }

  @Test
  void entries_corruptFile_failsNamingTheFile() throws Exception {
    Files.writeString(dir.resolve(FleetCredentials.FILE), "[{\"name\":\"orin-a\"}]");
    FleetCredentials store = FleetCredentials.in(dir);
    assertThatThrownBy(store::list)
        .isInstanceOf(CredentialStoreException.class)
        .hasMessageContaining(FleetCredentials.FILE);
  }

  @Test
  void writeMosquittoFiles_identities_sameHashesAndTheContractAcl() throws Exception {
    FleetCredentials store = FleetCredentials.in(dir);
    store.add(new Acl.Identity("orin-a", Acl.Role.AGENT), random, NOW);
    store.add(new Acl.Identity("orch-1", Acl.Role.ORCHESTRATOR), random, NOW);
    store.writeMosquittoFiles(dir.resolve("passwd"), dir.resolve("acl"));

    assertThat(Files.readAllLines(dir.resolve("passwd")))
        .containsExactly(
            "orin-a:" + store.list().get(0).hash(), "orch-1:" + store.list().get(1).hash());
    assertThat(Files.readString(dir.resolve("acl")))
        .isEqualTo(Acl.mosquittoAclFile(java.util.List.of("orch-1")));
  }

  @Test
  void apiKeys_create_authenticatesByKeyAndNamesItById() throws Exception {
    ApiKeys keys = ApiKeys.in(dir);
    ApiKeys.Created c = keys.create(ApiRole.VIEWER, "dashboard", random, NOW);

    assertThat(c.key()).matches("moe2_[a-z0-9]{10}_[A-Za-z0-9_-]{43}");
    assertThat(c.toString()).doesNotContain(c.key());
    assertThat(keys.authenticate(c.key())).contains(c.entry());
    assertThat(ApiKeys.idOf(c.key())).isEqualTo(c.entry().id());
    String tampered = c.key().substring(0, c.key().length() - 1) + "A";
    assertThat(keys.authenticate(tampered.equals(c.key()) ? c.key() + "x" : tampered)).isEmpty();
    assertThat(keys.authenticate("Bearer " + c.key())).isEmpty();
    assertThat(keys.authenticate(null)).isEmpty();
    assertThat(Files.readString(keys.path())).doesNotContain(c.key().substring(16));

    assertThat(keys.revoke(c.entry().id())).isTrue();
    assertThat(keys.authenticate(c.key())).isEmpty();
  }

  @Test
  void apiRole_operator_grantsViewerButNotClient() {
    assertThat(ApiRole.OPERATOR.grants(ApiRole.VIEWER)).isTrue();
    assertThat(ApiRole.OPERATOR.grants(ApiRole.CLIENT)).isFalse();
    assertThat(ApiRole.VIEWER.grants(ApiRole.OPERATOR)).isFalse();
    assertThat(ApiRole.CLIENT.grants(ApiRole.VIEWER)).isFalse();
    assertThatThrownBy(() -> ApiRole.of("admin")).hasMessageContaining("field 'role'");
  }
}
