// `polc check FILE... [--format text|json]`: compiles each policy and reports its diagnostics;
// exit 1 on errors. JSON is one array of DiagnosticJson objects for all the files.
#include <iostream>

#include "compiler/driver/commands.h"
#include "compiler/driver/compile.h"

namespace polc::driver {

namespace {

struct CheckOptions {
  std::vector<std::string> files;
  bool quiet = false;
  std::string format = "text";
};

int RunCheck(const CheckOptions& options) {
  bool failed = false;
  bool json = options.format == "json";
  std::string objects;
  for (const std::string& file : options.files) {
    auto c = CompileFile(file);
    if (json) {
      std::string these = c->diagnostics.RenderJson();
      if (!objects.empty() && !these.empty()) objects.insert(objects.size() - 1, ",");
      objects += these;
      failed = failed || !c->ok;
      continue;
    }
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
  if (json) std::cout << "[\n" << objects << "]\n";
  return failed ? 1 : 0;
}

}  // namespace

void AddCheckCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CheckOptions>();
  CLI::App* cmd = app.add_subcommand("check", "check policy files: names, types, units, tables, cycles");
  cmd->add_option("files", options->files, "policy files")->required()->check(CLI::ExistingFile);
  cmd->add_flag("-q,--quiet", options->quiet, "print only diagnostics");
  cmd->add_option("--format", options->format,
                  "text (default: diagnostics on stderr, a summary per file on stdout) or json (one "
                  "array on stdout, one object per diagnostic: file, range, severity, kind, message, "
                  "notes, fixits; docs/diagnostics.md)")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->callback([options, &exit_code] { exit_code = RunCheck(*options); });
}

}  // namespace polc::driver
