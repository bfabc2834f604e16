#include "chip.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace xbar::sim {

using sc_core::SC_NS;
using sc_core::sc_time;

namespace {
sc_time ns(double value) {
  return sc_time(value, SC_NS);
}
}  // namespace

// ---------------------------------------------------------------------------------------------
Chip::Chip(const codegen::Program& p, const arch::ArchConfig& a, bool trace)
    : program(p),
      arch(a),
      interconnect(a),
      crossbarWrites(a, p.cores),
      inboxes(p.cores),
      timeline(p.partitions, p.cores, trace) {
  dram = std::make_unique<DramController>("dram", arch, program.dramWeightBytes);
  const auto cores = static_cast<size_t>(program.cores);
  threadsOnCore.assign(cores, 0);
  for (const codegen::Thread& s : program.threads) ++threadsOnCore[static_cast<size_t>(s.core)];
  coreFree.assign(cores, sc_core::SC_ZERO_TIME);
  for (const codegen::Thread& s : program.threads)
    for (const codegen::Instruction& in : s.code)
      if (in.op == codegen::Opcode::Barrier) replacesWeights = true;
  coreHeld.assign(cores, 0);
  coreReleased.resize(cores);
  for (size_t c = 0; c < cores; ++c) coreSync.emplace_back();
  for (size_t i = 0; i < program.threads.size(); ++i)
    for (const codegen::Instruction& in : program.threads[i].code)
      if (in.op == codegen::Opcode::Receive)
        receiverOf[{in.peer, program.threads[i].core, in.tag}] = static_cast<int32_t>(i);
  for (size_t i = 0; i < program.threads.size(); ++i) {
    threads.push_back(std::make_unique<CoreThread>(fmt::format("thread{}", i).c_str(),
                                                   static_cast<int32_t>(i), *this));
    threads.back()->socket.bind(dram->socket);
  }
}

Chip::Channel& Chip::channel(int32_t src, int32_t dst) {
  auto& slot = channels[{src, dst}];
  if (!slot) slot = std::make_unique<Channel>();
  return *slot;
}

// ---------------------------------------------------------------------------------------------
CoreThread::CoreThread(sc_core::sc_module_name name, int32_t thread, Chip& chip)
    : sc_module(name),
      socket("socket"),
      thread_(thread),
      core_(chip.program.threads[static_cast<size_t>(thread)].core),
      sharesCore_(chip.threadsOnCore[static_cast<size_t>(core_)] > 1),
      chip_(chip) {
  SC_THREAD(run);
}

bool CoreThread::continuesWriteRun() const {
  const auto& code = chip_.program.threads[static_cast<size_t>(thread_)].code;
  return activity_.pc > 0 && code[activity_.pc].op == codegen::Opcode::WriteXbar &&
         code[activity_.pc - 1].op == codegen::Opcode::WriteXbar;
}

double CoreThread::now() const {
  return (sc_core::sc_time_stamp() + keeper_.get_local_time()).to_seconds() * 1e9;
}

sc_time CoreThread::takeCore(bool grantsShared) {
  const auto core = static_cast<size_t>(core_);
  if (sharesCore_) {
    keeper_.sync();  // the core's threads take it in global time order
    while (chip_.coreHeld[core]) wait(chip_.coreReleased[core]);
  }
  const sc_time t = sc_core::sc_time_stamp() + keeper_.get_local_time();
  const sc_time start = std::max(t, chip_.coreFree[core]);
  keeper_.inc(start - t);
  if (grantsShared) {
    // Every grant is asked at global time = its start: another thread whose request is earlier
    // in simulated time, though later in process order, is served first.
    chip_.coreHeld[core] = 1;
    keeper_.sync();
  }
  return start;
}

void CoreThread::releaseCore() {
  const auto core = static_cast<size_t>(core_);
  chip_.coreFree[core] = sc_core::sc_time_stamp() + keeper_.get_local_time();
  if (chip_.coreHeld[core]) {
    chip_.coreHeld[core] = 0;
    chip_.coreReleased[core].notify(sc_core::SC_ZERO_TIME);
  }
}

void CoreThread::dramAccess(tlm::tlm_command command, int64_t address, int64_t bytes) {
  tlm::tlm_generic_payload trans;
  trans.set_command(command);
  trans.set_address(static_cast<sc_dt::uint64>(address));
  trans.set_data_ptr(nullptr);  // timing only: no data moves
  trans.set_data_length(static_cast<unsigned int>(bytes));
  trans.set_streaming_width(static_cast<unsigned int>(bytes));
  sc_time delay = keeper_.get_local_time();
  socket->b_transport(trans, delay);
  keeper_.set(delay);
}

void CoreThread::send(const codegen::Instruction& in) {
  keeper_.sync();  // the network is shared: transfers enter it in global time order
  Chip::Channel& ch = chip_.channel(core_, in.peer);
  Chip::Credits* credits = nullptr;
  if (auto r = chip_.receiverOf.find({core_, in.peer, in.tag}); r != chip_.receiverOf.end()) {
    auto& slot = chip_.credits[{thread_, r->second}];
    if (!slot) slot = std::make_unique<Chip::Credits>();
    credits = slot.get();
    while (credits->untaken >= in.credits) wait(credits->taken);
    ++credits->untaken;
  }
  // To a thread of the same core: the data is already in its local memory.
  const sc_time arrival = in.peer == core_ ? sc_core::sc_time_stamp()
                                           : chip_.interconnect.transfer(core_, in.peer, in.bytes,
                                                                         sc_core::sc_time_stamp());
  const bool inLocalMemory = phase_ == PhaseSpan::Phase::Reuse || !chip_.replacesWeights;
  if (!ch.posted.emplace(in.tag, Chip::Channel::Message{in.bytes, arrival, credits, inLocalMemory})
           .second)
    chip_.errors.push_back(
        fmt::format("core {} sends tag {} to core {} twice", core_, in.tag, in.peer));
  ch.arrived.notify(sc_core::SC_ZERO_TIME);
  if (inLocalMemory) chip_.inboxes.post(in.peer, in.bytes);
}

void CoreThread::receive(const codegen::Instruction& in) {
  keeper_.sync();
  Chip::Channel& ch = chip_.channel(in.peer, core_);
  auto it = ch.posted.find(in.tag);
  while (it == ch.posted.end()) {
    wait(ch.arrived);
    it = ch.posted.find(in.tag);
  }
  if (it->second.bytes != in.bytes)
    chip_.errors.push_back(fmt::format("core {} sends {} bytes with tag {} but core {} receives {}",
                                       in.peer, it->second.bytes, in.tag, core_, in.bytes));
  const sc_time arrival = it->second.arrival;
  const bool inLocalMemory = it->second.inLocalMemory;
  if (Chip::Credits* credits = it->second.credits) {
    --credits->untaken;
    credits->taken.notify(sc_core::SC_ZERO_TIME);
  }
  ch.posted.erase(it);
  if (arrival > sc_core::sc_time_stamp()) wait(arrival - sc_core::sc_time_stamp());
  if (inLocalMemory) chip_.inboxes.take(core_, in.bytes);
}

bool CoreThread::meet(int32_t& arrived, int32_t expected, sc_core::sc_event& released) {
  keeper_.sync();
  const bool last = ++arrived == expected;
  if (last) {
    arrived = 0;
    released.notify(sc_core::SC_ZERO_TIME);
  }
  wait(released);
  return last;
}

// Consecutive WR_XBs of a thread are issued together (a unit's crossbars of different shapes):
// the first grants every crossbar of the run a write slot from its start, and each WR_XB ends
// when its crossbars and those before it in the run are written.
void CoreThread::writeCrossbars(const codegen::Instruction& in, bool continuesRun) {
  const sc_time t = sc_core::sc_time_stamp() + keeper_.get_local_time();
  if (!continuesRun) {
    const auto& code = chip_.program.threads[static_cast<size_t>(thread_)].code;
    writeRunEnds_.clear();
    sc_time end = t;
    for (size_t pc = activity_.pc; pc < code.size() && code[pc].op == codegen::Opcode::WriteXbar;
         ++pc) {
      end = std::max(
          end, chip_.crossbarWrites.write(core_, code[pc].xb, code[pc].count, code[pc].rows, t));
      writeRunEnds_.push_back(end);
    }
    std::reverse(writeRunEnds_.begin(), writeRunEnds_.end());  // taken from the back
  }
  const sc_time end = writeRunEnds_.back();
  writeRunEnds_.pop_back();
  if (end > t) keeper_.inc(end - t);
  activity_.actions[arch::Action::CellWritten] += static_cast<double>(in.rows * in.cols * in.count);
}

// `repeat` vectors through `count` crossbars side by side: each vector takes its input cycles
// and the ADC conversions of its columns; the rows and outputs pass through local memory.
void CoreThread::computeMvm(const codegen::Instruction& in) {
  using arch::Action;
  const auto& arch = chip_.arch;
  const auto crossbars = static_cast<double>(in.count);
  const double vectorNs = arch.mvmVectorNs(in.cycles, crossbars, in.rows, in.cols);
  keeper_.inc(ns(static_cast<double>(in.repeat) * vectorNs));
  const double cycles = static_cast<double>(in.repeat * in.cycles * in.count);
  arch::ActionCounts& n = activity_.actions;
  n[Action::AdcConversion] += cycles * static_cast<double>(in.cols);
  n[Action::DacDrive] += cycles * static_cast<double>(in.rows);
  n[Action::CrossbarReadCycle] += cycles;
  n[Action::LocalMemoryByte] +=
      static_cast<double>(in.repeat) * arch.mvmLocalBytes(crossbars, in.rows, in.cols);
}

void CoreThread::execute(const codegen::Instruction& in) {
  // A core with one thread meets no SYNC: its first LD_W or WR_XB after a reuse phase begins
  // the next partition's replace phase (early replacement).
  if ((in.op == codegen::Opcode::LoadWeights || in.op == codegen::Opcode::WriteXbar) &&
      phase_ == PhaseSpan::Phase::Reuse) {
    partition_ = std::min(partition_ + 1, chip_.program.partitions - 1);
    phase_ = PhaseSpan::Phase::Replace;
  }
  switch (in.op) {
    case codegen::Opcode::LoadWeights:
    case codegen::Opcode::Load:
      dramAccess(tlm::TLM_READ_COMMAND, in.dram, in.bytes);
      break;
    case codegen::Opcode::Store:
      dramAccess(tlm::TLM_WRITE_COMMAND, in.dram, in.bytes);
      break;
    case codegen::Opcode::WriteXbar:
      writeCrossbars(in, continuesWriteRun());
      break;
    case codegen::Opcode::Mvm:
      computeMvm(in);
      break;
    case codegen::Opcode::Vector:
      keeper_.inc(ns(static_cast<double>(in.elems) / chip_.arch.vectorOpsPerNs()));
      activity_.actions[arch::Action::VectorOp] += static_cast<double>(in.elems);
      break;
    case codegen::Opcode::Send:
      send(in);
      break;
    case codegen::Opcode::Receive:
      receive(in);
      break;
    case codegen::Opcode::Barrier:
      if (meet(chip_.barrier.arrived, static_cast<int32_t>(chip_.program.threads.size()),
               chip_.barrier.released))
        chip_.timeline.barrierReleased(in.id, sc_core::sc_time_stamp().to_seconds() * 1e9);
      partition_ = in.id;
      phase_ = PhaseSpan::Phase::Reuse;
      break;
    case codegen::Opcode::Sync: {
      Chip::Barrier& sync = chip_.coreSync[static_cast<size_t>(core_)];
      meet(sync.arrived, chip_.threadsOnCore[static_cast<size_t>(core_)], sync.released);
      partition_ = std::min(in.id + 1, chip_.program.partitions - 1);
      phase_ = PhaseSpan::Phase::Replace;
      break;
    }
  }
}

void CoreThread::account(const codegen::Instruction& in, double startNs, double durationNs) {
  switch (in.op) {
    case codegen::Opcode::Mvm:
      activity_.mvmNs += durationNs;
      break;
    case codegen::Opcode::Vector:
      activity_.vectorNs += durationNs;
      break;
    case codegen::Opcode::WriteXbar:
      activity_.writeNs += durationNs;
      break;
    case codegen::Opcode::Send:
    case codegen::Opcode::Receive:
      activity_.communicationNs += durationNs;
      return;
    case codegen::Opcode::Barrier:
    case codegen::Opcode::Sync:
      return;  // waiting: idle
    default:
      activity_.memoryNs += durationNs;
      break;
  }
  if (durationNs > 0) chip_.timeline.busy(partition_, core_, phase_, startNs, durationNs);
}

void CoreThread::run() {
  keeper_.reset();
  const auto& code = chip_.program.threads[static_cast<size_t>(thread_)].code;
  for (activity_.pc = 0; activity_.pc < code.size(); ++activity_.pc) {
    const codegen::Instruction& in = code[activity_.pc];
    const bool busy = in.op != codegen::Opcode::Send && in.op != codegen::Opcode::Receive &&
                      in.op != codegen::Opcode::Barrier && in.op != codegen::Opcode::Sync;
    // A busy instruction starts once the core is free; the wait for it is idle time.
    const bool grantsShared = in.op == codegen::Opcode::LoadWeights ||
                              in.op == codegen::Opcode::Load || in.op == codegen::Opcode::Store ||
                              (in.op == codegen::Opcode::WriteXbar && !continuesWriteRun());
    const double start = busy ? takeCore(grantsShared).to_seconds() * 1e9 : now();
    execute(in);
    if (busy) releaseCore();
    if (keeper_.need_sync()) keeper_.sync();
    const double duration = now() - start;
    account(in, start, duration);
    chip_.timeline.trace(thread_, in.op, start, duration);
  }
  keeper_.sync();
  activity_.finishNs = now();
  activity_.finished = true;
}

}  // namespace xbar::sim
