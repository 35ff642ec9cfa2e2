// Format: a policy file in the canonical form of ast::PrintSource, keeping its `//` comments
// and the blank lines between declarations. Lives in parse/ because it re-lexes the source
// and the printed text (comments never reach the AST).
#pragma once

#include <optional>
#include <string>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostics.h"

namespace polc {

// The canonical text of a parsed module whose source text is `source`: each declaration as
// PrintDecl writes it; at most one blank line between declarations, where the source had one;
// every comment kept. A comment on a line of its own goes before the printed line that holds
// the token it preceded, at that line's indentation; a trailing comment goes at the end of the
// printed line that holds the token it followed. Formatting the result again gives the same text.
std::string FormatModule(const ast::Module& module, const std::string& source);

// Parses `file` and formats it; nullopt (with the syntax errors in `sink`) when it does not parse.
std::optional<std::string> FormatSource(const SourceFile& file, DiagnosticSink& sink);

}  // namespace polc
