// Crossbar numerics (simulator/numerics): quantization by hand, the ADC's conversion by hand,
// and the property the fast path rests on: with ADCs wide enough, bit-sliced crossbar products
// equal plain integer matrix products exactly, over random shapes and settings.
#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <vector>

#include "xbar/arch/component_laws.h"
#include "xbar/numerics/programmed_weights.h"
#include "xbar/numerics/quantize.h"

namespace xbar::numerics {
namespace {

TEST(Quantize, WeightsPerOutputChannelSymmetric) {
  // 4 bits: codes within +-7. Row 0's scale is 1/7: 0.5 -> 3.5 rounds to even 4, -1 -> -7,
  // 0.25 -> 1.75 -> 2. Row 1 is all zeros: scale 1, codes 0.
  const std::vector<float> w = {0.5F, -1.0F, 0.25F, 0, 0, 0};
  const QuantizedWeights q = quantizeWeights(w, 2, 3, 4);
  EXPECT_EQ(q.q, (std::vector<int64_t>{4, -7, 2, 0, 0, 0}));
  EXPECT_DOUBLE_EQ(q.scales[0], 1.0 / 7.0);
  EXPECT_DOUBLE_EQ(q.scales[1], 1.0);
}

TEST(Quantize, ActivationsUnsignedAfterReluSignedOtherwise) {
  const std::vector<float> relu = {0, 2.0F, 1.0F};
  const ActivationQuantizer u = ActivationQuantizer::calibrate(relu, 4);
  EXPECT_TRUE(u.isUnsigned);
  EXPECT_DOUBLE_EQ(u.scale, 2.0 / 15.0);
  EXPECT_EQ(u.quantize(1.0), 8);  // 7.5 rounds to even
  EXPECT_EQ(u.quantize(-1.0), 0);
  EXPECT_EQ(u.quantize(5.0), 15);
  const std::vector<float> any = {-1.0F, 0.5F};
  const ActivationQuantizer s = ActivationQuantizer::calibrate(any, 4);
  EXPECT_FALSE(s.isUnsigned);
  EXPECT_DOUBLE_EQ(s.scale, 1.0 / 7.0);
  EXPECT_EQ(s.quantize(-2.0), -8);
  EXPECT_EQ(s.quantize(0.5), 4);  // 3.5 rounds to even
}

TEST(Quantize, BinaryWeightsAndInputsArePlusMinusOne) {
  // A binary layer's channels are +-s: codes are the signs, the scale is s (0 for a channel of
  // zeros, whose codes then add nothing).
  const std::vector<float> w = {0.5F, -0.5F, 0.5F, 0, 0, 0};
  const QuantizedWeights q = quantizeWeights(w, 2, 3, 1);
  EXPECT_EQ(q.q, (std::vector<int64_t>{1, -1, 1, 1, 1, 1}));
  EXPECT_DOUBLE_EQ(q.scales[0], 0.5);
  EXPECT_DOUBLE_EQ(q.scales[1], 0.0);
  // A binary input: the sign at scale 1, with 0 (sign(0), zero padding) fed as +1 [A].
  const ActivationQuantizer b = ActivationQuantizer::fromRange(-3, 3, 1);
  EXPECT_TRUE(b.binary());
  EXPECT_DOUBLE_EQ(b.scale, 1.0);
  EXPECT_EQ(b.quantize(-0.25), -1);
  EXPECT_EQ(b.quantize(0.0), 1);
  EXPECT_EQ(b.quantize(7.0), 1);
}

CrossbarNumerics smallCrossbar(int64_t rows, int64_t adcBits) {
  CrossbarNumerics n;
  n.rows = rows;
  n.weightBits = 2;  // offset codes q + 2 in 1..3: one 2-bit cell
  n.cellBits = 2;
  n.activationBits = 2;  // unsigned inputs 0..3, fed in one 2-bit cycle
  n.dacBits = 2;
  n.adcBits = adcBits;
  return n;
}

TEST(CrossbarNumerics, ANarrowAdcKeepsTheTopBitsAndClipsTheTopCode) {
  // 4 rows: column sums reach 4 x 3 x 3 = 36, 6 bits. A 4-bit ADC steps by 4.
  // q = 1 (stored 3) everywhere; x = 3, 3, 3, 1: the column sums 3 x 10 = 30 -> code
  // (30 + 2) >> 2 = 8 -> 32; less the offset 2 x (sum of x = 10): 12, where exact is 10.
  const ProgrammedWeights four(smallCrossbar(4, 4), std::vector<int64_t>{1, 1, 1, 1}, 1, 4);
  EXPECT_TRUE(four.canClip());
  std::vector<int64_t> y(1);
  four.matmul(std::vector<int64_t>{3, 3, 3, 1}, 1, false, y);
  EXPECT_EQ(y[0], 12);
  // 7 rows: sums reach 63, still 6 bits. All 3s: 63 -> (63 + 2) >> 2 = 16, clipped to 15 ->
  // 60; less 2 x 21: 18, where exact is 21.
  const ProgrammedWeights seven(smallCrossbar(7, 4), std::vector<int64_t>(7, 1), 1, 7);
  seven.matmul(std::vector<int64_t>(7, 3), 1, false, y);
  EXPECT_EQ(y[0], 18);
  // With 6 bits both are exact, and the fast path is taken.
  const ProgrammedWeights wide(smallCrossbar(7, 6), std::vector<int64_t>(7, 1), 1, 7);
  EXPECT_FALSE(wide.canClip());
  wide.matmul(std::vector<int64_t>(7, 3), 1, false, y);
  EXPECT_EQ(y[0], 21);
}

TEST(CrossbarNumerics, BinaryOperandsTakeOneBitAndOneCycle) {
  // +-1 weights in one 1-bit cell (offset scheme: b = (q + 1) / 2) times +-1 inputs fed in one
  // cycle (u = (x + 1) / 2): q = (1, -1, 1, 1), x = (1, 1, -1, 1) gives 1 - 1 - 1 + 1 = 0, and
  // x = (1, -1, 1, 1) gives 4. On 4 rows a column sums to at most 4: 3 ADC bits are exact.
  CrossbarNumerics n;
  n.rows = 4;
  n.weightBits = 1;
  n.cellBits = 1;
  n.activationBits = 1;
  n.dacBits = 1;
  n.adcBits = 3;
  EXPECT_EQ(n.weightSlices(), 1);
  EXPECT_EQ(n.inputCycles(), 1);
  EXPECT_EQ(n.adcBitsNeeded(4), 3);
  const ProgrammedWeights w(n, std::vector<int64_t>{1, -1, 1, 1}, 1, 4);
  std::vector<int64_t> y(2);
  w.matmulBitSliced(std::vector<int64_t>{1, 1, -1, 1, 1, -1, 1, 1}, 2, true, y);
  EXPECT_EQ(y, (std::vector<int64_t>{0, 4}));
  // A binary weight or input code is never 0.
  EXPECT_THROW(ProgrammedWeights(n, std::vector<int64_t>{1, 0, 1, 1}, 1, 4), std::invalid_argument);
  EXPECT_THROW(w.matmul(std::vector<int64_t>{1, 0, 1, 1}, 1, true, std::span<int64_t>(y.data(), 1)),
               std::invalid_argument);
}

TEST(CrossbarNumerics, RowTilesAddDigitally) {
  // 5 inputs on 2-row crossbars: tiles of 2, 2 and 1 rows, each exact at 6 bits.
  const std::vector<int64_t> q = {1, -1, 0, 1, -1};
  const ProgrammedWeights w(smallCrossbar(2, 6), q, 1, 5);
  std::vector<int64_t> y(1);
  w.matmulBitSliced(std::vector<int64_t>{3, 2, 1, 0, 3}, 1, false, y);
  EXPECT_EQ(y[0], 3 - 2 + 0 + 0 - 3);
}

// The property: at ADC bits the rows need, every setting's bit-sliced product is the integer
// product, and so is the fast path.
TEST(CrossbarNumerics, IdealSettingsEqualIntegerMatmul) {
  std::mt19937_64 rng(20261205);
  const auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  for (int trial = 0; trial < 300; ++trial) {
    CrossbarNumerics n;
    n.rows = std::vector<int64_t>{1, 3, 16, 64, 128}[static_cast<size_t>(pick(0, 4))];
    n.weightBits = pick(1, 9);  // 1: binary +-1 codes
    n.cellBits = pick(1, 4);
    n.activationBits = pick(1, 9);  // 1: binary +-1 inputs
    n.dacBits = pick(1, 4);
    n.adcBits = arch::adcBitsNeeded(n.rows, n.cellBits, n.dacBits);
    n.sign = pick(0, 1) == 0 ? arch::SignScheme::Offset : arch::SignScheme::Differential;
    const bool signedInputs = n.activationBits == 1 || pick(0, 1) == 1;
    const int64_t outputs = pick(1, 24), inputs = pick(1, 300), batch = pick(1, 3);
    const int64_t wTop = (int64_t{1} << (n.weightBits - 1)) - 1;
    std::vector<int64_t> q(static_cast<size_t>(outputs * inputs));
    for (int64_t& v : q) v = n.weightBits == 1 ? 2 * pick(0, 1) - 1 : pick(-wTop, wTop);
    const int64_t a = n.activationBits;
    std::vector<int64_t> x(static_cast<size_t>(batch * inputs));
    for (int64_t& v : x)
      v = a == 1         ? 2 * pick(0, 1) - 1
          : signedInputs ? pick(-(int64_t{1} << (a - 1)), (int64_t{1} << (a - 1)) - 1)
                         : pick(0, (int64_t{1} << a) - 1);
    const ProgrammedWeights w(n, q, outputs, inputs);
    ASSERT_FALSE(w.canClip());
    std::vector<int64_t> exact(static_cast<size_t>(batch * outputs)), sliced(exact.size()),
        fast(exact.size());
    integerMatmul(x, batch, q, outputs, inputs, exact);
    w.matmulBitSliced(x, batch, signedInputs, sliced);
    w.matmul(x, batch, signedInputs, fast);
    ASSERT_EQ(sliced, exact) << "trial " << trial << ": rows " << n.rows << ", w" << n.weightBits
                             << " c" << n.cellBits << " a" << n.activationBits << " d" << n.dacBits
                             << (signedInputs ? " signed" : " unsigned");
    ASSERT_EQ(fast, exact) << "trial " << trial;
  }
}

TEST(CrossbarNumerics, BadInputIsRefused) {
  EXPECT_THROW(checkPrecision(0, 8), std::invalid_argument);
  EXPECT_THROW(checkPrecision(8, 0), std::invalid_argument);
  EXPECT_THROW(checkPrecision(8, 31), std::invalid_argument);
  // A code beyond +-1 at 2 bits, and an input code beyond 3 at 2 unsigned bits.
  EXPECT_THROW(ProgrammedWeights(smallCrossbar(4, 6), std::vector<int64_t>{2}, 1, 1),
               std::invalid_argument);
  const ProgrammedWeights w(smallCrossbar(4, 6), std::vector<int64_t>{1}, 1, 1);
  std::vector<int64_t> y(1);
  EXPECT_THROW(w.matmul(std::vector<int64_t>{4}, 1, false, y), std::invalid_argument);
  EXPECT_THROW(w.matmul(std::vector<int64_t>{1, 1}, 1, false, y), std::invalid_argument);
}

}  // namespace
}  // namespace xbar::numerics
