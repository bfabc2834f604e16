// Actions as data (docs/design.md §1, Timeloop/Accelergy style): every activity the cost model
// and the simulator count is a row of one table, with the arch key that prices it. Counts are
// an array indexed by action; energy = count x price, per action. Statistics, plans, reports,
// CSVs and summaries loop over the table, so a new action (a spike, an XNOR-popcount, a
// KV-cache write) is one row here plus its price key in the arch schema.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "xbar/arch/arch_config.h"

namespace xbar::arch {

enum class Action : size_t {
  AdcConversion,
  DacDrive,           // one row driven for one input cycle
  CrossbarReadCycle,  // one crossbar through one input cycle
  CellWritten,
  LocalMemoryByte,
  InterconnectByteHop,
  DramBit,
  VectorOp,
  StaticNs,  // chip time: static power is paid per nanosecond
};
inline constexpr size_t kActionCount = 9;

struct ActionInfo {
  Action action;
  std::string_view count;      // the count's name in statistics
  std::string_view countUnit;  // its unit
  std::string_view energy;     // its energy component's name in statistics and plans
  std::string_view label;      // in one-line summaries
  std::string_view priceKey;   // the arch key(s) giving the pJ per action
  double (*price)(const ArchConfig&);
};

inline constexpr std::array<ActionInfo, kActionCount> kActions = {{
    {Action::AdcConversion, "adc_conversions", "count", "adc", "adc",
     "crossbar.adc_energy_pj, crossbar.adc_bits, crossbar.adc_reference_bits",
     [](const ArchConfig& a) { return a.adcEnergyPj(); }},
    {Action::DacDrive, "dac_drives", "count", "dac", "dac", "crossbar.dac_energy_pj",
     [](const ArchConfig& a) { return a.crossbar.dac_energy_pj; }},
    {Action::CrossbarReadCycle, "crossbar_read_cycles", "count", "crossbar_read", "xbar read",
     "crossbar.read_energy_pj", [](const ArchConfig& a) { return a.crossbar.read_energy_pj; }},
    {Action::CellWritten, "cells_written", "count", "crossbar_write", "xbar write",
     "crossbar.write_energy_pj_per_cell",
     [](const ArchConfig& a) { return a.crossbar.write_energy_pj_per_cell; }},
    {Action::LocalMemoryByte, "local_memory_bytes", "B", "local_memory", "local mem",
     "core.local_memory.energy_pj_per_byte",
     [](const ArchConfig& a) { return a.core.local_memory.energy_pj_per_byte; }},
    {Action::InterconnectByteHop, "interconnect_byte_hops", "B*hop", "interconnect", "interconnect",
     "chip.interconnect.energy_pj_per_byte_hop",
     [](const ArchConfig& a) { return a.chip.interconnect.energy_pj_per_byte_hop; }},
    {Action::DramBit, "dram_bits", "bit", "dram", "dram", "dram.energy_pj_per_bit",
     [](const ArchConfig& a) { return a.dram.energy_pj_per_bit; }},
    {Action::VectorOp, "vector_ops", "count", "vector", "vector", "core.vector.energy_pj_per_op",
     [](const ArchConfig& a) { return a.core.vector.energy_pj_per_op; }},
    // mW x ns = pJ
    {Action::StaticNs, "chip_time", "ns", "static", "static",
     "core.static_power_mw, crossbar.static_power_mw",
     [](const ArchConfig& a) { return a.staticPowerMw(); }},
}};

constexpr const ActionInfo& actionInfo(Action a) {
  return kActions[static_cast<size_t>(a)];
}

// How many times each action happened.
struct ActionCounts {
  std::array<double, kActionCount> count{};
  double& operator[](Action a) { return count[static_cast<size_t>(a)]; }
  double operator[](Action a) const { return count[static_cast<size_t>(a)]; }
  ActionCounts& operator+=(const ActionCounts& o) {
    for (size_t i = 0; i < kActionCount; ++i) count[i] += o.count[i];
    return *this;
  }
};

// Picojoules per action (the energy components of statistics, plans and reports).
struct EnergyBreakdown {
  std::array<double, kActionCount> pj{};
  double& operator[](Action a) { return pj[static_cast<size_t>(a)]; }
  double operator[](Action a) const { return pj[static_cast<size_t>(a)]; }
  // Summed in table order.
  double total() const {
    double t = 0;
    for (double e : pj) t += e;
    return t;
  }
  EnergyBreakdown& operator+=(const EnergyBreakdown& o) {
    for (size_t i = 0; i < kActionCount; ++i) pj[i] += o.pj[i];
    return *this;
  }
};

EnergyBreakdown energyOf(const ActionCounts& counts, const ArchConfig& arch);

// "energy by component (uJ): adc 1.0, dac 2.0, ...", one entry per action.
std::string energySummaryUj(const EnergyBreakdown& e);

}  // namespace xbar::arch
