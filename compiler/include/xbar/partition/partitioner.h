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

// Partitioners register themselves by name in their own file, one line each:
//   XBAR_REGISTER_PARTITIONER(Greedy, "greedy", "pack as many consecutive units as fit");
// The class must be default-constructible. A new partitioner is a new file; nothing else
// changes.
using PartitionerFactory = std::unique_ptr<Partitioner> (*)();
bool registerPartitioner(std::string_view name, std::string_view description,
                         PartitionerFactory factory);

#define XBAR_REGISTER_PARTITIONER(Class, name, description)                                       \
  [[maybe_unused]] static const bool kRegistered##Class = ::xbar::partition::registerPartitioner( \
      name, description, []() -> std::unique_ptr<::xbar::partition::Partitioner> {                \
        return std::make_unique<Class>();                                                         \
      })

// Throws InputError listing the known partitioners when `name` is none of them.
std::unique_ptr<Partitioner> makePartitioner(std::string_view name);
// The registered names, in alphabetical order, and each one's description.
std::vector<std::string> partitionerNames();
std::string_view partitionerDescription(std::string_view name);

// The baselines, shared with the GA's first population.
std::vector<int32_t> greedyCuts(const cost::CostModel& model);
std::vector<int32_t> layerwiseCuts(const cost::CostModel& model);

}  // namespace xbar::partition
