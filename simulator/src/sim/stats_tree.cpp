#include "xbar/sim/stats_tree.h"

#include <stdexcept>

namespace xbar::sim {

StatsGroup& StatsGroup::group(const std::string& name) {
  for (auto& [key, g] : groups_)
    if (key == name) return *g;
  groups_.emplace_back(name, std::make_unique<StatsGroup>());
  return *groups_.back().second;
}

void StatsGroup::set(const std::string& name, double value, const std::string& unit) {
  for (auto& [key, q] : quantities_)
    if (key == name) {
      q = {value, unit};
      return;
    }
  quantities_.emplace_back(name, Quantity{value, unit});
}

double StatsGroup::get(const std::string& name) const {
  for (const auto& [key, q] : quantities_)
    if (key == name) return q.value;
  throw std::out_of_range("no statistic " + name);
}

const StatsGroup& StatsGroup::child(const std::string& name) const {
  for (const auto& [key, g] : groups_)
    if (key == name) return *g;
  throw std::out_of_range("no statistics group " + name);
}

nlohmann::ordered_json StatsGroup::toJson() const {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [key, q] : quantities_) out[key] = {{"value", q.value}, {"unit", q.unit}};
  for (const auto& [key, g] : groups_) out[key] = g->toJson();
  return out;
}

}  // namespace xbar::sim
