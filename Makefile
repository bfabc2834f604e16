# The two commands a user needs (README.md): `make demo` and `make test`. Everything is
# incremental: bootstrap checks before installing, CMake rebuilds what changed, and the
# torchvision exports are cached in the build tree.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 30
JOBS       ?= 2
DEMO_OUT   ?= out/demo
CMAKE_FLAGS ?=

.PHONY: all bootstrap configure build test test-sanitizers fuzz demo bench clean

all: build

bootstrap:
	@bash tools/bootstrap.sh

configure: bootstrap
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# Unit and integration tests, then the unit and executor tests again under AddressSanitizer and
# UndefinedBehaviorSanitizer (a second build directory), then every parser's fuzzer for
# FUZZ_SECONDS each (a third, built with clang).
test: build
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory test-sanitizers
	@$(MAKE) --no-print-directory fuzz

test-sanitizers: bootstrap
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DXBAR_SANITIZE=ON \
	  -DXBAR_EXPORT_WORKLOADS=OFF >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS) --target xbar_unit_tests xbar_execute_tests
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_BUILD) -L unit --output-on-failure -j $(JOBS)

# libFuzzer targets for the ONNX loader, the arch YAML loader with -p overrides, the .xasm
# loader and the sweep-file loader, under ASan and UBSan (tools/run-fuzzers.sh).
fuzz: bootstrap
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 \
	  -DCMAKE_CXX_COMPILER=clang++-14 -DXBAR_FUZZ=ON -DXBAR_BUILD_TESTS=OFF \
	  -DXBAR_EXPORT_WORKLOADS=OFF >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target xbar_fuzz_targets
	@bash tools/run-fuzzers.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

demo: build
	@cmake --build $(BUILD) --target export_demo
	@$(BUILD)/bin/xbar compile $(BUILD)/workloads/resnet18.onnx --arch compass-sram-m --map-only \
	  --json $(DEMO_OUT)/mapping.json
	@echo
	@$(BUILD)/bin/xbar compile $(BUILD)/workloads/resnet18.onnx --arch compass-sram-m \
	  --partitioner compass --batch 16 -o $(DEMO_OUT)
	@echo
	@$(BUILD)/bin/xbar run $(BUILD)/workloads/resnet18.onnx --arch compass-sram-m \
	  --partitioner compass --batch 16 -o $(DEMO_OUT) --trace $(DEMO_OUT)/trace.json
	@echo
	@$(BUILD)/bin/xbar report $(DEMO_OUT)
	@echo "demo output: $(DEMO_OUT)/ (mapping.json, plan.json, program.xasm, stats.json, trace.json)"
	@echo "open the report: $(DEMO_OUT)/index.html"

bench: build
	@cmake --build $(BUILD) --target export_full export_digits xbar_bench xbar_sim_bench \
	  xbar_numerics_bench
	@$(BUILD)/bin/xbar_bench $(BUILD)/workloads
	@echo
	@$(BUILD)/bin/xbar_sim_bench $(BUILD)/workloads
	@echo
	@$(BUILD)/bin/xbar_numerics_bench $(BUILD)/workloads
	@echo
	@bash tools/bench/sweep_bench.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) out
