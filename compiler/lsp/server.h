// `polc lsp`: a Language Server Protocol server over stdio (JSON-RPC with Content-Length
// framing). Diagnostics come from the parser and checker (as for `polc check`), formatting from
// compiler/parse/format.h, and hover, definitions, references, completion, symbols and rename
// from the symbol index of compiler/lsp/index.h. docs/editor.md lists what it answers.
#pragma once

#include <string>

namespace polc::lsp {

struct ServerOptions {
  int in_fd = 0;       // where the client's messages come from
  int debounce_ms = 200;  // quiet time after a change before the file is checked again
  std::string version;    // what `initialize` answers as serverInfo.version
};

// Serves until the client's `exit` notification or the end of the input. Returns the exit
// code: 0 after `shutdown` then `exit`, 1 otherwise. Writes to stdout.
int Serve(const ServerOptions& options);

}  // namespace polc::lsp
