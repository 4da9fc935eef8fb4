package dev.moe2.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code docs/mqtt-contract.md} and the code agree: its examples and its topic table. */
class ContractDocTest {

  static final Path DOC = Path.of("").toAbsolutePath().getParent().resolve("docs/mqtt-contract.md");
  private static final Pattern EXAMPLE =
      Pattern.compile("<!-- example: (\\S+) -->\\s*```json\\n(.*?)\\n```", Pattern.DOTALL);

  private final JsonCodec codec = new JsonCodec();
  private final ObjectMapper mapper = new ObjectMapper();

  record Example(String topic, String json) {
    @Override
    public String toString() {
      return topic + " " + json.replaceAll("(?s).*\"type\":\\s*\"([a-z]+)\".*", "$1");
    }
  }

  static String doc() throws IOException {
    assertThat(DOC).as("the contract document").exists();
    return Files.readString(DOC, StandardCharsets.UTF_8);
  }

  static List<Example> examples() throws IOException {
    Matcher m = EXAMPLE.matcher(doc());
    List<Example> found = new ArrayList<>();
    while (m.find()) {
      found.add(new Example(m.group(1), m.group(2)));
    }
    return found;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void decode_everyDocumentedExample_succeedsAndReencodesToTheSameJson(Example example)
      throws IOException {
    Message message =
        codec.decode(example.topic(), example.json().getBytes(StandardCharsets.UTF_8));

    JsonNode documented = mapper.readTree(example.json());
    JsonNode reencoded = mapper.readTree(codec.encode(message));
    assertThat(reencoded.equals(ContractDocTest::sameValue, documented))
        .as("re-encoded %s%nvs documented %s", reencoded, documented)
        .isTrue();
  }

  /** Numbers compare by value (the doc may write 2900 where the codec writes 2900.0). */
  private static int sameValue(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return Double.compare(a.doubleValue(), b.doubleValue());
    }
    return a.equals(b) ? 0 : 1;
  }

  @Test
  void examples_coverEveryMessageTypeAndTopicKind() throws IOException {
    List<Example> examples = examples();
    Set<MessageType> types = EnumSet.noneOf(MessageType.class);
    Set<Topic.Kind> kinds = EnumSet.noneOf(Topic.Kind.class);
    for (Example e : examples) {
      Message m = codec.decode(e.topic(), e.json().getBytes(StandardCharsets.UTF_8));
      types.add(m.type());
      kinds.add(Topic.parse(e.topic()).kind());
    }

    assertThat(types).containsExactlyInAnyOrder(MessageType.values());
    assertThat(kinds).containsExactlyInAnyOrder(Topic.Kind.values());
  }

  @Test
  void topicTable_matchesTopicKinds() throws IOException {
    List<String[]> rows =
        doc()
            .lines()
            .filter(l -> l.matches("\\| [A-Z]+ \\| `moe2/.*"))
            .map(
                l ->
                    Arrays.stream(l.split("\\|")).map(String::strip).skip(1).toArray(String[]::new))
            .toList();

    assertThat(rows).hasSize(Topic.Kind.values().length);
    for (String[] row : rows) {
      Topic.Kind kind = Topic.Kind.valueOf(row[0]);
      assertThat(row[1]).as("pattern of %s", kind).isEqualTo("`" + kind.pattern() + "`");
      assertThat(row[2])
          .as("publisher of %s", kind)
          .isEqualTo(kind.publisher().name().toLowerCase(Locale.ROOT));
      assertThat(Integer.parseInt(row[3])).as("QoS of %s", kind).isEqualTo(kind.qos());
      assertThat(row[4]).as("retain of %s", kind).isEqualTo(kind.retained() ? "yes" : "no");
      assertThat(Stream.of(row[5].split(",\\s*")).collect(Collectors.toSet()))
          .as("types carried by %s", kind)
          .isEqualTo(kind.carries().stream().map(MessageType::label).collect(Collectors.toSet()));
    }
  }

  @Test
  void errorCodeTable_listsEveryCode() throws IOException {
    String doc = doc();

    assertThat(ErrorCode.values())
        .allSatisfy(code -> assertThat(doc).contains("| `" + code.label() + "` |"));
  }

  private static final Pattern INSTANT =
      Pattern.compile("\"(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.(\\d+))?Z)\"");

  @Test
  void examples_timesAtMillisecondPrecision() throws IOException {
    List<String> times = new ArrayList<>();
    for (Example e : examples()) {
      Matcher m = INSTANT.matcher(e.json());
      while (m.find()) {
        times.add(m.group(1));
        assertThat(m.group(2) == null ? "" : m.group(2))
            .as("fraction of %s in the %s example", m.group(1), e)
            .hasSizeLessThanOrEqualTo(3);
      }
    }
    assertThat(times).isNotEmpty();
  }

  @Test
  void birthExample_memoryIsTheUsableShareOfItsDeviceClass() throws IOException {
    Birth birth =
        examples().stream()
            .map(e -> codec.decode(e.topic(), e.json().getBytes(StandardCharsets.UTF_8)))
            .filter(Birth.class::isInstance)
            .map(Birth.class::cast)
            .findFirst()
            .orElseThrow();
    dev.moe2.profiles.DeviceClass dc =
        dev.moe2.profiles.ProfileCatalog.builtIn().deviceClass(birth.deviceClass());

    assertThat(birth.memoryMiB())
        .as("memoryMiB = usableMemoryGiB x 1024 of %s", dc.id())
        .isEqualTo(Math.round(dc.usableMemoryGiB().value() * 1024));
    assertThat(dc.mode(birth.powerMode())).as("powerMode is a mode id of the profile").isPresent();
    assertThat(birth.profileId()).isEqualTo(birth.deviceClass());
  }

  @Test
  void planVersionExamples_areEpochMillisecondSized64BitIntegers() throws IOException {
    List<Long> versions = new ArrayList<>();
    for (Example e : examples()) {
      Message m = codec.decode(e.topic(), e.json().getBytes(StandardCharsets.UTF_8));
      if (m instanceof PlanAssignment p) {
        versions.add(p.planVersion());
      } else if (m instanceof AgentState s && s.status() == AgentStatus.ONLINE) {
        versions.add(s.planVersion());
      }
    }
    assertThat(versions)
        .isNotEmpty()
        .allSatisfy(v -> assertThat(v).isGreaterThan(Integer.MAX_VALUE));
  }

  @Test
  void messageExpiry_secondsLeftRoundedUpAtLeastOne() {
    InferenceRequest r = ContractExamples.request(); // deadline T0 + 8 s

    assertThat(r.messageExpirySeconds(ContractExamples.T0)).isEqualTo(8);
    assertThat(r.messageExpirySeconds(ContractExamples.T0.plusMillis(1))).isEqualTo(8);
    assertThat(r.messageExpirySeconds(ContractExamples.T0.plusMillis(7_001))).isEqualTo(1);
    assertThat(r.messageExpirySeconds(ContractExamples.T0.plusSeconds(9)))
        .as("past the deadline")
        .isEqualTo(1);
  }

  @Test
  void wholePayloadErrors_nameTheFieldPayload() throws IOException {
    for (String bad : List.of("", "{", "[1]")) {
      assertThatThrownBy(
              () ->
                  codec.decode(
                      Topic.birth(ContractExamples.AGENT), bad.getBytes(StandardCharsets.UTF_8)))
          .isInstanceOfSatisfying(
              ProtocolException.class, e -> assertThat(e.field()).isEqualTo("payload"));
    }
    assertThat(doc()).contains("names the field\n`payload`");
  }
}
