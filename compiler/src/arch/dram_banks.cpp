#include "xbar/arch/dram_banks.h"

#include <algorithm>
#include <cmath>

namespace xbar::arch {

DramBanks::DramBanks(const DramConfig& config)
    : c_(config),
      burstBytes_(config.bus_width_bits / 8 * config.burst_length),
      burstsPerRow_(std::max<int64_t>(1, config.columns / config.burst_length)),
      burstNs_(static_cast<double>(config.burst_length) / 2.0 * config.tck_ns),
      banks_(static_cast<size_t>(config.channels * config.ranks * config.bank_groups *
                                 config.banks_per_group)),
      ranks_(static_cast<size_t>(config.channels * config.ranks)),
      queues_(static_cast<size_t>(config.channels)),
      progress_(static_cast<size_t>(config.channels)),
      buses_(static_cast<size_t>(config.channels)),
      columns_(static_cast<size_t>(config.channels * config.ranks * config.bank_groups)) {
  // Ranks refresh staggered over tREFI.
  const double refi = static_cast<double>(c_.trefi_cycles) * c_.tck_ns;
  for (size_t r = 0; r < ranks_.size(); ++r)
    ranks_[r].nextRefresh = refi * static_cast<double>(r % static_cast<size_t>(c_.ranks) + 1) /
                            static_cast<double>(c_.ranks);
}

// Every refresh due by `t` has happened: the rank was busy tRFC and its rows are closed.
void DramBanks::refreshUpTo(size_t rank, double t) {
  Rank& r = ranks_[rank];
  if (t < r.nextRefresh) return;
  const double refi = static_cast<double>(c_.trefi_cycles) * c_.tck_ns;
  const auto due = static_cast<int64_t>(std::floor((t - r.nextRefresh) / refi)) + 1;
  const double last = r.nextRefresh + static_cast<double>(due - 1) * refi;
  counts_.refreshes += due;
  r.nextRefresh += static_cast<double>(due) * refi;
  r.refreshEnd = std::max(r.refreshEnd, last + static_cast<double>(c_.trfc_cycles) * c_.tck_ns);
  const size_t perRank = static_cast<size_t>(c_.bank_groups * c_.banks_per_group);
  for (size_t b = rank * perRank; b < (rank + 1) * perRank; ++b) {
    banks_[b].openRow = -1;
    banks_[b].prechargeReady = std::max(banks_[b].prechargeReady, r.refreshEnd);
  }
}

// The earliest activate at or after `ready` that keeps tRRD and tFAW in the rank.
double DramBanks::activate(size_t rank, int64_t group, double ready) {
  Rank& r = ranks_[rank];
  const double rrd =
      static_cast<double>(group == r.lastActivateGroup ? c_.trrd_l_cycles : c_.trrd_s_cycles);
  double at = std::max({ready, r.lastActivate + rrd * c_.tck_ns,
                        r.activates[r.oldest] + static_cast<double>(c_.tfaw_cycles) * c_.tck_ns});
  at = std::max(at, r.lastActivate);  // activates issue in order
  r.lastActivate = at;
  r.lastActivateGroup = group;
  r.activates[r.oldest] = at;
  r.oldest = (r.oldest + 1) % 4;
  ++counts_.activates;
  return at;
}

double DramBanks::access(double arriveNs, uint64_t address, int64_t bytes, bool write) {
  ++counts_.requests;
  latestArrival_ = std::max(latestArrival_, arriveNs);
  // Forget in steps of kHistoryNs, so each interval is dropped once and the timelines stay short.
  if (latestArrival_ - kHistoryNs > forgotten_ + kHistoryNs)
    forgetBefore(latestArrival_ - kHistoryNs);
  arriveNs = std::max(arriveNs, forgotten_);
  const auto first = static_cast<int64_t>(address / static_cast<uint64_t>(burstBytes_));
  const int64_t last =
      (static_cast<int64_t>(address) + std::max<int64_t>(bytes, 1) - 1) / burstBytes_;
  // How far this request has got on each channel: its later bursts come after its earlier ones.
  std::fill(progress_.begin(), progress_.end(), arriveNs);
  double end = arriveNs;
  for (int64_t b = first; b <= last; ++b) end = std::max(end, serveBurst(b, arriveNs, write));
  return end;
}

void DramBanks::forgetBefore(double t) {
  for (BusyTimeline& bus : buses_) bus.forgetBefore(t);
  for (BusyTimeline& group : columns_) group.forgetBefore(t);
  forgotten_ = t;
}

double DramBanks::serveBurst(int64_t burst, double arriveNs, bool write) {
  const double tck = c_.tck_ns;
  const double latency = static_cast<double>(write ? c_.cwl_cycles : c_.cl_cycles) * tck;
  int64_t rest = burst;
  const int64_t group = rest % c_.bank_groups;
  rest /= c_.bank_groups;
  rest /= burstsPerRow_;  // the column
  const int64_t channel = rest % c_.channels;
  rest /= c_.channels;
  const int64_t bank = rest % c_.banks_per_group;
  rest /= c_.banks_per_group;
  const int64_t rankInChannel = rest % c_.ranks;
  const int64_t row = rest / c_.ranks;
  const auto rank = static_cast<size_t>(channel * c_.ranks + rankInChannel);
  const size_t rankGroup = rank * static_cast<size_t>(c_.bank_groups) + static_cast<size_t>(group);
  Bank& k = banks_[(rank * static_cast<size_t>(c_.banks_per_group) + static_cast<size_t>(bank)) *
                       static_cast<size_t>(c_.bank_groups) +
                   static_cast<size_t>(group)];
  // The burst enters its channel's queue once the one kQueueBursts before it has issued.
  Queue& queue = queues_[static_cast<size_t>(channel)];
  const double entry = std::max({arriveNs, queue.lastEntry, queue.issued[queue.oldest]});
  queue.lastEntry = entry;
  // A long request's later bursts happen long after it arrived: refreshes due by the time
  // the request has got this far on the channel have happened first.
  double& progress = progress_[static_cast<size_t>(channel)];
  refreshUpTo(rank, std::max(progress, entry));
  const double start = std::max(entry, ranks_[rank].refreshEnd);
  double columnReady;
  if (k.openRow == row) {
    ++counts_.rowHits;
    columnReady = std::max(start, k.columnReady);
  } else {
    double ready = std::max(start, k.prechargeReady);
    if (k.openRow >= 0) {
      ++counts_.rowConflicts;
      ready += static_cast<double>(c_.trp_cycles) * tck;
    } else {
      ++counts_.rowMisses;
    }
    const double act = activate(rank, group, ready);
    k.openRow = row;
    k.prechargeReady = act + static_cast<double>(c_.tras_cycles) * tck;
    columnReady = act + static_cast<double>(c_.trcd_cycles) * tck;
  }
  // The earliest column command with its data on a free stretch of the bus (tCCD_S apart from
  // every other burst's) and tCCD_L from every other column command in its bank group.
  BusyTimeline& bus = buses_[static_cast<size_t>(channel)];
  BusyTimeline& columns = columns_[rankGroup];
  const double busSlot = std::max(burstNs_, static_cast<double>(c_.tccd_s_cycles) * tck);
  const double ccdL = static_cast<double>(c_.tccd_l_cycles) * tck;
  double column = columnReady;
  for (;;) {
    const double onBus = bus.fit(column + latency, busSlot) - latency;
    const double inGroup = columns.fit(onBus, ccdL);
    column = inGroup;
    if (inGroup == onBus) break;
  }
  bus.reserve(column + latency, busSlot);
  columns.reserve(column, ccdL);
  queue.issued[queue.oldest] = column;
  queue.oldest = (queue.oldest + 1) % kQueueBursts;
  const double dataEnd = column + latency + burstNs_;
  progress = std::max(progress, dataEnd);
  k.columnReady = column + ccdL;
  k.prechargeReady = std::max(k.prechargeReady, dataEnd);
  ++(write ? counts_.writeBursts : counts_.readBursts);
  return dataEnd;
}

void DramBanks::finish(double endNs) {
  for (size_t r = 0; r < ranks_.size(); ++r) refreshUpTo(r, endNs);
}

DramStream measureDramStream(const DramConfig& config) {
  DramStream s;
  // A request that does not continue a stream mostly finds its bank closed: refresh closes
  // every row each tREFI (3.9-7.8 us), and streams move on to banks not yet opened. So it
  // activates and reads (the miss case of access()); on resnet50 the simulated banks see 24
  // misses to each conflict.
  s.latencyNs = static_cast<double>(config.trcd_cycles + config.cl_cycles) * config.tck_ns;
  // Long enough to span several refresh intervals of every preset (tREFI is 3.9-7.8 us).
  DramBanks banks(config);
  const int64_t bytes = int64_t{4} << 20;
  const double end = banks.access(0, 0, bytes, false);
  const double firstData =
      static_cast<double>(config.trcd_cycles + config.cl_cycles) * config.tck_ns;
  s.gbPerS = static_cast<double>(bytes) / (end - firstData);
  // A part whose refresh interval outlasts the stream still loses tRFC of every tREFI.
  if (banks.counts().refreshes == 0)
    s.gbPerS *=
        1.0 - static_cast<double>(config.trfc_cycles) / static_cast<double>(config.trefi_cycles);
  return s;
}

}  // namespace xbar::arch
