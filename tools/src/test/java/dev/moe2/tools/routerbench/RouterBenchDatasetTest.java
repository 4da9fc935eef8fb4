package dev.moe2.tools.routerbench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moe2.gating.data.DataFileException;
import dev.moe2.profiles.workload.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouterBenchDatasetTest {

  private static Path routerbench(String file) {
    Path p =
        SharedData.dir()
            .resolve("routing/routerdc/routerbench_zs")
            .resolve(file)
            .toAbsolutePath()
            .normalize();
    if (!Files.exists(p)) {
      throw new IllegalStateException("RouterBench data not found at " + p);
    }
    return p;
  }

  @Test
  void load_realMbppTest_readsElevenModelsPerPrompt() {
    List<RouterBenchRecord> records = RouterBenchDataset.load(routerbench("mbpp_test.csv"));

    assertThat(records).hasSize(128);
    assertThat(records).allSatisfy(r -> assertThat(r.scores()).hasSize(11));
    assertThat(records.get(0).scores()).containsKey("mistralai/mistral-7b-chat");
    assertThat(records)
        .allSatisfy(
            r ->
                assertThat(r.scores().values()).allSatisfy(s -> assertThat(s).isBetween(0.0, 1.0)));
  }

  @Test
  void load_realArcChallenge_sampleIdsAndEvalNames() {
    List<RouterBenchRecord> records =
        RouterBenchDataset.load(routerbench("arc_challenge_test.csv"));

    assertThat(records.get(0).sampleId()).isEqualTo("arc-challenge.test.1");
    assertThat(records.get(0).prompt()).startsWith("['George wants to warm his hands quickly");
  }

  @Test
  void load_scoreThatIsNotANumber_failsNamingRowAndColumn(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("x.csv");
    Files.writeString(
        f,
        ",sample_id,prompt,eval_name,m1,m1|total_cost\n0,s.1,\"a\nb\",e,1.0,0.001\n1,s.2,q,e,yes,0.002\n");

    assertThatThrownBy(() -> RouterBenchDataset.load(f))
        .isInstanceOf(DataFileException.class)
        .hasMessage(f + ": key 'row 3.m1': not a number: 'yes'");
  }
}
