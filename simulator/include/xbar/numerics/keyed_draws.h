// Random draws keyed by position (docs/design.md §9, non-idealities): a draw is a pure function
// of the seed and the position it is for (a weight's row, column and slice; a conversion's
// vector and cycle), by the splitmix64 finalizer, so the same faults and noise come out on
// every platform and in any order of evaluation. std::normal_distribution is not used: its
// sequence differs between standard libraries.
#pragma once

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <numbers>

namespace xbar::numerics {

// The key of a position: the seed mixed with each coordinate in turn.
inline uint64_t drawKey(uint64_t seed, std::initializer_list<uint64_t> coordinates) {
  uint64_t h = seed;
  for (uint64_t c : coordinates) {
    h += 0x9e3779b97f4a7c15ull ^ c;  // splitmix64 (Steele, Lea, Flood 2014)
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
    h ^= h >> 31;
  }
  return h;
}

// Uniform in [0, 1), from the key's top 53 bits.
inline double uniformDraw(uint64_t key) {
  return static_cast<double>(key >> 11) * 0x1p-53;
}

// Standard normal, by Box-Muller from two uniforms derived from the key.
inline double normalDraw(uint64_t key) {
  const double u1 = 1.0 - uniformDraw(drawKey(key, {1}));  // (0, 1]: log is finite
  const double u2 = uniformDraw(drawKey(key, {2}));
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

}  // namespace xbar::numerics
