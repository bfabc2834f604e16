#include "xbar/arch/arch_schema.h"

#include <array>
#include <cmath>

#include <fmt/format.h>

#include "xbar/arch/dram_presets.h"

namespace xbar::arch {
namespace {

FieldSpec spec(std::string path, FieldKind kind, std::string unit, std::string doc) {
  FieldSpec f;
  f.path = std::move(path);
  f.kind = kind;
  f.unit = std::move(unit);
  f.doc = std::move(doc);
  return f;
}

// Builders. `access` is a generic lambda returning a reference to the member, for both the
// const and the mutable config.
template <typename Access>
FieldSpec integer(std::string path, Access access, std::string unit, std::string doc,
                  int64_t minimum, std::optional<double> maximum = std::nullopt) {
  FieldSpec f = spec(std::move(path), FieldKind::Integer, std::move(unit), std::move(doc));
  f.minimum = static_cast<double>(minimum);
  f.maximum = maximum;
  f.assign = [access](ArchConfig& a, const FieldValue& v) { access(a) = std::get<int64_t>(v); };
  f.read = [access](const ArchConfig& a) { return FieldValue(access(a)); };
  return f;
}

template <typename Access>
FieldSpec number(std::string path, Access access, std::string unit, std::string doc, double minimum,
                 bool exclusive) {
  FieldSpec f = spec(std::move(path), FieldKind::Number, std::move(unit), std::move(doc));
  f.minimum = minimum;
  f.exclusiveMinimum = exclusive;
  f.assign = [access](ArchConfig& a, const FieldValue& v) { access(a) = std::get<double>(v); };
  f.read = [access](const ArchConfig& a) { return FieldValue(access(a)); };
  return f;
}

template <typename Access>
FieldSpec text(std::string path, Access access, std::string doc) {
  FieldSpec f = spec(std::move(path), FieldKind::Text, "", std::move(doc));
  f.assign = [access](ArchConfig& a, const FieldValue& v) { access(a) = std::get<std::string>(v); };
  f.read = [access](const ArchConfig& a) { return FieldValue(access(a)); };
  return f;
}

template <typename Enum, size_t N, typename Access>
FieldSpec choice(std::string path, Access access, std::string doc,
                 const std::array<std::pair<Enum, std::string_view>, N>& names) {
  FieldSpec f = spec(std::move(path), FieldKind::Choice, "", std::move(doc));
  for (const auto& [e, name] : names) f.choices.emplace_back(name);
  f.assign = [access, names](ArchConfig& a, const FieldValue& v) {
    for (const auto& [e, name] : names)
      if (name == std::get<std::string>(v)) access(a) = e;
  };
  f.read = [access, names](const ArchConfig& a) {
    for (const auto& [e, name] : names)
      if (e == access(a)) return FieldValue(std::string(name));
    return FieldValue(std::string());
  };
  return f;
}

FieldSpec optional(FieldSpec f, std::string when) {
  f.optionalWhen = std::move(when);
  return f;
}

FieldSpec supplied(FieldSpec f, std::string by, std::string when) {
  f.suppliedBy = std::move(by);
  return optional(std::move(f), std::move(when));
}

constexpr std::array kTopologies = {std::pair{Topology::Bus, std::string_view("bus")},
                                    std::pair{Topology::Mesh, std::string_view("mesh")}};
constexpr std::array kDevices = {std::pair{Device::Sram, std::string_view("sram")},
                                 std::pair{Device::Reram, std::string_view("reram")},
                                 std::pair{Device::Pcm, std::string_view("pcm")}};
constexpr std::array kWriteScopes = {std::pair{WriteScope::Chip, std::string_view("chip")},
                                     std::pair{WriteScope::Core, std::string_view("core")}};
constexpr std::array kConversions = {
    std::pair{Conversion::Serial, std::string_view("serial")},
    std::pair{Conversion::Pipelined, std::string_view("pipelined")}};
constexpr std::array kSignSchemes = {
    std::pair{SignScheme::Offset, std::string_view("offset")},
    std::pair{SignScheme::Differential, std::string_view("differential")}};

template <typename Enum, size_t N>
std::string_view nameOf(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum e) {
  for (const auto& [k, name] : names)
    if (k == e) return name;
  return "?";
}

// The DRAM part (dram_banks.h): a preset supplies every key it leaves out.
void addDramKeys(std::vector<FieldSpec>& s) {
  constexpr const char* kPresetGiven = "dram.preset names a preset, which supplies it";
  FieldSpec preset = text(
      "dram.preset", [](auto& a) -> auto& { return a.dram.preset; },
      "DRAM part supplying the keys below (dram_presets.cpp cites each number), or custom (then "
      "all are required).");
  preset.kind = FieldKind::Choice;
  for (const DramPreset& p : dramPresets()) preset.choices.emplace_back(p.name);
  preset.choices.emplace_back("custom");
  s.push_back(std::move(preset));
  const auto count = [&](const char* path, int64_t DramConfig::*member, const char* unit,
                         const char* doc, int64_t minimum, int64_t maximum) {
    s.push_back(supplied(integer(
                             path, [member](auto& a) -> auto& { return a.dram.*member; }, unit, doc,
                             minimum, static_cast<double>(maximum)),
                         "dram.preset", kPresetGiven));
  };
  count("dram.channels", &DramConfig::channels, "", "Independent channels, each its own bus.", 1,
        64);
  count("dram.ranks", &DramConfig::ranks, "", "Ranks per channel.", 1, 16);
  count("dram.bank_groups", &DramConfig::bank_groups, "", "Bank groups per rank.", 1, 16);
  count("dram.banks_per_group", &DramConfig::banks_per_group, "", "Banks per bank group.", 1, 64);
  count("dram.columns", &DramConfig::columns, "",
        "Columns per row, each bus_width_bits wide (a row holds columns x bus width / 8 bytes).", 1,
        1 << 16);
  count("dram.bus_width_bits", &DramConfig::bus_width_bits, "bit",
        "Data bus of one channel (a multiple of 8).", 8, 4096);
  count("dram.burst_length", &DramConfig::burst_length, "",
        "Transfers per burst (even: two per clock); a burst moves bus width x burst length bits.",
        2, 64);
  FieldSpec tck = number(
      "dram.tck_ns", [](auto& a) -> auto& { return a.dram.tck_ns; }, "ns",
      "Clock period; the timings below are in its cycles.", 0.01, false);
  tck.maximum = 1000.0;  // 1 GHz-class parts are 0.3-2 ns; this keeps every time finite
  s.push_back(supplied(std::move(tck), "dram.preset", kPresetGiven));
  constexpr int64_t kMaxCycles = 1 << 24;
  count("dram.cl_cycles", &DramConfig::cl_cycles, "cycles", "Read command to its data.", 1,
        kMaxCycles);
  count("dram.cwl_cycles", &DramConfig::cwl_cycles, "cycles", "Write command to its data.", 0,
        kMaxCycles);
  count("dram.trcd_cycles", &DramConfig::trcd_cycles, "cycles", "Activate to column command.", 1,
        kMaxCycles);
  count("dram.trp_cycles", &DramConfig::trp_cycles, "cycles", "Precharge to activate.", 1,
        kMaxCycles);
  count("dram.tras_cycles", &DramConfig::tras_cycles, "cycles",
        "Activate to precharge (at least trcd_cycles).", 1, kMaxCycles);
  count("dram.tccd_s_cycles", &DramConfig::tccd_s_cycles, "cycles",
        "Column to column command, another bank group.", 1, kMaxCycles);
  const auto oneGroup = [](FieldSpec& f) {
    f.inertWhen = "dram.bank_groups is 1";
    f.inert = [](const ArchConfig& a) { return a.dram.bank_groups == 1; };
  };
  oneGroup(s.back());
  count("dram.tccd_l_cycles", &DramConfig::tccd_l_cycles, "cycles",
        "Column to column command, the same bank group (at least tccd_s_cycles).", 1, kMaxCycles);
  count("dram.trrd_s_cycles", &DramConfig::trrd_s_cycles, "cycles",
        "Activate to activate in a rank, another bank group.", 1, kMaxCycles);
  oneGroup(s.back());
  count("dram.trrd_l_cycles", &DramConfig::trrd_l_cycles, "cycles",
        "Activate to activate in a rank, the same bank group (at least trrd_s_cycles).", 1,
        kMaxCycles);
  count("dram.tfaw_cycles", &DramConfig::tfaw_cycles, "cycles",
        "Window holding at most four activates of a rank.", 1, kMaxCycles);
  count("dram.trefi_cycles", &DramConfig::trefi_cycles, "cycles",
        "Refresh interval of a rank (more than trfc_cycles).", 64, kMaxCycles);
  count("dram.trfc_cycles", &DramConfig::trfc_cycles, "cycles",
        "Refresh time: the rank is busy and its rows closed.", 1, kMaxCycles);
  s.push_back(supplied(
      number(
          "dram.energy_pj_per_bit", [](auto& a) -> auto& { return a.dram.energy_pj_per_bit; },
          "pJ/bit", "Energy per bit moved (the preset's source gives it per bit).", 0, false),
      "dram.preset", kPresetGiven));
}

// Non-idealities of the crossbar numerics (docs/design.md §9): optional, 0 (ideal) when absent.
void addNonidealityKeys(std::vector<FieldSpec>& s) {
  constexpr const char* kAbsent = "always (0: ideal)";
  constexpr const char* kValidateOnly =
      " Read by `xbar validate`; timing, energy and the program do not depend on it.";
  const auto sigma = [&](const char* path, double NonidealityConfig::*member, const char* unit,
                         const char* doc) {
    s.push_back(optional(number(
                             path, [member](auto& a) -> auto& { return a.numerics.*member; }, unit,
                             std::string(doc) + kValidateOnly, 0, false),
                         kAbsent));
  };
  const auto rate = [&](const char* path, double NonidealityConfig::*member, const char* doc) {
    FieldSpec f = number(
        path, [member](auto& a) -> auto& { return a.numerics.*member; }, "",
        std::string(doc) + " stuck_at_zero_rate + stuck_at_one_rate <= 1." + kValidateOnly, 0,
        false);
    f.maximum = 1;
    s.push_back(optional(std::move(f), kAbsent));
  };
  sigma("numerics.programming_noise_sigma", &NonidealityConfig::programming_noise_sigma, "",
        "Programming noise: each programmed cell's conductance is its level times (1 + sigma x "
        "N(0, 1)), drawn once per stored weight cell.");
  sigma("numerics.read_noise_sigma", &NonidealityConfig::read_noise_sigma, "",
        "Read noise: relative sigma of each cell's conductance, drawn anew at every input cycle "
        "(a column sum's noise is sigma x the root of its terms' squares).");
  rate("numerics.stuck_at_zero_rate", &NonidealityConfig::stuck_at_zero_rate,
       "Fraction of cells stuck at the lowest conductance (level 0).");
  rate("numerics.stuck_at_one_rate", &NonidealityConfig::stuck_at_one_rate,
       "Fraction of cells stuck at the highest conductance (level 2^cell_bits - 1).");
  sigma("numerics.adc_offset_sigma_lsb", &NonidealityConfig::adc_offset_sigma_lsb, "LSB",
        "ADC offset: each column's converter adds a fixed offset of sigma x N(0, 1) steps.");
  FieldSpec seed = integer(
      "numerics.seed", [](auto& a) -> auto& { return a.numerics.seed; }, "",
      std::string("Seed of every non-ideality draw: the same seed gives the same faults and "
                  "noise.") +
          kValidateOnly,
      0, 9.007199254740992e15);
  seed.inertWhen = "every non-ideality is 0";
  seed.inert = [](const ArchConfig& a) { return a.numerics.ideal(); };
  s.push_back(optional(std::move(seed), "always (0)"));
}

// One entry per arch key, in the order configs are saved: a table, not logic, so it stays one
// function (over the ~100-line guide) that reads top to bottom like the schema it builds.
std::vector<FieldSpec> buildSchema() {
  constexpr const char* kDeviceGiven =
      "crossbar.device supplies it (its defaults: docs/design.md §3)";
  std::vector<FieldSpec> s;
  s.push_back(text(
      "name", [](auto& a) -> auto& { return a.name; },
      "Short name of the chip, used in reports (a label: changes no statistic)."));
  s.push_back(
      optional(text(
                   "description", [](auto& a) -> auto& { return a.description; },
                   "Free text: what the chip is and where its numbers come from (a label)."),
               "always (empty)"));

  s.push_back(integer(
      "chip.cores", [](auto& a) -> auto& { return a.chip.cores; }, "", "Cores on the chip.", 1,
      kMaxCores));
  s.push_back(number(
      "chip.clock_mhz", [](auto& a) -> auto& { return a.chip.clock_mhz; }, "MHz",
      "Clock of the cores' digital logic (vector unit, control).", 0, true));
  s.push_back(integer(
      "chip.max_parallel_crossbar_writes",
      [](auto& a) -> auto& { return a.chip.max_parallel_crossbar_writes; }, "",
      "Crossbars that may be written at the same time (the write-power limit), across the chip "
      "or in each core as crossbar_write_scope says.",
      1, kMaxCrossbars));
  s.push_back(choice(
      "chip.crossbar_write_scope", [](auto& a) -> auto& { return a.chip.crossbar_write_scope; },
      "chip: max_parallel_crossbar_writes is one pool for the chip; core: each core has that many.",
      kWriteScopes));
  s.push_back(choice(
      "chip.interconnect.topology", [](auto& a) -> auto& { return a.chip.interconnect.topology; },
      "Network between cores.", kTopologies));
  s.push_back(
      optional(integer(
                   "chip.interconnect.mesh_rows",
                   [](auto& a) -> auto& { return a.chip.interconnect.mesh_rows; }, "",
                   "Rows of the 2-D mesh; mesh_rows x mesh_cols = chip.cores.", 1, kMaxCores),
               "topology is bus (then it must be absent)"));
  s.push_back(optional(integer(
                           "chip.interconnect.mesh_cols",
                           [](auto& a) -> auto& { return a.chip.interconnect.mesh_cols; }, "",
                           "Columns of the 2-D mesh.", 1, kMaxCores),
                       "topology is bus (then it must be absent)"));
  s.push_back(number(
      "chip.interconnect.link_bandwidth_gb_per_s",
      [](auto& a) -> auto& { return a.chip.interconnect.link_bandwidth_gb_per_s; }, "GB/s",
      "Bandwidth of one link (the bus, or one mesh link).", 0, true));
  s.push_back(number(
      "chip.interconnect.hop_latency_ns",
      [](auto& a) -> auto& { return a.chip.interconnect.hop_latency_ns; }, "ns",
      "Latency of one hop (router + link), or of one bus transfer.", 0, false));
  s.push_back(number(
      "chip.interconnect.energy_pj_per_byte_hop",
      [](auto& a) -> auto& { return a.chip.interconnect.energy_pj_per_byte_hop; }, "pJ/(B·hop)",
      "Energy to move one byte over one hop.", 0, false));

  s.push_back(integer(
      "core.crossbars", [](auto& a) -> auto& { return a.core.crossbars; }, "",
      "Crossbars per core.", 1, kMaxCrossbarsPerCore));
  s.push_back(number(
      "core.static_power_mw", [](auto& a) -> auto& { return a.core.static_power_mw; }, "mW",
      "Always-on power of one core outside its crossbars (control, leakage).", 0, false));
  s.push_back(integer(
      "core.local_memory.size_kib", [](auto& a) -> auto& { return a.core.local_memory.size_kib; },
      "KiB", "Local activation memory per core.", 1, 1 << 20));
  s.push_back(number(
      "core.local_memory.bandwidth_gb_per_s",
      [](auto& a) -> auto& { return a.core.local_memory.bandwidth_gb_per_s; }, "GB/s",
      "Local memory bandwidth.", 0, true));
  s.push_back(number(
      "core.local_memory.energy_pj_per_byte",
      [](auto& a) -> auto& { return a.core.local_memory.energy_pj_per_byte; }, "pJ/B",
      "Energy per byte read or written.", 0, false));
  s.push_back(integer(
      "core.vector.lanes", [](auto& a) -> auto& { return a.core.vector.lanes; }, "",
      "Lanes of the digital vector unit (one element op per lane per cycle).", 1, 1 << 16));
  s.push_back(number(
      "core.vector.energy_pj_per_op",
      [](auto& a) -> auto& { return a.core.vector.energy_pj_per_op; }, "pJ",
      "Energy of one lane operation.", 0, false));

  s.push_back(integer(
      "crossbar.rows", [](auto& a) -> auto& { return a.crossbar.rows; }, "",
      "Word lines (inputs) per crossbar.", 1, kMaxCrossbarSide));
  s.push_back(integer(
      "crossbar.cols", [](auto& a) -> auto& { return a.crossbar.cols; }, "",
      "Bit lines (cell columns) per crossbar.", 1, kMaxCrossbarSide));
  s.push_back(integer(
      "crossbar.cell_bits", [](auto& a) -> auto& { return a.crossbar.cell_bits; }, "bit",
      "Bits stored per cell.", 1, 8));
  s.push_back(choice(
      "crossbar.device", [](auto& a) -> auto& { return a.crossbar.device; },
      "Cell technology; supplies the write latency, write energy and endurance a config leaves "
      "out.",
      kDevices));
  s.push_back(choice(
      "crossbar.sign_scheme", [](auto& a) -> auto& { return a.crossbar.sign_scheme; },
      "Signed weights: offset (one column set, digital correction) or differential (two column "
      "sets).",
      kSignSchemes));
  s.push_back(choice(
      "crossbar.conversion", [](auto& a) -> auto& { return a.crossbar.conversion; },
      "serial: each input cycle reads, then converts its columns; pipelined: sample-and-hold "
      "circuits let a cycle's conversion overlap the next cycle's read (ISAAC, PUMA).",
      kConversions));
  s.push_back(number(
      "crossbar.read_latency_ns", [](auto& a) -> auto& { return a.crossbar.read_latency_ns; }, "ns",
      "One input cycle: drive the rows and let the columns settle.", 0, true));
  s.push_back(number(
      "crossbar.read_energy_pj", [](auto& a) -> auto& { return a.crossbar.read_energy_pj; }, "pJ",
      "Array energy of one input cycle of one crossbar.", 0, false));
  s.push_back(supplied(number(
                           "crossbar.row_write_latency_ns",
                           [](auto& a) -> auto& { return a.crossbar.row_write_latency_ns; }, "ns",
                           "Programming one row.", 0, true),
                       "crossbar.device", kDeviceGiven));

  s.push_back(supplied(number(
                           "crossbar.write_energy_pj_per_cell",
                           [](auto& a) -> auto& { return a.crossbar.write_energy_pj_per_cell; },
                           "pJ", "Programming one cell.", 0, false),
                       "crossbar.device", kDeviceGiven));

  s.push_back(supplied(
      number(
          "crossbar.endurance_cycles", [](auto& a) -> auto& { return a.crossbar.endurance_cycles; },
          "writes", "Writes a cell survives.", 0, true),
      "crossbar.device", kDeviceGiven));

  s.push_back(number(
      "crossbar.static_power_mw", [](auto& a) -> auto& { return a.crossbar.static_power_mw; }, "mW",
      "Always-on power of one crossbar's peripherals.", 0, false));
  s.push_back(integer(
      "crossbar.dac_bits", [](auto& a) -> auto& { return a.crossbar.dac_bits; }, "bit",
      "Input bits applied per cycle.", 1, 16));
  s.push_back(number(
      "crossbar.dac_energy_pj", [](auto& a) -> auto& { return a.crossbar.dac_energy_pj; }, "pJ",
      "Driving one row for one input cycle.", 0, false));
  s.push_back(integer(
      "crossbar.adc_bits", [](auto& a) -> auto& { return a.crossbar.adc_bits; }, "bit",
      "ADC resolution. Conversion energy scales from adc_reference_bits by the ratios of a 32 nm "
      "SAR ADC's energy at 4-10 bits (Accelergy's ISAAC table; outside it 1.2x per bit, "
      "assumed), latency in proportion to bits (SAR: one comparison per bit).",
      1, 16));
  s.push_back(integer(
      "crossbar.adcs_per_crossbar", [](auto& a) -> auto& { return a.crossbar.adcs_per_crossbar; },
      "", "ADCs shared by the columns of one crossbar.", 1, kMaxCrossbarSide));
  s.push_back(integer(
      "crossbar.adc_reference_bits", [](auto& a) -> auto& { return a.crossbar.adc_reference_bits; },
      "bit", "Resolution at which the source gives adc_latency_ns and adc_energy_pj.", 1, 16));
  s.push_back(number(
      "crossbar.adc_latency_ns", [](auto& a) -> auto& { return a.crossbar.adc_latency_ns; }, "ns",
      "One conversion at adc_reference_bits.", 0, true));
  s.push_back(number(
      "crossbar.adc_energy_pj", [](auto& a) -> auto& { return a.crossbar.adc_energy_pj; }, "pJ",
      "One conversion at adc_reference_bits.", 0, false));

  addDramKeys(s);

  s.push_back(integer(
      "precision.weight_bits", [](auto& a) -> auto& { return a.precision.weight_bits; }, "bit",
      "Weight precision (a workload may override it).", 1, 32));
  s.push_back(integer(
      "precision.activation_bits", [](auto& a) -> auto& { return a.precision.activation_bits; },
      "bit", "Activation precision (a workload may override it).", 1, 32));

  addNonidealityKeys(s);
  return s;
}

}  // namespace

std::span<const FieldSpec> archSchema() {
  static const std::vector<FieldSpec> schema = buildSchema();
  return schema;
}

const FieldSpec* findField(const std::string& path) {
  for (const FieldSpec& f : archSchema())
    if (f.path == path) return &f;
  return nullptr;
}

std::string schemaMarkdown() {
  std::string out = "| key | kind | unit | limits | description |\n|---|---|---|---|---|\n";
  for (const FieldSpec& f : archSchema()) {
    std::string kind;
    switch (f.kind) {
      case FieldKind::Integer:
        kind = "integer";
        break;
      case FieldKind::Number:
        kind = "number";
        break;
      case FieldKind::Text:
        kind = "text";
        break;
      case FieldKind::Choice:
        kind = fmt::format("one of {}", fmt::join(f.choices, ", "));
        break;
    }
    std::string limits;
    if (f.minimum) limits = fmt::format("{} {}", f.exclusiveMinimum ? ">" : "≥", *f.minimum);
    if (f.maximum) limits += fmt::format("{}≤ {}", limits.empty() ? "" : ", ", *f.maximum);
    std::string doc = f.doc;
    if (!f.optionalWhen.empty()) doc += fmt::format(" Optional when {}.", f.optionalWhen);
    if (!f.inertWhen.empty()) doc += fmt::format(" Changes nothing when {}.", f.inertWhen);
    out += fmt::format("| `{}` | {} | {} | {} | {} |\n", f.path, kind, f.unit, limits, doc);
  }
  return out;
}

std::string_view topologyName(Topology t) {
  return nameOf(kTopologies, t);
}
std::string_view deviceName(Device d) {
  return nameOf(kDevices, d);
}
std::string_view signSchemeName(SignScheme s) {
  return nameOf(kSignSchemes, s);
}

}  // namespace xbar::arch
