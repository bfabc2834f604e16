#include "xbar/schedule/box.h"

#include <algorithm>

#include "xbar/schedule/shares.h"

namespace xbar::schedule {
namespace {

int64_t ceilBytes(int64_t elements, int64_t bits) {
  return (elements * bits + 7) / 8;
}

}  // namespace

Box tileOf(const Box& whole, int64_t tile, int64_t tiles) {
  const int64_t p = whole.positionCount();
  if (p == 1) {  // one vector (a Gemm's): its elements stream in by channel
    const int64_t c = whole.channelCount();
    return {whole.firstChannel + proportionalCut(c, tile, tiles),
            whole.firstChannel + proportionalCut(c, tile + 1, tiles), whole.firstPosition,
            whole.endPosition};
  }
  return {whole.firstChannel, whole.endChannel,
          whole.firstPosition + proportionalCut(p, tile, tiles),
          whole.firstPosition + proportionalCut(p, tile + 1, tiles)};
}

int64_t tileBytes(const Box& whole, int64_t tile, int64_t tiles, int64_t bits) {
  const int64_t c = whole.channelCount();
  const int64_t p = whole.positionCount();
  if (p == 1)
    return cutBytes(proportionalCut(c, tile, tiles), proportionalCut(c, tile + 1, tiles), bits);
  return cutBytes(c * proportionalCut(p, tile, tiles), c * proportionalCut(p, tile + 1, tiles),
                  bits);
}

int64_t boxOffset(const Extent& e, const Box& b, int64_t bytes, int64_t bits) {
  const int64_t first = (b.firstChannel * e.positions + b.firstPosition) * bits / 8;
  return std::max<int64_t>(0, std::min(first, slotBytes(e, bits) - bytes));
}

int64_t cutBytes(int64_t before, int64_t done, int64_t bits) {
  return ceilBytes(done, bits) - ceilBytes(before, bits);
}

int64_t slotBytes(const Extent& e, int64_t bits) {
  return ceilBytes(e.elements(), bits);
}

}  // namespace xbar::schedule
