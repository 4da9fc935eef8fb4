package dev.moe2.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.moe2.profiles.workload.SharedData;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProfileCatalogTest {

  private final ProfileCatalog catalog = ProfileCatalog.builtIn();

  @Test
  void builtIn_hasTheThreeDeviceClasses() {
    assertThat(catalog.deviceClasses())
        .extracting(DeviceClass::id)
        .containsExactly("jetson-agx-orin-64gb", "jetson-orin-nx-16gb", "rtx-4090");
  }

  @Test
  void agxOrin_hasItsFourNvpmodelModes() {
    DeviceClass orin = catalog.deviceClass("jetson-agx-orin-64gb");

    assertThat(orin.kind()).isEqualTo(DeviceKind.JETSON);
    assertThat(orin.powerModes())
        .extracting(PowerMode::id, PowerMode::nvpmodelId, m -> m.maxPowerW().value())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("15w", 1, 15.0),
            org.assertj.core.groups.Tuple.tuple("30w", 2, 30.0),
            org.assertj.core.groups.Tuple.tuple("50w", 3, 50.0),
            org.assertj.core.groups.Tuple.tuple("maxn", 0, 60.0));
    assertThat(orin.topMode()).isEqualTo("maxn");
  }

  @Test
  void rtx4090_hasPowerLimitModes() {
    DeviceClass rtx = catalog.deviceClass("rtx-4090");

    assertThat(rtx.kind()).isEqualTo(DeviceKind.DGPU);
    assertThat(rtx.powerModes()).extracting(PowerMode::powerLimitW).containsExactly(200, 300, 450);
    assertThat(rtx.powerEnvelopeW().max().value()).isEqualTo(450);
  }

  @Test
  void performance_topModeOfAgxOrin_isThePublishedMlcFigure() {
    Performance p = catalog.deviceClass("jetson-agx-orin-64gb").performance("7b-q4", "maxn");

    assertThat(p.runtime()).isEqualTo("mlc");
    assertThat(p.decodeTokPerS().value()).isEqualTo(47);
    assertThat(p.decodeTokPerS().isDerived()).isFalse();
    assertThat(p.decodeTokPerS().source()).contains("jetson-ai-lab.com");
    assertThat(p.energyPerTokenJ().value()).isCloseTo(60.0 / 47, within(1e-9));
    assertThat(p.energyPerTokenJ().derived()).isEqualTo("J/token = 60.0 W / 47.0 tok/s");
  }

  @Test
  void performance_lowerJetsonMode_isDerivedByThePowerLaw() {
    Performance p = catalog.deviceClass("jetson-agx-orin-64gb").performance("7b-q4", "15w");

    assertThat(p.decodeTokPerS().value()).isCloseTo(47 * Math.pow(15.0 / 60, 0.7), within(1e-9));
    assertThat(p.decodeTokPerS().isDerived()).isTrue();
    assertThat(p.decodeTokPerS().derived()).contains("(15 W / 60.0 W)^0.70");
    assertThat(p.activePowerW().value()).isEqualTo(15);
    assertThat(p.energyPerTokenJ().value()).isCloseTo(15 / p.decodeTokPerS().value(), within(1e-9));
  }

  @Test
  void performance_dgpuLimitAboveTheDraw_doesNotSlowDown() {
    DeviceClass rtx = catalog.deviceClass("rtx-4090");

    assertThat(rtx.performance("7b-q4", "pl300").decodeTokPerS().value()).isEqualTo(193);
    assertThat(rtx.performance("7b-q4", "pl200").decodeTokPerS().value())
        .isCloseTo(193 * Math.pow(300 / 344.6, 0.7), within(1e-9));
  }

  @Test
  void performance_isMonotoneInPowerModeForEveryClassAndSize() {
    for (DeviceClass dc : catalog.deviceClasses()) {
      for (String size : dc.sizeClasses()) {
        double previous = 0;
        for (PowerMode mode : dc.powerModes()) {
          double rate = dc.performance(size, mode.id()).decodeTokPerS().value();
          assertThat(rate)
              .as("%s %s %s", dc.id(), size, mode.id())
              .isGreaterThanOrEqualTo(previous);
          previous = rate;
        }
      }
    }
  }

  @Test
  void performance_unknownMode_throwsNamingKnownModes() {
    DeviceClass orin = catalog.deviceClass("jetson-agx-orin-64gb");

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> orin.performance("7b-q4", "40w"))
        .isInstanceOf(UnknownProfileEntryException.class)
        .hasMessage(
            "unknown power mode '40w' in jetson-agx-orin-64gb; known: 15w, 30w, 50w, maxn."
                + " Maybe a typo, or a mode of another device class?");
  }

  @Test
  void performance_unknownSizeClass_throwsNamingKnownSizes() {
    DeviceClass nx = catalog.deviceClass("jetson-orin-nx-16gb");

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> nx.performance("14b-q4", "25w"))
        .isInstanceOf(UnknownProfileEntryException.class)
        .hasMessageContaining("unknown model size class '14b-q4'")
        .hasMessageContaining("known: 7b-q4");
  }

  @Test
  void referenceFleet_isTwoAgxOneNxOne4090WithTheSevenModels() {
    Fleet fleet = catalog.fleet("reference");

    assertThat(fleet.devices())
        .extracting(d -> d.deviceClass().id())
        .containsExactly(
            "jetson-agx-orin-64gb", "jetson-agx-orin-64gb", "jetson-orin-nx-16gb", "rtx-4090");
    assertThat(fleet.models().models()).hasSize(7);
    assertThat(fleet.devices()).allSatisfy(d -> assertThat(d.link().rttMs()).isPositive());
  }

  @Test
  void routerdcModels_areExactlyTheModelsScoredInTheSharedData() throws IOException {
    Path mmlu = SharedData.routerDc(SharedData.dir()).resolve("mmlu_test.json");
    JsonNode first = new ObjectMapper().readTree(mmlu.toFile()).get(0).get("scores");
    List<String> scored = new ArrayList<>();
    first.fieldNames().forEachRemaining(scored::add);

    assertThat(catalog.modelCatalog("routerdc-7").models())
        .extracting(ModelDescriptor::name)
        .containsExactlyInAnyOrderElementsOf(scored);
  }

  @Test
  void routerdcModels_fitTwoOrThreeOnA4090AndOneOrTwoOnAnOrinNx() {
    List<ModelDescriptor> models = catalog.modelCatalog("routerdc-7").models();
    double smallest =
        models.stream().mapToDouble(m -> m.footprintGiB().value()).min().orElseThrow();
    double largest = models.stream().mapToDouble(m -> m.footprintGiB().value()).max().orElseThrow();

    double rtx = catalog.deviceClass("rtx-4090").usableMemoryGiB().value();
    assertThat((int) (rtx / largest)).isEqualTo(3);
    assertThat((int) (rtx / smallest)).isEqualTo(3);
    double nx = catalog.deviceClass("jetson-orin-nx-16gb").usableMemoryGiB().value();
    assertThat((int) (nx / smallest)).isEqualTo(2);
    assertThat((int) (nx / largest)).isEqualTo(1);
  }

  @Test
  void everyFigure_carriesASourceOrADerivationRule() {
    List<Figure> figures = new ArrayList<>();
    catalog.deviceClasses().forEach(dc -> collect(dc, figures));
    catalog.modelCatalogs().forEach(mc -> collect(mc, figures));

    assertThat(figures).hasSizeGreaterThan(60);
    assertThat(figures)
        .allSatisfy(f -> assertThat(f.provenance()).isNotBlank().hasSizeGreaterThan(10));
  }

  @Test
  void load_folderCopyOfTheBuiltIns_equalsBuiltIn(@org.junit.jupiter.api.io.TempDir Path dir)
      throws IOException {
    Profiles.copyBuiltIns(dir);

    ProfileCatalog loaded = ProfileCatalog.load(dir);

    assertThat(loaded.deviceClasses()).containsExactlyElementsOf(catalog.deviceClasses());
    assertThat(loaded.fleet("reference")).isEqualTo(catalog.fleet("reference"));
  }

  private static void collect(Object value, List<Figure> out) {
    if (value instanceof Figure f) {
      out.add(f);
    } else if (value instanceof Collection<?> c) {
      c.forEach(v -> collect(v, out));
    } else if (value != null && value.getClass().isRecord()) {
      for (RecordComponent rc : value.getClass().getRecordComponents()) {
        try {
          collect(rc.getAccessor().invoke(value), out);
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(e);
        }
      }
    }
  }

  static boolean exists(Path p) {
    return Files.exists(p);
  }
}
