#include "xbar/codegen/codegen.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>
#include <tuple>

#include <fmt/format.h>

#include "xbar/arch/arch_loader.h"

namespace xbar::codegen {
namespace {

// An activation tensor that goes through DRAM: a graph value, or the partial outputs of a
// layer split across partitions.
struct DramTensor {
  int64_t perSampleBytes = 0;
  int32_t first = 0;
  int32_t last = 0;
  int64_t address = 0;
};

class Generator {
 public:
  Generator(const ir::Graph& graph, const mapping::Mapping& mapping, const cost::CostModel& model,
            const partition::Plan& plan)
      : graph_(graph), mapping_(mapping), model_(model), plan_(plan), arch_(model.arch()) {}

  CodegenResult run() {
    Program& p = result_.program;
    p.model = mapping_.model;
    p.arch = arch_.name;
    p.archFingerprint = archFingerprint(arch_);
    p.cores = static_cast<int32_t>(arch_.chip.cores);
    p.crossbarsPerCore = static_cast<int32_t>(arch_.core.crossbars);
    p.batch = model_.batch();
    p.partitions = static_cast<int32_t>(plan_.partitions.size());
    layoutWeights();
    placeActivations();
    // Each core gets as many threads as it holds layers in any one partition.
    threads_.assign(static_cast<size_t>(p.cores), std::vector<std::vector<Instruction>>(1));
    threadOf_.assign(static_cast<size_t>(p.cores), 0);
    for (const partition::Partition& part : plan_.partitions) {
      placements_.push_back(model_.place(part.firstUnit, part.endUnit, part.cost.replication));
      layersOnCores_.push_back(model_.layersOnCores(part.firstUnit, part.endUnit,
                                                    part.cost.replication, placements_.back()));
      std::vector<size_t> layersOn(static_cast<size_t>(p.cores), 0);
      for (const auto& cores : layersOnCores_.back())
        for (const cost::LayerOnCore& h : cores) {
          auto& threads = threads_[static_cast<size_t>(h.core)];
          const size_t count = ++layersOn[static_cast<size_t>(h.core)];
          if (threads.size() < count) threads.resize(count);
        }
    }
    for (size_t i = 0; i < plan_.partitions.size(); ++i) emitPartition(static_cast<int32_t>(i));
    for (int32_t c = 0; c < p.cores; ++c)
      for (auto& code : threads_[static_cast<size_t>(c)]) p.streams.push_back({c, std::move(code)});
    return std::move(result_);
  }

 private:
  // To the core's current thread (threadOf_): thread 0 for weight replacement, the layer's
  // own thread while a layer is emitted.
  void emit(int32_t core, Instruction in) {
    const auto c = static_cast<size_t>(core);
    threads_[c][static_cast<size_t>(threadOf_[c])].push_back(std::move(in));
  }

  // A message to be received later: SEND now, RECV when the receiver gets to it.
  struct Message {
    int32_t from = 0;
    int32_t fromThread = 0;
    int32_t to = 0;
    int64_t bytes = 0;
    int64_t tag = 0;
    int64_t sample = -1;
  };

  std::optional<Message> post(int32_t from, int32_t to, int64_t bytes) {
    // Within a core, a message hands data from one layer's thread to another's: it carries
    // the dependency and moves nothing over the network. Weight copies and hand-outs always go
    // to other cores.
    if ((from == to && sample_ < 0) || bytes <= 0) return std::nullopt;
    const int64_t tag = nextTag_[{from, to}]++;
    emit(from, {.op = Opcode::Send, .bytes = bytes, .peer = to, .tag = tag});
    return Message{from, threadOf_[static_cast<size_t>(from)], to, bytes, tag, sample_};
  }
  void take(const Message& m) {
    emit(m.to, {.op = Opcode::Receive, .bytes = m.bytes, .peer = m.from, .tag = m.tag});
    // Credits (per sending and receiving thread): twice the most messages one sample sends
    // between two threads, so a producer may run one sample ahead of its consumer (double
    // buffering) and no further. In the order emitted here, no pair ever holds more than
    // one sample's messages, so the program cannot deadlock on credits.
    const int32_t count = ++messagesPerSample_[{
        m.from, m.fromThread, m.to, threadOf_[static_cast<size_t>(m.to)], partition_, m.sample}];
    result_.program.credits = std::max(result_.program.credits, 2 * count);
  }
  void transfer(int32_t from, int32_t to, int64_t bytes) {
    if (auto m = post(from, to, bytes)) take(*m);
  }

  void layoutWeights() {
    int64_t address = 0;
    for (const cost::UnitProfile& u : model_.units()) {
      weightAddress_.push_back(address);
      address += cost::wholeBytes(u.weightBytes);
    }
    result_.program.dramWeightBytes = address;
  }

  // Keys: a value id, or -(layer + 1) for a layer's partial outputs.
  void touch(int64_t key, double perSample, int32_t partition) {
    auto [it, inserted] =
        tensors_.try_emplace(key, DramTensor{cost::wholeBytes(perSample), partition, partition, 0});
    if (!inserted) {
      it->second.first = std::min(it->second.first, partition);
      it->second.last = std::max(it->second.last, partition);
    }
  }

  void placeActivations() {
    const auto& layers = model_.layers();
    const int32_t lastPartition = static_cast<int32_t>(plan_.partitions.size()) - 1;
    for (int32_t p = 0; p <= lastPartition; ++p) {
      const partition::Partition& part = plan_.partitions[static_cast<size_t>(p)];
      for (const cost::LayerReplication& r : part.cost.replication) {
        const cost::LayerProfile& l = layers[static_cast<size_t>(r.layer)];
        const bool complete = l.endUnit <= part.endUnit;
        for (const auto& in : l.inputs)
          if (!model_.completesWithin(in.producer, part.firstUnit, part.endUnit))
            touch(in.value, in.bytes, in.producer < 0 ? 0 : p);
        if (complete && l.firstUnit < part.firstUnit)
          touch(-(r.layer + 1), l.outputBytesPerSample, p);
        if (!complete) touch(-(r.layer + 1), l.outputBytesPerSample, p);
        if (complete)
          for (const auto& out : l.outputs) {
            if (!model_.leavesPartition(out, part.endUnit)) continue;
            touch(out.value, out.bytes, p);
            // A graph output stays live to the end of the run.
            if (out.lastConsumer == cost::kGraphOutput) touch(out.value, out.bytes, lastPartition);
          }
      }
    }
    // Allocate in order of first use (then key) so the layout is deterministic.
    std::vector<std::pair<int64_t, DramTensor*>> order;
    for (auto& [key, t] : tensors_) order.emplace_back(key, &t);
    std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
      return a.second->first < b.second->first;
    });
    DramAllocator allocator(result_.program.dramWeightBytes);
    for (auto& [key, t] : order)
      t->address = allocator.allocate(t->perSampleBytes * model_.batch(), t->first, t->last);
    result_.activationBlocks = allocator.blocks();
    result_.program.dramActivationBytes = allocator.end() - result_.program.dramWeightBytes;
  }

  void emitPartition(int32_t p) {
    const partition::Partition& part = plan_.partitions[static_cast<size_t>(p)];
    const auto& units = model_.units();
    const std::vector<cost::Placement>& placement = placements_[static_cast<size_t>(p)];
    const std::vector<std::vector<cost::LayerOnCore>>& onCores =
        layersOnCores_[static_cast<size_t>(p)];
    std::fill(threadOf_.begin(), threadOf_.end(), 0);
    partition_ = p;
    sample_ = -1;

    // Replace: the core of a unit's first copy loads its weights and sends them once to every
    // other core holding copies; each core writes the copies it holds.
    int32_t primary = -1;
    for (size_t i = 0; i < placement.size(); ++i) {
      const cost::Placement& pl = placement[i];
      const cost::UnitProfile& unit = units[static_cast<size_t>(pl.unit)];
      const int64_t bytes = cost::wholeBytes(unit.weightBytes);
      if (i == 0 || placement[i - 1].unit != pl.unit) {
        primary = pl.core;
        emit(pl.core, {.op = Opcode::LoadWeights,
                       .dram = weightAddress_[static_cast<size_t>(pl.unit)],
                       .bytes = bytes,
                       .xb = pl.firstCrossbar,
                       .count = static_cast<int32_t>(unit.crossbars)});
      } else {
        transfer(primary, pl.core, bytes);
      }
      emit(pl.core, {.op = Opcode::WriteXbar,
                     .xb = pl.firstCrossbar,
                     .count = static_cast<int32_t>(unit.crossbars) * pl.copies,
                     .rows = (unit.rowWrites + unit.crossbars - 1) / unit.crossbars,
                     .cols = model_.layers()[static_cast<size_t>(unit.layer)].activeColumns});
    }
    for (auto& threads : threads_)
      for (auto& code : threads) code.push_back({.op = Opcode::Barrier, .id = p});

    // Reuse: each layer runs in its own thread on each core holding it, sample after sample;
    // producers post their output slices as soon as they are made, and a core's layers take
    // turns as their inputs arrive. The layers of a core get its threads in layer order.
    std::map<std::pair<int32_t, size_t>, int32_t> threadOfLayer;  // (core, layer) -> thread
    std::vector<int32_t> used(threads_.size(), 0);
    for (size_t li = 0; li < onCores.size(); ++li)
      for (const cost::LayerOnCore& h : onCores[li])
        threadOfLayer[{h.core, li}] = used[static_cast<size_t>(h.core)]++;
    PartitionSchedule s{part, placement, onCores, {}, {}};
    partition_ = p;
    for (int64_t b = 0; b < model_.batch(); ++b)
      for (size_t li = 0; li < onCores.size(); ++li) {
        sample_ = b;
        for (const cost::LayerOnCore& h : onCores[li])
          threadOf_[static_cast<size_t>(h.core)] = threadOfLayer.at({h.core, li});
        emitLayerSample(s, li, b);
      }
    // A core replaces its weights for the next partition once all its threads are done.
    if (p + 1 < static_cast<int32_t>(plan_.partitions.size()))
      for (auto& threads : threads_)
        if (threads.size() > 1)
          for (auto& code : threads) code.push_back({.op = Opcode::Sync, .id = p});
  }

  struct PartitionSchedule {
    const partition::Partition& part;
    const std::vector<cost::Placement>& placement;
    const std::vector<std::vector<cost::LayerOnCore>>& onCores;
    // Messages a layer's leader receives for a sample, posted by earlier layers.
    std::map<std::pair<size_t, int64_t>, std::vector<Message>> inbox;
    // DRAM values the partition reads: the layer (index) whose leader loads them.
    std::map<ir::ValueId, size_t> loader;
  };

  void emitLayerSample(PartitionSchedule& s, size_t li, int64_t b) {
    const partition::Partition& part = s.part;
    const auto& units = model_.units();
    const int32_t layer = part.cost.replication[li].layer;
    const int32_t replicas = part.cost.replication[li].replicas;
    const cost::LayerProfile& l = model_.layers()[static_cast<size_t>(layer)];
    const auto& here = s.onCores[li];
    const int32_t leader = here.front().core;
    const bool complete = l.endUnit <= part.endUnit;
    const cost::OutputSplit split = model_.outputSplit(layer, part.firstUnit, part.endUnit);
    const double fraction = split.here, before = split.before;

    // Inputs: this layer's own DRAM loads first.
    for (const auto& in : l.inputs) {
      if (model_.completesWithin(in.producer, part.firstUnit, part.endUnit)) continue;
      if (s.loader.try_emplace(in.value, li).first->second != li)
        continue;  // an earlier layer loads it and posts it here
      const DramTensor& t = tensors_.at(in.value);
      emit(leader, {.op = Opcode::Load,
                    .dram = t.address + b * t.perSampleBytes,
                    .bytes = t.perSampleBytes});
      // Later layers of the partition that read the same value get it from this core.
      for (size_t later = li + 1; later < s.onCores.size(); ++later) {
        const auto& inputs =
            model_.layers()[static_cast<size_t>(part.cost.replication[later].layer)].inputs;
        if (std::any_of(inputs.begin(), inputs.end(),
                        [&](const auto& e) { return e.value == in.value; }))
          if (auto m = post(leader, s.onCores[later].front().core, t.perSampleBytes))
            s.inbox[{later, b}].push_back(*m);
      }
    }
    const DramTensor* partial = tensors_.count(-(layer + 1)) ? &tensors_.at(-(layer + 1)) : nullptr;
    if (complete && before > 0)
      emit(leader, {.op = Opcode::Load,
                    .dram = partial->address + b * partial->perSampleBytes,
                    .bytes = cost::wholeBytes(before * l.outputBytesPerSample)});
    // Then the messages from earlier layers (the loads go first: they overlap the wait).
    for (const Message& m : s.inbox[{li, b}]) take(m);
    s.inbox.erase({li, b});
    for (size_t i = 1; i < here.size(); ++i)
      transfer(leader, here[i].core, cost::wholeBytes(l.inputBytesPerSample));

    // Compute: each core runs the copies it holds as one MVM per contiguous run of crossbars
    // and the share of the vector work its crossbars give it.
    const int64_t repeat = (l.vectorsPerSample + replicas - 1) / replicas;
    double held = 0;
    for (const cost::LayerOnCore& h : here) held += h.crossbars;
    for (const cost::LayerOnCore& h : here) {
      std::vector<std::pair<int32_t, int32_t>> spans;  // [first, end) crossbars
      for (const cost::Placement& pl : s.placement) {
        if (pl.core != h.core || units[static_cast<size_t>(pl.unit)].layer != layer) continue;
        const int32_t end =
            pl.firstCrossbar +
            pl.copies * static_cast<int32_t>(units[static_cast<size_t>(pl.unit)].crossbars);
        if (!spans.empty() && spans.back().second == pl.firstCrossbar)
          spans.back().second = end;
        else
          spans.emplace_back(pl.firstCrossbar, end);
      }
      for (const auto& [first, end] : spans)
        emit(h.core, {.op = Opcode::Mvm,
                      .xb = first,
                      .count = end - first,
                      .rows = l.activeRows,
                      .cols = l.activeColumns,
                      .repeat = repeat,
                      .cycles = static_cast<int32_t>(l.inputCycles)});
      const double share = h.crossbars / held;
      if (l.reductionOpsPerSample > 0)
        emit(h.core, {.op = Opcode::Vector,
                      .vecOp = "add",
                      .elems = cost::wholeBytes(l.reductionOpsPerSample * fraction * share)});
      if (!complete) continue;
      for (const auto& [kind, ops] : l.vectorOps) {
        std::string name(ir::opName(kind));
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        emit(h.core, {.op = Opcode::Vector, .vecOp = name, .elems = cost::wholeBytes(ops * share)});
      }
    }

    // Outputs: every core stores its slice of what leaves for DRAM and posts its slice of what
    // later layers here read to their leaders.
    auto storeSlices = [&](int64_t base, int64_t total, const std::vector<double>& shares) {
      const std::vector<int64_t> slices = cost::sliceBytes(total, shares);
      for (size_t i = 0; i < slices.size(); ++i) {
        if (slices[i] > 0)
          emit(here[i].core, {.op = Opcode::Store, .dram = base, .bytes = slices[i]});
        base += slices[i];
      }
    };
    if (!complete) {
      storeSlices(partial->address + b * partial->perSampleBytes +
                      cost::wholeBytes(before * l.outputBytesPerSample),
                  cost::wholeBytes(fraction * l.outputBytesPerSample),
                  cost::partialShares(here, split));
      return;
    }
    const std::vector<double> shares = cost::completeShares(here, split);
    for (const auto& out : l.outputs) {
      if (!model_.leavesPartition(out, part.endUnit)) continue;
      const DramTensor& t = tensors_.at(out.value);
      storeSlices(t.address + b * t.perSampleBytes, t.perSampleBytes, shares);
    }
    for (size_t later = li + 1; later < s.onCores.size(); ++later) {
      const cost::LayerProfile& consumer =
          model_.layers()[static_cast<size_t>(part.cost.replication[later].layer)];
      for (const auto& in : consumer.inputs) {
        if (in.producer != layer) continue;
        const std::vector<int64_t> slices = cost::sliceBytes(cost::wholeBytes(in.bytes), shares);
        for (size_t i = 0; i < slices.size(); ++i)
          if (auto m = post(here[i].core, s.onCores[later].front().core, slices[i]))
            s.inbox[{later, b}].push_back(*m);
      }
    }
  }

  const ir::Graph& graph_;
  const mapping::Mapping& mapping_;
  const cost::CostModel& model_;
  const partition::Plan& plan_;
  const arch::ArchConfig& arch_;
  CodegenResult result_;
  std::vector<int64_t> weightAddress_;
  std::map<int64_t, DramTensor> tensors_;
  std::map<std::pair<int32_t, int32_t>, int64_t> nextTag_;  // per (sender, receiver)
  // Messages per (sender core and thread, receiver core and thread, partition, sample; -1
  // while replacing weights).
  std::map<std::tuple<int32_t, int32_t, int32_t, int32_t, int32_t, int64_t>, int32_t>
      messagesPerSample_;
  int32_t partition_ = 0;
  int64_t sample_ = -1;
  std::vector<std::vector<std::vector<Instruction>>> threads_;  // [core][thread]
  std::vector<int32_t> threadOf_;                               // per core: where emit() goes
  std::vector<std::vector<cost::Placement>> placements_;        // per partition
  std::vector<std::vector<std::vector<cost::LayerOnCore>>> layersOnCores_;
};

}  // namespace

CodegenResult generateProgram(const ir::Graph& graph, const mapping::Mapping& mapping,
                              const cost::CostModel& model, const partition::Plan& plan) {
  return Generator(graph, mapping, model, plan).run();
}

std::string archFingerprint(const arch::ArchConfig& arch) {
  uint64_t hash = 14695981039346656037ull;  // FNV-1a 64
  for (unsigned char c : arch::saveArch(arch)) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return fmt::format("{:016x}", hash);
}

}  // namespace xbar::codegen
