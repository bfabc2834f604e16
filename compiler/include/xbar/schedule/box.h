// A box of one sample of a tensor: the elements a step of the walk moves or makes
// (docs/design.md §5). Its bytes follow from it, so the cost model, the program and the
// executor count the same elements.
#pragma once

#include <cstdint>

#include "xbar/schedule/channel_flow.h"

namespace xbar::schedule {

// Channels [firstChannel, endChannel) by positions [firstPosition, endPosition) of a value's
// Extent (NCHW: channels by H x W).
struct Box {
  int64_t firstChannel = 0;
  int64_t endChannel = 0;
  int64_t firstPosition = 0;
  int64_t endPosition = 0;

  static Box channels(int64_t first, int64_t end, const Extent& e) {
    return {first, end, 0, e.positions};
  }
  static Box whole(const Extent& e) { return {0, e.channels, 0, e.positions}; }
  int64_t channelCount() const { return endChannel - firstChannel; }
  int64_t positionCount() const { return endPosition - firstPosition; }
  int64_t elements() const { return channelCount() * positionCount(); }
  bool empty() const { return elements() <= 0; }
  bool operator==(const Box&) const = default;
};

// Tile `tile` of `tiles` of a box: the same channels, a whole cut of its positions; a box of one
// position (a Gemm's vector) is cut by channel instead, so its pieces stream in.
Box tileOf(const Box& whole, int64_t tile, int64_t tiles);

// Bytes tile `tile` of `tiles` of a box moves at `bits` per element: whole cuts of the box's
// bits, so that its tiles add up to exactly the box's bytes (ceil(elements x bits / 8)).
int64_t tileBytes(const Box& whole, int64_t tile, int64_t tiles, int64_t bits);

// Where a piece of `bytes` of box `b` starts in its tensor's sample slot: the byte of its first
// element in NCHW order at `bits` each, moved back where needed so that the piece ends within
// the slot. A box is strided in the slot; its access is timed as one run of its bytes from
// there (an assumption, docs/design.md §5).
int64_t boxOffset(const Extent& e, const Box& b, int64_t bytes, int64_t bits);

// Bytes of the elements from `before` to `done` of a stream cut into pieces at `bits` each:
// whole cuts of its bits, so that the pieces add up to ceil(elements x bits / 8).
int64_t cutBytes(int64_t before, int64_t done, int64_t bits);

// Bytes of a whole sample of a tensor of extent `e` at `bits` per element.
int64_t slotBytes(const Extent& e, int64_t bits);

}  // namespace xbar::schedule
