#include "dataflow.h"

#include <algorithm>

#include <fmt/format.h>

#include "xbar/codegen/program_text.h"
#include "xbar/schedule/box.h"
#include "xbar/schedule/partition_schedule.h"
#include "xbar/support/error.h"

namespace xbar::execute {
namespace {

using codegen::DataRef;
using codegen::Opcode;

// Calls f(element index) for every element of a box of an extent: channels by position runs.
template <class F>
void forEachElement(const DataRef& d, const schedule::Extent& e, F&& f) {
  for (int64_t c = d.firstChannel; c < d.endChannel; ++c)
    for (const auto& [first, end] : d.positions)
      for (int64_t p = first; p < end; ++p) f(e.index(c, p));
}

}  // namespace

Dataflow::Dataflow(const ExecutionModel& model, const codegen::Program& program,
                   const ExecutionOptions& options, Execution& result)
    : model_(model),
      program_(program),
      options_(options),
      result_(result),
      evaluator_(model.graph, model.groups, model.mapping, model.quantized),
      cores_(static_cast<size_t>(program.cores)) {
  for (const codegen::DramSegment& s : program.segments)
    segments_[{static_cast<int32_t>(s.kind), s.id}] = s;
  result_.values.assign(static_cast<size_t>(program.batch), {});
}

std::string Dataflow::where(int32_t thread, size_t index) const {
  const codegen::Thread& t = program_.threads[static_cast<size_t>(thread)];
  const codegen::Instruction& in = t.code[index];
  std::string text(codegen::opcodeName(in.op));
  if (in.op == Opcode::Mvm || in.op == Opcode::Vector)
    text += fmt::format(" layer={} sample={}", in.layer, in.sample);
  else if (in.data.kind != DataRef::Kind::None)
    text += " data=" + codegen::dataText(in.data);
  if (in.op == Opcode::LoadWeights || in.op == Opcode::WriteXbar)
    text += fmt::format(" unit={}", in.unit);
  return fmt::format("core {} thread {} instruction {} ({})", t.core, thread, index, text);
}

void Dataflow::fail(const RecordedOp& op, const std::string& what) const {
  throw ExecutionError(
      fmt::format("{}, partition {}: {}", where(op.thread, op.index), partition_, what));
}

schedule::Extent Dataflow::extentOf(const DataRef& d) const {
  if (d.kind == DataRef::Kind::Value) return model_.groups.extent(d.id);
  const schedule::LayerGroup& g = model_.groups.layer(d.id);
  return {g.channels, g.vectorsPerSample};
}

std::string Dataflow::nameOf(const DataRef& d) const {
  if (d.kind == DataRef::Kind::Sums)
    return fmt::format("the sums of layer '{}'", model_.groups.layer(d.id).name);
  const int32_t g = evaluator_.producerGroup(d.id);
  return fmt::format("value '{}' ({})", model_.graph.value(d.id).name,
                     g < 0 ? std::string("a graph input")
                           : fmt::format("made by layer '{}'", model_.groups.layer(g).name));
}

void Dataflow::setInputs(const std::vector<std::vector<reference::Tensor>>& samples) {
  const ir::Graph& g = model_.graph;
  for (size_t b = 0; b < samples.size(); ++b)
    for (size_t i = 0; i < g.inputs.size(); ++i) {
      HeldValue h;
      h.tensor = samples[b][i];
      h.present.assign(h.tensor.data.size(), 1);
      dramValues_[{g.inputs[i], static_cast<int64_t>(b)}] = std::move(h);
    }
}

// Each op runs after everything it reads is made: group by group, within a group its early
// values (made before the matrix op), its MVMs, its sums' moves (loads, then messages, then
// stores), then the moves of what it makes. Within one stage the program's order holds (a
// RECV after its SEND, a forward after its load); a value's loads share the stage of its
// stores, as a map spilled within the partition is loaded back after its producer stored it.
Dataflow::Key Dataflow::orderOf(const codegen::Instruction& in) const {
  if (in.op == Opcode::Mvm) return {in.layer, 1, 0};
  const DataRef& d = in.data;
  if (d.kind == DataRef::Kind::Sums)
    return {d.id, 2, in.op == Opcode::Load ? 0 : in.op == Opcode::Store ? 2 : 1};
  const int32_t group = evaluator_.producerGroup(d.id);
  return {group, evaluator_.madeBeforeMatrix(d.id) ? 0 : 3, 1};
}

void Dataflow::runPartition(int32_t partition, std::vector<RecordedOp> ops) {
  partition_ = partition;
  std::vector<std::pair<Key, size_t>> order;
  order.reserve(ops.size());
  for (size_t i = 0; i < ops.size(); ++i)
    order.emplace_back(
        orderOf(program_.threads[static_cast<size_t>(ops[i].thread)].code[ops[i].index]), i);
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  // Within a stage, an op whose box has yet to arrive waits for the others: the program may
  // cut a value into other pieces on the way in than on the way on (a leader hands out its
  // own tiles of pieces that arrive cut by the producers' runs).
  std::vector<size_t> pending, left;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    pending.clear();
    while (j < order.size() && order[j].first == order[i].first)
      pending.push_back(order[j++].second);
    while (!pending.empty()) {
      left.clear();
      for (size_t k : pending)
        if (!evaluate(ops[k], false)) left.push_back(k);
      if (left.size() == pending.size()) evaluate(ops[left.front()], true);  // throws
      pending.swap(left);
    }
    i = j;
  }
  // Local memory holds nothing from one partition to the next: what crosses goes via DRAM.
  for (CoreStore& s : cores_) s = CoreStore{};
}

bool Dataflow::evaluate(const RecordedOp& op, bool strict) {
  const codegen::Instruction& in = program_.threads[static_cast<size_t>(op.thread)].code[op.index];
  switch (in.op) {
    case Opcode::Mvm:
      mvm(op, in);
      return true;
    case Opcode::Send:
      return send(op, in, strict);
    case Opcode::Receive:
      return receive(op, in, strict);
    case Opcode::Load:
      return load(op, in, strict);
    case Opcode::Store:
      return store(op, in, strict);
    default:
      return true;
  }
}

HeldSums& Dataflow::sumsOf(CoreStore& s, int32_t layer, int64_t sample) const {
  HeldSums& h = s.sums[{layer, sample}];
  if (h.acc.empty()) {
    const schedule::LayerGroup& g = model_.groups.layer(layer);
    h.acc.assign(static_cast<size_t>(g.channels * g.vectorsPerSample), 0);
    h.rows.assign(h.acc.size(), 0);
  }
  return h;
}

// The core's copies over their vectors of the tile: each weight piece's rows of each vector,
// through the cells WR_XB programmed, added to the core's sums of the layer.
void Dataflow::mvm(const RecordedOp& op, const codegen::Instruction& in) {
  const schedule::LayerGroup& g = model_.groups.layer(in.layer);
  const mapping::MatrixLayer& ml = model_.mapping.layers[static_cast<size_t>(in.layer)].layer;
  const reference::QuantizedMatrixOps::Layer& q = model_.quantized.layers().at(ml.node);
  CoreStore& s = cores_[static_cast<size_t>(op.core)];
  auto codesIt = s.codes.find({in.layer, in.sample});
  if (codesIt == s.codes.end()) {
    // A matrix input made in the group itself (from graph inputs) the core makes first.
    if (evaluator_.producerGroup(g.matrixInput) == in.layer)
      finishGroup(op.core, in.layer, in.sample, false);
    const auto held = s.values.find({g.matrixInput, in.sample});
    if (held == s.values.end())
      fail(op, fmt::format("its input vectors come from {}, of which the core holds nothing",
                           nameOf({DataRef::Kind::Value, g.matrixInput})));
    const HeldValue& x = held->second;
    std::vector<int64_t> codes(x.tensor.data.size()), missing;
    for (size_t e = 0; e < codes.size(); ++e)
      codes[e] = x.present[e] ? q.input.quantize(x.tensor.data[e]) : 0;
    // Most cores hold the whole input (the leader hands it to each): no vector can miss.
    if (std::find(x.present.begin(), x.present.end(), 0) != x.present.end())
      for (uint8_t p : x.present) missing.push_back(p ? 0 : 1);
    codesIt = s.codes
                  .emplace(std::pair{in.layer, in.sample},
                           std::pair{std::move(codes), std::move(missing)})
                  .first;
  }
  const auto& [codes, missing] = codesIt->second;
  const int64_t padCode = q.input.quantize(0.0), ins = ml.inputs, outs = ml.outputs;
  const int64_t vectors = g.vectorsPerSample;
  HeldSums& sums = sumsOf(s, in.layer, in.sample);
  for (const CopyRun& run : op.runs) {
    const schedule::CopyTile ct =
        schedule::copyTile(vectors, run.copy, run.replicas, in.tile, in.tiles);
    const int64_t n = ct.end - ct.first;
    if (n <= 0) continue;
    for (size_t k = 0; k < run.weights->pieces.size(); ++k) {
      const WeightPiece& wp = run.weights->source->pieces[k];
      const int64_t rows = wp.endRow - wp.firstRow, pieceOuts = wp.endOutput - wp.firstOutput;
      const std::vector<int64_t> v =
          q.lowering->inputVectors(codes, wp.group, padCode, ct.first, ct.end);
      const std::vector<int64_t> m =
          missing.empty() ? std::vector<int64_t>()
                          : q.lowering->inputVectors(missing, wp.group, 0, ct.first, ct.end);
      std::vector<int64_t> x(static_cast<size_t>(n * rows)), y(static_cast<size_t>(n * pieceOuts));
      for (int64_t r = 0; r < n; ++r)
        for (int64_t i = 0; i < rows; ++i) {
          const auto at = static_cast<size_t>(r * ins + wp.firstRow + i);
          if (!m.empty() && m[at] != 0)
            fail(op, fmt::format("vector {} of unit {} copy {} reads row {} of group {} of {}, "
                                 "which the core was never given",
                                 ct.first + r, run.unit, run.copy, wp.firstRow + i, wp.group,
                                 nameOf({DataRef::Kind::Value, g.matrixInput})));
          x[static_cast<size_t>(r * rows + i)] = v[at];
        }
      const numerics::ProgrammedWeights& pw = run.weights->pieces[k];
      // The read noise of the whole matrix's product for this sample, at these vectors.
      const numerics::ProgrammedWeights::ReadDraw draw{
          options_.firstRun + static_cast<uint64_t>(in.sample), ct.first};
      if (options_.forceBitSliced)
        pw.matmulBitSliced(x, n, !q.input.isUnsigned, y, draw);
      else
        pw.matmul(x, n, !q.input.isUnsigned, y, draw);
      for (int64_t r = 0; r < n; ++r)
        for (int64_t o = 0; o < pieceOuts; ++o) {
          const auto at =
              static_cast<size_t>((wp.group * outs + wp.firstOutput + o) * vectors + ct.first + r);
          sums.acc[at] += y[static_cast<size_t>(r * pieceOuts + o)];
          sums.rows[at] += rows;
        }
    }
  }
}

HeldValue* Dataflow::ensureValue(const RecordedOp& op, const DataRef& d, bool strict) {
  CoreStore& s = cores_[static_cast<size_t>(op.core)];
  const schedule::Extent e = extentOf(d);
  const auto lacks = [&]() -> int64_t {
    const auto it = s.values.find({d.id, d.sample});
    int64_t first = -1;
    forEachElement(d, e, [&](int64_t i) {
      if (first < 0 && (it == s.values.end() || !it->second.holds(i))) first = i;
    });
    return first;
  };
  if (lacks() >= 0) {
    if (const int32_t g = evaluator_.producerGroup(d.id); g >= 0)
      finishGroup(op.core, g, d.sample, !evaluator_.madeBeforeMatrix(d.id));
    if (const int64_t i = lacks(); i >= 0) {
      if (!strict) return nullptr;
      fail(op, fmt::format("the core does not hold channel {} position {} of {}", e.channelOf(i),
                           e.positionOf(i), nameOf(d)));
    }
  }
  return &s.values.at({d.id, d.sample});
}

// The group's ops on what the core holds; what they make joins the core's store, and the
// first core to make an element is recorded as its maker.
void Dataflow::finishGroup(int32_t core, int32_t layer, int64_t sample, bool withSums) {
  CoreStore& s = cores_[static_cast<size_t>(core)];
  const auto sums = withSums ? s.sums.find({layer, sample}) : s.sums.end();
  int& stage = s.finished[{layer, sample}];
  const int want = withSums ? 2 : 1;
  if (stage >= want) return;
  stage = want;
  auto made = evaluator_.evaluate(
      layer,
      [&](ir::ValueId v) -> const HeldValue* {
        const auto it = s.values.find({v, sample});
        return it == s.values.end() ? nullptr : &it->second;
      },
      sums == s.sums.end() ? nullptr : &sums->second);
  auto& record = result_.values[static_cast<size_t>(sample)];
  for (auto& [v, h] : made) {
    HeldValue& mine = s.values[{v, sample}];
    if (mine.tensor.data.empty()) mine = HeldValue::empty(h.tensor.shape);
    MadeValue& rec = record[v];
    if (rec.tensor.data.empty()) {
      rec.tensor = reference::Tensor::filled(h.tensor.shape, 0.0F);
      rec.core.assign(h.tensor.data.size(), -1);
      rec.partition.assign(h.tensor.data.size(), -1);
    }
    for (size_t e = 0; e < h.present.size(); ++e) {
      if (!h.present[e]) continue;
      mine.tensor.data[e] = h.tensor.data[e];
      mine.present[e] = 1;
      if (rec.core[e] < 0) {
        rec.tensor.data[e] = h.tensor.data[e];
        rec.core[e] = core;
        rec.partition[e] = partition_;
      } else if (!reference::sameBits(rec.tensor.data[e], h.tensor.data[e])) {
        throw ExecutionError(
            fmt::format("partition {}: cores {} and {} made different values of element {} of {}",
                        partition_, rec.core[e], core, e, nameOf({DataRef::Kind::Value, v})));
      }
    }
  }
}

// A SEND's payload is its box as the sender holds it when everything the box reads has
// arrived; a SEND to the sender's own core moves nothing (its threads share the store).
bool Dataflow::send(const RecordedOp& op, const codegen::Instruction& in, bool strict) {
  const DataRef& d = in.data;
  if (d.kind == DataRef::Kind::Weights) return true;  // moved when the program reached it
  const schedule::Extent e = extentOf(d);
  Payload p;
  p.data = d;
  if (d.kind == DataRef::Kind::Value) {
    const HeldValue* h = ensureValue(op, d, strict);
    if (h == nullptr) return false;
    if (in.peer == op.core) return true;
    forEachElement(d, e,
                   [&](int64_t i) { p.values.push_back(h->tensor.data[static_cast<size_t>(i)]); });
  } else {
    if (in.peer == op.core) return true;
    const auto it = cores_[static_cast<size_t>(op.core)].sums.find({d.id, d.sample});
    if (it == cores_[static_cast<size_t>(op.core)].sums.end())
      fail(op, fmt::format("the core sends {} but made none of them", nameOf(d)));
    forEachElement(d, e, [&](int64_t i) {
      p.acc.push_back(it->second.acc[static_cast<size_t>(i)]);
      p.rows.push_back(it->second.rows[static_cast<size_t>(i)]);
    });
  }
  inFlight_[{op.core, in.peer, in.tag}] = std::move(p);
  return true;
}

bool Dataflow::receive(const RecordedOp& op, const codegen::Instruction& in, bool strict) {
  const DataRef& d = in.data;
  if (d.kind == DataRef::Kind::Weights || in.peer == op.core) return true;
  const auto it = inFlight_.find({in.peer, op.core, in.tag});
  if (it == inFlight_.end() && !strict) return false;
  if (it == inFlight_.end())
    fail(op, fmt::format("no SEND from core {} with tag {} carries data", in.peer, in.tag));
  const Payload p = std::move(it->second);
  inFlight_.erase(it);
  if (!(p.data == d))
    fail(op, fmt::format("the matching SEND carries {}", codegen::dataText(p.data)));
  const schedule::Extent e = extentOf(d);
  CoreStore& s = cores_[static_cast<size_t>(op.core)];
  size_t k = 0;
  if (d.kind == DataRef::Kind::Value) {
    HeldValue& h = s.values[{d.id, d.sample}];
    if (h.tensor.data.empty()) h = HeldValue::empty(model_.graph.value(d.id).shape);
    forEachElement(d, e, [&](int64_t i) {
      h.tensor.data[static_cast<size_t>(i)] = p.values[k++];
      h.present[static_cast<size_t>(i)] = 1;
    });
  } else {
    HeldSums& h = sumsOf(s, d.id, d.sample);
    forEachElement(d, e, [&](int64_t i) {
      h.acc[static_cast<size_t>(i)] += p.acc[k];
      h.rows[static_cast<size_t>(i)] += p.rows[k++];
    });
  }
  return true;
}

// A box's DRAM address: its tensor's segment, the sample's slot, and the box's first element
// (schedule/box.h: a box is timed as one run of its bytes from there).
void Dataflow::checkAddress(const RecordedOp& op, const codegen::Instruction& in) const {
  const DataRef& d = in.data;
  const auto seg = segments_.find({static_cast<int32_t>(d.kind), d.id});
  if (seg == segments_.end()) fail(op, fmt::format("{} has no DRAM segment", nameOf(d)));
  if (d.positions.size() != 1) fail(op, "a DRAM access moves one box");
  const schedule::Box box{d.firstChannel, d.endChannel, d.positions[0].first,
                          d.positions[0].second};
  const int64_t bits = d.kind == DataRef::Kind::Sums ? model_.groups.layer(d.id).partialSumBits
                                                     : model_.arch.precision.activation_bits;
  const int64_t expected = seg->second.address + d.sample * seg->second.bytes +
                           schedule::boxOffset(extentOf(d), box, in.bytes, bits);
  if (in.dram != expected)
    fail(op, fmt::format("dram={} but that box of {} sample {} lies at {}", in.dram, nameOf(d),
                         d.sample, expected));
}

bool Dataflow::load(const RecordedOp& op, const codegen::Instruction& in, bool strict) {
  checkAddress(op, in);
  const DataRef& d = in.data;
  const schedule::Extent e = extentOf(d);
  CoreStore& s = cores_[static_cast<size_t>(op.core)];
  if (d.kind == DataRef::Kind::Value) {
    const auto src = dramValues_.find({d.id, d.sample});
    if (!strict) {
      bool stored = src != dramValues_.end();
      forEachElement(d, e, [&](int64_t i) {
        stored = stored && src->second.present[static_cast<size_t>(i)] != 0;
      });
      if (!stored) return false;  // its stores in this partition are still to come
    }
    HeldValue& h = s.values[{d.id, d.sample}];
    if (h.tensor.data.empty()) h = HeldValue::empty(model_.graph.value(d.id).shape);
    forEachElement(d, e, [&](int64_t i) {
      const auto at = static_cast<size_t>(i);
      if (src == dramValues_.end() || !src->second.present[at])
        fail(op, fmt::format("it reads channel {} position {} of {}, which no ST wrote",
                             e.channelOf(i), e.positionOf(i), nameOf(d)));
      h.tensor.data[at] = src->second.tensor.data[at];
      h.present[at] = 1;
    });
    return true;
  }
  const auto src = dramSums_.find({d.id, d.sample});
  if (src == dramSums_.end()) fail(op, fmt::format("no ST wrote {}", nameOf(d)));
  HeldSums& h = sumsOf(s, d.id, d.sample);
  forEachElement(d, e, [&](int64_t i) {
    const auto at = static_cast<size_t>(i);
    h.acc[at] += src->second.acc[at];
    h.rows[at] += src->second.rows[at];
  });
  return true;
}

bool Dataflow::store(const RecordedOp& op, const codegen::Instruction& in, bool strict) {
  checkAddress(op, in);
  const DataRef& d = in.data;
  const schedule::Extent e = extentOf(d);
  if (d.kind == DataRef::Kind::Value) {
    const HeldValue* held = ensureValue(op, d, strict);
    if (held == nullptr) return false;
    const HeldValue& src = *held;
    HeldValue& h = dramValues_[{d.id, d.sample}];
    if (h.tensor.data.empty()) h = HeldValue::empty(model_.graph.value(d.id).shape);
    forEachElement(d, e, [&](int64_t i) {
      const auto at = static_cast<size_t>(i);
      h.tensor.data[at] = src.tensor.data[at];
      h.present[at] = 1;
    });
    return true;
  }
  CoreStore& s = cores_[static_cast<size_t>(op.core)];
  const auto src = s.sums.find({d.id, d.sample});
  if (src == s.sums.end()) fail(op, fmt::format("the core stores {} but made none", nameOf(d)));
  HeldSums& h = dramSums_[{d.id, d.sample}];
  if (h.acc.empty()) {
    h.acc.assign(src->second.acc.size(), 0);
    h.rows.assign(src->second.rows.size(), 0);
  }
  forEachElement(d, e, [&](int64_t i) {
    const auto at = static_cast<size_t>(i);
    h.acc[at] = src->second.acc[at];
    h.rows[at] = src->second.rows[at];
  });
  return true;
}

void Dataflow::readOutputs() {
  const ir::Graph& g = model_.graph;
  result_.outputs.assign(static_cast<size_t>(program_.batch), {});
  for (int64_t b = 0; b < program_.batch; ++b)
    for (ir::ValueId v : g.outputs) {
      const auto it = dramValues_.find({v, b});
      const int64_t missing = it == dramValues_.end() ? 0
                                                      : std::find(it->second.present.begin(),
                                                                  it->second.present.end(), 0) -
                                                            it->second.present.begin();
      if (it == dramValues_.end() || missing < static_cast<int64_t>(it->second.present.size()))
        throw ExecutionError(fmt::format(
            "the program leaves graph output '{}' of sample {} incomplete in DRAM (element {})",
            g.value(v).name, b, missing));
      result_.outputs[static_cast<size_t>(b)].push_back(it->second.tensor);
    }
}

}  // namespace xbar::execute
