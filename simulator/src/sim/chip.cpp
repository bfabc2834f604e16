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
DramController::DramController(sc_core::sc_module_name name, const arch::ArchConfig& arch,
                               int64_t weightSegmentBytes)
    : sc_module(name),
      socket("socket"),
      bytesPerNs_(arch.dramBandwidthGbPerS()),
      latency_(ns(arch.dram.latency_ns)),
      weightSegmentBytes_(weightSegmentBytes) {
  socket.register_b_transport(this, &DramController::b_transport);
}

void DramController::b_transport(int /*initiator*/, tlm::tlm_generic_payload& trans,
                                 sc_time& delay) {
  const double bytes = static_cast<double>(trans.get_data_length());
  const sc_time requested = sc_core::sc_time_stamp() + delay;
  const sc_time start = std::max(requested, nextFree_);
  const sc_time busy = ns(bytes / bytesPerNs_);
  nextFree_ = start + busy;
  delay += (start - requested) + busy + latency_;
  if (trans.is_write())
    activationBytesWritten += bytes;
  else if (static_cast<int64_t>(trans.get_address()) < weightSegmentBytes_)
    weightBytesRead += bytes;
  else
    activationBytesRead += bytes;
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

// ---------------------------------------------------------------------------------------------
Interconnect::Interconnect(const arch::ArchConfig& arch)
    : arch_(arch),
      linkFree_(static_cast<size_t>(arch.linkCount()), sc_core::SC_ZERO_TIME),
      linkBusyNs(static_cast<size_t>(arch.linkCount()), 0.0) {}

sc_time Interconnect::transfer(int32_t src, int32_t dst, int64_t count, sc_time start) {
  const auto& ic = arch_.chip.interconnect;
  arch_.route(src, dst, path_);
  const double busyNs = static_cast<double>(count) / ic.link_bandwidth_gb_per_s;
  const sc_time busy = ns(busyNs), hop = ns(ic.hop_latency_ns);
  // Cut-through: the message's head reaches each link a hop after the previous one, or when
  // the link frees up; it then holds the link for its length. A link waits only for its own
  // traffic, so links are never held idle for a busy link further on.
  sc_time head = start;
  for (size_t i = 0; i < path_.size(); ++i) {
    const auto link = static_cast<size_t>(path_[i]);
    head = std::max(i == 0 ? head : head + hop, linkFree_[link]);
    linkFree_[link] = head + busy;
    linkBusyNs[link] += busyNs;
  }
  bytes += static_cast<double>(count);
  byteHops += static_cast<double>(count) * static_cast<double>(path_.size());
  return head + busy + hop;
}

// ---------------------------------------------------------------------------------------------
Chip::Chip(const codegen::Program& p, const arch::ArchConfig& a, bool trace)
    : program(p), arch(a), interconnect(a), tracing(trace) {
  dram = std::make_unique<DramController>("dram", arch, program.dramWeightBytes);
  const auto cores = static_cast<size_t>(program.cores);
  activity.resize(program.threads.size());
  threadsOnCore.assign(cores, 0);
  for (const codegen::Thread& s : program.threads) ++threadsOnCore[static_cast<size_t>(s.core)];
  coreFree.assign(cores, sc_core::SC_ZERO_TIME);
  inboxBytes.assign(cores, 0);
  peakInboxBytes.assign(cores, 0);
  for (size_t c = 0; c < cores; ++c) coreSync.emplace_back();
  for (size_t i = 0; i < program.threads.size(); ++i)
    for (const codegen::Instruction& in : program.threads[i].code)
      if (in.op == codegen::Opcode::Receive)
        receiverOf[{in.peer, program.threads[i].core, in.tag}] = static_cast<int32_t>(i);
  writeSlots.assign(static_cast<size_t>(arch.chip.max_parallel_crossbar_writes),
                    sc_core::SC_ZERO_TIME);
  rowWrites.assign(cores,
                   std::vector<std::vector<uint32_t>>(static_cast<size_t>(arch.core.crossbars)));
  barrierReleaseNs.assign(static_cast<size_t>(program.partitions), -1.0);
  phases.assign(static_cast<size_t>(program.partitions),
                std::vector<std::array<PhaseSpan, 2>>(cores));
  for (int32_t p = 0; p < program.partitions; ++p)
    for (size_t c = 0; c < cores; ++c)
      for (PhaseSpan::Phase phase : {PhaseSpan::Phase::Replace, PhaseSpan::Phase::Reuse}) {
        PhaseSpan& span = phases[static_cast<size_t>(p)][c][static_cast<size_t>(phase)];
        span = {p, static_cast<int32_t>(c), phase, -1.0, 0.0, 0.0};
      }
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
CoreThread::CoreThread(sc_core::sc_module_name name, int32_t stream, Chip& chip)
    : sc_module(name),
      socket("socket"),
      stream_(stream),
      core_(chip.program.threads[static_cast<size_t>(stream)].core),
      sharesCore_(chip.threadsOnCore[static_cast<size_t>(core_)] > 1),
      chip_(chip) {
  SC_THREAD(run);
}

double CoreThread::now() const {
  return (sc_core::sc_time_stamp() + keeper_.get_local_time()).to_seconds() * 1e9;
}

sc_time CoreThread::takeCore() {
  if (sharesCore_) keeper_.sync();  // the core's threads take it in global time order
  const sc_time t = sc_core::sc_time_stamp() + keeper_.get_local_time();
  const sc_time start = std::max(t, chip_.coreFree[static_cast<size_t>(core_)]);
  keeper_.inc(start - t);
  return start;
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
    auto& slot = chip_.credits[{stream_, r->second}];
    if (!slot) slot = std::make_unique<Chip::Credits>();
    credits = slot.get();
    while (credits->untaken >= chip_.program.credits) wait(credits->taken);
    ++credits->untaken;
  }
  // To a thread of the same core: the data is already in its local memory.
  const sc_time arrival = in.peer == core_ ? sc_core::sc_time_stamp()
                                           : chip_.interconnect.transfer(core_, in.peer, in.bytes,
                                                                         sc_core::sc_time_stamp());
  if (!ch.posted.emplace(in.tag, Chip::Channel::Message{in.bytes, arrival, credits}).second)
    chip_.errors.push_back(
        fmt::format("core {} sends tag {} to core {} twice", core_, in.tag, in.peer));
  ch.arrived.notify(sc_core::SC_ZERO_TIME);
  const auto peer = static_cast<size_t>(in.peer);
  chip_.inboxBytes[peer] += static_cast<double>(in.bytes);
  chip_.peakInboxBytes[peer] = std::max(chip_.peakInboxBytes[peer], chip_.inboxBytes[peer]);
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
  if (Chip::Credits* credits = it->second.credits) {
    --credits->untaken;
    credits->taken.notify(sc_core::SC_ZERO_TIME);
  }
  ch.posted.erase(it);
  if (arrival > sc_core::sc_time_stamp()) wait(arrival - sc_core::sc_time_stamp());
  chip_.inboxBytes[static_cast<size_t>(core_)] -= static_cast<double>(in.bytes);
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

void CoreThread::run() {
  using arch::Action;
  keeper_.reset();
  const auto& arch = chip_.arch;
  const auto& stream = chip_.program.threads[static_cast<size_t>(stream_)].code;
  ThreadActivity& a = chip_.activity[static_cast<size_t>(stream_)];
  const double activationBytes = static_cast<double>(arch.precision.activation_bits) / 8.0;
  const double opsPerNs = arch.vectorOpsPerNs();
  for (a.pc = 0; a.pc < stream.size(); ++a.pc) {
    const codegen::Instruction& in = stream[a.pc];
    const bool busy = in.op != codegen::Opcode::Send && in.op != codegen::Opcode::Receive &&
                      in.op != codegen::Opcode::Barrier && in.op != codegen::Opcode::Sync;
    // A busy instruction starts once the core is free; the wait for it is idle time.
    const double start = busy ? takeCore().to_seconds() * 1e9 : now();
    switch (in.op) {
      case codegen::Opcode::LoadWeights:
      case codegen::Opcode::Load:
        dramAccess(tlm::TLM_READ_COMMAND, in.dram, in.bytes);
        break;
      case codegen::Opcode::Store:
        dramAccess(tlm::TLM_WRITE_COMMAND, in.dram, in.bytes);
        break;
      case codegen::Opcode::WriteXbar: {
        // Each crossbar takes a write slot (the chip-wide write-power limit) for rows x the
        // row-write latency; the instruction ends when its last crossbar is written.
        const sc_time t = sc_core::sc_time_stamp() + keeper_.get_local_time();
        sc_time end = t;
        for (int32_t k = 0; k < in.count; ++k) {
          auto slot = std::min_element(chip_.writeSlots.begin(), chip_.writeSlots.end());
          const sc_time begin = std::max(t, *slot);
          *slot = begin + ns(static_cast<double>(in.rows) * arch.crossbar.row_write_latency_ns);
          end = std::max(end, *slot);
          auto& rows = chip_.rowWrites[static_cast<size_t>(core_)][static_cast<size_t>(in.xb + k)];
          if (rows.size() < static_cast<size_t>(in.rows))
            rows.resize(static_cast<size_t>(in.rows), 0);
          for (int64_t r = 0; r < in.rows; ++r) ++rows[static_cast<size_t>(r)];
        }
        keeper_.inc(end - t);
        a.actions[Action::CellWritten] += static_cast<double>(in.rows * in.cols * in.count);
        break;
      }
      case codegen::Opcode::Mvm: {
        const double vectorNs = arch.vectorTimeNs(in.cycles, in.cols);
        keeper_.inc(ns(static_cast<double>(in.repeat) * vectorNs));
        const double cycles = static_cast<double>(in.repeat * in.cycles * in.count);
        a.actions[Action::AdcConversion] += cycles * static_cast<double>(in.cols);
        a.actions[Action::DacDrive] += cycles * static_cast<double>(in.rows);
        a.actions[Action::CrossbarReadCycle] += cycles;
        a.actions[Action::LocalMemoryByte] +=
            static_cast<double>(in.repeat * in.count) *
            (static_cast<double>(in.rows) +
             static_cast<double>(in.cols) / static_cast<double>(arch.columnsPerWeight())) *
            activationBytes;
        break;
      }
      case codegen::Opcode::Vector:
        keeper_.inc(ns(static_cast<double>(in.elems) / opsPerNs));
        a.actions[Action::VectorOp] += static_cast<double>(in.elems);
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
          chip_.barrierReleaseNs[static_cast<size_t>(in.id)] =
              sc_core::sc_time_stamp().to_seconds() * 1e9;
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
    if (busy)
      chip_.coreFree[static_cast<size_t>(core_)] =
          sc_core::sc_time_stamp() + keeper_.get_local_time();
    if (keeper_.need_sync()) keeper_.sync();
    const double duration = now() - start;
    switch (in.op) {
      case codegen::Opcode::Mvm:
        a.mvmNs += duration;
        break;
      case codegen::Opcode::Vector:
        a.vectorNs += duration;
        break;
      case codegen::Opcode::WriteXbar:
        a.writeNs += duration;
        break;
      case codegen::Opcode::Send:
      case codegen::Opcode::Receive:
        a.communicationNs += duration;
        break;
      case codegen::Opcode::Barrier:
      case codegen::Opcode::Sync:
        break;  // waiting: idle
      default:
        a.memoryNs += duration;
        break;
    }
    if (busy && duration > 0 && !chip_.phases.empty()) {
      PhaseSpan& span = chip_.phases[static_cast<size_t>(partition_)][static_cast<size_t>(core_)]
                                    [static_cast<size_t>(phase_)];
      if (span.startNs < 0) span.startNs = start;
      span.endNs = std::max(span.endNs, start + duration);
      span.busyNs += duration;
    }
    if (chip_.tracing && duration > 0) chip_.trace.push_back({stream_, in.op, start, duration});
  }
  keeper_.sync();
  a.finishNs = now();
  a.finished = true;
}

}  // namespace xbar::sim
