// Statistics as a tree of named groups of quantities (DRAMSys style): each quantity has a name,
// a unit and a one-line description. Each simulator component declares its quantities and
// fills its own group; simulate() assembles the tree. Written as JSON:
// {"group": {"quantity": {"value": 1.5, "unit": "ns"}, "subgroup": {...}}}; the descriptions
// are listed by describe(). Insertion order is kept so the same run gives the same bytes.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace xbar::sim {

// What a statistic is: its name in the tree, its unit and what it counts.
struct Quantity {
  const char* name;
  const char* unit;
  const char* description;
};

class StatsGroup {
 public:
  StatsGroup& group(const std::string& name);
  void set(const Quantity& quantity, double value);
  double get(const std::string& name) const;  // throws std::out_of_range if absent
  const StatsGroup& child(const std::string& name) const;
  nlohmann::ordered_json toJson() const;
  // Every quantity of the tree as "path/name [unit]: description", one per line; the groups
  // of a series (core0, core1, ...) are listed once, as their first.
  std::string describe(const std::string& path = "") const;

 private:
  struct Value {
    double value;
    std::string unit;
    std::string description;
  };
  std::vector<std::pair<std::string, Value>> quantities_;
  std::vector<std::pair<std::string, std::unique_ptr<StatsGroup>>> groups_;
};

}  // namespace xbar::sim
