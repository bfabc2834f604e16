// The .xasm text form of a Program. Example:
//
//   xasm 1
//   model resnet18
//   arch compass-sram-m 5f2c0d1e9a7b3c44
//   cores 16 crossbars 16
//   batch 16 partitions 7
//   dram weights 2919456 activations 1605632
//
//   core 0
//     BARRIER id=0
//     LD_W dram=0 bytes=4704 xb=0 count=1
//     WR_XB xb=0 count=1 rows=147 cols=256
//     ...
//
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
