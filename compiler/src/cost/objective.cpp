#include "xbar/cost/objective.h"

#include <array>
#include <string>

#include "xbar/support/error.h"

namespace xbar::cost {
namespace {
constexpr std::array kNames = {std::pair{Objective::Latency, std::string_view("latency")},
                               std::pair{Objective::Throughput, std::string_view("throughput")},
                               std::pair{Objective::Energy, std::string_view("energy")},
                               std::pair{Objective::Edp, std::string_view("edp")}};
}  // namespace

std::string_view objectiveName(Objective objective) {
  for (const auto& [o, name] : kNames)
    if (o == objective) return name;
  return "?";
}

Objective objectiveFromName(std::string_view name) {
  for (const auto& [o, n] : kNames)
    if (n == name) return o;
  failInput("--objective " + std::string(name),
            "unknown objective; expected one of latency, throughput, energy, edp");
}

}  // namespace xbar::cost
