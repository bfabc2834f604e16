// Programs: generated streams are consistent, DRAM placement never overlaps live tensors,
// and the text form round-trips and rejects malformed input with its line number.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "../support/compile_fixture.h"
#include "xbar/codegen/codegen.h"
#include "xbar/codegen/program_text.h"
#include "xbar/partition/partitioner.h"
#include "xbar/support/error.h"

namespace xbar::codegen {
namespace {

const std::string kTiny = XBAR_TINY_DIR;
const std::vector<std::string> kTinyChip = {"chip.cores=3", "core.crossbars=2", "crossbar.rows=32",
                                            "crossbar.cols=32", "crossbar.adcs_per_crossbar=32"};

struct Built {
  testing::Compiled c;
  std::unique_ptr<cost::CostModel> model;
  partition::Plan plan;
  CodegenResult code;
};

Built build(const std::string& model, int64_t batch, const std::string& partitioner = "compass",
            const std::vector<std::string>& more = {}) {
  std::vector<std::string> overrides = kTinyChip;
  overrides.insert(overrides.end(), more.begin(), more.end());
  Built b{testing::compileStages(kTiny + "/" + model + ".onnx", "compass-sram-m", overrides),
          nullptr,
          {},
          {}};
  b.model = std::make_unique<cost::CostModel>(b.c.graph, b.c.mapping, b.c.arch, batch);
  b.plan = partition::makePartitioner(partitioner)->run(*b.model, {});
  b.code = generateProgram(b.model->groups(), b.model->arch(), b.plan.batch,
                           partition::partitionRanges(b.plan));
  return b;
}

class EveryTinyModel : public ::testing::TestWithParam<const char*> {};

TEST_P(EveryTinyModel, LiveDramTensorsNeverOverlap) {
  const Built b = build(GetParam(), 3, "layerwise");  // many partitions, many crossing tensors
  const auto& blocks = b.code.activationBlocks;
  ASSERT_FALSE(blocks.empty());
  for (size_t i = 0; i < blocks.size(); ++i) {
    EXPECT_GE(blocks[i].address, b.code.program.dramWeightBytes)
        << "activations live above the weights";
    for (size_t j = i + 1; j < blocks.size(); ++j) {
      const bool liveTogether = blocks[i].firstPartition <= blocks[j].lastPartition &&
                                blocks[j].firstPartition <= blocks[i].lastPartition;
      const bool share = blocks[i].address < blocks[j].address + blocks[j].bytes &&
                         blocks[j].address < blocks[i].address + blocks[i].bytes;
      EXPECT_FALSE(liveTogether && share) << "blocks " << i << " and " << j;
    }
  }
}

TEST_P(EveryTinyModel, StreamsAreConsistent) {
  const Built b = build(GetParam(), 2);
  const Program& p = b.code.program;
  // Every SEND from a to b is met by one RECV on b from a with the same tag and size.
  std::map<std::pair<int32_t, int32_t>, std::map<int64_t, int64_t>> sent, received;
  double weightBytes = 0;
  for (const Thread& stream : p.threads) {
    const int32_t core = stream.core;
    int barriers = 0;
    for (const Instruction& in : stream.code) {
      if (in.op == Opcode::Send) {
        EXPECT_TRUE((sent[{core, in.peer}].emplace(in.tag, in.bytes).second)) << "tag reused";
      }
      if (in.op == Opcode::Receive) {
        EXPECT_TRUE((received[{in.peer, core}].emplace(in.tag, in.bytes).second)) << "tag reused";
      }
      if (in.op == Opcode::Barrier) {
        EXPECT_EQ(in.id, barriers++) << "barriers in partition order";
      }
      if (in.op == Opcode::LoadWeights) weightBytes += static_cast<double>(in.bytes);
      if (in.op == Opcode::Mvm || in.op == Opcode::WriteXbar || in.op == Opcode::LoadWeights) {
        EXPECT_GE(in.xb, 0);
        EXPECT_LE(in.xb + in.count, p.crossbarsPerCore) << "crossbars the core has";
      }
      if (in.op == Opcode::Load || in.op == Opcode::Store) {
        EXPECT_LE(in.dram + in.bytes, p.dramWeightBytes + p.dramActivationBytes);
      }
    }
    EXPECT_EQ(barriers, p.partitions) << "every thread of core " << core;
  }
  EXPECT_EQ(sent, received);
  EXPECT_NEAR(weightBytes, b.plan.totals.dramWeightBytes,
              static_cast<double>(b.c.mapping.units.size()))
      << "LD_W loads each unit's weights once (rounded up to bytes)";
}

TEST_P(EveryTinyModel, StreamsRunToTheEndWithoutDeadlock) {
  // Run the threads abstractly: SEND is posted unless its credits between the sending and the
  // receiving thread are used up, RECV waits for its message, BARRIER for
  // every thread, SYNC for the threads of its core. Round-robin until nothing moves; every
  // thread must reach its end.
  // Also with 1 KiB of local memory, where layers stream in tiles with credits sized from it.
  for (const std::vector<std::string>& more :
       {std::vector<std::string>{}, std::vector<std::string>{"core.local_memory.size_kib=1"}}) {
    const Built b = build(GetParam(), 3, "compass", more);
    const Program& p = b.code.program;
    const size_t n = p.threads.size();
    std::map<std::tuple<int32_t, int32_t, int64_t>, size_t> receiver;  // (from, to, tag)
    for (size_t t = 0; t < n; ++t)
      for (const Instruction& in : p.threads[t].code)
        if (in.op == Opcode::Receive) receiver[{in.peer, p.threads[t].core, in.tag}] = t;
    std::vector<size_t> pc(n, 0);
    std::map<std::tuple<int32_t, int32_t, int64_t>, size_t> posted;  // message -> sending thread
    std::map<std::pair<size_t, size_t>, int32_t> untaken;            // per thread pair
    auto at = [&](size_t k) -> const Instruction* {
      return pc[k] < p.threads[k].code.size() ? &p.threads[k].code[pc[k]] : nullptr;
    };
    for (bool moved = true; moved;) {
      moved = false;
      for (size_t t = 0; t < n; ++t) {
        const int32_t core = p.threads[t].core;
        while (const Instruction* in = at(t)) {
          if (in->op == Opcode::Send) {
            const auto r = receiver.find({core, in->peer, in->tag});
            ASSERT_NE(r, receiver.end()) << "a message nobody receives";
            if (untaken[{t, r->second}] >= in->credits) break;
            ++untaken[{t, r->second}];
            posted[{core, in->peer, in->tag}] = t;
          }
          if (in->op == Opcode::Receive) {
            const auto m = posted.find({in->peer, core, in->tag});
            if (m == posted.end()) break;
            --untaken[{m->second, t}];
            posted.erase(m);
          }
          if (in->op == Opcode::Barrier || in->op == Opcode::Sync) {
            // Everyone it waits for stands at the same instruction; then all pass together.
            std::vector<size_t> group;
            for (size_t k = 0; k < n; ++k)
              if (in->op == Opcode::Barrier || p.threads[k].core == core) group.push_back(k);
            const bool all = std::all_of(group.begin(), group.end(), [&](size_t k) {
              return at(k) != nullptr && at(k)->op == in->op && at(k)->id == in->id;
            });
            if (!all) break;
            for (size_t k : group) ++pc[k];
            moved = true;
            continue;
          }
          ++pc[t];
          moved = true;
        }
      }
    }
    for (size_t t = 0; t < n; ++t)
      EXPECT_EQ(pc[t], p.threads[t].code.size())
          << "thread " << t << " on core " << p.threads[t].core << " blocks";
    EXPECT_TRUE(posted.empty()) << "messages nobody receives";
  }
}

TEST_P(EveryTinyModel, MvmsCoverEveryVectorOfEverySample) {
  const int64_t batch = 3;
  const Built b = build(GetParam(), batch);
  int64_t total = 0;
  for (const auto& stream : b.code.program.threads)
    for (const Instruction& in : stream.code)
      if (in.op == Opcode::Mvm) total += in.repeat * in.count;
  // Each crossbar sees each of its layer's V vectors; r replicas run ceil(V / r) each.
  int64_t expected = 0;
  for (const partition::Partition& p : b.plan.partitions)
    for (int32_t u = p.firstUnit; u < p.endUnit; ++u) {
      const auto& unit = b.c.mapping.units[static_cast<size_t>(u)];
      int64_t replicas = 1;
      for (const auto& r : p.cost.replication)
        if (r.layer == unit.layer) replicas = r.replicas;
      const int64_t vectors = b.model->layers()[static_cast<size_t>(unit.layer)].vectorsPerSample;
      expected += unit.crossbars * replicas * ((vectors + replicas - 1) / replicas) * batch;
    }
  EXPECT_EQ(total, expected) << "crossbar-vectors";
}

TEST_P(EveryTinyModel, TextRoundTrips) {
  const Built b = build(GetParam(), 2);
  const std::string text = writeProgramText(b.code.program);
  const Program parsed = parseProgramText(text, "p.xasm");
  EXPECT_EQ(parsed, b.code.program);
  EXPECT_EQ(writeProgramText(parsed), text);
}

INSTANTIATE_TEST_SUITE_P(Tiny, EveryTinyModel,
                         ::testing::Values("two_conv_cnn", "residual_block", "concat_branch",
                                           "depthwise_grouped", "mlp_gemm", "shape_chain"),
                         [](const auto& info) { return std::string(info.param); });

std::string parseError(const std::string& text) {
  try {
    parseProgramText(text, "bad.xasm");
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted:\n" << text;
  return {};
}

const std::string kHeader =
    "xasm 4\nmodel m\narch a 0123\ncores 2 crossbars 4\nbatch 1 partitions 1\ndram weights 0 "
    "activations 0\ncore 0\n";

TEST(ProgramTextBadInput, BadVersion) {
  EXPECT_NE(parseError("xasm 7\n").find("bad.xasm:1: program version 7 is not supported"),
            std::string::npos);
  EXPECT_NE(parseError("model m\n").find("bad.xasm:1: expected the header 'xasm 4'"),
            std::string::npos);
}

// Version 3 programs carry no data: the executor could not run them, so they are refused.
TEST(ProgramTextBadInput, VersionThreeIsRefused) {
  EXPECT_NE(parseError("xasm 3\n")
                .find("bad.xasm:1: program version 3 is not supported; this xbar reads version 4"),
            std::string::npos);
}

// ISA 4's data operand: a box of a value or a layer's sums, or a unit's weights; segments.
TEST(ProgramTextBadInput, DataOperandsAreChecked) {
  const std::string text = kHeader +
                           "  SEND peer=1 bytes=4 tag=0 credits=1 "
                           "data=sum3/b1/c0:64/p0:98,196:294\n"
                           "  RECV peer=1 bytes=4 tag=0 data=w7\n"
                           "  LD dram=0 bytes=4 data=v12/b0/c0:64/p0:3136\n";
  const Program p = parseProgramText(text, "ok.xasm");
  const DataRef& sums = p.threads[0].code[0].data;
  EXPECT_EQ(sums.kind, DataRef::Kind::Sums);
  EXPECT_EQ(sums.id, 3);
  EXPECT_EQ(sums.sample, 1);
  EXPECT_EQ(sums.endChannel, 64);
  ASSERT_EQ(sums.positions.size(), 2u);
  EXPECT_EQ(sums.positions[1], (std::pair<int64_t, int64_t>{196, 294}));
  EXPECT_EQ(p.threads[0].code[1].data.kind, DataRef::Kind::Weights);
  EXPECT_EQ(parseProgramText(writeProgramText(p), "again.xasm"), p);
  EXPECT_NE(parseError(kHeader + "  LD dram=0 bytes=4 data=w3\n").find("LD moves activations"),
            std::string::npos);
  EXPECT_NE(parseError(kHeader + "  LD dram=0 bytes=4 data=x3\n").find("data should name a value"),
            std::string::npos);
  EXPECT_NE(parseError(kHeader + "  LD dram=0 bytes=4 data=v3/b0/c4:2/p0:1\n")
                .find("range end should be from 4"),
            std::string::npos);
  EXPECT_NE(parseError(kHeader + "  LD dram=0 bytes=4 data=v3/b0/c0:2/p5:9,0:3\n")
                .find("position runs should ascend"),
            std::string::npos);
  EXPECT_NE(parseError(kHeader + "  LD dram=0 bytes=4 data=v3/b0\n").find("expected v12/b0"),
            std::string::npos);
  const std::string segments =
      "xasm 4\nmodel m\narch a 0123\ncores 2 crossbars 4\nbatch 1 partitions 1\ndram weights 8 "
      "activations 0\nsegment w0 dram=0 bytes=8\nsegment sum2 dram=8 bytes=4\ncore 0\n";
  const Program q = parseProgramText(segments, "ok.xasm");
  ASSERT_EQ(q.segments.size(), 2u);
  EXPECT_EQ(q.segments[1].kind, DataRef::Kind::Sums);
  EXPECT_EQ(q.segments[1].address, 8);
  EXPECT_NE(parseError("xasm 4\nsegment w0 at=0 bytes=8\n").find("should be 'dram=...'"),
            std::string::npos);
}

TEST(ProgramTextBadInput, BadOpcodeNamesLine) {
  const std::string e = parseError(kHeader + "  BARRIER id=0\n  JUMP to=3\n");
  EXPECT_NE(e.find("bad.xasm:9: unknown opcode 'JUMP'"), std::string::npos) << e;
}

TEST(ProgramTextBadInput, BadOperands) {
  EXPECT_NE(
      parseError(kHeader + "  MVM xb=0 count=1 rows=4\n").find("bad.xasm:8: MVM takes 10 operands"),
      std::string::npos);
  EXPECT_NE(parseError(kHeader + "  SEND bytes=4 peer=1 tag=0 credits=1 data=w0\n")
                .find("should be 'peer=...'"),
            std::string::npos);
  EXPECT_NE(parseError(kHeader + "  LD dram=x bytes=4 data=v0/b0/c0:1/p0:1\n")
                .find("dram should be an integer, got 'x'"),
            std::string::npos);
  EXPECT_NE(parseError(kHeader + "  ST dram=0 bytes=-4 data=v0/b0/c0:1/p0:1\n")
                .find("bytes should be from 0 to"),
            std::string::npos);
  EXPECT_NE(parseError(kHeader + "core 5\n").find("bad.xasm:8: core 5 does not exist"),
            std::string::npos);
}

// Operands are range-checked before they are narrowed: 2^31 once wrapped to a negative int32
// (a crash in the simulator), 2^32 to 0 (silently another crossbar or core).
TEST(ProgramTextBadInput, OperandsBeyondTheirWidthAreRefused) {
  EXPECT_NE(parseError(kHeader + "  BARRIER id=2147483648\n")
                .find("bad.xasm:8: BARRIER id should be from 0 to 2147483647, got 2147483648"),
            std::string::npos);
  EXPECT_NE(
      parseError(kHeader + "  WR_XB xb=4294967296 count=1 rows=1 cols=1 unit=0 copy=0 copies=1\n")
          .find("WR_XB xb should be from 0 to 2147483647"),
      std::string::npos);
  EXPECT_NE(parseError(kHeader + "  LD dram=281474976710657 bytes=4 data=v0/b0/c0:1/p0:1\n")
                .find("LD dram should be from 0 to 281474976710656"),
            std::string::npos);
  EXPECT_NE(parseError(kHeader + "core 4294967296\n").find("core 4294967296 does not exist"),
            std::string::npos);
  EXPECT_NE(parseError("xasm 4294967298\n").find("version should be from 0 to 2147483647"),
            std::string::npos);
}

// Every header line is required once: a deleted line is not replaced by a default, and a
// program with no core section never reaches the simulator.
TEST(ProgramTextBadInput, HeaderLinesAreRequiredOnceAndCoresExist) {
  const std::string noDram =
      "xasm 4\nmodel m\narch a 0123\ncores 2 crossbars 4\nbatch 1 partitions 1\ncore 0\n";
  EXPECT_NE(
      parseError(noDram).find("bad.xasm:6: 'core' before the header is complete; missing dram"),
      std::string::npos);
  EXPECT_NE(parseError("xasm 4\nmodel m\nmodel n\n")
                .find("bad.xasm:3: the header line 'model' appears twice"),
            std::string::npos);
  const std::string headerOnly = kHeader.substr(0, kHeader.size() - std::string("core 0\n").size());
  EXPECT_NE(parseError(headerOnly).find("bad.xasm: no 'core N' section"), std::string::npos);
}

TEST(ProgramTextBadInput, ThreadsAndCreditsAreChecked) {
  // Sections name cores in order (a repeated core is another thread); a SEND's credits are
  // positive (none would block it for ever).
  EXPECT_NE(parseError(kHeader + "core 1\ncore 0\n")
                .find("bad.xasm:9: core 0 after core 1; expected the cores in order"),
            std::string::npos);
  EXPECT_NE(parseError(kHeader + "  SEND peer=1 bytes=4 tag=0 credits=0 data=w0\n")
                .find("bad.xasm:8: SEND credits should be from 1 to 2147483647, got 0"),
            std::string::npos);
  EXPECT_NE(parseError(kHeader + "  SEND peer=1 bytes=4 tag=0\n")
                .find("SEND takes 5 operands (peer bytes tag credits data), got 3"),
            std::string::npos);
  EXPECT_NE(parseError(kHeader + "  SYNC\n").find("SYNC takes 1 operands (id), got 0"),
            std::string::npos);
  // Two threads on core 0 round-trip through the text.
  const Program p = parseProgramText(kHeader + "  SYNC id=0\ncore 0\n  SYNC id=0\n", "ok.xasm");
  ASSERT_EQ(p.threads.size(), 2u);
  EXPECT_EQ(p.threads[1].core, 0);
  EXPECT_EQ(parseProgramText(writeProgramText(p), "again.xasm"), p);
}

}  // namespace
}  // namespace xbar::codegen
