// Crossbar non-idealities (numerics.* arch keys, docs/design.md §9): negligible noise equals
// the ideal product exactly (the analog path converts and corrects as the ideal one does),
// stuck cells by hand, fault rates as asked, and every draw seeded and deterministic.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "xbar/numerics/programmed_weights.h"

namespace xbar::numerics {
namespace {

CrossbarNumerics exactCrossbar(int64_t rows, arch::SignScheme sign) {
  CrossbarNumerics n;
  n.rows = rows;
  n.weightBits = 4;
  n.cellBits = 2;
  n.activationBits = 4;
  n.dacBits = 2;
  n.adcBits = 16;  // wider than any column sum here: every conversion exact
  n.sign = sign;
  return n;
}

TEST(Nonideality, NegligibleNoiseEqualsTheIdealProductExactly) {
  // Noise far below half a step moves no conversion: the analog path (levels in double, the
  // converter's rounding and clipping, the digital corrections) must give the integer product.
  std::mt19937_64 rng(2026);
  for (int trial = 0; trial < 40; ++trial) {
    const bool differential = trial % 2 == 1, signedInputs = trial % 4 >= 2;
    CrossbarNumerics n =
        exactCrossbar(1 + static_cast<int64_t>(rng() % 40),
                      differential ? arch::SignScheme::Differential : arch::SignScheme::Offset);
    n.noise.programming_noise_sigma = 1e-9;
    n.noise.read_noise_sigma = 1e-9;
    n.noise.adc_offset_sigma_lsb = 1e-6;
    n.noise.seed = trial;
    const int64_t outputs = 1 + static_cast<int64_t>(rng() % 9);
    const int64_t inputs = 1 + static_cast<int64_t>(rng() % 90);
    const int64_t batch = 1 + static_cast<int64_t>(rng() % 5);
    std::uniform_int_distribution<int64_t> weight(-7, 7);
    std::uniform_int_distribution<int64_t> input(signedInputs ? -8 : 0, signedInputs ? 7 : 15);
    std::vector<int64_t> q(static_cast<size_t>(outputs * inputs)),
        x(static_cast<size_t>(batch * inputs));
    for (int64_t& v : q) v = weight(rng);
    for (int64_t& v : x) v = input(rng);
    const ProgrammedWeights w(n, q, outputs, inputs);
    ASSERT_FALSE(w.ideal());
    std::vector<int64_t> noisy(static_cast<size_t>(batch * outputs)), exact(noisy.size());
    w.matmul(x, batch, signedInputs, noisy);
    integerMatmul(x, batch, q, outputs, inputs, exact);
    ASSERT_EQ(noisy, exact) << "trial " << trial;
  }
}

// One row, `columns` weights of code 0 (stored 2^(w-1) = 8: cells 0 and 2 on 2-bit cells), and
// the input 1: each output is the stored code as read, less the offset 8.
std::vector<int64_t> readBackOneRow(const arch::NonidealityConfig& noise, int64_t columns) {
  CrossbarNumerics n = exactCrossbar(1, arch::SignScheme::Offset);
  n.noise = noise;
  const ProgrammedWeights w(n, std::vector<int64_t>(static_cast<size_t>(columns), 0), columns, 1);
  std::vector<int64_t> y(static_cast<size_t>(columns));
  w.matmul(std::vector<int64_t>{1}, 1, false, y);
  return y;
}

TEST(Nonideality, EveryCellStuckReadsTheLowestOrHighestLevel) {
  // Stuck at 0: both cells read 0, stored 0, output -8. Stuck at 1: both read 3, stored 15,
  // output 7 (the largest code), whatever was programmed.
  arch::NonidealityConfig zero;
  zero.stuck_at_zero_rate = 1;
  EXPECT_EQ(readBackOneRow(zero, 5), std::vector<int64_t>(5, -8));
  arch::NonidealityConfig one;
  one.stuck_at_one_rate = 1;
  EXPECT_EQ(readBackOneRow(one, 5), std::vector<int64_t>(5, 7));
}

TEST(Nonideality, StuckCellsOccurAtTheRatesAsked) {
  // Cell 0 (level 0) changes only when stuck at 1 (+1 on the output), cell 1 (level 2, weight
  // 4) when stuck either way (-8 or +4). Over 40000 weights the counts of each outcome are
  // binomial: within 5 sigma of the rates.
  arch::NonidealityConfig noise;
  noise.stuck_at_zero_rate = 0.1;
  noise.stuck_at_one_rate = 0.05;
  noise.seed = 3;
  const int64_t columns = 40000;
  const std::vector<int64_t> y = readBackOneRow(noise, columns);
  int64_t highStuckLow = 0, highStuckHigh = 0, lowStuckHigh = 0;
  for (int64_t v : y) {
    const int64_t high = (v + 8) >> 2, low = (v + 8) & 3;  // the two cells as read
    highStuckLow += high == 0;
    highStuckHigh += high == 3;
    lowStuckHigh += low == 3;
  }
  const auto near = [&](int64_t count, double rate) {
    const double mean = rate * columns, sigma = std::sqrt(columns * rate * (1 - rate));
    return std::abs(static_cast<double>(count) - mean) < 5 * sigma;
  };
  EXPECT_TRUE(near(highStuckLow, 0.1)) << highStuckLow;
  EXPECT_TRUE(near(highStuckHigh, 0.05)) << highStuckHigh;
  EXPECT_TRUE(near(lowStuckHigh, 0.05)) << lowStuckHigh;
}

TEST(Nonideality, DrawsAreSeededAndDeterministic) {
  arch::NonidealityConfig noise;
  noise.stuck_at_zero_rate = 0.02;
  noise.programming_noise_sigma = 0.05;
  noise.adc_offset_sigma_lsb = 0.3;
  noise.seed = 11;
  const std::vector<int64_t> first = readBackOneRow(noise, 2000);
  EXPECT_EQ(readBackOneRow(noise, 2000), first) << "the same seed gives the same faults";
  noise.seed = 12;
  EXPECT_NE(readBackOneRow(noise, 2000), first) << "another seed, other faults";
}

TEST(Nonideality, ReadNoiseIsDrawnAnewAtEveryProduct) {
  CrossbarNumerics n = exactCrossbar(16, arch::SignScheme::Offset);
  n.noise.read_noise_sigma = 0.2;
  n.noise.seed = 5;
  const std::vector<int64_t> q(16 * 8, 3), x(16, 9);
  std::vector<int64_t> a(8), b(8), c(8), d(8);
  const ProgrammedWeights w(n, q, 8, 16);
  w.matmul(x, 1, false, a);
  w.matmul(x, 1, false, b);
  EXPECT_NE(a, b) << "a second read of the same inputs draws other noise";
  const ProgrammedWeights replay(n, q, 8, 16);
  replay.matmul(x, 1, false, c);
  replay.matmul(x, 1, false, d);
  EXPECT_EQ(a, c);
  EXPECT_EQ(b, d) << "the same sequence of products replays the same noise";
}

}  // namespace
}  // namespace xbar::numerics
