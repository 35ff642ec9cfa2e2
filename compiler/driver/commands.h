// The `polc` subcommands. Each Add*Command registers a CLI11 subcommand whose callback
// stores the command's exit code into `exit_code`.
#pragma once

#include <CLI/CLI.hpp>

namespace polc::driver {

void AddCheckCommand(CLI::App& app, int& exit_code);    // check.cpp
void AddFmtCommand(CLI::App& app, int& exit_code);      // fmt.cpp
void AddRunCommand(CLI::App& app, int& exit_code);      // run.cpp
void AddExplainCommand(CLI::App& app, int& exit_code);  // explain.cpp
void AddTestCommand(CLI::App& app, int& exit_code);     // test.cpp
void AddSummaryCommand(CLI::App& app, int& exit_code);  // summary.cpp: the README's main job
void AddDiffCommand(CLI::App& app, int& exit_code);     // diff.cpp
void AddMergeCommand(CLI::App& app, int& exit_code);    // merge.cpp: joins run --shard outputs
void AddLspCommand(CLI::App& app, int& exit_code);      // lsp.cpp

// The --help text every command shares (the persons/claims files, the exit codes); call after
// the commands are added.
void ApplySharedHelp(CLI::App& app);  // help.cpp

// The version `polc --version` prints.
extern const char* const kVersion;  // help.cpp

// `polc --emit=ast|ir|llvm FILE`: prints a stage of the pipeline (llvm: after the -O2
// pipeline, or the unoptimized one). Returns the exit code.
int Emit(const std::string& stage, const std::string& file, bool optimize);  // emit.cpp

}  // namespace polc::driver
