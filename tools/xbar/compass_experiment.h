// The COMPASS paper's partitioner experiment (DATE 2025): VGG16, ResNet-18 and SqueezeNet
// 1.1 on chips S, M and L at batch 1 to 16 under greedy, layerwise, compass and optimal,
// with the ratios the paper reports. `xbar experiment compass-paper` prints it; the
// integration tests check its invariants.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace xbar::cli {

struct ExperimentPoint {
  std::string network;
  std::string chip;  // s, m, l
  int64_t batch = 1;
  std::string partitioner;
  // Under the throughput objective:
  double throughput = 0;  // samples/s
  int partitions = 0;
  double firstPartitionShare = 0;  // of the batch time
  double weightOverMvmEnergy = 0;  // (DRAM weight load + crossbar write) / (ADC + DAC + read)
  // Under the EDP objective:
  double edp = 0;  // pJ x ns
};

struct ExperimentSpec {
  std::vector<std::string> networks = {"vgg16", "resnet18", "squeezenet1_1"};
  std::vector<std::string> chips = {"s", "m", "l"};
  std::vector<int64_t> batches = {1, 2, 4, 8, 16};
  std::vector<std::string> partitioners = {"greedy", "layerwise", "compass", "optimal"};
};

// `exportDir` holds NETWORK.stripped.onnx (or NETWORK.onnx).
std::vector<ExperimentPoint> runCompassExperiment(const std::filesystem::path& exportDir,
                                                  const std::filesystem::path& archDir,
                                                  const ExperimentSpec& spec = {});

// The table per network, chip and batch, then the averages beside the paper's figures.
std::string formatCompassExperiment(const std::vector<ExperimentPoint>& points);

}  // namespace xbar::cli
