#include "xbar/reference/compute_threads.h"

#include <omp.h>

#include <algorithm>

namespace xbar::reference {

void setComputeThreads(int threads) {
  omp_set_num_threads(std::max(1, threads));
}

}  // namespace xbar::reference
