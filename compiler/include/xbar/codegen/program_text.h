// The .xasm text form of a Program. Example:
//
//   xasm 4
//   model resnet18
//   arch compass-sram-m 5f2c0d1e9a7b3c44
//   cores 16 crossbars 16
//   batch 16 partitions 7
//   dram weights 2919456 activations 1605632
//   segment w0 dram=0 bytes=4704        ; unit 0's weights
//   segment v0 dram=2919456 bytes=150528 ; value 0, per sample
//
//   core 0                   ; a thread of core 0
//     LD_W dram=0 bytes=4704 xb=0 count=1 unit=0
//     WR_XB xb=0 count=16 rows=147 cols=256 unit=0 copy=0 copies=16
//     BARRIER id=0
//     LD dram=2919456 bytes=75264 data=v0/b0/c0:3/p0:25088
//     SEND peer=1 bytes=10752 tag=1 credits=2 data=v0/b0/c0:3/p0:3584
//     ...
//   core 0                   ; another thread of core 0
//     BARRIER id=0
//     RECV peer=3 bytes=50176 tag=0 data=v5/b0/c0:64/p0:784
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

// An instruction's data operand as the text form writes it (v12/b0/c0:64/p0:3136, w7).
std::string dataText(const DataRef& data);

// Throws InputError "SOURCE:LINE: ..." for a bad version, opcode, operand or structure.
Program parseProgramText(std::string_view text, const std::string& sourceName);

Program loadProgram(const std::filesystem::path& path);
void saveProgram(const Program& program, const std::filesystem::path& path);

}  // namespace xbar::codegen
