// Statistics as a tree of named groups of quantities with units (DRAMSys style), written as
// JSON: {"group": {"quantity": {"value": 1.5, "unit": "ns"}, "subgroup": {...}}}. Insertion
// order is kept so the same run gives the same bytes.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace xbar::sim {

class StatsGroup {
 public:
  StatsGroup& group(const std::string& name);
  void set(const std::string& name, double value, const std::string& unit);
  double get(const std::string& name) const;  // throws std::out_of_range if absent
  const StatsGroup& child(const std::string& name) const;
  nlohmann::ordered_json toJson() const;

 private:
  struct Quantity {
    double value;
    std::string unit;
  };
  std::vector<std::pair<std::string, Quantity>> quantities_;
  std::vector<std::pair<std::string, std::unique_ptr<StatsGroup>>> groups_;
};

}  // namespace xbar::sim
