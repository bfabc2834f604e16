#include "xbar/codegen/codegen.h"
#include "xbar/codegen/program_text.h"
#include "xbar/sim/simulator.h"
#include "xbar/support/error.h"

namespace xbar::sim {

void checkProgram(const codegen::Program& p, const arch::ArchConfig& arch,
                  const std::string& source) {
  const std::string fingerprint = codegen::archFingerprint(arch);
  if (p.archFingerprint != fingerprint)
    failInput(
        source,
        "was built for arch '{}' (fingerprint {}) but the simulated arch '{}' has fingerprint {}; "
        "recompile the model for this arch",
        p.arch, p.archFingerprint, arch.name, fingerprint);
  if (p.cores > arch.chip.cores || p.crossbarsPerCore > arch.core.crossbars)
    failInput(source, "needs {} cores x {} crossbars; the arch has {} x {}", p.cores,
              p.crossbarsPerCore, arch.chip.cores, arch.core.crossbars);
  if (p.threads.empty()) failInput(source, "has no threads; a program runs at least one");
  // Operands are at most 2^48 (program_text.cpp), so these sums cannot overflow.
  const int64_t dramEnd = p.dramWeightBytes + p.dramActivationBytes;
  int32_t previous = 0;
  for (const codegen::Thread& thread : p.threads) {
    const int32_t c = thread.core;
    if (c < previous || c >= p.cores)
      failInput(source, "has a thread on core {} after core {}; expected cores 0 to {} in order", c,
                previous, p.cores - 1);
    previous = c;
    for (size_t i = 0; i < thread.code.size(); ++i) {
      const codegen::Instruction& in = thread.code[i];
      const std::string where =
          fmt::format("{}: core {} instruction {} ({})", source, c, i, codegen::opcodeName(in.op));
      switch (in.op) {
        case codegen::Opcode::LoadWeights:
        case codegen::Opcode::WriteXbar:
        case codegen::Opcode::Mvm:
          if (in.count < 1 || in.xb + in.count > arch.core.crossbars)
            failInput(where, "uses crossbars {} to {} but a core has {}", in.xb,
                      in.xb + in.count - 1, arch.core.crossbars);
          if (in.op != codegen::Opcode::LoadWeights &&
              (in.rows > arch.crossbar.rows || in.cols > arch.crossbar.cols))
            failInput(where, "uses {} rows x {} columns of a {} x {} crossbar", in.rows, in.cols,
                      arch.crossbar.rows, arch.crossbar.cols);
          if (in.op == codegen::Opcode::LoadWeights && in.dram + in.bytes > p.dramWeightBytes)
            failInput(where, "reads DRAM bytes {} to {} beyond the weight segment ({} bytes)",
                      in.dram, in.dram + in.bytes, p.dramWeightBytes);
          break;
        case codegen::Opcode::Load:
        case codegen::Opcode::Store:
          if (in.dram + in.bytes > dramEnd)
            failInput(where, "addresses DRAM bytes {} to {} beyond the program's {} bytes", in.dram,
                      in.dram + in.bytes, dramEnd);
          break;
        case codegen::Opcode::Send:
        case codegen::Opcode::Receive:
          if (in.peer < 0 || in.peer >= p.cores)
            failInput(where, "names peer core {}; expected one of the {} cores", in.peer, p.cores);
          if (in.op == codegen::Opcode::Send && in.credits < 1)
            failInput(where, "SEND with {} credits; expected at least 1", in.credits);
          break;
        case codegen::Opcode::Barrier:
        case codegen::Opcode::Sync:
          if (in.id >= p.partitions)
            failInput(where, "{} {} but the program has {} partitions",
                      in.op == codegen::Opcode::Sync ? "sync" : "barrier", in.id, p.partitions);
          break;
        case codegen::Opcode::Vector:
          break;
      }
    }
  }
}

}  // namespace xbar::sim
