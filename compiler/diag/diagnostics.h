// Diagnostics as data: a registry of kinds, a sink that collects them, and the renderer
// (`file:line:col: error: message [Kind]`, the source line and a caret under the range).
#pragma once

#include <fmt/format.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diag/source.h"

namespace polc {

enum class Severity { Warning, Error };

enum class DiagKind {
#define DIAG(name, severity, summary) name,
#include "compiler/diag/kinds.def"
#undef DIAG
};

struct DiagKindInfo {
  DiagKind kind;
  std::string_view name;
  Severity severity;
  std::string_view summary;
};

const std::vector<DiagKindInfo>& AllDiagKinds();
const DiagKindInfo& InfoOf(DiagKind kind);

// More about a diagnostic at another place (where a name is defined, the other operand).
struct DiagNote {
  SourceRange range;
  std::string message;
};

// A mechanical repair: replace the text of `range` by `replacement`.
struct FixIt {
  SourceRange range;
  std::string replacement;
};

struct Diagnostic {
  DiagKind kind;
  std::string file;
  SourceRange range;
  std::string message;
  std::vector<DiagNote> notes;
  std::vector<FixIt> fixits;
  Severity severity() const { return InfoOf(kind).severity; }
};

// One diagnostic as a JSON object on one line: file, range (1-based lines and code-point
// columns, end exclusive), severity, kind, message, notes, fixits (docs/diagnostics.md).
std::string DiagnosticJson(const Diagnostic& d);

// Collects the diagnostics of one compilation. Phases report into it and keep going,
// so a run shows every error of a file at once.
class DiagnosticSink {
 public:
  // Returns the new diagnostic, to add notes and fix-its to (valid until the next Report).
  Diagnostic& Report(DiagKind kind, const std::string& file, SourceRange range, std::string message);
  template <typename... Args>
  Diagnostic& Report(DiagKind kind, const std::string& file, SourceRange range,
                     fmt::format_string<Args...> format, Args&&... args) {
    return Report(kind, file, range, fmt::format(format, std::forward<Args>(args)...));
  }
  // Makes a file's text available for the source line under each diagnostic.
  void AddSource(const SourceFile* file) { sources_[file->Name()] = file; }

  bool HasErrors() const;
  size_t ErrorCount() const;
  size_t WarningCount() const;
  // Sorted by file, then position; exact duplicates removed.
  std::vector<Diagnostic> Sorted() const;
  const std::vector<Diagnostic>& All() const { return diagnostics_; }
  // The rendered report, with source lines and carets when `with_source`.
  std::string Render(bool with_source = true) const;
  // The sorted diagnostics as DiagnosticJson objects, one a line, each line ending in `separator`
  // but the last.
  std::string RenderJson(const std::string& separator = ",") const;

 private:
  std::vector<Diagnostic> diagnostics_;
  std::map<std::string, const SourceFile*> sources_;
};

}  // namespace polc
