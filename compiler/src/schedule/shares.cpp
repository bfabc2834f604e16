#include "xbar/schedule/shares.h"

#include <cmath>

namespace xbar::schedule {

int64_t wholeBytes(double bytes) {
  return static_cast<int64_t>(std::ceil(bytes - 1e-9));
}

int64_t proportionalCut(int64_t total, int64_t done, int64_t of) {
  if (done >= of) return total;
  // 128-bit integers: total (up to 2^48) x done would overflow int64. Exact, and the walk
  // calls this for every piece of every step (long double took 13 % of compiling the SD UNet).
  if (total >= 0 && done >= 0 && of > 0) {
    __extension__ using Wide = unsigned __int128;
    return static_cast<int64_t>(static_cast<Wide>(total) * static_cast<Wide>(done) /
                                static_cast<Wide>(of));
  }
  return static_cast<int64_t>(
      std::floor(static_cast<long double>(total) * static_cast<long double>(done) /
                 static_cast<long double>(of)));
}

}  // namespace xbar::schedule
