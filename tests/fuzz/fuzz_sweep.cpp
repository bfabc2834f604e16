// libFuzzer target: the sweep-file loader (harness.h).
#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  xbar::fuzz::checkSweep({reinterpret_cast<const char*>(data), size}, XBAR_ARCH_DIR, XBAR_TINY_DIR);
  return 0;
}
