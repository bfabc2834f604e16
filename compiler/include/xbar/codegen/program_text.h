// The .xasm text form of a Program. Example:
//
//   xasm 3
//   model resnet18
//   arch compass-sram-m 5f2c0d1e9a7b3c44
//   cores 16 crossbars 16
//   batch 16 partitions 7
//   dram weights 2919456 activations 1605632
//
//   core 0                   ; a thread of core 0
//     LD_W dram=0 bytes=4704 xb=0 count=1
//     WR_XB xb=0 count=16 rows=147 cols=256
//     BARRIER id=0
//     LD dram=5839456 bytes=75264
//     SEND peer=1 bytes=10752 tag=1 credits=2
//     ...
//   core 0                   ; another thread of core 0
//     BARRIER id=0
//     RECV peer=3 bytes=50176 tag=0
//     ...
//
// Sections name cores in order; a core repeated is another thread of it.
// `;` starts a comment. Operands are key=value, all required for their opcode, none other.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "xbar/codegen/program.h"

namespace xbar::codegen {

std::string writeProgramText(const Program& program);

// Throws InputError "SOURCE:LINE: ..." for a bad version, opcode, operand or structure.
Program parseProgramText(std::string_view text, const std::string& sourceName);

Program loadProgram(const std::filesystem::path& path);
void saveProgram(const Program& program, const std::filesystem::path& path);

}  // namespace xbar::codegen
