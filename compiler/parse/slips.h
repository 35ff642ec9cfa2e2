// Typing slips the lexer would reject with parser jargon: full-width punctuation (`，`, `：`,
// `％`, ...) and a unit after an amount (`400元`, `15万元`) outside strings and comments.
#pragma once

#include <string>

#include "compiler/diag/diagnostics.h"

namespace polc {

// Reports each slip with a fix-it (FullWidthPunctuation, UnitSuffix) and returns the text with
// them repaired, every character replaced by one (so every line and column stays where it
// was), for the parser to read on; the text unchanged when there is none.
std::string RepairSlips(const SourceFile& file, DiagnosticSink& sink);

}  // namespace polc
