// Published figures the reports set beside xbar's own: the COMPASS partitioner paper
// (Park et al., "COMPASS: A Compiler Framework for Resource-Constrained Crossbar-Array Based
// In-Memory Deep Learning Accelerators", DATE 2025), as quoted in issue 3.
#pragma once

#include <map>
#include <string>

namespace xbar::report {

struct CompassPaperRatios {
  double throughputOverGreedy;     // compass throughput / greedy throughput, geomean
  double throughputOverLayerwise;  // compass / layerwise
};

// Per network (torchvision names), geomean over chips S, M, L and batches 1 to 16.
inline const std::map<std::string, CompassPaperRatios>& compassPaperThroughput() {
  static const std::map<std::string, CompassPaperRatios> ratios = {
      {"vgg16", {1.80, 1.56}}, {"resnet18", {1.71, 1.31}}, {"squeezenet1_1", {2.24, 1.98}}};
  return ratios;
}

// Over all networks: throughput compass/layerwise, and EDP greedy/compass and
// layerwise/compass (each partitioner optimising EDP).
inline constexpr double kCompassPaperThroughputOverLayerwise = 1.78;
inline constexpr double kCompassPaperEdpGreedyOverCompass = 1.28;
inline constexpr double kCompassPaperEdpLayerwiseOverCompass = 2.08;

}  // namespace xbar::report
