// polc: the command line. Each subcommand lives in compiler/driver/.
#include <iostream>

#include "compiler/driver/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"polc: compiler and interpreter for annual public medical-insurance policies"};
  app.require_subcommand(0, 1);
  int exit_code = 0;
  std::string emit, emit_file;
  bool no_opt = false;
  app.add_option("--emit", emit, "print a stage of the pipeline for FILE: ast, ir, llvm")
      ->check(CLI::IsMember({"ast", "ir", "llvm"}));
  app.add_flag("--no-opt", no_opt, "with --emit=llvm: the module of the unoptimized pipeline");
  app.add_option("file", emit_file, "policy file for --emit");
  polc::driver::AddCheckCommand(app, exit_code);
  polc::driver::AddFmtCommand(app, exit_code);
  polc::driver::AddRunCommand(app, exit_code);
  polc::driver::AddExplainCommand(app, exit_code);
  polc::driver::AddTestCommand(app, exit_code);
  polc::driver::AddSummaryCommand(app, exit_code);
  polc::driver::AddDiffCommand(app, exit_code);
  polc::driver::AddMergeCommand(app, exit_code);
  polc::driver::AddLspCommand(app, exit_code);
  polc::driver::ApplySharedHelp(app);
  app.set_version_flag("--version", std::string("polc ") + polc::driver::kVersion);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (app.get_subcommands().empty()) {
    if (emit.empty() || emit_file.empty()) {
      std::cerr << app.help();
      return 2;
    }
    return polc::driver::Emit(emit, emit_file, !no_opt);
  }
  return exit_code;
}
