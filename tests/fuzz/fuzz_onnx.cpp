// libFuzzer target: the ONNX loader and the pipeline behind it (harness.h).
#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  xbar::fuzz::checkOnnx({reinterpret_cast<const char*>(data), size}, XBAR_ARCH_DIR);
  return 0;
}
