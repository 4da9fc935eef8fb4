package dev.moe2.tools.credentials;

import dev.moe2.protocol.Acl;
import dev.moe2.security.ApiKeys;
import dev.moe2.security.ApiRole;
import dev.moe2.security.CredentialStoreException;
import dev.moe2.security.FleetCredentials;
import dev.moe2.security.SecretFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code scripts/credentials}: the site's MQTT identities and API keys. */
@Command(
    name = "credentials",
    mixinStandardHelpOptions = true,
    version = "moe2 credentials 0.1.0",
    subcommands = {
      CredentialsCommand.AddAgent.class,
      CredentialsCommand.AddOrchestrator.class,
      CredentialsCommand.Revoke.class,
      CredentialsCommand.ListAll.class,
      CredentialsCommand.AddKey.class,
      CredentialsCommand.RevokeKey.class,
      CredentialsCommand.Mosquitto.class
    },
    description = {
      "Manages a site's credentials in its state folder (the orchestrator's",
      "moe2.security.state-dir): MQTT identities of agents and orchestrators (user name = client",
      "id = the id; secrets of 256 random bits, stored as Mosquitto PBKDF2-SHA512 hashes) and API",
      "keys with a role (client, viewer, operator; stored as SHA-256). A new secret or key is",
      "printed once, on standard output; nothing else is ever printed of it. A running",
      "orchestrator sees every change at once: a revoked agent is disconnected within 2 s.",
      "Exit status: 0 done, 1 refused (e.g. a name taken, an unknown id), 2 bad usage."
    })
public final class CredentialsCommand implements Callable<Integer> {

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description =
          "The site's state folder (default: $XDG_STATE_HOME/moe2, else ~/.local/state/moe2;"
              + " the orchestrator's default too).")
  Path stateDir;

  @Spec CommandLine.Model.CommandSpec spec;

  private final SecureRandom random = new SecureRandom();

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
  }

  static int run(PrintWriter out, PrintWriter err, String... args) {
    return new CommandLine(new CredentialsCommand())
        .setOut(out)
        .setErr(err)
        .setExecutionExceptionHandler(
            (e, cmd, parsed) -> {
              if (e instanceof CredentialStoreException || e instanceof IllegalArgumentException) {
                cmd.getErr().println("error: " + e.getMessage());
                return 1;
              }
              throw e;
            })
        .execute(args);
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  Path state() {
    if (stateDir != null) {
      return stateDir.toAbsolutePath();
    }
    String xdg = System.getenv("XDG_STATE_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".local", "state");
    return base.resolve("moe2").toAbsolutePath();
  }

  FleetCredentials fleet() {
    return FleetCredentials.in(state());
  }

  ApiKeys keys() {
    return ApiKeys.in(state());
  }

  private int add(Acl.Role role, String id, boolean keep, PrintWriter out, PrintWriter err) {
    Acl.Identity who = new Acl.Identity(id, role);
    String secret = fleet().add(who, random, Instant.now());
    if (keep) {
      SecretFiles.write(state(), id, secret);
      err.printf(
          "added %s %s; its secret is kept in %s (owner-only)%n",
          role.word(), id, SecretFiles.of(state(), id));
      return 0;
    }
    err.printf(
        "added %s %s; its MQTT user name is %s and its secret, shown this once, is:%n",
        role.word(), id, id);
    out.println(secret);
    err.printf(
        "on the device: mqtt.username: %s and MOE2_MQTT_PASSWORD=<the secret> (docs/deploy.md)%n",
        id);
    return 0;
  }

  @Command(name = "add-agent", description = "Adds an agent identity; prints its secret once.")
  static final class AddAgent implements Callable<Integer> {
    @ParentCommand CredentialsCommand parent;

    @Parameters(paramLabel = "AGENT_ID", description = "The agent's id, e.g. orin-a.")
    String id;

    @Option(names = "--keep", description = "Keep the secret in the state folder, print nothing.")
    boolean keep;

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      return parent.add(
          Acl.Role.AGENT, id, keep, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
  }

  @Command(
      name = "add-orchestrator",
      description =
          "Adds an orchestrator identity (for an external broker); prints its secret once.")
  static final class AddOrchestrator implements Callable<Integer> {
    @ParentCommand CredentialsCommand parent;

    @Parameters(paramLabel = "ORCHESTRATOR_ID", description = "e.g. orch-1 (moe2.orchestrator-id).")
    String id;

    @Option(
        names = "--keep",
        description =
            "Keep the secret in the state folder, where the orchestrator finds it, print nothing.")
    boolean keep;

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      return parent.add(
          Acl.Role.ORCHESTRATOR,
          id,
          keep,
          spec.commandLine().getOut(),
          spec.commandLine().getErr());
    }
  }

  @Command(
      name = "revoke",
      description = "Removes an MQTT identity; a connected client of it is disconnected.")
  static final class Revoke implements Callable<Integer> {
    @ParentCommand CredentialsCommand parent;

    @Parameters(paramLabel = "NAME")
    String name;

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      if (!parent.fleet().revoke(name)) {
        spec.commandLine().getErr().println("error: there is no identity '" + name + "'");
        return 1;
      }
      spec.commandLine()
          .getErr()
          .println(
              "revoked "
                  + name
                  + " (an external Mosquitto needs its files written again: credentials mosquitto)");
      return 0;
    }
  }

  @Command(name = "list", description = "Lists identities and API keys (never a secret).")
  static final class ListAll implements Callable<Integer> {
    @ParentCommand CredentialsCommand parent;

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      out.printf(Locale.ROOT, "state folder: %s%n%n", parent.state());
      out.printf(Locale.ROOT, "%-14s %-24s %s%n", "role", "name", "created");
      for (FleetCredentials.Entry e : parent.fleet().list()) {
        out.printf(Locale.ROOT, "%-14s %-24s %s%n", e.role().word(), e.name(), e.created());
      }
      out.printf(Locale.ROOT, "%n%-14s %-24s %-24s %s%n", "api key role", "id", "created", "label");
      for (ApiKeys.Entry e : parent.keys().list()) {
        out.printf(
            Locale.ROOT, "%-14s %-24s %-24s %s%n", e.role().word(), e.id(), e.created(), e.label());
      }
      return 0;
    }
  }

  @Command(name = "add-key", description = "Creates an API key; prints it once.")
  static final class AddKey implements Callable<Integer> {
    @ParentCommand CredentialsCommand parent;

    @Option(
        names = "--role",
        required = true,
        paramLabel = "ROLE",
        description = "client (chat completions), viewer (dashboard), operator (budgets, keys).")
    String role;

    @Option(names = "--label", defaultValue = "", description = "What the key is for.")
    String label;

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      ApiKeys.Created c =
          parent.keys().create(ApiRole.of(role), label, parent.random, Instant.now());
      spec.commandLine()
          .getErr()
          .printf(
              "created %s key %s; send it as 'Authorization: Bearer <key>'; shown this once:%n",
              c.entry().role().word(), c.entry().id());
      spec.commandLine().getOut().println(c.key());
      return 0;
    }
  }

  @Command(name = "revoke-key", description = "Revokes an API key by its id.")
  static final class RevokeKey implements Callable<Integer> {
    @ParentCommand CredentialsCommand parent;

    @Parameters(paramLabel = "KEY_ID")
    String id;

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      if (!parent.keys().revoke(id)) {
        spec.commandLine().getErr().println("error: there is no API key with id '" + id + "'");
        return 1;
      }
      spec.commandLine().getErr().println("revoked API key " + id);
      return 0;
    }
  }

  @Command(
      name = "mosquitto",
      description =
          "Writes a Mosquitto password_file and acl_file for the site's identities (docs/deploy.md).")
  static final class Mosquitto implements Callable<Integer> {
    @ParentCommand CredentialsCommand parent;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "DIR",
        description = "Where to write 'passwd' and 'acl' (e.g. /etc/mosquitto/moe2).")
    Path out;

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      parent.fleet().writeMosquittoFiles(out.resolve("passwd"), out.resolve("acl"));
      spec.commandLine()
          .getErr()
          .printf(
              "wrote %s and %s for %d identities; reload Mosquitto (systemctl reload mosquitto)%n",
              out.resolve("passwd"), out.resolve("acl"), parent.fleet().list().size());
      return 0;
    }
  }
}
