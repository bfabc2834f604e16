// NumPy .npy files of float32 (and float64, read as float) in C order: what PyTorch's exports
// and users' dumps hold, and what `xbar validate --save-outputs` writes. xtensor's xnpy
// (libxtensor-dev) reads .npy too, but would bring a tensor library in for one function and
// xbar's one-line errors would have to be rebuilt around its exceptions; the part of the
// format xbar needs is small (versions 1.0-3.0, little-endian '<f4' / '<f8', and '<i4' /
// '<i8' for labels, all read as float; fortran_order False). Anything else is refused with a line
// naming the file and what was expected.
#pragma once

#include <filesystem>

#include "xbar/reference/tensor.h"

namespace xbar::reference {

Tensor readNpy(const std::filesystem::path& path);
// Writes '<f4' format 1.0, atomically.
void writeNpy(const std::filesystem::path& path, const Tensor& tensor);

}  // namespace xbar::reference
