package dev.moe2.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TopicTest {

  static final AgentId A = AgentId.of("orin-a");

  static List<Topic> everyKind() {
    return List.of(
        Topic.birth(A),
        Topic.state(A),
        Topic.profile(A),
        Topic.plan(A),
        Topic.requests(A, ModelId.of("zephyr-7b-beta")),
        Topic.replies(OrchestratorId.of("orch-1"), A),
        Topic.errors(A),
        Topic.cancel(A));
  }

  @ParameterizedTest
  @MethodSource("everyKind")
  void parse_nameOfEveryKind_returnsTheSameTopic(Topic topic) {
    assertThat(Topic.parse(topic.name())).isEqualTo(topic);
  }

  @Test
  void everyKind_isCovered() {
    assertThat(everyKind()).extracting(Topic::kind).containsExactlyInAnyOrder(Topic.Kind.values());
  }

  @Test
  void name_request_followsTheContractPattern() {
    assertThat(Topic.requests(A, ModelId.of("meta-llama-3-8b")).name())
        .isEqualTo("moe2/v1/agents/orin-a/experts/meta-llama-3-8b/requests");
    assertThat(Topic.replies(OrchestratorId.of("o1"), A).name())
        .isEqualTo("moe2/v1/orchestrators/o1/replies/orin-a");
  }

  @Test
  void filters_matchTheContract() {
    assertThat(Topic.filterAll(Topic.Kind.BIRTH)).isEqualTo("moe2/v1/agents/+/birth");
    assertThat(Topic.filterAll(Topic.Kind.REQUESTS))
        .isEqualTo("moe2/v1/agents/+/experts/+/requests");
    assertThat(Topic.requestsFilter(A)).isEqualTo("moe2/v1/agents/orin-a/experts/+/requests");
    assertThat(Topic.repliesFilter(OrchestratorId.of("o1")))
        .isEqualTo("moe2/v1/orchestrators/o1/replies/+");
    assertThat(Topic.shared("orchestrators", Topic.filterAll(Topic.Kind.PROFILE)))
        .isEqualTo("$share/orchestrators/moe2/v1/agents/+/profile");
  }

  @Test
  void shared_filterOutsideTheRoot_isRejected() {
    assertThatThrownBy(() -> Topic.shared("g", "other/#"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("field 'filter' has value 'other/#'");
  }

  static Stream<Arguments> badNames() {
    return Stream.of(
        Arguments.of(
            "moe2/v2/agents/a/birth", "root", "does not start with the contract root moe2/v1/"),
        Arguments.of(
            "moe2/v1/agents/a/bogus",
            "kind",
            "'bogus' is not one of birth, state, profile, plan, errors"),
        Arguments.of("moe2/v1/agents/a+b/birth", "agentId", "field 'agentId' has value 'a+b'"),
        Arguments.of("moe2/v1/agents//birth", "agentId", "field 'agentId' has value ''"),
        Arguments.of("moe2/v1/agents/a/experts/m/x", "kind", "'x' is not 'requests'"),
        Arguments.of(
            "moe2/v1/agents/a/experts/#/requests", "modelId", "field 'modelId' has value '#'"),
        Arguments.of("moe2/v1/orchestrators/o/replies/", "agentId", "field 'agentId' has value ''"),
        Arguments.of(
            "moe2/v1/agents/a/birth/extra",
            "topic",
            "matches none of the contract's topic patterns"));
  }

  @ParameterizedTest
  @MethodSource("badNames")
  void parse_badName_throwsInvalidTopicNamingLevelAndReason(
      String name, String field, String reason) {
    assertThatThrownBy(() -> Topic.parse(name))
        .isInstanceOfSatisfying(
            InvalidTopicException.class,
            e -> {
              assertThat(e.topic()).isEqualTo(name);
              assertThat(e.field()).isEqualTo(field);
              assertThat(e.reason()).contains(reason);
            });
  }

  @Test
  void parse_emptyName_throwsInvalidTopic() {
    assertThatThrownBy(() -> Topic.parse("")).isInstanceOf(InvalidTopicException.class);
  }

  @Test
  void parse_overlongName_throwsInvalidTopic() {
    assertThatThrownBy(() -> Topic.parse("moe2/v1/" + "x".repeat(600)))
        .isInstanceOf(InvalidTopicException.class)
        .hasMessageContaining("longer than 512");
  }

  @Test
  void constructor_modelIdOnNonRequestTopic_isRejected() {
    assertThatThrownBy(() -> new Topic(Topic.Kind.BIRTH, A, ModelId.of("m"), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("field 'modelId'");
  }

  @Test
  void kinds_retainedAreTheStateLikeOnes() {
    assertThat(Topic.Kind.values())
        .filteredOn(Topic.Kind::retained)
        .containsExactly(Topic.Kind.BIRTH, Topic.Kind.STATE, Topic.Kind.PROFILE, Topic.Kind.PLAN);
    assertThat(Topic.Kind.values()).allSatisfy(k -> assertThat(k.qos()).isEqualTo(1));
  }
}
