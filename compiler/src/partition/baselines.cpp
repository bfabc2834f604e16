// The COMPASS paper's baselines.
#include "xbar/partition/partitioner.h"

namespace xbar::partition {

namespace {

// The end itself when [start, end) can be tiled to fit local memory; otherwise the furthest
// end before it that can, at a layer boundary where there is one (a single unit always can).
int32_t fittingEnd(const cost::CostModel& model, int32_t start, int32_t end) {
  if (model.fitsLocalMemory(start, end)) return end;
  const auto& layers = model.layers();
  const auto& units = model.units();
  for (int32_t e = end - 1; e > start; --e) {
    const int32_t layerEnd =
        layers[static_cast<size_t>(units[static_cast<size_t>(e - 1)].layer)].endUnit;
    if (layerEnd == e && model.fitsLocalMemory(start, e)) return e;
  }
  for (int32_t e = end - 1; e > start; --e)
    if (model.fitsLocalMemory(start, e)) return e;
  return start + 1;
}

}  // namespace

// Packs as many consecutive whole layers as fit (the chip's crossbars, then local memory); a
// layer larger than the chip is cut into chip-sized runs of its units, and the layers after it
// join its last run while they fit.
std::vector<int32_t> greedyCuts(const cost::CostModel& model) {
  std::vector<int32_t> ends;
  const auto& layers = model.layers();
  const auto& units = model.units();
  for (int32_t start = 0; start < model.unitCount();) {
    int32_t end = start;
    while (end < model.unitCount()) {
      const int32_t layerEnd =
          layers[static_cast<size_t>(units[static_cast<size_t>(end)].layer)].endUnit;
      if (layerEnd > model.maxEnd(start)) break;
      end = layerEnd;
    }
    if (end == start) end = model.maxEnd(start);
    end = fittingEnd(model, start, end);
    ends.push_back(end);
    start = end;
  }
  return ends;
}

// One matrix layer (with the ops that follow it) per partition; a layer larger than the chip
// takes as many chip-sized partitions as it needs.
std::vector<int32_t> layerwiseCuts(const cost::CostModel& model) {
  std::vector<int32_t> ends;
  for (int32_t start = 0; start < model.unitCount();) {
    const int32_t layerEnd =
        model.layers()[static_cast<size_t>(model.units()[static_cast<size_t>(start)].layer)]
            .endUnit;
    const int32_t end = fittingEnd(model, start, std::min(layerEnd, model.maxEnd(start)));
    ends.push_back(end);
    start = end;
  }
  return ends;
}

namespace {

class Greedy final : public Partitioner {
 public:
  std::string_view name() const override { return "greedy"; }
  std::vector<int32_t> cut(const cost::CostModel& model, const PartitionerOptions&) const override {
    return greedyCuts(model);
  }
};

class Layerwise final : public Partitioner {
 public:
  std::string_view name() const override { return "layerwise"; }
  std::vector<int32_t> cut(const cost::CostModel& model, const PartitionerOptions&) const override {
    return layerwiseCuts(model);
  }
};

XBAR_REGISTER_PARTITIONER(Greedy, "greedy",
                          "the paper's baseline: each partition takes as many consecutive units as "
                          "fit the chip");
XBAR_REGISTER_PARTITIONER(Layerwise, "layerwise",
                          "the paper's baseline: one matrix layer per partition (more where one "
                          "layer does not fit)");

}  // namespace

}  // namespace xbar::partition
