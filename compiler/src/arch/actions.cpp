#include "xbar/arch/actions.h"

#include <fmt/format.h>

namespace xbar::arch {

EnergyBreakdown energyOf(const ActionCounts& counts, const ArchConfig& arch) {
  EnergyBreakdown e;
  for (const ActionInfo& a : kActions) e[a.action] = counts[a.action] * a.price(arch);
  return e;
}

std::string energySummaryUj(const EnergyBreakdown& e) {
  std::string out = "energy by component (uJ):";
  for (const ActionInfo& a : kActions)
    out += fmt::format("{} {} {:.1f}", a.action == kActions.front().action ? "" : ",", a.label,
                       e[a.action] / 1e6);
  return out;
}

}  // namespace xbar::arch
