#include <iostream>
#include <map>

#include <fmt/format.h>

#include "cli.h"
#include "xbar/codegen/program_text.h"

namespace xbar::cli {

void addDisasmCommand(CLI::App& app, Action& action) {
  auto file = std::make_shared<std::string>();
  CLI::App* cmd =
      app.add_subcommand("disasm", "Check a program (.xasm) and print it with a summary");
  cmd->add_option("program", *file, "Program file")->required();
  cmd->callback([file, &action] {
    action = [file] {
      const codegen::Program program = codegen::loadProgram(*file);
      std::map<std::string_view, size_t> counts;
      for (const auto& stream : program.threads)
        for (const codegen::Instruction& in : stream.code) ++counts[codegen::opcodeName(in.op)];
      std::cout << fmt::format("; {} instructions in {} threads on {} cores:",
                               program.instructionCount(), program.threads.size(), program.cores);
      for (const auto& [name, n] : counts) std::cout << fmt::format(" {} {}", name, n);
      std::cout << "\n" << codegen::writeProgramText(program);
    };
  });
}

}  // namespace xbar::cli
