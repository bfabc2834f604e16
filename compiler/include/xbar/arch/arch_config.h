// The architecture of a crossbar PIM chip, as typed structs (docs/design.md §3). Every quantity
// carries its unit in its name. Loading, validation and saving live in arch_loader.h; the
// schema (keys, units, limits, descriptions) in arch_schema.h.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace xbar::arch {

enum class Topology { Bus, Mesh };
// Whether chip.max_parallel_crossbar_writes counts across the chip or in each core.
enum class WriteScope { Chip, Core };
enum class Device { Sram, Reram, Pcm };
// offset: weights stored unsigned with a digital offset correction (one column set);
// differential: a positive and a negative column set per weight (twice the columns).
enum class SignScheme { Offset, Differential };
// serial: an input cycle reads the crossbar, then converts its columns; pipelined: sample-and-
// hold circuits keep one cycle's column values while the next cycle reads (ISAAC, PUMA), so a
// cycle takes the longer of the two and only the first read or last conversion adds.
enum class Conversion { Serial, Pipelined };

struct InterconnectConfig {
  Topology topology = Topology::Bus;
  int64_t mesh_rows = 0;  // mesh only
  int64_t mesh_cols = 0;  // mesh only
  double link_bandwidth_gb_per_s = 0;
  double hop_latency_ns = 0;
  double energy_pj_per_byte_hop = 0;
  bool operator==(const InterconnectConfig&) const = default;
};

struct ChipConfig {
  int64_t cores = 0;
  double clock_mhz = 0;
  // Crossbars that may be written at once, across the chip or in each core (the write-power
  // limit and its scope).
  int64_t max_parallel_crossbar_writes = 0;
  WriteScope crossbar_write_scope = WriteScope::Chip;
  InterconnectConfig interconnect;
  bool operator==(const ChipConfig&) const = default;
};

struct LocalMemoryConfig {
  int64_t size_kib = 0;
  double bandwidth_gb_per_s = 0;
  double energy_pj_per_byte = 0;
  bool operator==(const LocalMemoryConfig&) const = default;
};

struct VectorUnitConfig {
  int64_t lanes = 0;
  double energy_pj_per_op = 0;  // one lane, one operation
  bool operator==(const VectorUnitConfig&) const = default;
};

struct CoreConfig {
  int64_t crossbars = 0;
  double static_power_mw = 0;  // control and leakage of the core outside its crossbars
  LocalMemoryConfig local_memory;
  VectorUnitConfig vector;
  bool operator==(const CoreConfig&) const = default;
};

struct CrossbarConfig {
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t cell_bits = 0;
  Device device = Device::Sram;
  SignScheme sign_scheme = SignScheme::Offset;
  Conversion conversion = Conversion::Serial;
  double read_latency_ns = 0;       // one input cycle: drive rows, settle columns
  double read_energy_pj = 0;        // array energy of one input cycle
  double row_write_latency_ns = 0;  // program one row
  double write_energy_pj_per_cell = 0;
  double endurance_cycles = 0;  // writes a cell survives
  double static_power_mw = 0;   // peripherals of one crossbar, always on
  int64_t dac_bits = 0;
  double dac_energy_pj = 0;  // one row driven for one input cycle
  int64_t adc_bits = 0;
  int64_t adcs_per_crossbar = 0;
  // One conversion at adc_reference_bits (the source's resolution); adc_bits scales them by
  // the laws of component_laws.h.
  int64_t adc_reference_bits = 0;
  double adc_latency_ns = 0;
  double adc_energy_pj = 0;
  bool operator==(const CrossbarConfig&) const = default;
};

// DRAM as banks and rows (dram_banks.h): the organisation and JEDEC timings of one part,
// timings in cycles of tck_ns as datasheets give them.
struct DramConfig {
  std::string preset;  // a name from dram_presets.h, or "custom"
  int64_t channels = 0;
  int64_t ranks = 0;  // per channel
  int64_t bank_groups = 0;
  int64_t banks_per_group = 0;
  int64_t columns = 0;  // per row, each bus_width_bits wide
  int64_t bus_width_bits = 0;
  int64_t burst_length = 0;
  double tck_ns = 0;
  int64_t cl_cycles = 0;   // read command to data
  int64_t cwl_cycles = 0;  // write command to data
  int64_t trcd_cycles = 0;
  int64_t trp_cycles = 0;
  int64_t tras_cycles = 0;
  int64_t tccd_s_cycles = 0;  // column to column, other bank group
  int64_t tccd_l_cycles = 0;  // column to column, same bank group
  int64_t trrd_s_cycles = 0;  // activate to activate, other bank group
  int64_t trrd_l_cycles = 0;  // activate to activate, same bank group
  int64_t tfaw_cycles = 0;    // four activates per rank in this window
  int64_t trefi_cycles = 0;
  int64_t trfc_cycles = 0;
  double energy_pj_per_bit = 0;
  // Derived by the loader from the above (dram_banks.h): a long sequential read's bandwidth,
  // refresh included, and the time from a request to its first data on a closed bank.
  double stream_gb_per_s = 0;
  double access_latency_ns = 0;
  bool operator==(const DramConfig&) const = default;
};

struct PrecisionConfig {
  int64_t weight_bits = 0;
  int64_t activation_bits = 0;
  bool operator==(const PrecisionConfig&) const = default;
};

// The bits a matrix layer's operands are coded in (docs/design.md §9b): the arch's precision,
// or 1 for a binary operand. A 1-bit weight is +-1 (times its channel's scale) in one cell bit;
// a 1-bit input is +-1, fed in one input cycle.
struct OperandBits {
  int64_t weight = 0;
  int64_t activation = 0;
  bool operator==(const OperandBits&) const = default;
};

// Device and converter non-idealities that the crossbar numerics apply (docs/design.md §9),
// seeded and deterministic. All zero is the ideal chip, and the default. Timing, energy and
// the program do not depend on them: `xbar validate` reads them, `xbar run` does not.
struct NonidealityConfig {
  double programming_noise_sigma = 0;  // relative sigma of a programmed cell's conductance
  double read_noise_sigma = 0;         // relative sigma of a cell's conductance at each read
  double stuck_at_zero_rate = 0;       // fraction of cells stuck at the lowest level
  double stuck_at_one_rate = 0;        // fraction of cells stuck at the highest level
  double adc_offset_sigma_lsb = 0;     // sigma of each ADC's fixed offset, in its steps
  int64_t seed = 0;
  bool operator==(const NonidealityConfig&) const = default;
  bool ideal() const {
    return programming_noise_sigma == 0 && read_noise_sigma == 0 && stuck_at_zero_rate == 0 &&
           stuck_at_one_rate == 0 && adc_offset_sigma_lsb == 0;
  }
};

struct ArchConfig {
  std::string name;
  std::string description;
  ChipConfig chip;
  CoreConfig core;
  CrossbarConfig crossbar;
  DramConfig dram;
  PrecisionConfig precision;
  NonidealityConfig numerics;
  bool operator==(const ArchConfig&) const = default;

  int64_t totalCrossbars() const { return chip.cores * core.crossbars; }
  // Bytes of weights the chip holds at precision.weight_bits, sign scheme included.
  double weightCapacityBytes() const;
  // The arch's precision; a binary layer's operands are 1 bit (mapping::operandBits).
  OperandBits operandBits() const { return {precision.weight_bits, precision.activation_bits}; }
  // Cells one weight takes across a row: ceil(weight bits / cell_bits), doubled when
  // differential.
  int64_t columnsPerWeight(OperandBits bits) const;
  int64_t columnsPerWeight() const { return columnsPerWeight(operandBits()); }
  // ceil(weight bits / cell_bits): the cells one weight is sliced into (one sign's).
  int64_t weightSlices(OperandBits bits) const {
    return (bits.weight + crossbar.cell_bits - 1) / crossbar.cell_bits;
  }
  int64_t weightSlices() const { return weightSlices(operandBits()); }
  // ceil(activation bits / dac_bits): the cycles one input vector is fed in.
  int64_t inputCycles(OperandBits bits) const {
    return (bits.activation + crossbar.dac_bits - 1) / crossbar.dac_bits;
  }
  int64_t inputCycles() const { return inputCycles(operandBits()); }
  // The bits an ADC needs to convert a column sum over `rows` rows exactly (component_laws.h).
  int64_t adcBitsNeeded(int64_t rows, OperandBits bits) const;
  // Bits of a partial sum that one crossbar's column contributes to a digital reduction: the
  // ADC's bits, plus the growth of shift-and-add over weight slices (cell_bits per slice and a
  // carry) and over input cycles (dac_bits per cycle and a carry), plus a sign bit for the
  // differential scheme's subtraction.
  int64_t partialSumBits(OperandBits bits) const;
  int64_t partialSumBits() const { return partialSumBits(operandBits()); }
  // One conversion at crossbar.adc_bits.
  double adcEnergyPj() const;
  double adcLatencyNs() const;
  // One input vector through a crossbar: inputCycles DAC cycles, each a read plus the
  // conversion of `columns` columns on the crossbar's shared ADCs.
  double vectorTimeNs(int64_t inputCycles, int64_t columns) const {
    const double read = crossbar.read_latency_ns, convert = conversionNs(columns);
    if (crossbar.conversion == Conversion::Pipelined)
      return static_cast<double>(inputCycles) * std::max(read, convert) + std::min(read, convert);
    return static_cast<double>(inputCycles) * (read + convert);
  }
  // Converting `columns` columns on the crossbar's shared ADCs.
  double conversionNs(int64_t columns) const {
    const int64_t adcRounds =
        (columns + crossbar.adcs_per_crossbar - 1) / crossbar.adcs_per_crossbar;
    return static_cast<double>(adcRounds) * adcLatencyNs();
  }
  // Local-memory bytes one input vector moves through `crossbars` crossbars of `rows` x
  // `columns` used cells: each reads its rows of the input and writes its outputs back.
  double mvmLocalBytes(double crossbars, int64_t rows, int64_t columns) const {
    return crossbars *
           (static_cast<double>(rows) +
            static_cast<double>(columns) / static_cast<double>(columnsPerWeight())) *
           static_cast<double>(precision.activation_bits) / 8.0;
  }
  // One input vector through `crossbars` crossbars of one core working side by side: the
  // crossbars' time, or the local memory's to stage their inputs and outputs where that is
  // longer (staging the next vector overlaps the current one's conversion).
  double mvmVectorNs(int64_t inputCycles, double crossbars, int64_t rows, int64_t columns) const {
    const double staging =
        mvmLocalBytes(crossbars, rows, columns) / core.local_memory.bandwidth_gb_per_s;
    const double compute = vectorTimeNs(inputCycles, columns);
    return compute > staging ? compute : staging;
  }
  // Element operations one core's vector unit does per ns.
  double vectorOpsPerNs() const {
    return static_cast<double>(core.vector.lanes) * chip.clock_mhz / 1000.0;
  }
  // Always-on power of the whole chip: every core's and every crossbar's static power.
  double staticPowerMw() const {
    return static_cast<double>(chip.cores) * core.static_power_mw +
           static_cast<double>(totalCrossbars()) * crossbar.static_power_mw;
  }
  // The links a transfer from core `src` to core `dst` occupies, in order: the one shared
  // channel of a bus, or XY routing on a mesh (link = node x 4 + east/west/north/south).
  void route(int32_t src, int32_t dst, std::vector<int32_t>& links) const;
  // The first and last links of that route (the same link for one hop) and its length.
  struct RouteEnds {
    int32_t first = 0;
    int32_t last = 0;
    int32_t hops = 0;
  };
  RouteEnds routeEnds(int32_t src, int32_t dst) const;
  int64_t linkCount() const;
  // What a long sequential stream gets from DRAM (the bank model's, refresh included), and the
  // latency to a request's first data: the cost model's DRAM (the simulator times each request).
  double dramBandwidthGbPerS() const { return dram.stream_gb_per_s; }
  double dramLatencyNs() const { return dram.access_latency_ns; }
};

}  // namespace xbar::arch
