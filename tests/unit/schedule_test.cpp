// The schedule stage's one walk: what the cost model prices and what the code generator emits
// are the same steps. For every tiny model on a small chip and on the COMPASS chip, a
// recording visitor walks each planned partition; the partition's price must be the sums of
// its steps, and the program must hold exactly the instructions the steps call for (reuse-
// phase steps once per sample). A step that one visitor skipped or read differently would
// break one of the two.
#include <gtest/gtest.h>

#include <fstream>

#include <map>

#include "../support/compile_fixture.h"
#include "xbar/codegen/codegen.h"
#include "xbar/partition/partitioner.h"
#include "xbar/schedule/operator_table.h"
#include "xbar/schedule/vector_work.h"
#include "xbar/schedule/walk.h"

namespace xbar::schedule {
namespace {

const std::string kTiny = XBAR_TINY_DIR;

// Step counts and byte sums of one sample's walk of a partition.
struct Recorder {
  const arch::ArchConfig& arch;
  const PartitionSchedule& s;
  double weightBytes = 0, copyBytes = 0, loadBytes = 0, storeBytes = 0, onChipBytes = 0;
  int64_t cells = 0, loadWeights = 0, copies = 0, writes = 0, loads = 0, stores = 0;
  int64_t posts = 0, receives = 0, handOuts = 0, mvms = 0, vectorElements = 0, vectorOps = 0;

  void operator()(const LoadWeights& st) {
    ++loadWeights;
    weightBytes += st.bytes;
  }
  void operator()(const CopyWeights& st) {
    ++copies;
    copyBytes += static_cast<double>(st.bytes);
  }
  void operator()(const WriteCrossbars& st) {
    writes += static_cast<int64_t>(st.profile.shapes.size());  // one WR_XB per shape
    cells += st.profile.cells * st.copies;
  }
  void operator()(const Load& st) {
    ++loads;
    loadBytes += static_cast<double>(st.bytes);
  }
  void operator()(const Reload& st) {  // an LD, as a load is
    ++loads;
    loadBytes += static_cast<double>(st.bytes);
  }
  void operator()(const Post&) { ++posts; }
  void operator()(const Receive& st) {
    ++receives;
    if (st.message.from != st.message.to) onChipBytes += static_cast<double>(st.message.bytes);
  }
  void operator()(const HandOut& st) {
    ++handOuts;
    onChipBytes += static_cast<double>(st.bytes);
  }
  void operator()(const PartialSums& st) {  // a transfer, as a hand-out is
    ++handOuts;
    if (st.from != st.to) onChipBytes += static_cast<double>(st.bytes);  // else between threads
  }
  void operator()(const Compute& st) {
    mvms += static_cast<int64_t>(s.crossbarSpans(st.li, st.core).size());
  }
  void operator()(const VectorWork& st) {
    ++vectorOps;
    vectorElements += wholeBytes(st.elements);
  }
  void operator()(const Store& st) {
    ++stores;
    storeBytes += static_cast<double>(st.bytes);
  }
  template <class Step>
  void operator()(const Step&) {}
};

struct Point {
  const char* model;
  const char* arch;
  std::vector<std::string> overrides;
  bool tiled = false;  // local memory too small for a layer's sample: it must stream in tiles
};

class WalkVisitors : public ::testing::TestWithParam<Point> {};

TEST_P(WalkVisitors, PricingAndEmissionSeeTheSameSteps) {
  const Point& pt = GetParam();
  const testing::Compiled c =
      testing::compileStages(kTiny + "/" + pt.model + ".onnx", pt.arch, pt.overrides);
  const int64_t batch = 3;
  const cost::CostModel model(c.graph, c.mapping, c.arch, batch);
  const partition::Plan plan = partition::makePartitioner("compass")->run(model, {});
  const codegen::Program program =
      codegen::generateProgram(model.groups(), c.arch, batch, partition::partitionRanges(plan))
          .program;

  std::map<codegen::Opcode, int64_t> expected;
  int32_t tiles = 1;
  int64_t expectedLoadBytes = 0, expectedStoreBytes = 0, expectedElements = 0;
  for (const partition::Partition& p : plan.partitions) {
    const PartitionSchedule s(model.groups(), c.arch, p.firstUnit, p.endUnit, p.cost.replication);
    tiles = std::max(tiles, s.tiles());
    Recorder r{c.arch, s};
    Inbox inbox;
    walkReplace(s, r);
    walkSample(s, 0, inbox, r);
    EXPECT_EQ(r.posts, r.receives) << "every message posted is received";
    // The price is the sum of the steps.
    EXPECT_DOUBLE_EQ(p.cost.dramWeightBytes, r.weightBytes);
    EXPECT_DOUBLE_EQ(p.cost.dramActivationReadBytes, r.loadBytes * batch);
    EXPECT_DOUBLE_EQ(p.cost.dramActivationWriteBytes, r.storeBytes * batch);
    EXPECT_DOUBLE_EQ(p.cost.interconnectBytes, r.onChipBytes * batch + r.copyBytes);
    EXPECT_EQ(p.cost.cellsWritten, r.cells);
    // The program's instructions are the steps: replace once, reuse per sample.
    expected[codegen::Opcode::LoadWeights] += r.loadWeights;
    expected[codegen::Opcode::WriteXbar] += r.writes;
    expected[codegen::Opcode::Load] += r.loads * batch;
    expected[codegen::Opcode::Store] += r.stores * batch;
    expected[codegen::Opcode::Send] += r.copies + (r.posts + r.handOuts) * batch;
    expected[codegen::Opcode::Receive] += r.copies + (r.receives + r.handOuts) * batch;
    expected[codegen::Opcode::Mvm] += r.mvms * batch;
    expected[codegen::Opcode::Vector] += r.vectorOps * batch;
    expectedLoadBytes += static_cast<int64_t>(r.loadBytes) * batch;
    expectedStoreBytes += static_cast<int64_t>(r.storeBytes) * batch;
    expectedElements += r.vectorElements * batch;
  }
  std::map<codegen::Opcode, int64_t> emitted;
  int64_t loadBytes = 0, storeBytes = 0, elements = 0;
  for (const codegen::Thread& t : program.threads)
    for (const codegen::Instruction& in : t.code) {
      ++emitted[in.op];
      if (in.op == codegen::Opcode::Load) loadBytes += in.bytes;
      if (in.op == codegen::Opcode::Store) storeBytes += in.bytes;
      if (in.op == codegen::Opcode::Vector) elements += in.elems;
    }
  for (const auto& [op, count] : expected) EXPECT_EQ(emitted[op], count) << codegen::opcodeName(op);
  EXPECT_EQ(loadBytes, expectedLoadBytes);
  EXPECT_EQ(storeBytes, expectedStoreBytes);
  EXPECT_EQ(elements, expectedElements);
  // The points with a tight local memory walk tiled layers (the pricer walks them whole, the
  // recorder tile by tile: the sums above hold either way).
  if (pt.tiled) {
    EXPECT_GT(tiles, 1) << "this point was meant to tile a layer";
  }
}

// Local memory as a capacity (docs/design.md §5): on a chip whose local memory cannot hold a
// layer's sample, the layer streams in tiles, and the program's credits bound what may wait in
// a core: for every receiving thread, its senders' credits times their largest message fit
// the core's share, and all a core's threads fit the core.
TEST(LocalMemory, TilesAndCreditsKeepWaitingMessagesWithinTheCapacity) {
  for (const char* name : {"two_conv_cnn", "residual_block", "concat_branch"}) {
    const testing::Compiled c = testing::compileStages(
        kTiny + "/" + name + ".onnx", "compass-sram-m", {"core.local_memory.size_kib=1"});
    const cost::CostModel model(c.graph, c.mapping, c.arch, 2);
    const partition::Plan plan = partition::makePartitioner("greedy")->run(model, {});
    int32_t most = 1;
    for (const partition::Partition& p : plan.partitions) most = std::max(most, p.cost.tiles);
    EXPECT_GT(most, 1) << name << ": 1 KiB holds no layer's sample whole";
    const codegen::Program program =
        codegen::generateProgram(model.groups(), c.arch, 2, partition::partitionRanges(plan))
            .program;
    // Per receiving thread and partition (the barrier count), the worst its inbox can hold.
    std::map<std::tuple<int32_t, int32_t, int64_t>, size_t> receiver;  // (from, to, tag)
    for (size_t t = 0; t < program.threads.size(); ++t)
      for (const codegen::Instruction& in : program.threads[t].code)
        if (in.op == codegen::Opcode::Receive)
          receiver[{in.peer, program.threads[t].core, in.tag}] = t;
    std::map<std::pair<size_t, size_t>, std::pair<int32_t, int64_t>> pairs;  // credits, bytes
    for (size_t t = 0; t < program.threads.size(); ++t) {
      bool replacing = true;
      for (const codegen::Instruction& in : program.threads[t].code) {
        if (in.op == codegen::Opcode::Barrier) replacing = false;
        if (in.op == codegen::Opcode::LoadWeights || in.op == codegen::Opcode::Sync)
          replacing = true;
        if (in.op != codegen::Opcode::Send || replacing) continue;  // weight copies stream
        const size_t to = receiver.at({program.threads[t].core, in.peer, in.tag});
        auto& [credits, bytes] = pairs[{t, to}];
        credits = std::max(credits, in.credits);
        bytes = std::max(bytes, in.bytes);
      }
    }
    std::map<int32_t, double> bound;  // per receiving core
    for (const auto& [pair, cb] : pairs)
      bound[program.threads[pair.second].core] +=
          static_cast<double>(cb.first) * static_cast<double>(cb.second);
    for (const auto& [core, bytes] : bound)
      EXPECT_LE(bytes, 1024.0) << name << ": core " << core << " could hold more than 1 KiB";
  }
}

// How a unit's crossbars are written: unpacked, its cells are exactly its weights' cells
// (rows and columns of the last tile and block as they are); packed, whole block-diagonal
// blocks. A uniform shape per unit over-counted every unit whose last crossbar is not full.
TEST_P(WalkVisitors, CrossbarShapesWriteWhatTheUnitHolds) {
  const Point& pt = GetParam();
  const testing::Compiled c =
      testing::compileStages(kTiny + "/" + pt.model + ".onnx", pt.arch, pt.overrides);
  const cost::CostModel model(c.graph, c.mapping, c.arch, 1);
  for (size_t i = 0; i < c.mapping.units.size(); ++i) {
    const UnitProfile& u = model.groups().unit(static_cast<int32_t>(i));
    const mapping::LayerMapping& m = c.mapping.layers[static_cast<size_t>(u.layer)];
    int64_t crossbars = 0;
    for (const CrossbarShape& shape : u.shapes) {
      crossbars += shape.crossbars;
      EXPECT_LE(shape.rows, c.arch.crossbar.rows);
      EXPECT_LE(shape.cols, c.arch.crossbar.cols);
    }
    EXPECT_EQ(crossbars, u.crossbars);
    const auto weightCells =
        static_cast<int64_t>(u.weightBytes * 8.0 /
                             static_cast<double>(c.arch.precision.weight_bits)) *
        m.columnsPerWeight;
    if (m.groupsPerBlock > 1) {
      // Blocks of groupsPerBlock groups, the layer's last one holding the rest: a block of g
      // groups writes g x inputs rows of g x outputs x columnsPerWeight columns.
      const int64_t groups = c.mapping.units[i].outputs / m.layer.outputs;
      const int64_t g = m.groupsPerBlock;
      const int64_t blockCells = (groups / g) * g * g + (groups % g) * (groups % g);
      EXPECT_EQ(u.cells, blockCells * m.layer.inputs * m.layer.outputs * m.columnsPerWeight)
          << m.layer.name << ": whole blocks";
    } else {
      EXPECT_EQ(u.cells, weightCells) << m.layer.name;
    }
  }
}

struct PartialSumCounter {
  int64_t count = 0, bytes = 0;
  void operator()(const PartialSums& st) {
    if (st.from == st.to) return;  // the reducer's own chunk, handed to its finishing thread
    ++count;
    bytes += st.bytes;
  }
  template <class Step>
  void operator()(const Step&) {}
};

// Rows split over units: each row chunk but the first sends its column block's outputs as
// partial sums (partialSumBits wide: 16 on compass-sram-m, 8-bit ADC + 3 + 1 over four 1-bit
// weight slices + 3 + 1 over four 1-bit input cycles) to the core of the block's first chunk,
// which then holds the block's outputs. Before, a chunk sent its crossbars' share of the
// final outputs at activation precision: 1/chunks of them, at 4 bits instead of 16.
TEST(PartialSums, RowChunksSendTheirColumnBlocksPartialSumsToTheReducer) {
  const testing::Compiled c =
      testing::compileStages(kTiny + "/mlp_gemm.onnx", "compass-sram-m",
                             {"chip.cores=8", "core.crossbars=2", "crossbar.rows=32",
                              "crossbar.cols=32", "crossbar.adcs_per_crossbar=32"});
  EXPECT_EQ(c.arch.partialSumBits(), 16);
  const cost::CostModel model(c.graph, c.mapping, c.arch, 1);
  // A partition of fc2 (128 -> 32) alone: 4 row tiles of 32 rows, 2 per core, so each of its
  // 4 column blocks (8 outputs each) is cut into 2 chunks on 2 cores.
  const mapping::LayerMapping& fc2 = c.mapping.layers[1];
  ASSERT_EQ(fc2.layer.inputs, 128);
  ASSERT_EQ(fc2.rowTiles, 4);
  const std::vector<LayerReplication> replication = {{1, 1}};
  const int32_t start = fc2.firstUnit, end = fc2.firstUnit + fc2.unitCount;
  ASSERT_TRUE(replicasFit(model.groups(), c.arch, start, end, replication));
  const PartitionSchedule s(model.groups(), c.arch, start, end, replication);
  int64_t transfers = 0;
  for (const ResultTransfer& t : s.results()) {
    if (t.from == t.to) {
      EXPECT_TRUE(s.finishes(t.li, t.to)) << "a local hand-over only to a finishing thread";
      continue;
    }
    ++transfers;
  }
  // One transfer per column block, of its 8 outputs x 2 bytes.
  PartialSumCounter sums;
  Inbox inbox;
  walkSample(s, 0, inbox, sums);
  EXPECT_EQ(sums.count, transfers);
  EXPECT_EQ(sums.count, fc2.columnBlocksPerBlock);
  EXPECT_EQ(sums.bytes, fc2.layer.outputs * 2);
  // Every complete layer's outputs are still all held somewhere.
  for (size_t li = 0; li < s.layerCount(); ++li) {
    double held = 0;
    for (const LayerOnCore& h : s.cores(li)) {
      EXPECT_GE(h.outputShare, -1e-12);
      held += h.outputShare;
    }
    EXPECT_NEAR(held, 1.0, 1e-9);
  }
}

const std::vector<std::string> kSmallChip = {"chip.cores=3", "core.crossbars=2", "crossbar.rows=32",
                                             "crossbar.cols=32", "crossbar.adcs_per_crossbar=32"};

INSTANTIATE_TEST_SUITE_P(
    TinyModels, WalkVisitors,
    ::testing::Values(
        Point{"mlp_gemm", "compass-sram-m", kSmallChip},
        Point{"two_conv_cnn", "compass-sram-m", kSmallChip},
        Point{"residual_block", "compass-sram-m", kSmallChip},
        Point{"concat_branch", "compass-sram-m", kSmallChip},
        Point{"depthwise_grouped", "compass-sram-m", kSmallChip},
        Point{"shape_chain", "compass-sram-m", kSmallChip},
        Point{"residual_block", "compass-sram-m", {}}, Point{"concat_branch", "puma-reram", {}},
        Point{"two_conv_cnn", "isaac-reram", {}},
        Point{"two_conv_cnn", "compass-sram-m", {"core.local_memory.size_kib=1"}, true},
        Point{"residual_block", "compass-sram-m", {"core.local_memory.size_kib=1"}, true},
        Point{"concat_branch", "isaac-reram", {"core.local_memory.size_kib=2"}, true},
        Point{"depthwise_grouped", "compass-sram-m", {"core.local_memory.size_kib=1"}, true}),
    [](const ::testing::TestParamInfo<Point>& info) {
      return std::string(info.param.model) + "_" + std::to_string(info.index);
    });

}  // namespace
}  // namespace xbar::schedule

namespace xbar::schedule {
namespace {

// Attention's MatMul of two activations costs its multiply-accumulates, M x N x K (it was
// charged max(in, out) elements, 64 times too little for ViT's Q x K^T); bilinear Resize 3 per
// output and resized axis; Min and Max one per output and operand past the first.
TEST(VectorWork, AttentionMatMulsCostTheirMultiplyAccumulates) {
  ir::Graph g;
  auto value = [&](std::vector<int64_t> shape) {
    ir::Value v;
    v.shape = std::move(shape);
    g.values.push_back(v);
    return static_cast<ir::ValueId>(g.values.size() - 1);
  };
  ir::Node qk;
  qk.kind = ir::OpKind::MatMul;
  qk.name = "qk";
  qk.inputs = {value({1, 12, 197, 64}), value({1, 12, 64, 197})};
  qk.outputs = {value({1, 12, 197, 197})};
  EXPECT_DOUBLE_EQ(vectorElementOps(g, qk), 12.0 * 197 * 197 * 64);
  ir::Node up;
  up.kind = ir::OpKind::Resize;
  up.name = "up";
  up.inputs = {value({1, 4, 5, 6})};
  up.outputs = {value({1, 4, 10, 12})};
  up.attrs.set("mode", std::string("linear"));
  EXPECT_DOUBLE_EQ(vectorElementOps(g, up), 3.0 * 2 * 4 * 10 * 12);
  up.attrs.set("mode", std::string("nearest"));
  EXPECT_DOUBLE_EQ(vectorElementOps(g, up), 4.0 * 10 * 12);
  ir::Node most;
  most.kind = ir::OpKind::Max;
  most.name = "max";
  most.inputs = {up.outputs[0], up.outputs[0], up.outputs[0]};
  most.outputs = {value({1, 4, 10, 12})};
  EXPECT_DOUBLE_EQ(vectorElementOps(g, most), 2.0 * 4 * 10 * 12);
}

// The vector unit's table (schedule/vector_work.h): pooling costs its window per output, a
// reshape nothing, softmax five operations per output. One op per output element for all of
// them priced a 3x3 max-pool like a ReLU.
TEST(VectorWork, PoolingCostsItsWindowAndReshapesAreFree) {
  ir::Graph g;
  auto value = [&](std::vector<int64_t> shape) {
    ir::Value v;
    v.shape = std::move(shape);
    g.values.push_back(v);
    return static_cast<ir::ValueId>(g.values.size() - 1);
  };
  const ir::ValueId x = value({1, 8, 16, 16}), pooled = value({1, 8, 8, 8});
  ir::Node pool;
  pool.kind = ir::OpKind::MaxPool;
  pool.name = "pool";
  pool.inputs = {x};
  pool.outputs = {pooled};
  pool.attrs.set("kernel_shape", std::vector<int64_t>{3, 3});
  EXPECT_DOUBLE_EQ(vectorElementOps(g, pool), 9.0 * 8 * 8 * 8);
  pool.kind = ir::OpKind::AveragePool;
  pool.attrs.set("kernel_shape", std::vector<int64_t>{2, 2});
  EXPECT_DOUBLE_EQ(vectorElementOps(g, pool), 4.0 * 8 * 8 * 8);
  ir::Node gap = pool;
  gap.kind = ir::OpKind::GlobalAveragePool;
  gap.outputs = {value({1, 8, 1, 1})};
  EXPECT_DOUBLE_EQ(vectorElementOps(g, gap), 8.0 * 16 * 16 + 8);
  ir::Node reshape = pool;
  reshape.kind = ir::OpKind::Reshape;
  EXPECT_DOUBLE_EQ(vectorElementOps(g, reshape), 0.0);
  ir::Node softmax = pool;
  softmax.kind = ir::OpKind::Softmax;
  softmax.inputs = {pooled};
  EXPECT_DOUBLE_EQ(vectorElementOps(g, softmax), 5.0 * 8 * 8 * 8);
  // Every op the vector unit runs after the passes has a row.
  for (ir::OpKind k : {ir::OpKind::BatchNormalization,
                       ir::OpKind::Relu,
                       ir::OpKind::Clip,
                       ir::OpKind::LeakyRelu,
                       ir::OpKind::Sigmoid,
                       ir::OpKind::Tanh,
                       ir::OpKind::HardSigmoid,
                       ir::OpKind::HardSwish,
                       ir::OpKind::Softmax,
                       ir::OpKind::Add,
                       ir::OpKind::Sub,
                       ir::OpKind::Mul,
                       ir::OpKind::Div,
                       ir::OpKind::Concat,
                       ir::OpKind::Flatten,
                       ir::OpKind::Reshape,
                       ir::OpKind::Transpose,
                       ir::OpKind::Pad,
                       ir::OpKind::Squeeze,
                       ir::OpKind::Unsqueeze,
                       ir::OpKind::MaxPool,
                       ir::OpKind::AveragePool,
                       ir::OpKind::GlobalAveragePool,
                       ir::OpKind::Gelu,
                       ir::OpKind::Silu,
                       ir::OpKind::Mish,
                       ir::OpKind::Softplus,
                       ir::OpKind::LayerNormalization,
                       ir::OpKind::InstanceNormalization,
                       ir::OpKind::Pow,
                       ir::OpKind::Min,
                       ir::OpKind::Max,
                       ir::OpKind::Sqrt,
                       ir::OpKind::Reciprocal,
                       ir::OpKind::Exp,
                       ir::OpKind::Erf,
                       ir::OpKind::Neg,
                       ir::OpKind::Abs,
                       ir::OpKind::ReduceMean,
                       ir::OpKind::ReduceSum,
                       ir::OpKind::ReduceMax,
                       ir::OpKind::Slice,
                       ir::OpKind::Split,
                       ir::OpKind::Expand,
                       ir::OpKind::Tile,
                       ir::OpKind::Resize,
                       ir::OpKind::Where,
                       ir::OpKind::Gather,
                       ir::OpKind::MatMul}) {
    const auto rows = vectorOpCosts();
    EXPECT_TRUE(std::any_of(rows.begin(), rows.end(), [&](const auto& r) { return r.kind == k; }))
        << ir::opName(k);
  }
}

// README "Supported operators" embeds `xbar ops`: regenerate it when an op or a cost changes.
TEST(OperatorTable, TheReadmeListsTheOperatorsTheCodeSupports) {
  std::ifstream in(XBAR_README);
  const std::string readme{std::istreambuf_iterator<char>(in), {}};
  EXPECT_NE(readme.find(operatorTableMarkdown()), std::string::npos)
      << "README.md is out of date; paste the output of `xbar ops`";
  // Every loadable op has a row, every vector-unit op its cost.
  for (ir::OpKind k : ir::loadableOps()) {
    const std::string domain(ir::opDomain(k));
    const std::string name = (domain.empty() ? "" : domain + "::") + std::string(ir::opName(k));
    EXPECT_NE(operatorTableMarkdown().find("| " + name + " |"), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace xbar::schedule
