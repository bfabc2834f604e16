// libFuzzer target: the .xasm program parser (harness.h).
#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  xbar::fuzz::checkXasm({reinterpret_cast<const char*>(data), size});
  return 0;
}
