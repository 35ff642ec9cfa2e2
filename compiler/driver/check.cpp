// `polc check FILE...`: compiles each policy and reports its diagnostics; exit 1 on errors.
#include <iostream>

#include "compiler/driver/commands.h"
#include "compiler/driver/compile.h"

namespace polc::driver {

namespace {

struct CheckOptions {
  std::vector<std::string> files;
  bool quiet = false;
};

int RunCheck(const CheckOptions& options) {
  bool failed = false;
  for (const std::string& file : options.files) {
    auto c = CompileFile(file);
    std::cerr << c->diagnostics.Render();
    if (!c->ok) {
      failed = true;
      std::cerr << fmt::format("{}: {} error{}\n", file, c->diagnostics.ErrorCount(),
                               c->diagnostics.ErrorCount() == 1 ? "" : "s");
      continue;
    }
    if (options.quiet) continue;
    const ir::Program& p = c->program;
    std::cout << fmt::format(
        "{}: ok: \"{}\" ({}, {}): {} enumerations, {} parameters, {} tables, {} brackets, {} rules, "
        "{} accumulators{}\n",
        file, p.header.title, p.header.region, p.header.year, p.enums.size(), p.params.size(),
        p.tables.size(), p.brackets.size(), p.rules.size(), p.accumulators.size(),
        c->diagnostics.WarningCount() ? fmt::format(", {} warnings", c->diagnostics.WarningCount()) : "");
  }
  return failed ? 1 : 0;
}

}  // namespace

void AddCheckCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CheckOptions>();
  CLI::App* cmd = app.add_subcommand("check", "check policy files: names, types, units, tables, cycles");
  cmd->add_option("files", options->files, "policy files")->required()->check(CLI::ExistingFile);
  cmd->add_flag("-q,--quiet", options->quiet, "print only diagnostics");
  cmd->callback([options, &exit_code] { exit_code = RunCheck(*options); });
}

}  // namespace polc::driver
