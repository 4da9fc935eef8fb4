package dev.moe2.edgeagent.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Real {@code tegrastats} lines as published (quoted verbatim, found with a public code search):
 *
 * <ul>
 *   <li>AGX Orin 64GB, JetPack 6 ({@code sudo tegrastats --interval 100}), from a public Markdown
 *       note on DLA benchmarking (2025-11-21);
 *   <li>Orin Nano, from the README of a public "Tegrastats parser" project (2024-12-23);
 *   <li>TX2 (Xavier-era units-less format), from the header comment of a public tegrastats-to-CSV
 *       script;
 *   <li>Jetson Nano ({@code POM_5V_IN}), from the docstring of a public tegrastats parser.
 * </ul>
 *
 * Rail names as in NVIDIA's Jetson Linux Developer Guide r36.3, "Jetson Orin Nano, NX and AGX Orin
 * series" power monitoring.
 */
class TegrastatsParserTest {

  static final String AGX_ORIN =
      "11-21-2025 08:49:48 RAM 13983/62780MB (lfb 424x4MB) SWAP 126/31390MB (cached 0MB) CPU"
          + " [90%@2201,100%@2201,100%@2201,100%@2201,100%@2201,100%@2201,100%@2201,100%@2201,"
          + "100%@2201,100%@2201,100%@2201,100%@2201] EMC_FREQ 1%@2133 GR3D_FREQ 14%@[407,407]"
          + " VIC_FREQ 115 NVDLA0_FREQ @1600 APE 174 CV0@73.625C CPU@77.281C Tboard@62C SOC2@70C"
          + " Tdiode@62.25C SOC0@69.531C CV1@72.5C GPU@69.125C tj@77.281C SOC1@68.968C CV2@67.25C"
          + " VDD_GPU_SOC 3150mW/2971mW VDD_CPU_CV 14312mW/12415mW VIN_SYS_5V0 4968mW/5048mW"
          + " VDDQ_VDD2_1V8AO 1091mW/1091mW";

  static final String ORIN_NANO =
      "12-23-2024 22:54:11 RAM 3162/7620MB (lfb 4x2MB) SWAP 0/3810MB (cached 0MB) CPU"
          + " [1%@729,0%@729,0%@729,0%@729,off,off] GR3D_FREQ 1% cpu@62.843C soc2@61.968C"
          + " soc0@60.625C gpu@61.687C tj@62.843C soc1@61.687C VDD_IN 3913mW/3922mW VDD_CPU_GPU_CV"
          + " 598mW/598 VDD_SOC 1238mW/1237mW";

  static final String TX2 =
      "RAM 1404/7860MB (lfb 236x4MB) SWAP 0/3930MB (cached 0MB) CPU"
          + " [0%@345,0%@960,0%@960,0%@345,0%@345,0%@345] EMC_FREQ 0% GR3D_FREQ 0% PLL@35.5C"
          + " MCPU@35.5C PMIC@100C Tboard@30C GPU@32C BCPU@35.5C thermal@34.1C Tdiode@31.5C"
          + " VDD_SYS_GPU 153/153 VDD_SYS_SOC 306/306 VDD_4V0_WIFI 0/0 VDD_IN 1649/1649 VDD_SYS_CPU"
          + " 306/306 VDD_SYS_DDR 173/173";

  static final String NANO =
      "RAM 1766/3964MB (lfb 197x4MB) SWAP 0/2048MB (cached 0MB) CPU"
          + " [24%@1224,15%@1224,13%@1224,10%@1224] EMC_FREQ 0% GR3D_FREQ 0% PLL@21C CPU@25C"
          + " PMIC@100C GPU@23.5C AO@33.5C thermal@24.5C POM_5V_IN 2545/2547 POM_5V_GPU 0/0"
          + " POM_5V_CPU 549/529";

  @Test
  void rails_agxOrinLine_currentValuesOfEveryRailNotRamOrSwap() {
    assertThat(TegrastatsParser.rails(AGX_ORIN))
        .containsExactly(
            org.assertj.core.api.Assertions.entry("VDD_GPU_SOC", 3150.0),
            org.assertj.core.api.Assertions.entry("VDD_CPU_CV", 14312.0),
            org.assertj.core.api.Assertions.entry("VIN_SYS_5V0", 4968.0),
            org.assertj.core.api.Assertions.entry("VDDQ_VDD2_1V8AO", 1091.0));
  }

  @Test
  void watts_agxOrinWithoutRails_usesTheModuleInputRail() {
    assertThat(TegrastatsParser.watts(AGX_ORIN, List.of()).getAsDouble())
        .isCloseTo(4.968, within(1e-9));
  }

  @Test
  void watts_agxOrinWithGpuAndCpuRails_sumsThem() {
    assertThat(TegrastatsParser.watts(AGX_ORIN, List.of("VDD_GPU_SOC", "VDD_CPU_CV")).getAsDouble())
        .isCloseTo(17.462, within(1e-9));
  }

  @Test
  void watts_orinNanoWithAMissingUnitOnTheAverage_stillReadsVddIn() {
    assertThat(TegrastatsParser.rails(ORIN_NANO)).containsEntry("VDD_CPU_GPU_CV", 598.0);
    assertThat(TegrastatsParser.watts(ORIN_NANO, List.of()).getAsDouble())
        .isCloseTo(3.913, within(1e-9));
  }

  @Test
  void watts_tx2UnitlessFormat_readsVddIn() {
    assertThat(TegrastatsParser.rails(TX2))
        .containsEntry("VDD_SYS_GPU", 153.0)
        .doesNotContainKey("RAM");
    assertThat(TegrastatsParser.watts(TX2, List.of()).getAsDouble()).isCloseTo(1.649, within(1e-9));
  }

  @Test
  void watts_nanoPomRails_readsPom5vIn() {
    assertThat(TegrastatsParser.watts(NANO, List.of()).getAsDouble())
        .isCloseTo(2.545, within(1e-9));
  }

  @Test
  void watts_lineWithoutRailsOrWithoutTheAskedRail_isEmpty() {
    // tegrastats run without root prints no power rails at all
    assertThat(TegrastatsParser.watts("RAM 1/2MB GR3D_FREQ 0%", List.of())).isEmpty();
    assertThat(TegrastatsParser.watts(AGX_ORIN, List.of("VDD_IN"))).isEmpty();
  }
}
