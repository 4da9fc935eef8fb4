package dev.moe2.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moe2.protocol.Acl.Identity;
import dev.moe2.protocol.Acl.Role;
import java.util.List;
import org.junit.jupiter.api.Test;

class AclTest {

  private static final Identity AGENT = new Identity("orin-a", Role.AGENT);
  private static final Identity ORCH = new Identity("orch-1", Role.ORCHESTRATOR);
  private static final AgentId A = AgentId.of("orin-a");
  private static final AgentId OTHER = AgentId.of("orin-b");
  private static final OrchestratorId O = OrchestratorId.of("orch-1");
  private static final ModelId M = ModelId.of("qwen2-1.5b");

  @Test
  void mayPublish_agentOnItsOwnTopics_isAllowed() {
    for (Topic t :
        List.of(
            Topic.birth(A),
            Topic.state(A),
            Topic.profile(A),
            Topic.errors(A),
            Topic.replies(O, A),
            Topic.replies(OrchestratorId.of("orch-2"), A))) {
      assertThat(Acl.mayPublish(AGENT, t.name())).as(t.name()).isTrue();
    }
  }

  @Test
  void mayPublish_agentOnAnotherAgentsOrOrchestratorTopics_isRefused() {
    for (String t :
        List.of(
            Topic.birth(OTHER).name(),
            Topic.state(OTHER).name(),
            Topic.profile(OTHER).name(),
            Topic.errors(OTHER).name(),
            Topic.replies(O, OTHER).name(),
            Topic.plan(A).name(),
            Topic.plan(OTHER).name(),
            Topic.requests(A, M).name(),
            Topic.requests(OTHER, M).name(),
            "moe2/v1/agents/orin-a/birth/extra",
            "moe2/v1/agents/+/birth",
            "moe2/v1/agents/#",
            "moe2/v2/agents/orin-a/birth",
            "other/topic",
            "$SYS/broker",
            "")) {
      assertThat(Acl.mayPublish(AGENT, t)).as(t).isFalse();
    }
  }

  @Test
  void mayPublish_orchestrator_onlyPlansAndRequests() {
    assertThat(Acl.mayPublish(ORCH, Topic.plan(A).name())).isTrue();
    assertThat(Acl.mayPublish(ORCH, Topic.requests(OTHER, M).name())).isTrue();
    assertThat(Acl.mayPublish(ORCH, Topic.birth(A).name())).isFalse();
    assertThat(Acl.mayPublish(ORCH, Topic.state(A).name())).isFalse();
    assertThat(Acl.mayPublish(ORCH, Topic.replies(O, A).name())).isFalse();
  }

  @Test
  void maySubscribe_agent_onlyItsRequestsPlanAndState() {
    assertThat(Acl.maySubscribe(AGENT, Topic.requestsFilter(A))).isTrue();
    assertThat(Acl.maySubscribe(AGENT, Topic.requests(A, M).name())).isTrue();
    assertThat(Acl.maySubscribe(AGENT, Topic.plan(A).name())).isTrue();
    assertThat(Acl.maySubscribe(AGENT, Topic.state(A).name())).isTrue();
    for (String f :
        List.of(
            "#",
            "moe2/#",
            "moe2/v1/#",
            "moe2/v1/agents/+/plan",
            "moe2/v1/agents/orin-a/#",
            Topic.requestsFilter(OTHER),
            Topic.plan(OTHER).name(),
            Topic.birth(A).name(),
            Topic.repliesFilter(O),
            "moe2/v1/orchestrators/+/replies/orin-a",
            Topic.shared("g", Topic.requestsFilter(A)),
            "$SYS/#")) {
      assertThat(Acl.maySubscribe(AGENT, f)).as(f).isFalse();
    }
  }

  @Test
  void maySubscribe_orchestrator_fleetTopicsAndOwnRepliesAlsoShared() {
    for (Topic.Kind k :
        List.of(Topic.Kind.BIRTH, Topic.Kind.STATE, Topic.Kind.PROFILE, Topic.Kind.ERRORS)) {
      assertThat(Acl.maySubscribe(ORCH, Topic.filterAll(k))).isTrue();
      assertThat(Acl.maySubscribe(ORCH, Topic.shared("orchestrators", Topic.filterAll(k))))
          .isTrue();
    }
    assertThat(Acl.maySubscribe(ORCH, Topic.repliesFilter(O))).isTrue();
    assertThat(Acl.maySubscribe(ORCH, Topic.repliesFilter(OrchestratorId.of("orch-2")))).isFalse();
    assertThat(Acl.maySubscribe(ORCH, Topic.filterAll(Topic.Kind.REQUESTS))).isFalse();
    assertThat(Acl.maySubscribe(ORCH, "#")).isFalse();
    assertThat(Acl.maySubscribe(ORCH, "$share/+/moe2/v1/agents/+/birth")).isFalse();
  }

  @Test
  void identity_badName_namesTheField() {
    assertThatThrownBy(() -> new Identity("Bad Name", Role.AGENT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("agentId");
  }

  @Test
  void mosquittoAclFile_agentPatternsAndOrchestratorBlocks() {
    String file = Acl.mosquittoAclFile(List.of("orch-1"));
    assertThat(file)
        .contains("pattern write moe2/v1/agents/%u/birth\n")
        .contains("pattern write moe2/v1/orchestrators/+/replies/%u\n")
        .contains("pattern read moe2/v1/agents/%u/experts/+/requests\n")
        .contains("pattern read moe2/v1/agents/%u/plan\n")
        .contains("user orch-1\n")
        .contains("topic write moe2/v1/agents/+/plan\n")
        .contains("topic read moe2/v1/orchestrators/orch-1/replies/+\n")
        .doesNotContain("#\n");
  }
}
