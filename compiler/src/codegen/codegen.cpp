#include "xbar/codegen/codegen.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "xbar/arch/arch_loader.h"

namespace xbar::codegen {
namespace {

int64_t roundUp(double bytes) {
  return static_cast<int64_t>(std::ceil(bytes - 1e-9));
}

// Where a unit instance (one replica of one partition unit) lives.
struct Instance {
  int32_t unit = 0;
  int32_t replica = 0;
  int32_t core = 0;
  int32_t xb = 0;
  int32_t count = 0;
};

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
    p.streams.assign(static_cast<size_t>(p.cores), {});
    layoutWeights();
    placeActivations();
    for (size_t i = 0; i < plan_.partitions.size(); ++i) emitPartition(static_cast<int32_t>(i));
    return std::move(result_);
  }

 private:
  void emit(int32_t core, Instruction in) {
    result_.program.streams[static_cast<size_t>(core)].push_back(std::move(in));
  }

  void transfer(int32_t from, int32_t to, double bytes) {
    const int64_t n = roundUp(bytes);
    if (from == to || n <= 0) return;
    emit(from, {.op = Opcode::Send, .bytes = n, .peer = to});
    emit(to, {.op = Opcode::Receive, .bytes = n, .peer = from});
  }

  void layoutWeights() {
    int64_t address = 0;
    for (const cost::UnitProfile& u : model_.units()) {
      weightAddress_.push_back(address);
      address += roundUp(u.weightBytes);
    }
    result_.program.dramWeightBytes = address;
  }

  // Keys: a value id, or -(layer + 1) for a layer's partial outputs.
  void touch(int64_t key, double perSample, int32_t partition) {
    auto [it, inserted] =
        tensors_.try_emplace(key, DramTensor{roundUp(perSample), partition, partition, 0});
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

  std::vector<Instance> place(const partition::Partition& part) const {
    std::vector<int64_t> free(static_cast<size_t>(arch_.chip.cores), arch_.core.crossbars);
    std::vector<int32_t> nextXb(static_cast<size_t>(arch_.chip.cores), 0);
    std::vector<Instance> instances;
    const int32_t firstLayer = part.cost.replication.front().layer;
    for (int32_t u = part.firstUnit; u < part.endUnit; ++u) {
      const cost::UnitProfile& unit = model_.units()[static_cast<size_t>(u)];
      const int32_t replicas =
          part.cost.replication[static_cast<size_t>(unit.layer - firstLayer)].replicas;
      for (int32_t k = 0; k < replicas; ++k) {
        int32_t best = -1;  // best fit in arrival order, as the cost model's validity check
        for (size_t c = 0; c < free.size(); ++c)
          if (free[c] >= unit.crossbars && (best < 0 || free[c] < free[static_cast<size_t>(best)]))
            best = static_cast<int32_t>(c);
        const auto core = static_cast<size_t>(best);
        instances.push_back({u, k, best, nextXb[core], static_cast<int32_t>(unit.crossbars)});
        free[core] -= unit.crossbars;
        nextXb[core] += static_cast<int32_t>(unit.crossbars);
      }
    }
    return instances;
  }

  void emitPartition(int32_t p) {
    const partition::Partition& part = plan_.partitions[static_cast<size_t>(p)];
    const auto& layers = model_.layers();
    const auto& units = model_.units();
    const std::vector<Instance> instances = place(part);
    const int32_t firstLayer = part.cost.replication.front().layer;

    // Replace: load each unit's weights once, copy them to its replicas, write every copy.
    std::map<int32_t, int32_t> primaryCore;
    for (const Instance& in : instances) {
      const cost::UnitProfile& unit = units[static_cast<size_t>(in.unit)];
      if (in.replica == 0) {
        primaryCore[in.unit] = in.core;
        emit(in.core, {.op = Opcode::LoadWeights,
                       .dram = weightAddress_[static_cast<size_t>(in.unit)],
                       .bytes = roundUp(unit.weightBytes),
                       .xb = in.xb,
                       .count = in.count});
      } else {
        transfer(primaryCore[in.unit], in.core, unit.weightBytes);
      }
      emit(in.core, {.op = Opcode::WriteXbar,
                     .xb = in.xb,
                     .count = in.count,
                     .rows = (unit.rowWrites + unit.crossbars - 1) / unit.crossbars,
                     .cols = layers[static_cast<size_t>(unit.layer)].activeColumns});
    }
    for (int32_t c = 0; c < arch_.chip.cores; ++c) emit(c, {.op = Opcode::Barrier, .id = p});

    // Reuse: the batch through the layer pipeline.
    std::map<int32_t, std::vector<Instance>> byLayer;
    for (const Instance& in : instances)
      byLayer[units[static_cast<size_t>(in.unit)].layer].push_back(in);
    for (int64_t b = 0; b < model_.batch(); ++b) {
      std::map<ir::ValueId, int32_t> loadedBy;  // DRAM values read in this sample: by which core
      for (const auto& [layer, group] : byLayer) {
        const cost::LayerProfile& l = layers[static_cast<size_t>(layer)];
        const int32_t leader = group.front().core;
        const bool complete = l.endUnit <= part.endUnit;
        const int32_t replicas =
            part.cost.replication[static_cast<size_t>(layer - firstLayer)].replicas;
        double fraction = 0, before = 0;
        for (int32_t u = l.firstUnit; u < l.endUnit; ++u) {
          if (u < part.firstUnit)
            before += units[static_cast<size_t>(u)].outputFraction;
          else if (u < part.endUnit)
            fraction += units[static_cast<size_t>(u)].outputFraction;
        }
        for (const auto& in : l.inputs) {
          if (model_.completesWithin(in.producer, part.firstUnit, part.endUnit)) {
            transfer(byLayer.at(in.producer).front().core, leader, in.bytes);
          } else if (auto loader = loadedBy.find(in.value); loader != loadedBy.end()) {
            transfer(loader->second, leader, in.bytes);  // loaded once per partition
          } else {
            loadedBy[in.value] = leader;
            const DramTensor& t = tensors_.at(in.value);
            emit(leader, {.op = Opcode::Load,
                          .dram = t.address + b * t.perSampleBytes,
                          .bytes = t.perSampleBytes});
          }
        }
        const DramTensor* partial =
            tensors_.count(-(layer + 1)) ? &tensors_.at(-(layer + 1)) : nullptr;
        if (complete && before > 0)
          emit(leader, {.op = Opcode::Load,
                        .dram = partial->address + b * partial->perSampleBytes,
                        .bytes = roundUp(before * l.outputBytesPerSample)});
        std::vector<int32_t> fed{leader};
        for (const Instance& in : group)
          if (std::find(fed.begin(), fed.end(), in.core) == fed.end()) {
            transfer(leader, in.core, l.inputBytesPerSample);
            fed.push_back(in.core);
          }
        // A layer's instances on one core run as one MVM (a core's crossbars work in
        // parallel); its vector work is split over its cores by their crossbars.
        std::map<int32_t, std::vector<std::pair<int32_t, int32_t>>> runs;  // core -> [xb, end)
        std::map<int32_t, double> crossbarsOn, outputShare;
        double crossbars = 0;
        for (const Instance& in : group) {
          auto& r = runs[in.core];
          if (!r.empty() && r.back().second == in.xb)
            r.back().second += in.count;
          else
            r.emplace_back(in.xb, in.xb + in.count);
          crossbarsOn[in.core] += in.count;
          crossbars += in.count;
          outputShare[in.core] += units[static_cast<size_t>(in.unit)].outputFraction / replicas;
        }
        const int64_t repeat = (l.vectorsPerSample + replicas - 1) / replicas;
        for (const auto& [core, spans] : runs)
          for (const auto& [first, end] : spans)
            emit(core, {.op = Opcode::Mvm,
                        .xb = first,
                        .count = end - first,
                        .rows = l.activeRows,
                        .cols = l.activeColumns,
                        .repeat = repeat,
                        .cycles = static_cast<int32_t>(l.inputCycles)});
        for (const auto& [core, held] : crossbarsOn) {
          const double part = held / crossbars;
          if (l.reductionOpsPerSample > 0)
            emit(core, {.op = Opcode::Vector,
                        .vecOp = "add",
                        .elems = roundUp(l.reductionOpsPerSample * fraction * part)});
          if (!complete) continue;
          for (const auto& [kind, ops] : l.vectorOps) {
            std::string name(ir::opName(kind));
            std::transform(name.begin(), name.end(), name.begin(),
                           [](unsigned char c) { return std::tolower(c); });
            emit(core, {.op = Opcode::Vector, .vecOp = name, .elems = roundUp(ops * part)});
          }
        }
        for (const auto& [core, share] : outputShare)
          transfer(core, leader, l.outputBytesPerSample * share);
        if (!complete) {
          emit(leader, {.op = Opcode::Store,
                        .dram = partial->address + b * partial->perSampleBytes +
                                roundUp(before * l.outputBytesPerSample),
                        .bytes = roundUp(fraction * l.outputBytesPerSample)});
          continue;
        }
        for (const auto& out : l.outputs) {
          if (!model_.leavesPartition(out, part.endUnit)) continue;
          const DramTensor& t = tensors_.at(out.value);
          emit(leader, {.op = Opcode::Store,
                        .dram = t.address + b * t.perSampleBytes,
                        .bytes = t.perSampleBytes});
        }
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
