// `polc fmt FILE... [--check] [--in-place]`: prints policies in canonical form, keeping their
// comments (compiler/parse/format.h). Only parses, so it also works on files that do not check yet.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "compiler/diag/stack.h"
#include "compiler/driver/commands.h"
#include "compiler/parse/format.h"
#include "compiler/parse/parse.h"

namespace polc::driver {

namespace {

struct FmtOptions {
  std::vector<std::string> files;
  bool check = false;
  bool in_place = false;
};

// Writes beside the file, then renames, so an interrupted write never leaves half a policy.
bool Replace(const std::string& path, const std::string& text, std::string& error) {
  std::string temp = path + ".fmt-tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) {
      error = "cannot write " + temp;
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    error = "cannot replace the file: " + ec.message();
    std::filesystem::remove(temp, ec);
    return false;
  }
  return true;
}

// Formats one file; returns false when the command should exit 1 because of it.
bool FormatOne(const std::string& path, const FmtOptions& options, bool several) {
  std::string text, error;
  if (!ReadFile(path, text, error, ParseLimits{}.max_file_bytes)) {
    std::cerr << fmt::format("{}: error: {}\n", path, error);
    return false;
  }
  SourceFile source(path, text);
  DiagnosticSink sink;
  sink.AddSource(&source);
  std::string canonical;
  bool parsed = false;
  // A long operator chain gives a deep AST; printing and freeing it recurse once per level.
  RunOnLargeStack([&] {
    std::optional<std::string> formatted = FormatSource(source, sink);
    if (!formatted) return;
    canonical = std::move(*formatted);
    parsed = true;
  });
  if (!parsed) {
    std::cerr << sink.Render();
    return false;
  }
  if (options.check) {
    if (canonical == text) return true;
    std::cerr << fmt::format("{}: not in canonical form (polc fmt --in-place {} rewrites it)\n", path, path);
    return false;
  }
  if (options.in_place) {
    if (canonical == text) return true;
    if (!Replace(path, canonical, error)) {
      std::cerr << fmt::format("{}: error: {}\n", path, error);
      return false;
    }
    return true;
  }
  if (several) std::cout << fmt::format("// {}\n", path);
  std::cout << canonical;
  return true;
}

int RunFmt(const FmtOptions& options) {
  bool ok = true;
  for (const std::string& file : options.files)
    ok = FormatOne(file, options, options.files.size() > 1) && ok;
  return ok ? 0 : 1;
}

}  // namespace

void AddFmtCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<FmtOptions>();
  CLI::App* cmd = app.add_subcommand(
      "fmt", "print policy files in canonical form, keeping their comments\n"
      "exit codes: 0 done (with --check: every file already canonical), 1 a file does not parse,\n"
      "cannot be written, or (with --check) is not canonical");
  cmd->add_option("files", options->files, "policy files")->required()->check(CLI::ExistingFile);
  CLI::Option* check =
      cmd->add_flag("--check", options->check, "exit 1 when a file is not in canonical form; print nothing");
  cmd->add_flag("--in-place", options->in_place,
                "rewrite each file that is not canonical (through a temporary file and a rename)")
      ->excludes(check);
  cmd->callback([options, &exit_code] { exit_code = RunFmt(*options); });
}

}  // namespace polc::driver
