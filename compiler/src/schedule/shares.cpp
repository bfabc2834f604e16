#include "xbar/schedule/shares.h"

#include <algorithm>
#include <cmath>

namespace xbar::schedule {

int64_t wholeBytes(double bytes) {
  return static_cast<int64_t>(std::ceil(bytes - 1e-9));
}

Shares completeShares(const std::vector<LayerOnCore>& cores, const OutputSplit& split) {
  const double whole = split.here + split.before;
  Shares shares;
  shares.reserve(cores.size());
  for (const LayerOnCore& h : cores) shares.push_back(h.outputShare / whole);
  shares.front() += split.before / whole;
  return shares;
}

Shares partialShares(const std::vector<LayerOnCore>& cores, const OutputSplit& split) {
  Shares shares;
  shares.reserve(cores.size());
  for (const LayerOnCore& h : cores) shares.push_back(h.outputShare / split.here);
  return shares;
}

Slices sliceBytes(int64_t total, const Shares& shares) {
  Slices slices;
  slices.reserve(shares.size());
  double cumulative = 0;
  int64_t offset = 0;
  for (size_t i = 0; i < shares.size(); ++i) {
    cumulative += shares[i];
    const int64_t end =
        i + 1 == shares.size()
            ? total
            : std::clamp<int64_t>(std::llround(cumulative * static_cast<double>(total)), offset,
                                  total);
    slices.push_back(end - offset);
    offset = end;
  }
  return slices;
}

int64_t proportionalCut(int64_t total, int64_t done, int64_t of) {
  if (done >= of) return total;
  // long double: total (up to 2^48) x done would overflow int64.
  return static_cast<int64_t>(
      std::floor(static_cast<long double>(total) * static_cast<long double>(done) /
                 static_cast<long double>(of)));
}

}  // namespace xbar::schedule
