// `polc lsp`: the language server over stdio (compiler/lsp/server.h), for editors.
#include "compiler/driver/commands.h"
#include "compiler/lsp/server.h"

namespace polc::driver {

void AddLspCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<lsp::ServerOptions>();
  CLI::App* cmd = app.add_subcommand(
      "lsp", "serve the Language Server Protocol on stdin/stdout (diagnostics, hover, definitions, references, "
             "completion, symbols, formatting, rename; docs/editor.md)");
  cmd->add_option("--debounce", options->debounce_ms,
                  "milliseconds of quiet after a change before the file is checked again (default 200)")
      ->check(CLI::Range(0, 10000));
  options->version = kVersion;
  cmd->callback([options, &exit_code] { exit_code = lsp::Serve(*options); });
}

}  // namespace polc::driver
