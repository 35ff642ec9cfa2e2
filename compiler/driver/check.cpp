// `polc check FILE... [--format text|json]`: compiles each policy and reports its diagnostics;
// exit 1 on errors. JSON is one array of DiagnosticJson objects for all the files.
#include <filesystem>
#include <iostream>

#include "compiler/check/check.h"

#include "compiler/driver/commands.h"
#include "compiler/driver/compile.h"

namespace polc::driver {

namespace {

struct CheckOptions {
  std::vector<std::string> files;
  bool quiet = false;
  std::string format = "text";
  std::string sources;  // a directory of source notices, NAME.txt for NAME.policy
};

int RunCheck(const CheckOptions& options) {
  bool failed = false;
  bool json = options.format == "json";
  std::string objects;
  for (const std::string& file : options.files) {
    auto c = CompileFile(file);
    if (!options.sources.empty() && c->module) {
      std::string notice = (std::filesystem::path(options.sources) / std::filesystem::path(file).stem()).string() + ".txt";
      std::string text, error;
      if (ReadFile(notice, text, error))
        CheckCites(*c->module, notice, text, c->diagnostics);
      else  // said, not skipped in silence: the cites of this file were not checked
        std::cerr << fmt::format("{}: warning: cites not checked: {}\n", file, error);
    }
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
  cmd->add_option("--sources", options->sources,
                  "a directory of source notices: the cites of NAME.policy are checked against NAME.txt there "
                  "(CiteNotInSource warnings; without it, against the file the header's `source` names, if any)")
      ->check(CLI::ExistingDirectory);
  cmd->callback([options, &exit_code] { exit_code = RunCheck(*options); });
}

}  // namespace polc::driver
