#include "xbar/numerics/programmed_weights.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "xbar/numerics/keyed_draws.h"
#include "xbar/numerics/quantize.h"

namespace xbar::numerics {

namespace {

template <typename T>
using RowMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

int64_t largest(std::span<const int64_t> v) {
  int64_t m = 0;
  for (int64_t x : v) m = std::max(m, x < 0 ? -x : x);
  return m;
}

// Each cell's conductance read with relative sigma: a column sum's noise has the variance
// sigma^2 x the sum over rows of (input x level)^2; `key` names the read (run, tile, cycle,
// array), each vector and column of the whole matrix's product draws its own.
void addReadNoise(const RowMatrix<double>& bits, const Eigen::Map<const RowMatrix<double>>& cells,
                  double sigma, uint64_t key, int64_t firstVector, int64_t firstOutput,
                  RowMatrix<double>& sums) {
  const RowMatrix<double> variance =
      bits.array().square().matrix() * cells.array().square().matrix();
  for (Eigen::Index b = 0; b < sums.rows(); ++b)
    for (Eigen::Index o = 0; o < sums.cols(); ++o)
      sums(b, o) += sigma * std::sqrt(variance(b, o)) *
                    normalDraw(drawKey(key, {static_cast<uint64_t>(firstVector + b),
                                             static_cast<uint64_t>(firstOutput + o)}));
}

}  // namespace

void integerMatmul(std::span<const int64_t> x, int64_t batch, std::span<const int64_t> q,
                   int64_t outputs, int64_t inputs, std::span<int64_t> y) {
  const Eigen::Map<const RowMatrix<int64_t>> xs(x.data(), batch, inputs);
  const Eigen::Map<const RowMatrix<int64_t>> qs(q.data(), outputs, inputs);
  Eigen::Map<RowMatrix<int64_t>> ys(y.data(), batch, outputs);
  // Every partial sum is bounded by inputs x max|x| x max|q|: below 2^53 double is exact.
  const double bound = static_cast<double>(inputs) * static_cast<double>(largest(x)) *
                       static_cast<double>(largest(q));
  if (bound < 0x1p53) {
    const RowMatrix<double> product = xs.cast<double>() * qs.cast<double>().transpose();
    ys = product.cast<int64_t>();
  } else {
    ys = xs * qs.transpose();
  }
}

ProgrammedWeights::ProgrammedWeights(const CrossbarNumerics& numerics, std::span<const int64_t> q,
                                     int64_t outputs, int64_t inputs, uint64_t stream)
    : ProgrammedWeights(numerics, q, outputs, inputs, stream, 0, 0) {}

ProgrammedWeights::ProgrammedWeights(const CrossbarNumerics& numerics, std::span<const int64_t> q,
                                     int64_t outputs, int64_t inputs, uint64_t stream,
                                     int64_t firstRow, int64_t firstOutput)
    : n_(numerics),
      outputs_(outputs),
      inputs_(inputs),
      stream_(stream),
      rowOffset_(firstRow),
      outputOffset_(firstOutput),
      q_(q.begin(), q.end()) {
  if (firstRow < 0 || firstOutput < 0 || (n_.rows > 0 && firstRow % n_.rows != 0))
    throw std::invalid_argument("ProgrammedWeights: a block at row " + std::to_string(firstRow) +
                                " does not start a row tile of " + std::to_string(n_.rows));
  checkPrecision(n_.weightBits, n_.activationBits);
  if (static_cast<int64_t>(q.size()) != outputs * inputs)
    throw std::invalid_argument("ProgrammedWeights: " + std::to_string(q.size()) + " codes for a " +
                                std::to_string(outputs) + " x " + std::to_string(inputs) +
                                " matrix");
  const int64_t top = weightCodeMax(n_.weightBits);
  qLargest_ = largest(q);
  qDouble_.assign(q.begin(), q.end());
  if (qLargest_ > top)
    throw std::invalid_argument("ProgrammedWeights: a weight code exceeds +-" +
                                std::to_string(top) + " at " + std::to_string(n_.weightBits) +
                                " bits");
  if (n_.binaryWeights() && std::find(q.begin(), q.end(), 0) != q.end())
    throw std::invalid_argument("ProgrammedWeights: a binary weight code is 0 (codes are +-1)");
  for (int64_t first = 0; first < inputs; first += n_.rows) {
    Tile t;
    t.firstRow = first;
    t.rows = std::min(n_.rows, inputs - first);
    t.adc = AdcConversion::forRows(n_, t.rows);
    t.weightSums.assign(static_cast<size_t>(outputs), 0);
    for (int64_t r = 0; r < t.rows; ++r)
      for (int64_t o = 0; o < outputs; ++o)
        t.weightSums[static_cast<size_t>(o)] += q_[static_cast<size_t>(o * inputs + first + r)];
    tiles_.push_back(std::move(t));
  }
  // The fast path needs only the codes; the cells are sliced when a product needs them.
  if (canClip() || !ideal()) sliceCells();
}

// Every tile's stored codes sliced into cell levels, with the non-idealities applied.
void ProgrammedWeights::sliceCells() const {
  const int64_t parts = n_.signParts();
  const int64_t slices = n_.weightSlices(), cellMask = (int64_t{1} << n_.cellBits) - 1;
  const int64_t offset = n_.weightOffset();
  for (Tile& t : tiles_) {
    t.cells.assign(static_cast<size_t>(parts * slices),
                   std::vector<double>(static_cast<size_t>(t.rows * outputs_)));
    for (int64_t r = 0; r < t.rows; ++r)
      for (int64_t o = 0; o < outputs_; ++o) {
        const int64_t w = q_[static_cast<size_t>(o * inputs_ + t.firstRow + r)];
        // The stored codes: q + 2^(w-1) (offset; a binary weight's bit (q + 1) / 2), or |q|
        // on the side of its sign.
        const int64_t stored[2] = {
            parts == 1 ? (n_.binaryWeights() ? (w + 1) / 2 : w + offset) : std::max<int64_t>(w, 0),
            std::max<int64_t>(-w, 0)};
        for (int64_t p = 0; p < parts; ++p)
          for (int64_t s = 0; s < slices; ++s)
            t.cells[static_cast<size_t>(p * slices + s)][static_cast<size_t>(r * outputs_ + o)] =
                static_cast<double>((stored[p] >> (s * n_.cellBits)) & cellMask);
      }
    applyNonidealities(t);
    // An ideal chip's levels and column sums are small integers, exact in float where the
    // largest sum (the bits the ADC needs) is below 2^24: half the GEMM's work of double.
    if (ideal() && n_.adcBitsNeeded(t.rows) <= 24) {
      t.exactCells.reserve(t.cells.size());
      for (const std::vector<double>& c : t.cells) t.exactCells.emplace_back(c.begin(), c.end());
      t.cells.clear();
    }
  }
  sliced_ = true;
}

// Stuck cells and programming noise on the stored levels, and the converters' offsets.
void ProgrammedWeights::applyNonidealities(Tile& t) const {
  const arch::NonidealityConfig& noise = n_.noise;
  const auto seed = static_cast<uint64_t>(noise.seed);
  const double top = static_cast<double>((int64_t{1} << n_.cellBits) - 1);
  const int64_t arrays = n_.signParts() * n_.weightSlices();
  const auto u = [](int64_t v) { return static_cast<uint64_t>(v); };
  if (noise.stuck_at_zero_rate > 0 || noise.stuck_at_one_rate > 0 ||
      noise.programming_noise_sigma > 0)
    for (int64_t a = 0; a < arrays; ++a)
      for (int64_t r = 0; r < t.rows; ++r)
        for (int64_t o = 0; o < outputs_; ++o) {
          double& level = t.cells[u(a)][u(r * outputs_ + o)];
          const uint64_t key =
              drawKey(seed, {stream_, u(rowOffset_ + t.firstRow + r), u(outputOffset_ + o), u(a)});
          const double fault = uniformDraw(key);
          if (fault < noise.stuck_at_zero_rate)
            level = 0;
          else if (fault < noise.stuck_at_zero_rate + noise.stuck_at_one_rate)
            level = top;
          else if (noise.programming_noise_sigma > 0)  // a conductance is never negative
            level = std::max(
                0.0, level * (1 + noise.programming_noise_sigma * normalDraw(drawKey(key, {3}))));
        }
  if (noise.adc_offset_sigma_lsb > 0) {
    t.adcOffsets.assign(u(arrays), std::vector<double>(u(outputs_)));
    for (int64_t a = 0; a < arrays; ++a)
      for (int64_t o = 0; o < outputs_; ++o)
        t.adcOffsets[u(a)][u(o)] = noise.adc_offset_sigma_lsb *
                                   normalDraw(drawKey(seed, {stream_, u(rowOffset_ + t.firstRow),
                                                             u(a), u(outputOffset_ + o), 0xADC}));
  }
}

bool ProgrammedWeights::canClip() const {
  return std::any_of(tiles_.begin(), tiles_.end(), [](const Tile& t) { return !t.adc.exact(); });
}

void ProgrammedWeights::checkInputs(std::span<const int64_t> x, int64_t batch, bool signedInputs,
                                    std::span<int64_t> y) const {
  if (static_cast<int64_t>(x.size()) != batch * inputs_ ||
      static_cast<int64_t>(y.size()) != batch * outputs_)
    throw std::invalid_argument("ProgrammedWeights::matmul: " + std::to_string(x.size()) +
                                " inputs and " + std::to_string(y.size()) + " outputs for " +
                                std::to_string(batch) + " x (" + std::to_string(inputs_) + " -> " +
                                std::to_string(outputs_) + ")");
  const int64_t a = n_.activationBits;
  const ActivationQuantizer codes{1.0, !signedInputs, a};
  const int64_t lo = codes.minCode(), hi = codes.maxCode();
  for (int64_t v : x)
    if (v < lo || v > hi || (codes.binary() && v == 0))
      throw std::invalid_argument("ProgrammedWeights::matmul: input code " + std::to_string(v) +
                                  (codes.binary() ? std::string(" is not +-1 (binary inputs)")
                                                  : " outside [" + std::to_string(lo) + ", " +
                                                        std::to_string(hi) + "] at " +
                                                        std::to_string(a) + " bits"));
}

void ProgrammedWeights::matmul(std::span<const int64_t> x, int64_t batch, bool signedInputs,
                               std::span<int64_t> y, std::optional<ReadDraw> draw) const {
  if (canClip() || !ideal()) return matmulBitSliced(x, batch, signedInputs, y, draw);
  checkInputs(x, batch, signedInputs, y);
  // As integerMatmul, with the codes' bound and their double copy kept from the constructor.
  const Eigen::Map<const RowMatrix<int64_t>> xs(x.data(), batch, inputs_);
  Eigen::Map<RowMatrix<int64_t>> ys(y.data(), batch, outputs_);
  if (static_cast<double>(inputs_) * static_cast<double>(largest(x)) *
          static_cast<double>(qLargest_) <
      0x1p53) {
    const RowMatrix<double> xd = xs.cast<double>();
    const Eigen::Map<const RowMatrix<double>> qd(qDouble_.data(), outputs_, inputs_);
    const RowMatrix<double> product = xd * qd.transpose();
    ys = product.cast<int64_t>();
  } else {
    ys = xs * Eigen::Map<const RowMatrix<int64_t>>(q_.data(), outputs_, inputs_).transpose();
  }
}

void ProgrammedWeights::matmulBitSliced(std::span<const int64_t> x, int64_t batch,
                                        bool signedInputs, std::span<int64_t> y,
                                        std::optional<ReadDraw> draw) const {
  checkInputs(x, batch, signedInputs, y);
  if (!sliced_) sliceCells();
  const ReadDraw read = draw ? *draw : ReadDraw{++calls_, 0};
  std::fill(y.begin(), y.end(), 0);
  for (const Tile& t : tiles_) addTile(t, x, batch, signedInputs, read, y);
}

// One row tile: every input cycle through every (part, slice) array, each column converted.
void ProgrammedWeights::addTile(const Tile& t, std::span<const int64_t> x, int64_t batch,
                                bool signedInputs, const ReadDraw& draw,
                                std::span<int64_t> y) const {
  const int64_t parts = n_.signParts();
  const int64_t slices = n_.weightSlices(), cycles = n_.inputCycles();
  const int64_t dacMask = (int64_t{1} << n_.dacBits) - 1;
  const bool binaryInputs = n_.oneBitInputs() && signedInputs;  // +-1; unsigned: 0 or 1
  const int64_t inputOffset = binaryInputs   ? 1
                              : signedInputs ? int64_t{1} << (n_.activationBits - 1)
                                             : 0;
  // Inputs as the DACs see them: unsigned, signed ones shifted up by 2^(a-1), binary ones
  // (+-1) as one bit (x + 1) / 2.
  RowMatrix<int64_t> fed(batch, t.rows);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t r = 0; r < t.rows; ++r) {
      const int64_t v = x[static_cast<size_t>(b * inputs_ + t.firstRow + r)] + inputOffset;
      fed(b, r) = binaryInputs ? v / 2 : v;
    }
  std::vector<RowMatrix<int64_t>> acc(static_cast<size_t>(parts),
                                      RowMatrix<int64_t>::Zero(batch, outputs_));
  RowMatrix<double> bits(batch, t.rows);
  RowMatrix<float> exactBits(batch, t.rows);
  for (int64_t c = 0; c < cycles; ++c) {
    const int64_t inShift = c * n_.dacBits;
    const auto bitsOf = [&](int64_t v) { return (v >> inShift) & dacMask; };
    if (!t.exactCells.empty())
      exactBits = fed.unaryExpr([&](int64_t v) { return static_cast<float>(bitsOf(v)); });
    else
      bits = fed.unaryExpr([&](int64_t v) { return static_cast<double>(bitsOf(v)); });
    for (int64_t p = 0; p < parts; ++p)
      for (int64_t s = 0; s < slices; ++s) {
        const auto array = static_cast<size_t>(p * slices + s);
        const int64_t shift = s * n_.cellBits + inShift;
        if (!t.exactCells.empty()) {
          const Eigen::Map<const RowMatrix<float>> cells(t.exactCells[array].data(), t.rows,
                                                         outputs_);
          const RowMatrix<float> sums = exactBits * cells;
          acc[static_cast<size_t>(p)] += sums.unaryExpr(
              [&](float v) { return t.adc.convert(static_cast<int64_t>(v)) << shift; });
          continue;
        }
        const Eigen::Map<const RowMatrix<double>> cells(t.cells[array].data(), t.rows, outputs_);
        // Column sums are small integers (rows x cell x dac levels), exact in double, until
        // the noise is added.
        RowMatrix<double> sums = bits * cells;
        if (ideal()) {
          acc[static_cast<size_t>(p)] += sums.unaryExpr(
              [&](double v) { return t.adc.convert(static_cast<int64_t>(v)) << shift; });
          continue;
        }
        if (n_.noise.read_noise_sigma > 0)
          addReadNoise(bits, cells, n_.noise.read_noise_sigma,
                       drawKey(static_cast<uint64_t>(n_.noise.seed),
                               {stream_, draw.run, static_cast<uint64_t>(rowOffset_ + t.firstRow),
                                static_cast<uint64_t>(c), array}),
                       draw.firstVector, outputOffset_, sums);
        for (int64_t b = 0; b < batch; ++b)
          for (int64_t o = 0; o < outputs_; ++o) {
            const double offset =
                t.adcOffsets.empty() ? 0.0 : t.adcOffsets[array][static_cast<size_t>(o)];
            acc[static_cast<size_t>(p)](b, o) += t.adc.convertAnalog(sums(b, o), offset) << shift;
          }
      }
  }
  // Digital corrections, exact: the offset scheme's 2^(w-1) per input, the differential
  // scheme's negative array, and signed inputs' 2^(a-1) per weight. Binary operands are
  // 2b - 1 and 2u - 1: sum(q u) = 2 sum(b u) - sum(u), sum(q x) = 2 sum(q u) - sum(q).
  RowMatrix<int64_t> v = acc[0];
  if (parts == 2) {
    v -= acc[1];
  } else {
    const Eigen::Matrix<int64_t, Eigen::Dynamic, 1> inputSums = fed.rowwise().sum();
    if (n_.binaryWeights()) {
      v *= 2;
      v.colwise() -= inputSums;
    } else {
      v.colwise() -= inputSums * n_.weightOffset();
    }
  }
  if (binaryInputs) v *= 2;
  if (signedInputs || binaryInputs)
    for (int64_t o = 0; o < outputs_; ++o)
      v.col(o).array() -= (binaryInputs ? 1 : inputOffset) * t.weightSums[static_cast<size_t>(o)];
  Eigen::Map<RowMatrix<int64_t>> ys(y.data(), batch, outputs_);
  ys += v;
}

}  // namespace xbar::numerics
