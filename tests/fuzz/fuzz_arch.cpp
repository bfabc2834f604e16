// libFuzzer target: the arch YAML loader with -p overrides (harness.h).
#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  xbar::fuzz::checkArch({reinterpret_cast<const char*>(data), size}, XBAR_ARCH_DIR);
  return 0;
}
