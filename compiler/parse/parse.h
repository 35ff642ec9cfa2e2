// Parse: policy text -> AST. The only phase that includes ANTLR headers (in parse.cpp).
#pragma once

#include <memory>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostics.h"

namespace polc {

// Limits that keep hostile input from exhausting memory or the stack.
struct ParseLimits {
  size_t max_file_bytes = 4u << 20;
  size_t max_nesting = 100;          // brackets and runs of prefix operators
  size_t max_decl_tokens = 20000;    // tokens in one declaration
};

// Parses one policy file. Reports every syntax error into `sink`; returns the AST, or
// null when the text could not be parsed.
std::unique_ptr<ast::Module> Parse(const SourceFile& file, DiagnosticSink& sink,
                                   const ParseLimits& limits = {});

}  // namespace polc
