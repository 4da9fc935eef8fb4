package dev.moe2.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * Bad input at scale, seeded and bounded: arbitrary bytes and mutations of every message type's
 * valid payload (bytes flipped, cut, spliced with JSON fragments) decode to a message or fail with
 * one of the protocol's own exceptions — never another exception, never a hang; the payload limit
 * holds to the byte.
 */
class CodecPropertiesTest {

  private final JsonCodec codec = new JsonCodec();

  /** Decodes, and says which kind of outcome it was; anything but these two fails the property. */
  private String outcome(Topic topic, byte[] payload) {
    try {
      codec.decode(topic, payload);
      return "decoded";
    } catch (ProtocolException e) {
      assertThat(e.getMessage()).isNotBlank().contains(topic.name());
      return "refused";
    }
  }

  @Provide
  Arbitrary<Tuple.Tuple2<Topic, byte[]>> validPayloads() {
    return Arbitraries.of(ContractExamples.all())
        .map(o -> Tuple.of((Topic) o[0], codec.encode((Message) o[1])));
  }

  private static final List<String> FRAGMENTS =
      List.of(
          "null",
          "{}",
          "[]",
          "\"\"",
          "-1",
          "1e999",
          "true",
          "{\"type\":\"birth\"}",
          "\"\\u0000\"",
          "9223372036854775808",
          "\"2026-13-45T99:00:00Z\"",
          ",",
          "}",
          "]",
          "\"schemaVersion\":2");

  @Property(tries = 400, seed = "1401")
  void decode_validPayloadWithBytesFlipped_decodesOrRefusesWithAProtocolException(
      @ForAll("validPayloads") Tuple.Tuple2<Topic, byte[]> sample,
      @ForAll @IntRange(min = 0, max = 100_000) int position,
      @ForAll @IntRange(min = 0, max = 255) int value) {
    byte[] p = sample.get2().clone();
    p[position % p.length] = (byte) value;

    assertThat(outcome(sample.get1(), p)).isIn("decoded", "refused");
  }

  @Property(tries = 400, seed = "1402")
  void decode_validPayloadCutOrSplicedWithJsonFragments_decodesOrRefuses(
      @ForAll("validPayloads") Tuple.Tuple2<Topic, byte[]> sample,
      @ForAll @IntRange(min = 0, max = 100_000) int at,
      @ForAll @IntRange(min = 0, max = 100_000) int cut,
      @ForAll @IntRange(min = 0, max = 14) int fragment) {
    String json = new String(sample.get2(), StandardCharsets.UTF_8);
    int i = at % json.length();
    String spliced =
        json.substring(0, i)
            + FRAGMENTS.get(fragment)
            + json.substring(Math.min(json.length(), i + cut % 40));

    assertThat(outcome(sample.get1(), spliced.getBytes(StandardCharsets.UTF_8)))
        .isIn("decoded", "refused");
  }

  @Property(tries = 300, seed = "1403")
  void decode_validPayloadWithAFieldsValueReplaced_decodesOrRefuses(
      @ForAll("validPayloads") Tuple.Tuple2<Topic, byte[]> sample,
      @ForAll @IntRange(min = 0, max = 1000) int field,
      @ForAll @IntRange(min = 0, max = 14) int fragment) {
    String json = new String(sample.get2(), StandardCharsets.UTF_8);
    // the n-th ':' starts a value: replace what follows up to the next ',' or '}'
    int colon = -1;
    for (int n = 0; n <= field % 12; n++) {
      int next = json.indexOf(':', colon + 1);
      if (next < 0) {
        break;
      }
      colon = next;
    }
    if (colon < 0) {
      return;
    }
    int end = colon + 1;
    while (end < json.length() && json.charAt(end) != ',' && json.charAt(end) != '}') {
      end++;
    }
    String replaced = json.substring(0, colon + 1) + FRAGMENTS.get(fragment) + json.substring(end);

    assertThat(outcome(sample.get1(), replaced.getBytes(StandardCharsets.UTF_8)))
        .isIn("decoded", "refused");
  }

  @Property(tries = 300, seed = "1404")
  void decode_arbitraryBytes_refusedWithAProtocolException(
      @ForAll("validPayloads") Tuple.Tuple2<Topic, byte[]> sample, @ForAll byte[] payload) {
    assertThat(outcome(sample.get1(), payload)).isIn("decoded", "refused");
  }

  @Example
  void decode_payloadAtTheLimitAndOneByteOver_onlyTheOverOneIsTooLarge() {
    JsonCodec small = new JsonCodec(1024);
    Topic topic = Topic.state(ContractExamples.AGENT);
    byte[] valid = small.encode(ContractExamples.state());
    byte[] atLimit = Arrays.copyOf(valid, 1024);
    Arrays.fill(atLimit, valid.length - 1, 1024, (byte) ' ');
    atLimit[1023] = '}';
    byte[] over = Arrays.copyOf(atLimit, 1025);
    over[1023] = ' ';
    over[1024] = '}';

    assertThat(small.decode(topic, atLimit)).isInstanceOf(AgentState.class);
    assertThatThrownBy(() -> small.decode(topic, over))
        .isInstanceOf(PayloadTooLargeException.class)
        .hasMessageContaining("1025");
  }
}
