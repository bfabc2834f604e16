// Partitioners cut the units (in topological order) into consecutive partitions that each
// fit on the chip (docs/design.md §6). One interface, chosen by name: greedy, layerwise, compass,
// optimal.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "xbar/cost/cost_model.h"
#include "xbar/partition/plan.h"

namespace xbar::partition {

struct PartitionerOptions {
  cost::Objective objective = cost::Objective::Throughput;
  uint64_t seed = 1;
  // COMPASS genetic algorithm; defaults are the paper's settings.
  int population = 100;
  int generations = 30;
  int survivors = 20;  // n_sel
  int mutants = 80;    // n_mut
  int patience = 8;    // generations without improvement before the early stop
};

class Partitioner {
 public:
  virtual ~Partitioner() = default;
  virtual std::string_view name() const = 0;
  // Partition ends, ascending, the last equal to the unit count.
  virtual std::vector<int32_t> cut(const cost::CostModel& model,
                                   const PartitionerOptions& options) const = 0;
  Plan run(const cost::CostModel& model, const PartitionerOptions& options) const {
    return makePlan(model, cut(model, options), std::string(name()), options.objective);
  }
};

// Throws InputError listing the known partitioners when `name` is none of them.
std::unique_ptr<Partitioner> makePartitioner(std::string_view name);
std::vector<std::string> partitionerNames();

// The baselines, shared with the GA's first population.
std::vector<int32_t> greedyCuts(const cost::CostModel& model);
std::vector<int32_t> layerwiseCuts(const cost::CostModel& model);

}  // namespace xbar::partition
