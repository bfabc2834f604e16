#include "xbar/sim/stats_tree.h"

#include <stdexcept>
#include <string>

namespace xbar::sim {

StatsGroup& StatsGroup::group(const std::string& name) {
  for (auto& [key, g] : groups_)
    if (key == name) return *g;
  groups_.emplace_back(name, std::make_unique<StatsGroup>());
  return *groups_.back().second;
}

void StatsGroup::set(const Quantity& quantity, double value) {
  for (auto& [key, q] : quantities_)
    if (key == quantity.name) {
      q = {value, quantity.unit, quantity.description};
      return;
    }
  quantities_.emplace_back(quantity.name, Value{value, quantity.unit, quantity.description});
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

std::string StatsGroup::describe(const std::string& path) const {
  std::string out;
  for (const auto& [key, q] : quantities_)
    out += path + key + " [" + q.unit + "]: " + q.description + "\n";
  std::string previousSeries;
  for (const auto& [key, g] : groups_) {
    // A series (core0, core1, ...): its members share their quantities.
    const std::string series = key.substr(0, key.find_first_of("0123456789"));
    if (series != key && series == previousSeries) continue;
    previousSeries = series;
    out += g->describe(path + key + "/");
  }
  return out;
}

}  // namespace xbar::sim
