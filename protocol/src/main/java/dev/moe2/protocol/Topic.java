package dev.moe2.protocol;

import dev.moe2.protocol.internal.Checks;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * A topic of the contract: the one place where topic strings are built and parsed ({@code
 * docs/mqtt-contract.md}, "Topic tree"). Every topic lives under the versioned root {@value #ROOT}
 * so that a v2 contract can run beside v1 on one broker.
 *
 * @param kind what the topic carries
 * @param agentId the agent it concerns (every topic names one)
 * @param modelId the model, for {@link Kind#REQUESTS} only
 * @param orchestratorId the orchestrator replica, for {@link Kind#REPLIES} only
 */
public record Topic(Kind kind, AgentId agentId, ModelId modelId, OrchestratorId orchestratorId) {

  /** The versioned root of every topic. */
  public static final String ROOT = "moe2/v1";

  /** The prefix of an MQTT 5 shared subscription. */
  public static final String SHARED_PREFIX = "$share/";

  /** Largest topic name we accept (MQTT allows 65535 bytes; ours are far shorter). */
  static final int MAX_LENGTH = 512;

  /** The kinds of topic, with their delivery rules. */
  public enum Kind {
    /** Agent capabilities; retained; published on every connect. */
    BIRTH(1, true, EnumSet.of(MessageType.BIRTH), Publisher.AGENT),
    /** Agent liveness and applied state; retained; also the last will. */
    STATE(1, true, EnumSet.of(MessageType.STATE), Publisher.AGENT),
    /** Latest latency and energy report; retained. */
    PROFILE(1, true, EnumSet.of(MessageType.PROFILE), Publisher.AGENT),
    /** The agent's part of the plan; retained; published by the orchestrator. */
    PLAN(1, true, EnumSet.of(MessageType.PLAN), Publisher.ORCHESTRATOR),
    /** Inference requests to one expert; not retained; message expiry = deadline. */
    REQUESTS(1, false, EnumSet.of(MessageType.REQUEST), Publisher.ORCHESTRATOR),
    /**
     * Replies, partial output of streamed requests and request errors to one orchestrator replica;
     * not retained. One agent's messages for one request arrive in the order sent (QoS 1 on one
     * topic): its partials, then its reply or error.
     */
    REPLIES(
        1,
        false,
        EnumSet.of(MessageType.REPLY, MessageType.PARTIAL, MessageType.ERROR),
        Publisher.AGENT),
    /** Withdrawn requests (the client went away): the agent stops them; not retained. */
    CANCEL(1, false, EnumSet.of(MessageType.CANCEL), Publisher.ORCHESTRATOR),
    /** Errors an agent cannot tie to a request; not retained. */
    ERRORS(1, false, EnumSet.of(MessageType.ERROR), Publisher.AGENT);

    private final int qos;
    private final boolean retained;
    private final Set<MessageType> carries;
    private final Publisher publisher;

    Kind(int qos, boolean retained, Set<MessageType> carries, Publisher publisher) {
      this.qos = qos;
      this.retained = retained;
      this.carries = carries;
      this.publisher = publisher;
    }

    /** The MQTT QoS to publish and subscribe with. */
    public int qos() {
      return qos;
    }

    /** Whether publications are retained. */
    public boolean retained() {
      return retained;
    }

    /** The message types a payload on this topic may have. */
    public Set<MessageType> carries() {
      return Set.copyOf(carries);
    }

    /** Who publishes on it. */
    public Publisher publisher() {
      return publisher;
    }

    /** The topic pattern with placeholders, as the contract document writes it. */
    public String pattern() {
      return switch (this) {
        case BIRTH -> ROOT + "/agents/{agentId}/birth";
        case STATE -> ROOT + "/agents/{agentId}/state";
        case PROFILE -> ROOT + "/agents/{agentId}/profile";
        case PLAN -> ROOT + "/agents/{agentId}/plan";
        case REQUESTS -> ROOT + "/agents/{agentId}/experts/{modelId}/requests";
        case REPLIES -> ROOT + "/orchestrators/{orchestratorId}/replies/{agentId}";
        case ERRORS -> ROOT + "/agents/{agentId}/errors";
        case CANCEL -> ROOT + "/agents/{agentId}/cancel";
      };
    }
  }

  /** Who publishes on a kind of topic. */
  public enum Publisher {
    AGENT,
    ORCHESTRATOR
  }

  public Topic {
    Checks.notNull(kind, "kind");
    Checks.notNull(agentId, "agentId");
    if ((kind == Kind.REQUESTS) != (modelId != null)) {
      throw new IllegalArgumentException(
          "field 'modelId' has value " + modelId + ": a " + kind + " topic " + needs(kind));
    }
    if ((kind == Kind.REPLIES) != (orchestratorId != null)) {
      throw new IllegalArgumentException(
          "field 'orchestratorId' has value "
              + orchestratorId
              + ": a "
              + kind
              + " topic "
              + needs(kind));
    }
  }

  private static String needs(Kind kind) {
    return switch (kind) {
      case REQUESTS -> "needs a modelId and no orchestratorId";
      case REPLIES -> "needs an orchestratorId and no modelId";
      default -> "takes neither a modelId nor an orchestratorId";
    };
  }

  public static Topic birth(AgentId agent) {
    return new Topic(Kind.BIRTH, agent, null, null);
  }

  public static Topic state(AgentId agent) {
    return new Topic(Kind.STATE, agent, null, null);
  }

  public static Topic profile(AgentId agent) {
    return new Topic(Kind.PROFILE, agent, null, null);
  }

  public static Topic plan(AgentId agent) {
    return new Topic(Kind.PLAN, agent, null, null);
  }

  public static Topic requests(AgentId agent, ModelId model) {
    return new Topic(Kind.REQUESTS, agent, Objects.requireNonNull(model, "model"), null);
  }

  public static Topic replies(OrchestratorId orchestrator, AgentId agent) {
    return new Topic(
        Kind.REPLIES, agent, null, Objects.requireNonNull(orchestrator, "orchestrator"));
  }

  public static Topic errors(AgentId agent) {
    return new Topic(Kind.ERRORS, agent, null, null);
  }

  public static Topic cancel(AgentId agent) {
    return new Topic(Kind.CANCEL, agent, null, null);
  }

  /** The topic name to publish on. */
  public String name() {
    return switch (kind) {
      case BIRTH -> ROOT + "/agents/" + agentId + "/birth";
      case STATE -> ROOT + "/agents/" + agentId + "/state";
      case PROFILE -> ROOT + "/agents/" + agentId + "/profile";
      case PLAN -> ROOT + "/agents/" + agentId + "/plan";
      case REQUESTS -> ROOT + "/agents/" + agentId + "/experts/" + modelId + "/requests";
      case REPLIES -> ROOT + "/orchestrators/" + orchestratorId + "/replies/" + agentId;
      case ERRORS -> ROOT + "/agents/" + agentId + "/errors";
      case CANCEL -> ROOT + "/agents/" + agentId + "/cancel";
    };
  }

  @Override
  public String toString() {
    return name();
  }

  /** The filter matching this kind of topic for every agent (and model, or orchestrator). */
  public static String filterAll(Kind kind) {
    return switch (kind) {
      case REQUESTS -> ROOT + "/agents/+/experts/+/requests";
      case REPLIES -> ROOT + "/orchestrators/+/replies/+";
      default -> ROOT + "/agents/+/" + kind.name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  /** The filter an agent subscribes to for requests to any of its experts. */
  public static String requestsFilter(AgentId agent) {
    return ROOT + "/agents/" + agent + "/experts/+/requests";
  }

  /** The filter an orchestrator replica subscribes to for its replies from every agent. */
  public static String repliesFilter(OrchestratorId orchestrator) {
    return ROOT + "/orchestrators/" + orchestrator + "/replies/+";
  }

  /**
   * An MQTT 5 shared subscription to {@code filter}: the replicas subscribed under one {@code
   * group} split the matching messages among them.
   */
  public static String shared(String group, String filter) {
    Checks.segment(group, "group");
    if (!filter.startsWith(ROOT + "/")) {
      throw new IllegalArgumentException(
          "field 'filter' has value '" + filter + "': it must start with " + ROOT + "/");
    }
    return SHARED_PREFIX + group + "/" + filter;
  }

  /**
   * Parses a topic name received from the broker.
   *
   * @throws InvalidTopicException naming the topic, the level that does not parse and why
   */
  public static Topic parse(String name) {
    if (name == null || name.isEmpty()) {
      throw new InvalidTopicException(String.valueOf(name), "topic", "it is empty");
    }
    if (name.length() > MAX_LENGTH) {
      throw new InvalidTopicException(
          name.substring(0, 64) + "…", "topic", "it is longer than " + MAX_LENGTH + " characters");
    }
    if (!name.startsWith(ROOT + "/")) {
      throw new InvalidTopicException(
          name, "root", "it does not start with the contract root " + ROOT + "/");
    }
    String[] l = name.substring(ROOT.length() + 1).split("/", -1);
    if (l.length == 3 && l[0].equals("agents")) {
      AgentId agent = segment(name, l[1], "agentId", AgentId::of);
      return switch (l[2]) {
        case "birth" -> birth(agent);
        case "state" -> state(agent);
        case "profile" -> profile(agent);
        case "plan" -> plan(agent);
        case "errors" -> errors(agent);
        case "cancel" -> cancel(agent);
        default ->
            throw new InvalidTopicException(
                name,
                "kind",
                "'" + l[2] + "' is not one of birth, state, profile, plan, errors, cancel");
      };
    }
    if (l.length == 5 && l[0].equals("agents") && l[2].equals("experts")) {
      if (!l[4].equals("requests")) {
        throw new InvalidTopicException(name, "kind", "'" + l[4] + "' is not 'requests'");
      }
      return requests(
          segment(name, l[1], "agentId", AgentId::of), segment(name, l[3], "modelId", ModelId::of));
    }
    if (l.length == 4 && l[0].equals("orchestrators") && l[2].equals("replies")) {
      return replies(
          segment(name, l[1], "orchestratorId", OrchestratorId::of),
          segment(name, l[3], "agentId", AgentId::of));
    }
    throw new InvalidTopicException(
        name,
        "topic",
        "it matches none of the contract's topic patterns (moe2/v1/agents/{agentId}/{kind},"
            + " moe2/v1/agents/{agentId}/experts/{modelId}/requests,"
            + " moe2/v1/orchestrators/{orchestratorId}/replies/{agentId})");
  }

  private static <T> T segment(
      String topic, String level, String field, java.util.function.Function<String, T> parse) {
    try {
      return parse.apply(level);
    } catch (IllegalArgumentException e) {
      throw new InvalidTopicException(topic, field, e.getMessage());
    }
  }
}
