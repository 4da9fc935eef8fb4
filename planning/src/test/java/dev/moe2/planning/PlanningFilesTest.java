package dev.moe2.planning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moe2.gating.data.DataFileException;
import dev.moe2.gating.data.RouterDcDataset;
import dev.moe2.optimizer.DelayRule;
import dev.moe2.profiles.workload.ReferenceWorkload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanningFilesTest {

  @TempDir Path dir;

  private Path write(String name, String content) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, content);
    return f;
  }

  @Test
  void builtInCategories_areTheFourReferenceCategories() {
    CategoriesFile c = CategoriesFile.builtIn();

    assertThat(c.categories())
        .extracting(CategoryConfig::id)
        .containsExactlyElementsOf(ReferenceWorkload.CATEGORIES);
    assertThat(c.delayRule()).isEqualTo(DelayRule.PARALLEL_MAX);
  }

  @Test
  void loadCategories_unknownKey_failsNamingIt() throws IOException {
    Path f = write("c.yaml", "categories:\n  - id: qa\n    budget: 3\n");

    assertThatThrownBy(() -> CategoriesFile.load(f))
        .isInstanceOf(DataFileException.class)
        .hasMessageStartingWith(f + ": key '$.categories[0].budget': unknown key; expected one of");
  }

  @Test
  void loadCategories_badDelayRule_fails() throws IOException {
    Path f =
        write(
            "c.yaml",
            "delayRule: fastest\ncategories:\n  - {id: qa, inputTokens: 1, outputTokens: 1, weight: 1,"
                + " k: 1, delayBudgetS: 1, energyBudgetJ: 1}\n");

    assertThatThrownBy(() -> CategoriesFile.load(f))
        .hasMessage(f + ": key '$.delayRule': 'fastest' is not parallel-max or serial-sum");
  }

  @Test
  void loadQualities_rowOfWrongWidth_failsNamingTheRow() throws IOException {
    Path f =
        write("q.json", "{\"models\":[\"a\",\"b\"],\"categories\":{\"qa\":[[0.5,0.5],[0.1]]}}");

    assertThatThrownBy(() -> Qualities.load(f))
        .isInstanceOf(DataFileException.class)
        .hasMessage(f + ": key '$.categories.qa[1]': expected 2 numbers, one per model");
  }

  @Test
  void loadQualities_valueOutsideUnitInterval_fails() throws IOException {
    Path f = write("q.json", "{\"models\":[\"a\"],\"categories\":{\"qa\":[[1.5]]}}");

    assertThatThrownBy(() -> Qualities.load(f))
        .hasMessage(f + ": key '$.categories.qa[0][0]': not a number in [0, 1]: 1.5");
  }

  @Test
  void loadQualities_validFile_keepsRowsInOrder() throws IOException {
    Path f =
        write("q.json", "{\"models\":[\"a\",\"b\"],\"categories\":{\"qa\":[[0.25,1],[0,0.5]]}}");

    Qualities q = Qualities.load(f);

    assertThat(q.models()).containsExactly("a", "b");
    assertThat(q.byCategory().get("qa")[1]).containsExactly(0f, 0.5f);
  }

  @Test
  void routerDc_realTrainSplit_hasAScoreForEverySevenModels() {
    var records = RouterDcDataset.load(ReferencePlanning.routerdc().resolve("gsm8k-train.json"));

    assertThat(records).hasSize(1000);
    assertThat(records).allSatisfy(r -> assertThat(r.scores()).hasSize(7));
  }

  @Test
  void routerDc_recordWithoutScores_failsNamingTheIndex() throws IOException {
    Path f = write("x.json", "[{\"question\":\"q\",\"scores\":{\"m\":1}},{\"question\":\"q2\"}]");

    assertThatThrownBy(() -> RouterDcDataset.load(f))
        .hasMessage(f + ": key '$[1].scores': missing or not an object");
  }

  @Test
  void routerDc_missingFile_failsNamingThePath() {
    Path f = dir.resolve("nope.json");

    assertThatThrownBy(() -> RouterDcDataset.load(f))
        .hasMessageStartingWith(f + ": key '$': no such file");
  }
}
