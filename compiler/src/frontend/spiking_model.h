// The spiking-network convention of the ONNX frontend (docs/design.md §9b): a graph of one
// time step with xbar::LIF nodes and the model metadata xbar.snn.timesteps = T. The loader
// unrolls it over time along the batch axis: the step input's batch of 1 becomes T, so every
// matrix layer runs T steps' vectors and each LIF runs its recurrence over that axis. No
// other op mixes the batch axis, so layer by layer over all T steps equals step by step.
#pragma once

#include <cstdint>
#include <string>

#include <onnx/onnx_pb.h>

namespace xbar::frontend {

inline constexpr const char* kTimestepsMetadataKey = "xbar.snn.timesteps";
// The attributes of xbar::LIF, each required (no framework's defaults are taken on trust).
inline constexpr const char* kLifAttributes[] = {"alpha_i", "alpha_v", "beta_i",
                                                 "beta_v",  "beta_b",  "theta"};

// Registers xbar::LIF (domain "xbar", version 1) with ONNX's checker and shape inference:
// the spikes take the synaptic input's shape and type. Once per process.
void registerXbarOps();

// T from the metadata, or 0 when absent. InputError naming the file for a value that is not
// a positive integer, for LIF nodes without it, and for a LIF missing an attribute.
int64_t snnTimesteps(const onnx::ModelProto& model, const std::string& file);

// The skeleton unrolled over T steps: each graph input's first dimension (1: one step of one
// sample) becomes T, and so does each graph output's; intermediate shapes are dropped for
// shape inference to redo.
// `original` names the initializers (the skeleton holds large ones as inputs).
void unrollTime(onnx::ModelProto& skeleton, const onnx::GraphProto& original, int64_t timesteps,
                const std::string& file);

}  // namespace xbar::frontend
