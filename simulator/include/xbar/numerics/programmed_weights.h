// A weight matrix as crossbars hold it, and the matrix-vector products they compute with it
// (docs/design.md §9). The matrix is cut into row tiles of crossbar.rows; each tile holds every
// weight's cells (one array for the offset scheme, a positive and a negative one for the
// differential). A product feeds each input dac_bits per cycle, converts every column sum
// with the ADC, shifts and adds over slices and cycles, and adds the tiles digitally.
//
// Where every tile's ADC is exact and the chip ideal, that equals one integer matrix product:
// the fast path. tests/unit/crossbar_numerics_test.cpp proves the two equal over random shapes
// and settings.
//
// Non-idealities (CrossbarNumerics::noise, keyed_draws.h) act on the bit-level path: stuck
// cells and programming noise on the stored levels (drawn once per stored weight cell: the
// matrix's stream, row, column, sign part and slice), an offset per converter (tile, part,
// slice, column), and read noise on every column sum (drawn anew per product call, vector and
// input cycle).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "xbar/numerics/crossbar_numerics.h"

namespace xbar::numerics {

class ProgrammedWeights {
 public:
  // q: outputs x inputs, row-major, |q| <= 2^(weightBits-1) - 1 (quantizeWeights' codes).
  // `stream` names the matrix (a layer and group) so that its faults differ from another's.
  ProgrammedWeights(const CrossbarNumerics& numerics, std::span<const int64_t> q, int64_t outputs,
                    int64_t inputs, uint64_t stream = 0);
  // A block of a larger matrix: rows [firstRow, firstRow + inputs) and outputs [firstOutput,
  // firstOutput + outputs) of stream `stream`'s matrix. Its cells draw the faults of those
  // rows and columns of the whole, and firstRow must start a row tile (a multiple of the
  // crossbar's rows), so a partitioned program's crossbars convert exactly what the whole
  // matrix's do.
  ProgrammedWeights(const CrossbarNumerics& numerics, std::span<const int64_t> q, int64_t outputs,
                    int64_t inputs, uint64_t stream, int64_t firstRow, int64_t firstOutput);

  int64_t outputs() const { return outputs_; }
  int64_t inputs() const { return inputs_; }
  // Some row tile's column sums can exceed its ADC's exact range.
  bool canClip() const;
  // The chip has no non-ideality: the stored levels are the codes' cells.
  bool ideal() const { return n_.noise.ideal(); }

  // Which read-noise draws a product takes: those of run `run` of the matrix (each run of a
  // network's sample is one), for vectors from `firstVector` of that run. Without one, each
  // call is the next run from vector 0, so a sequence of calls is deterministic; a block of a
  // partitioned program names the run and vectors of the whole matrix's product it is part
  // of, and draws what the whole would.
  struct ReadDraw {
    uint64_t run = 0;
    int64_t firstVector = 0;
  };

  // y (batch x outputs) from x (batch x inputs): signed codes in [-2^(a-1), 2^(a-1) - 1] or
  // unsigned in [0, 2^a - 1]. One integer product where no ADC can clip and the chip is
  // ideal, else bit-sliced.
  void matmul(std::span<const int64_t> x, int64_t batch, bool signedInputs, std::span<int64_t> y,
              std::optional<ReadDraw> draw = std::nullopt) const;
  // Always the bit-level path (the slow path; the property test and the benchmark use it).
  void matmulBitSliced(std::span<const int64_t> x, int64_t batch, bool signedInputs,
                       std::span<int64_t> y, std::optional<ReadDraw> draw = std::nullopt) const;

 private:
  struct Tile {
    int64_t firstRow = 0, rows = 0;
    AdcConversion adc;
    // Cell levels per (part, slice), each rows x outputs row-major; part 0 is the offset
    // array or the positive one, part 1 the negative one.
    std::vector<std::vector<double>> cells;
    // The same as float where an ideal chip's sums are exact in it (then `cells` is empty).
    std::vector<std::vector<float>> exactCells;
    std::vector<int64_t> weightSums;  // per output, over the tile's rows: for signed inputs
    // Per (part, slice): each column's converter offset in steps (empty without ADC offset).
    std::vector<std::vector<double>> adcOffsets;
  };
  void sliceCells() const;
  void applyNonidealities(Tile& t) const;
  void checkInputs(std::span<const int64_t> x, int64_t batch, bool signedInputs,
                   std::span<int64_t> y) const;
  void addTile(const Tile& tile, std::span<const int64_t> x, int64_t batch, bool signedInputs,
               const ReadDraw& draw, std::span<int64_t> y) const;

  CrossbarNumerics n_;
  int64_t outputs_, inputs_;
  uint64_t stream_;
  int64_t rowOffset_ = 0, outputOffset_ = 0;  // of this block in its stream's matrix
  mutable uint64_t calls_ = 0;                // products computed without a ReadDraw
  std::vector<int64_t> q_;
  std::vector<double> qDouble_;  // the codes for the fast path's GEMM
  int64_t qLargest_ = 0;         // max |code|
  // Cells are sliced on the first bit-level product (or at once where the fast path cannot
  // serve): an ideal, unclipped product needs only the codes.
  mutable std::vector<Tile> tiles_;
  mutable bool sliced_ = false;
};

// y (batch x outputs) = x (batch x inputs) . q^T, exactly: in double GEMM where every partial
// sum is below 2^53 (so exact), else in int64.
void integerMatmul(std::span<const int64_t> x, int64_t batch, std::span<const int64_t> q,
                   int64_t outputs, int64_t inputs, std::span<int64_t> y);

}  // namespace xbar::numerics
