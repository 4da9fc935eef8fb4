package dev.moe2.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Who may publish and subscribe to what: the broker's access rules, derived from the contract's
 * topic table ({@link Topic.Kind#publisher()}) and defined here only. The embedded broker enforces
 * them through its extension, {@code scripts/credentials} writes them as a Mosquitto {@code
 * acl_file} ({@link #mosquittoAclFile}); both read {@link #RULES}.
 *
 * <ul>
 *   <li>an agent publishes only its own birth, state, profile and errors and replies sent from
 *       itself (to any orchestrator), and subscribes only to its own requests, plan and state;
 *   <li>an orchestrator publishes plans and requests to any agent, and subscribes to every agent's
 *       birth, state, profile and errors and to its own replies, also as an MQTT 5 shared
 *       subscription (replicas split the load);
 *   <li>nothing else: no topic outside {@value Topic#ROOT}, no {@code #}, no retained plan from an
 *       agent, no shared subscription for agents.
 * </ul>
 *
 * An identity's name is its MQTT user name and must be its client id; the name fills the {@code
 * {self}} level of a rule ({@code %u} in Mosquitto's file).
 */
public final class Acl {

  /** The kind of client an identity is. */
  public enum Role {
    AGENT,
    ORCHESTRATOR;

    /** The lower-case word used in files and on the command line. */
    public String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** What a rule allows. */
  public enum Access {
    PUBLISH,
    SUBSCRIBE
  }

  /** A client's identity on the broker: its user name (= client id) and role. */
  public record Identity(String name, Role role) {
    public Identity {
      Objects.requireNonNull(role, "role");
      if (role == Role.AGENT) {
        AgentId.of(name);
      } else {
        OrchestratorId.of(name);
      }
    }
  }

  /**
   * One allowed pattern: a topic filter in which the level {@value #SELF} stands for the client's
   * own name.
   */
  public record Rule(Role role, Access access, String pattern) {}

  /** The level in a rule's pattern that stands for the client's own name. */
  public static final String SELF = "{self}";

  private static final String A = Topic.ROOT + "/agents/";

  /** Every rule; anything not allowed here is refused. */
  public static final List<Rule> RULES = rules();

  private static List<Rule> rules() {
    List<Rule> r = new ArrayList<>();
    for (Topic.Kind kind : Topic.Kind.values()) {
      String own = kind.pattern().replace("{agentId}", SELF);
      if (kind.publisher() == Topic.Publisher.AGENT) {
        // the agent publishes about itself; replies go to any orchestrator
        r.add(new Rule(Role.AGENT, Access.PUBLISH, own.replace("{orchestratorId}", "+")));
        if (kind != Topic.Kind.REPLIES) {
          r.add(
              new Rule(
                  Role.ORCHESTRATOR, Access.SUBSCRIBE, kind.pattern().replace("{agentId}", "+")));
        } else {
          r.add(
              new Rule(
                  Role.ORCHESTRATOR,
                  Access.SUBSCRIBE,
                  kind.pattern().replace("{orchestratorId}", SELF).replace("{agentId}", "+")));
        }
      } else {
        r.add(
            new Rule(
                Role.ORCHESTRATOR,
                Access.PUBLISH,
                kind.pattern().replace("{agentId}", "+").replace("{modelId}", "+")));
        r.add(new Rule(Role.AGENT, Access.SUBSCRIBE, own.replace("{modelId}", "+")));
      }
    }
    // the contract: an agent re-asserts online when a stale offline state of its own lands
    r.add(new Rule(Role.AGENT, Access.SUBSCRIBE, A + SELF + "/state"));
    return List.copyOf(r);
  }

  private Acl() {}

  /** Whether {@code who} may publish on the topic name {@code topic}. */
  public static boolean mayPublish(Identity who, String topic) {
    if (topic == null || topic.isEmpty() || topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
      return false;
    }
    if (topic.length() > Topic.MAX_LENGTH || topic.startsWith("$")) {
      return false;
    }
    for (Rule rule : RULES) {
      if (rule.role() == who.role()
          && rule.access() == Access.PUBLISH
          && covers(own(rule, who), topic)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code who} may subscribe with {@code filter}: every topic the filter can match must be
   * one the rules allow (so {@code #} or another agent's level is refused, not narrowed). An
   * orchestrator may also use a shared subscription ({@code $share/group/filter}).
   */
  public static boolean maySubscribe(Identity who, String filter) {
    if (filter == null || filter.isEmpty() || filter.length() > Topic.MAX_LENGTH) {
      return false;
    }
    String f = filter;
    if (f.startsWith(Topic.SHARED_PREFIX)) {
      if (who.role() != Role.ORCHESTRATOR) {
        return false;
      }
      int slash = f.indexOf('/', Topic.SHARED_PREFIX.length());
      if (slash < 0) {
        return false;
      }
      String group = f.substring(Topic.SHARED_PREFIX.length(), slash);
      if (group.isEmpty() || group.contains("+") || group.contains("#")) {
        return false;
      }
      f = f.substring(slash + 1);
    }
    if (f.startsWith("$")) {
      return false;
    }
    for (Rule rule : RULES) {
      if (rule.role() == who.role()
          && rule.access() == Access.SUBSCRIBE
          && covers(own(rule, who), f)) {
        return true;
      }
    }
    return false;
  }

  private static String own(Rule rule, Identity who) {
    return rule.pattern().replace(SELF, who.name());
  }

  /**
   * Whether every topic that {@code filter} matches is matched by {@code pattern} (both MQTT
   * filters; a topic name is a filter without wildcards).
   */
  static boolean covers(String pattern, String filter) {
    String[] p = pattern.split("/", -1);
    String[] f = filter.split("/", -1);
    for (int i = 0; i < p.length; i++) {
      if (p[i].equals("#")) {
        return true;
      }
      if (i >= f.length) {
        return false;
      }
      if (f[i].equals("#")) {
        return false; // the filter reaches further than the pattern allows
      }
      if (p[i].equals("+")) {
        continue; // any single level, '+' included
      }
      if (f[i].equals("+") || !p[i].equals(f[i]) || f[i].isEmpty()) {
        return false;
      }
    }
    return f.length == p.length;
  }

  /**
   * The rules as a Mosquitto {@code acl_file}: agents' rules as {@code pattern} lines with {@code
   * %u}; each orchestrator's under its {@code user} line. Mosquitto must run with {@code
   * use_username_as_clientid true} (docs/deploy.md), which makes the client id the user name.
   */
  public static String mosquittoAclFile(List<String> orchestrators) {
    StringBuilder s = new StringBuilder();
    s.append("# Generated by scripts/credentials from dev.moe2.protocol.Acl; do not edit.\n");
    s.append("# Agents: their own topics only (%u = user name = client id).\n");
    for (Rule rule : RULES) {
      if (rule.role() == Role.AGENT) {
        s.append("pattern ")
            .append(rule.access() == Access.PUBLISH ? "write " : "read ")
            .append(rule.pattern().replace(SELF, "%u"))
            .append('\n');
      }
    }
    for (String name : orchestrators) {
      Identity who = new Identity(name, Role.ORCHESTRATOR);
      s.append("\nuser ").append(who.name()).append('\n');
      for (Rule rule : RULES) {
        if (rule.role() == Role.ORCHESTRATOR) {
          s.append("topic ")
              .append(rule.access() == Access.PUBLISH ? "write " : "read ")
              .append(own(rule, who))
              .append('\n');
        }
      }
    }
    return s.toString();
  }
}
