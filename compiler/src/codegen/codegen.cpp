#include "xbar/codegen/codegen.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <tuple>
#include <unordered_map>

#include <fmt/format.h>

#include "xbar/arch/arch_loader.h"
#include "xbar/schedule/walk.h"

namespace xbar::codegen {
namespace {

// An activation tensor that goes through DRAM: a graph value, or the partial outputs of a
// layer split across partitions.
struct DramSlot {
  int64_t perSampleBytes = 0;
  int32_t first = 0;
  int32_t last = 0;
  int64_t address = 0;
};

// A box of one sample of a DRAM tensor or a value, as an instruction names it.
DataRef dataOf(schedule::DramTensor tensor, int64_t sample, const schedule::Box& box) {
  DataRef d;
  d.kind = tensor.key >= 0 ? DataRef::Kind::Value : DataRef::Kind::Sums;
  d.id = static_cast<int32_t>(tensor.key >= 0 ? tensor.key : -tensor.key - 1);
  d.sample = sample;
  d.firstChannel = box.firstChannel;
  d.endChannel = box.endChannel;
  d.positions = {{box.firstPosition, box.endPosition}};
  return d;
}

bool holdsElements(const DataRef& d) {
  if (d.kind == DataRef::Kind::Weights || d.endChannel <= d.firstChannel) return false;
  return std::any_of(d.positions.begin(), d.positions.end(),
                     [](const auto& r) { return r.second > r.first; });
}

std::string vectorOpName(const schedule::VectorWork& step) {
  if (step.reduction) return "add";
  std::string name(ir::opName(step.kind));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return name;
}

class Generator {
 public:
  Generator(const schedule::LayerGroups& groups, const arch::ArchConfig& arch, int64_t batch,
            const std::vector<schedule::PartitionRange>& partitions)
      : groups_(groups), arch_(arch), batch_(batch), partitions_(partitions) {}

  CodegenResult run() {
    Program& p = result_.program;
    p.model = groups_.model();
    p.arch = arch_.name;
    p.archFingerprint = archFingerprint(arch_);
    p.cores = static_cast<int32_t>(arch_.chip.cores);
    p.crossbarsPerCore = static_cast<int32_t>(arch_.core.crossbars);
    p.batch = batch_;
    p.partitions = static_cast<int32_t>(partitions_.size());
    layoutWeights();
    std::vector<schedule::PartitionSchedule> schedules;
    schedules.reserve(partitions_.size());
    for (const schedule::PartitionRange& r : partitions_)
      schedules.emplace_back(groups_, arch_, r.firstUnit, r.endUnit, r.replication);
    placeActivations(schedules);
    // Each core gets as many threads as it holds layers in any one partition.
    threads_.assign(static_cast<size_t>(p.cores), std::vector<std::vector<Instruction>>(1));
    threadOf_.assign(static_cast<size_t>(p.cores), 0);
    for (const schedule::PartitionSchedule& s : schedules) {
      std::vector<size_t> layersOn(static_cast<size_t>(p.cores), 0);
      const auto& onCores = s.layersOnCores();
      for (size_t li = 0; li < onCores.size(); ++li)
        for (const schedule::LayerOnCore& h : onCores[li]) {
          auto& threads = threads_[static_cast<size_t>(h.core)];
          const size_t count = layersOn[static_cast<size_t>(h.core)] +=
              s.finishes(li, h.core) ? 2 : 1;
          if (threads.size() < count) threads.resize(count);
        }
    }
    for (size_t i = 0; i < schedules.size(); ++i) {
      schedule_ = &schedules[i];
      partition_ = static_cast<int32_t>(i);
      sample_ = -1;
      tile_ = 0;
      std::fill(threadOf_.begin(), threadOf_.end(), 0);
      assignLayerThreads();
      schedule::walkPartition(schedules[i], partition_, batch_, *this);
      grantCredits();
    }
    for (int32_t c = 0; c < p.cores; ++c)
      for (auto& code : threads_[static_cast<size_t>(c)]) p.threads.push_back({c, std::move(code)});
    return std::move(result_);
  }

  // --- Replace phase -------------------------------------------------------------------
  void operator()(const schedule::LoadWeights& step) {
    emit(step.core, {.op = Opcode::LoadWeights,
                     .dram = weightAddress_[static_cast<size_t>(step.unit)],
                     .bytes = schedule::wholeBytes(step.bytes),
                     .xb = step.firstCrossbar,
                     .count = step.crossbars,
                     .unit = step.unit});
  }
  void operator()(const schedule::CopyWeights& step) {
    transfer(step.from, step.to, step.bytes, {.kind = DataRef::Kind::Weights, .id = step.unit});
  }
  void operator()(const schedule::WriteCrossbars& step) {
    // One WR_XB per crossbar shape, for every copy's crossbars of that shape (which crossbar
    // index holds which part of a copy is the program's choice; their writes are what count).
    int32_t xb = step.firstCrossbar;
    for (const schedule::CrossbarShape& shape : step.profile.shapes) {
      const auto count = static_cast<int32_t>(shape.crossbars) * step.copies;
      emit(step.core, {.op = Opcode::WriteXbar,
                       .xb = xb,
                       .count = count,
                       .rows = shape.rows,
                       .cols = shape.cols,
                       .unit = step.unit,
                       .copy = step.firstCopy,
                       .copies = step.copies});
      xb += count;
    }
  }
  void operator()(const schedule::Barrier& step) {
    for (auto& threads : threads_)
      for (auto& code : threads) code.push_back({.op = Opcode::Barrier, .id = step.partition});
  }

  // --- Reuse phase ---------------------------------------------------------------------
  void operator()(const schedule::SampleStart& step) {
    sample_ = step.sample;
    tile_ = 0;
  }
  void operator()(const schedule::Tile& step) { tile_ = step.tile; }
  // The layer's instructions go to its own thread on each core holding it.
  void operator()(const schedule::LayerStart& step) {
    layer_ = step.li;
    for (const schedule::LayerOnCore& h : step.cores)
      threadOf_[static_cast<size_t>(h.core)] = threadOfLayer_.at({h.core, step.li});
  }
  // Partial sums an earlier partition stored are added where the core finishes its boxes.
  void operator()(const schedule::Load& step) {
    const FinisherScope scope(*this, step.value == ir::kNoValue ? step.core : -1);
    emit(step.core, {.op = Opcode::Load,
                     .dram = address(step.tensor, step.offset),
                     .bytes = step.bytes,
                     .data = dataOf(step.tensor, sample_, step.box)});
  }
  void operator()(const schedule::Post& step) {
    const schedule::Message& m = step.message;
    if (posted_.size() <= static_cast<size_t>(m.id)) posted_.resize(static_cast<size_t>(m.id) + 1);
    // A layer's outputs leave from the thread finishing them; a forwarded DRAM value from the
    // thread that loaded it.
    const FinisherScope scope(*this, m.producer >= 0 ? m.from : -1);
    posted_[static_cast<size_t>(m.id)] =
        post(m.from, m.to, m.bytes, m.piece,
             dataOf(schedule::DramTensor::value(m.value), sample_, m.box));
  }
  void operator()(const schedule::Receive& step) {
    if (const auto& m = posted_[static_cast<size_t>(step.message.id)]) take(*m);
  }
  void operator()(const schedule::HandOut& step) {
    transfer(step.from, step.to, step.bytes,
             dataOf(schedule::DramTensor::value(step.value), sample_, step.box));
  }
  // One message per placement: each of its copies' vectors of the tile.
  void operator()(const schedule::PartialSums& step) {
    const schedule::ResultTransfer& r = step.transfer;
    const int32_t layer = schedule_->firstLayer() + static_cast<int32_t>(step.li);
    DataRef data = dataOf(schedule::DramTensor::partialOutputs(layer), sample_,
                          {r.firstChannel, r.endChannel, 0, 0});
    data.positions.clear();
    const int64_t vectors = groups_.layer(layer).vectorsPerSample;
    const int32_t replicas = schedule_->replication()[step.li].replicas;
    for (int32_t c = r.firstCopy; c < r.endCopy; ++c) {
      const schedule::CopyTile ct = schedule::copyTile(vectors, c, replicas, step.tile, step.tiles);
      if (ct.end > ct.first) data.positions.emplace_back(ct.first, ct.end);
    }
    if (auto m = post(step.from, step.to, step.bytes, tile_, std::move(data))) {
      const FinisherScope scope(*this, step.to);
      take(*m);
    }
  }
  // One MVM per contiguous run of the layer's crossbars on the core.
  void operator()(const schedule::Compute& step) {
    for (const schedule::CrossbarSpan& span : schedule_->crossbarSpans(step.li, step.core))
      emit(step.core, {.op = Opcode::Mvm,
                       .xb = span.first,
                       .count = span.end - span.first,
                       .rows = step.rows,
                       .cols = step.cols,
                       .repeat = step.vectors,
                       .cycles = static_cast<int32_t>(step.cycles),
                       .layer = schedule_->firstLayer() + static_cast<int32_t>(step.li),
                       .sample = sample_,
                       .tile = step.tile,
                       .tiles = step.tiles});
  }
  void operator()(const schedule::VectorWork& step) {
    const FinisherScope scope(*this, step.core);
    emit(step.core, {.op = Opcode::Vector,
                     .vecOp = vectorOpName(step),
                     .elems = schedule::wholeBytes(step.elements),
                     .layer = schedule_->firstLayer() + static_cast<int32_t>(step.li),
                     .sample = sample_});
  }
  void operator()(const schedule::Store& step) {
    const FinisherScope scope(*this, step.core);
    emit(step.core, {.op = Opcode::Store,
                     .dram = address(step.tensor, step.offset),
                     .bytes = step.bytes,
                     .data = dataOf(step.tensor, sample_, step.box)});
  }
  // A spilled map's pieces come back on the thread finishing the layer, after its sums.
  void operator()(const schedule::Drain& step) { tile_ = step.piece; }
  void operator()(const schedule::Reload& step) {
    const FinisherScope scope(*this, step.core);
    const schedule::DramTensor tensor = schedule::DramTensor::value(step.value);
    emit(step.core, {.op = Opcode::Load,
                     .dram = address(tensor, step.offset),
                     .bytes = step.bytes,
                     .data = dataOf(tensor, sample_, step.box)});
  }
  void operator()(const schedule::LayerEnd&) {}
  // A core replaces its weights for the next partition once all its threads are done.
  void operator()(const schedule::PartitionEnd& step) {
    if (step.partition + 1 >= static_cast<int32_t>(partitions_.size())) return;
    for (auto& threads : threads_)
      if (threads.size() > 1)
        for (auto& code : threads) code.push_back({.op = Opcode::Sync, .id = step.partition});
  }

 private:
  // To the core's current thread (threadOf_): thread 0 for weight replacement, the layer's
  // own thread while a layer is emitted.
  void emit(int32_t core, Instruction in) {
    const auto c = static_cast<size_t>(core);
    threads_[c][static_cast<size_t>(threadOf_[c])].push_back(std::move(in));
  }

  // The layers of a core get its threads in layer order; a layer whose results the core
  // finishes for other cores gets a second thread for that (its vector work, stores and
  // posts), so the layer's own thread hands out the next tile while they are under way.
  void assignLayerThreads() {
    threadOfLayer_.clear();
    finisherOf_.clear();
    std::vector<int32_t> used(threads_.size(), 0);
    const auto& onCores = schedule_->layersOnCores();
    for (size_t li = 0; li < onCores.size(); ++li)
      for (const schedule::LayerOnCore& h : onCores[li]) {
        threadOfLayer_[{h.core, li}] = used[static_cast<size_t>(h.core)]++;
        if (schedule_->finishes(li, h.core))
          finisherOf_[{h.core, li}] = used[static_cast<size_t>(h.core)]++;
      }
  }
  // While alive, emit() for `core` goes to its finishing thread of the current layer, if any.
  class FinisherScope {
   public:
    FinisherScope(Generator& g, int32_t core) : g_(g), core_(core) {
      if (core < 0) return;
      const auto it = g.finisherOf_.find({core, g.layer_});
      if (it == g.finisherOf_.end()) return;
      saved_ = g.threadOf_[static_cast<size_t>(core)];
      g.threadOf_[static_cast<size_t>(core)] = it->second;
    }
    ~FinisherScope() {
      if (saved_ >= 0) g_.threadOf_[static_cast<size_t>(core_)] = saved_;
    }
    FinisherScope(const FinisherScope&) = delete;
    FinisherScope& operator=(const FinisherScope&) = delete;

   private:
    Generator& g_;
    int32_t core_;
    int32_t saved_ = -1;
  };

  // A message to be received later: SEND now, RECV when the receiver gets to it. `round` is
  // the receiver's tile it is taken for (0 while replacing weights).
  struct Message {
    int32_t from = 0;
    int32_t fromThread = 0;
    int32_t to = 0;
    int64_t bytes = 0;
    int64_t tag = 0;
    int64_t sample = -1;
    int32_t round = 0;
    size_t send = 0;  // where its SEND is in the sender's thread
    DataRef data;
  };

  std::optional<Message> post(int32_t from, int32_t to, int64_t bytes, int32_t round,
                              DataRef data) {
    // Within a core, a message hands data from one layer's thread to another's: it carries
    // the dependency and moves nothing over the network. Weight copies and hand-outs always go
    // to other cores.
    // A piece of sub-byte elements may move no byte of its own (walk.h) but still goes.
    if ((from == to && sample_ < 0) || (bytes <= 0 && !holdsElements(data))) return std::nullopt;
    const int64_t tag = nextTag_[{from, to}]++;
    const int32_t thread = threadOf_[static_cast<size_t>(from)];
    const size_t send = threads_[static_cast<size_t>(from)][static_cast<size_t>(thread)].size();
    emit(from, {.op = Opcode::Send, .bytes = bytes, .peer = to, .tag = tag, .data = data});
    return Message{from, thread, to, bytes, tag, sample_, round, send, std::move(data)};
  }
  void take(const Message& m) {
    emit(m.to,
         {.op = Opcode::Receive, .bytes = m.bytes, .peer = m.from, .tag = m.tag, .data = m.data});
    // Weight copies (sample -1) and activations may share a thread pair (thread 0 replaces
    // weights and runs a layer): each phase's SENDs get credits from its own counts.
    const ThreadPair pair{m.from, m.fromThread, m.to, threadOf_[static_cast<size_t>(m.to)],
                          m.sample < 0};
    const int32_t count = ++messagesPerRound_[{pair, m.sample, m.round}];
    int32_t& most = mostPerRound_[pair];
    most = std::max(most, count);
    // Rounds the receiving layer buffers (weight copies stream into the crossbars: 2).
    roundsOf_[pair] = m.sample < 0 ? 2 : schedule_->bufferedRounds(layer_);
    sends_.push_back({pair, m.send});
  }
  void transfer(int32_t from, int32_t to, int64_t bytes, DataRef data) {
    if (auto m = post(from, to, bytes, tile_, std::move(data))) take(*m);
  }
  // Credits per sending and receiving thread, for the partition just emitted: the receiving
  // layer's buffered rounds (2, double buffering; 1 where local memory is tight) times the most
  // messages one round (a tile of the receiver's, of one sample) sends between the two, so a
  // producer may run that many rounds ahead of its consumer and no further. The tiles are
  // sized so that the receiver's local memory holds what that lets wait
  // (PartitionSchedule::tiles, bufferedRounds). Every thread moves through a sample's data in one
  // direction and posts its pieces in the order they end (walk.h), so the program cannot deadlock.
  void grantCredits() {
    for (const auto& [pair, index] : sends_)
      threads_[static_cast<size_t>(pair.from)][static_cast<size_t>(pair.fromThread)][index]
          .credits = roundsOf_.at(pair) * mostPerRound_.at(pair);
    sends_.clear();
    messagesPerRound_.clear();
    mostPerRound_.clear();
    roundsOf_.clear();
  }

  int64_t address(schedule::DramTensor tensor, int64_t offset) const {
    const DramSlot& t = tensors_.at(tensor.key);
    return t.address + sample_ * t.perSampleBytes + offset;
  }

  void layoutWeights() {
    int64_t address = 0;
    for (size_t u = 0; u < groups_.units().size(); ++u) {
      const int64_t bytes = schedule::wholeBytes(groups_.units()[u].weightBytes);
      weightAddress_.push_back(address);
      result_.program.segments.push_back(
          {DataRef::Kind::Weights, static_cast<int32_t>(u), address, bytes});
      address += bytes;
    }
    result_.program.dramWeightBytes = address;
  }

  void touch(schedule::DramTensor tensor, int64_t perSample, int32_t partition) {
    auto [it, inserted] =
        tensors_.try_emplace(tensor.key, DramSlot{perSample, partition, partition, 0});
    if (!inserted) {
      it->second.first = std::min(it->second.first, partition);
      it->second.last = std::max(it->second.last, partition);
    }
  }
  void placeActivations(const std::vector<schedule::PartitionSchedule>& schedules);

  const schedule::LayerGroups& groups_;
  const arch::ArchConfig& arch_;
  int64_t batch_;
  const std::vector<schedule::PartitionRange>& partitions_;
  CodegenResult result_;
  std::vector<int64_t> weightAddress_;
  std::map<int64_t, DramSlot> tensors_;                     // by DramTensor key
  std::map<std::pair<int32_t, int32_t>, int64_t> nextTag_;  // per (sender, receiver)
  struct ThreadPair {
    int32_t from, fromThread, to, toThread;
    bool replacing;  // weight copies, counted apart from activations
    bool operator==(const ThreadPair&) const = default;
  };
  // (thread pair, sample, round): hashed, since a program of millions of messages has as many
  // rounds (an ordered map was a quarter of compiling vgg16 on pimcomp-reram); only looked up.
  struct RoundKey {
    ThreadPair pair;
    int64_t sample;
    int32_t round;
    bool operator==(const RoundKey&) const = default;
  };
  struct KeyHash {
    static uint64_t mix(uint64_t h, uint64_t v) { return (h ^ v) * 0x100000001b3ull; }
    size_t operator()(const ThreadPair& p) const {
      uint64_t h = 0xcbf29ce484222325ull;
      for (int32_t v : {p.from, p.fromThread, p.to, p.toThread, static_cast<int32_t>(p.replacing)})
        h = mix(h, static_cast<uint32_t>(v));
      return static_cast<size_t>(h);
    }
    size_t operator()(const RoundKey& k) const {
      return static_cast<size_t>(mix(mix((*this)(k.pair), static_cast<uint64_t>(k.sample)),
                                     static_cast<uint32_t>(k.round)));
    }
  };
  // In the partition being emitted: messages per (thread pair, sample (-1 while replacing
  // weights), round), the most per round for each pair, and every SEND with its pair.
  std::unordered_map<RoundKey, int32_t, KeyHash> messagesPerRound_;
  std::unordered_map<ThreadPair, int32_t, KeyHash> mostPerRound_, roundsOf_;
  size_t layer_ = 0;  // the layer being emitted, in the partition
  std::vector<std::pair<ThreadPair, size_t>> sends_;
  int32_t tile_ = 0;
  const schedule::PartitionSchedule* schedule_ = nullptr;
  int32_t partition_ = 0;
  int64_t sample_ = -1;
  std::vector<std::vector<std::vector<Instruction>>> threads_;   // [core][thread]
  std::vector<int32_t> threadOf_;                                // per core: where emit() goes
  std::map<std::pair<int32_t, size_t>, int32_t> threadOfLayer_;  // (core, layer) -> thread
  std::map<std::pair<int32_t, size_t>, int32_t> finisherOf_;     // (core, layer) -> thread
  std::vector<std::optional<Message>> posted_;                   // by the walk's message id
};

// Every tensor that crosses DRAM, live from the first partition that touches it to the last,
// allocated in order of first use (then key) so the layout is deterministic.
void Generator::placeActivations(const std::vector<schedule::PartitionSchedule>& schedules) {
  const int32_t lastPartition = static_cast<int32_t>(partitions_.size()) - 1;
  const int64_t actBits = arch_.precision.activation_bits;
  for (int32_t p = 0; p <= lastPartition; ++p) {
    const schedule::PartitionRange& part = partitions_[static_cast<size_t>(p)];
    // A map spilled within the partition waits in DRAM there.
    const schedule::PartitionSchedule& s = schedules[static_cast<size_t>(p)];
    for (size_t li = 0; li < s.layerCount(); ++li) {
      if (const ir::ValueId v = s.spilledValue(li); v != ir::kNoValue)
        touch(schedule::DramTensor::value(v), schedule::slotBytes(groups_.extent(v), actBits), p);
      for (const auto& in : groups_.layer(s.firstLayer() + static_cast<int32_t>(li)).inputs)
        if (s.readsPastSpill(li, in.producer))
          touch(schedule::DramTensor::value(in.value), schedule::slotBytes(in.extent, actBits),
                in.producer < 0 ? 0 : p);
    }
    for (const schedule::LayerReplication& r : part.replication) {
      const schedule::LayerGroup& l = groups_.layer(r.layer);
      const bool complete = l.endUnit <= part.endUnit;
      for (const auto& in : l.inputs)
        if (!groups_.completesWithin(in.producer, part.firstUnit, part.endUnit) &&
            s.readsValue(r.layer, in.value))
          touch(schedule::DramTensor::value(in.value), schedule::slotBytes(in.extent, actBits),
                in.producer < 0 ? 0 : p);
      // A layer split across partitions keeps its partial sums in DRAM between them.
      const int64_t partialBytes =
          schedule::slotBytes({l.channels, l.vectorsPerSample}, l.partialSumBits);
      if ((complete && l.firstUnit < part.firstUnit) || !complete)
        touch(schedule::DramTensor::partialOutputs(r.layer), partialBytes, p);
      if (complete)
        for (const auto& out : l.outputs) {
          if (!groups_.leavesPartition(out, part.endUnit)) continue;
          const int64_t bytes = schedule::slotBytes(out.extent, actBits);
          touch(schedule::DramTensor::value(out.value), bytes, p);
          // A graph output stays live to the end of the run.
          if (out.lastConsumer == schedule::kGraphOutput)
            touch(schedule::DramTensor::value(out.value), bytes, lastPartition);
        }
    }
  }
  std::vector<std::pair<int64_t, DramSlot*>> order;
  for (auto& [key, t] : tensors_) order.emplace_back(key, &t);
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.second->first < b.second->first; });
  DramAllocator allocator(result_.program.dramWeightBytes);
  for (auto& [key, t] : order) {
    t->address = allocator.allocate(t->perSampleBytes * batch_, t->first, t->last);
    result_.program.segments.push_back({key >= 0 ? DataRef::Kind::Value : DataRef::Kind::Sums,
                                        static_cast<int32_t>(key >= 0 ? key : -key - 1), t->address,
                                        t->perSampleBytes});
  }
  result_.activationBlocks = allocator.blocks();
  result_.program.dramActivationBytes = allocator.end() - result_.program.dramWeightBytes;
}

}  // namespace

CodegenResult generateProgram(const schedule::LayerGroups& groups, const arch::ArchConfig& arch,
                              int64_t batch,
                              const std::vector<schedule::PartitionRange>& partitions) {
  return Generator(groups, arch, batch, partitions).run();
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
