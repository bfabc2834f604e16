// How many threads the references' library kernels use. Debian's oneDNN runs on OpenMP, which
// reads OMP_NUM_THREADS once, when the process starts, and then takes every core: two sweep
// points validating side by side would each spin on both cores of this machine (a 5x slowdown
// measured at -j 2). A sweep's point processes call this with their share of the cores.
#pragma once

namespace xbar::reference {

void setComputeThreads(int threads);

}  // namespace xbar::reference
