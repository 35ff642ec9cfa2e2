// The language server's answers to requests on one document (hover, definition, references,
// completion, document symbols, formatting, rename), separate from the JSON-RPC loop.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "compiler/ast/ast.h"
#include "compiler/diag/source.h"
#include "compiler/lsp/index.h"

namespace polc::lsp {

using Json = nlohmann::json;

struct Document {
  std::string uri, path, text;
  long version = 0;
  // The last text that parsed, its AST and index: requests keep working while an edit is
  // half-typed. Positions of `parsed` are what the index's ranges refer to.
  std::unique_ptr<SourceFile> parsed;
  std::unique_ptr<ast::Module> module;
  std::unique_ptr<Index> index;
  bool dirty = true;  // changed since its diagnostics were last published
};

// LSP positions are 0-based lines and UTF-16 code units; ours 1-based lines and code points.
Json ToLsp(const SourceFile& file, const SourceRange& range);
// The 1-based line and code-point column of an LSP position.
std::pair<uint32_t, uint32_t> FromLsp(const SourceFile& file, const Json& position);

Json Hover(const Document& doc, const Json& params);
Json GoToDefinition(const Document& doc, const Json& params);
Json References(const Document& doc, const Json& params);
Json Completion(const Document& doc, const Json& params);
Json DocumentSymbols(const Document& doc);
Json Formatting(const Document& doc);
// A WorkspaceEdit, or a string: why the rename is refused.
Json Rename(const Document& doc, const Json& params);

}  // namespace polc::lsp
