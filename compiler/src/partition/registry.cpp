#include <fmt/format.h>

#include "xbar/partition/partitioner.h"
#include "xbar/support/error.h"

namespace xbar::partition {

std::unique_ptr<Partitioner> makeGreedy();
std::unique_ptr<Partitioner> makeLayerwise();
std::unique_ptr<Partitioner> makeCompass();
std::unique_ptr<Partitioner> makeOptimal();

std::vector<std::string> partitionerNames() {
  return {"greedy", "layerwise", "compass", "optimal"};
}

std::unique_ptr<Partitioner> makePartitioner(std::string_view name) {
  if (name == "greedy") return makeGreedy();
  if (name == "layerwise") return makeLayerwise();
  if (name == "compass") return makeCompass();
  if (name == "optimal") return makeOptimal();
  failInput("--partitioner " + std::string(name), "unknown partitioner; expected one of {}",
            fmt::join(partitionerNames(), ", "));
}

}  // namespace xbar::partition
