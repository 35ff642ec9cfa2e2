// The words every command's --help shares: one description of the persons and claims files,
// and a footer with the command's exit codes. Applied after the commands are registered, so
// each command file keeps only what is its own.
#include <map>

#include "compiler/driver/commands.h"

namespace polc::driver {

namespace {

const char* const kPersons = "persons CSV: one row per person (the policy's `input person` record)";
const char* const kClaims = "claims CSV: one row per claim (the policy's `input claim` record)";

// Exit code 2 is CLI11's for a bad command line, for every command.
const std::map<std::string, std::string>& ExitCodes() {
  static const std::map<std::string, std::string> codes = {
      {"check", "0 no errors (warnings allowed), 1 a policy has errors, 2 bad command line"},
      {"fmt", "0 formatted (with --check: every file canonical), 1 a file does not parse, cannot be "
              "written or (with --check) is not canonical, 2 bad command line"},
      {"run", "0 every claim settled and the results written, 1 an error in the policy, the inputs "
              "or writing, 2 bad command line"},
      {"explain", "0 explained, 1 an error in the policy or the inputs, or no such claim, 2 bad "
                  "command line"},
      {"test", "0 every case passed, 1 a case failed or could not run, 2 bad command line"},
      {"summary", "0 printed, 1 an error in a policy or the inputs, 2 bad command line"},
      {"diff", "0 the policies are the same, 1 they differ, 2 an error or a bad command line"},
      {"merge", "0 merged, 1 an input cannot be read or the shards do not fit together, 2 bad command line"},
      {"lsp", "0 after the client's shutdown and exit, 1 exit without shutdown or a broken stream, "
              "2 bad command line"},
  };
  return codes;
}

}  // namespace

#ifndef POLC_VERSION
#define POLC_VERSION "unknown"
#endif
const char* const kVersion = POLC_VERSION;

void ApplySharedHelp(CLI::App& app) {
  for (CLI::App* cmd : app.get_subcommands({})) {
    if (CLI::Option* o = cmd->get_option_no_throw("--persons")) o->description(kPersons);
    if (CLI::Option* o = cmd->get_option_no_throw("--claims")) o->description(kClaims);
    if (CLI::Option* o = cmd->get_option_no_throw("--out")) o->description("claims results CSV to write: one row per claim");
    if (CLI::Option* o = cmd->get_option_no_throw("--persons-out"))
      o->description("persons results CSV to write: one row per person");
    auto it = ExitCodes().find(cmd->get_name());
    // A command's own footer (test: the layout of a case directory) stays above the codes.
    const std::string own = cmd->get_footer();
    if (it != ExitCodes().end()) cmd->footer((own.empty() ? "" : own + "\n\n") + "exit codes: " + it->second);
  }
  app.footer("exit codes: those of the command; for --emit 0 printed, 1 the policy has errors, "
             "2 bad command line. `polc COMMAND --help` describes each command.");
}

}  // namespace polc::driver
