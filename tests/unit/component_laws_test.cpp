// The laws that make crossbar.adc_bits and crossbar.device live (arch/component_laws.h): each
// checked against the figures it cites, and through the loader as a user meets it.
#include <gtest/gtest.h>

#include "xbar/arch/actions.h"
#include "xbar/arch/arch_loader.h"
#include "xbar/arch/component_laws.h"
#include "xbar/support/error.h"

namespace xbar::arch {
namespace {

ArchConfig preset(const std::string& name, const std::vector<Override>& overrides = {}) {
  return loadArch(resolveArchPath(name, XBAR_ARCH_DIR), overrides);
}

TEST(AdcLaw, EnergyFollowsTheAccelergyIsaacTable) {
  // Accelergy's isaac_adc.csv (32 nm SAR): 0.79 pJ at 4 bits, 1.67 at 8, 2.38 at 10.
  EXPECT_DOUBLE_EQ(adcEnergyScale(4, 8), 0.79 / 1.67);
  EXPECT_DOUBLE_EQ(adcEnergyScale(10, 8), 2.38 / 1.67);
  EXPECT_DOUBLE_EQ(adcEnergyScale(6, 6), 1.0);
  // Outside the table it keeps growing, by the table's mean ratio per bit.
  const double perBit = std::pow(2.38 / 0.79, 1.0 / 6.0);
  EXPECT_NEAR(adcEnergyScale(12, 10), perBit * perBit, 1e-12);
  EXPECT_NEAR(adcEnergyScale(3, 4), 1.0 / perBit, 1e-12);
  for (int64_t b = 1; b < 16; ++b) EXPECT_LT(adcEnergyScale(b, 8), adcEnergyScale(b + 1, 8));
}

TEST(AdcLaw, LatencyIsOneComparisonPerBit) {
  // PUMA's simulator: 12.5 ns per bit of SAR conversion, so 8 bits take twice 4 bits.
  EXPECT_DOUBLE_EQ(adcLatencyScale(4, 8), 0.5);
  EXPECT_DOUBLE_EQ(adcLatencyScale(12, 8), 1.5);
}

TEST(AdcLaw, APresetKeepsItsSourcesNumbersAtItsOwnResolution) {
  const ArchConfig isaac = preset("isaac-reram");
  EXPECT_EQ(isaac.adcEnergyPj(), isaac.crossbar.adc_energy_pj);  // 1.67 pJ, ISAAC's 8-bit ADC
  EXPECT_EQ(isaac.adcLatencyNs(), isaac.crossbar.adc_latency_ns);
  const ArchConfig four = preset("isaac-reram", {{"crossbar.adc_bits", "4"}});
  EXPECT_NEAR(four.adcEnergyPj(), 0.79, 1e-12);
  EXPECT_DOUBLE_EQ(four.adcLatencyNs(), isaac.crossbar.adc_latency_ns / 2);
  const double price = kActions[static_cast<size_t>(Action::AdcConversion)].price(four);
  EXPECT_NEAR(price, 0.79, 1e-12) << "the actions table prices conversions at adc_bits";
}

TEST(AdcLaw, BitsAColumnNeeds) {
  // 256 rows of 1-bit cells, 1-bit inputs: sums 0..256 need 9 bits; 255 rows fit in 8.
  EXPECT_EQ(adcBitsNeeded(256, 1, 1), 9);
  EXPECT_EQ(adcBitsNeeded(255, 1, 1), 8);
  // ISAAC: 128 rows x 3 (2-bit cells) x 1 = 384 -> 9 bits (ISAAC's encoding trick saves one).
  EXPECT_EQ(adcBitsNeeded(128, 2, 1), 9);
}

TEST(DeviceDefaults, TheDeviceSuppliesTheWriteKeysAConfigLeavesOut) {
  // isaac-reram leaves all three to device: reram.
  const ArchConfig isaac = preset("isaac-reram");
  EXPECT_EQ(isaac.crossbar.row_write_latency_ns,
            deviceDefaults(Device::Reram).row_write_latency_ns);
  EXPECT_EQ(isaac.crossbar.endurance_cycles, 1e8);
  const ArchConfig pcm = preset("isaac-reram", {{"crossbar.device", "pcm"}});
  EXPECT_EQ(pcm.crossbar.row_write_latency_ns, 150.0);
  EXPECT_EQ(pcm.crossbar.write_energy_pj_per_cell, 10.0);
  EXPECT_EQ(pcm.crossbar.endurance_cycles, 1e9);
  // A key the config gives wins: puma-reram gives its paper's write numbers.
  const ArchConfig puma = preset("puma-reram", {{"crossbar.device", "sram"}});
  EXPECT_EQ(puma.crossbar.row_write_latency_ns, 86.0);
  EXPECT_EQ(puma.crossbar.endurance_cycles, 1e16);
  // Saved and loaded back, the supplied values are explicit and equal.
  EXPECT_EQ(loadArchFromString(saveArch(pcm), "saved.yaml", XBAR_ARCH_DIR), pcm);
}

std::string errorOf(const std::vector<Override>& overrides) {
  try {
    preset("isaac-reram", overrides);
  } catch (const InputError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(AdcLaw, ResolutionsOutsideOneToSixteenBitsAreRefused) {
  for (const char* bits : {"0", "17", "-3"})
    for (const char* key : {"crossbar.adc_bits", "crossbar.adc_reference_bits"}) {
      const std::string e = errorOf({{key, bits}});
      EXPECT_NE(e.find(std::string("-p ") + key), std::string::npos) << e;
      EXPECT_NE(e.find("16"), std::string::npos) << e;
    }
}

}  // namespace
}  // namespace xbar::arch
