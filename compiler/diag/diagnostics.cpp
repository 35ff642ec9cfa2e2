// Diagnostic registry, collection and rendering.
#include "compiler/diag/diagnostics.h"

#include <algorithm>
#include <tuple>

#include "runtime/json.h"

namespace polc {

const std::vector<DiagKindInfo>& AllDiagKinds() {
  static const std::vector<DiagKindInfo> kinds = {
#define DIAG(name, severity, summary) {DiagKind::name, #name, Severity::severity, summary},
#include "compiler/diag/kinds.def"
#undef DIAG
  };
  return kinds;
}

const DiagKindInfo& InfoOf(DiagKind kind) { return AllDiagKinds()[static_cast<size_t>(kind)]; }

Diagnostic& DiagnosticSink::Report(DiagKind kind, const std::string& file, SourceRange range,
                                   std::string message) {
  diagnostics_.push_back({kind, file, range, std::move(message), {}, {}});
  return diagnostics_.back();
}

bool DiagnosticSink::HasErrors() const { return ErrorCount() > 0; }

size_t DiagnosticSink::ErrorCount() const {
  return std::count_if(diagnostics_.begin(), diagnostics_.end(),
                       [](const Diagnostic& d) { return d.severity() == Severity::Error; });
}

size_t DiagnosticSink::WarningCount() const { return diagnostics_.size() - ErrorCount(); }

std::vector<Diagnostic> DiagnosticSink::Sorted() const {
  std::vector<Diagnostic> sorted = diagnostics_;
  auto key = [](const Diagnostic& d) {
    return std::tie(d.file, d.range.begin_line, d.range.begin_col, d.message);
  };
  std::stable_sort(sorted.begin(), sorted.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
  sorted.erase(std::unique(sorted.begin(), sorted.end(),
                           [&](const Diagnostic& a, const Diagnostic& b) {
                             return key(a) == key(b) && a.kind == b.kind;
                           }),
               sorted.end());
  return sorted;
}

namespace {

// Display columns of a UTF-8 prefix: CJK and full-width characters take two cells.
size_t DisplayWidth(std::string_view line, uint32_t code_points) {
  size_t width = 0, i = 0;
  for (uint32_t n = 0; n < code_points && i < line.size(); ++n) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    width += (len >= 3) ? 2 : 1;
    if (line[i] == '\t') width += 0;
    i += len;
  }
  return width;
}

}  // namespace

std::string DiagnosticSink::Render(bool with_source) const {
  std::string out;
  for (const Diagnostic& d : Sorted()) {
    const char* severity = d.severity() == Severity::Error ? "error" : "warning";
    if (d.range.Valid())
      out += fmt::format("{}:{}:{}: {}: {} [{}]\n", d.file, d.range.begin_line, d.range.begin_col,
                         severity, d.message, InfoOf(d.kind).name);
    else
      out += fmt::format("{}: {}: {} [{}]\n", d.file, severity, d.message, InfoOf(d.kind).name);
    auto it = sources_.find(d.file);
    // Notes and fix-its follow the source line and caret, or the message line when there is none.
    auto extras = [&] {
      std::string more;
      for (const DiagNote& n : d.notes)
        more += n.range.Valid() ? fmt::format("{}:{}:{}: note: {}\n", d.file, n.range.begin_line, n.range.begin_col, n.message)
                                : fmt::format("{}: note: {}\n", d.file, n.message);
      for (const FixIt& f : d.fixits)
        more += fmt::format("{}:{}:{}: fix-it: replace with '{}'\n", d.file, f.range.begin_line, f.range.begin_col,
                            f.replacement);
      return more;
    };
    if (!with_source || it == sources_.end() || !d.range.Valid()) {
      out += extras();
      continue;
    }
    std::string_view line = it->second->Line(d.range.begin_line);
    if (line.size() > 300) {  // a caret under a huge line helps nobody
      out += extras();
      continue;
    }
    out += fmt::format("  {}\n", line);
    size_t start = DisplayWidth(line, d.range.begin_col - 1);
    size_t end = d.range.end_line == d.range.begin_line && d.range.end_col > d.range.begin_col
                     ? DisplayWidth(line, d.range.end_col - 1)
                     : start + 1;
    std::string caret(2 + start, ' ');
    for (size_t k = start; k < std::max(end, start + 1); ++k) caret += k == start ? '^' : '~';
    out += caret + "\n" + extras();
  }
  return out;
}

namespace {

std::string RangeJson(const SourceRange& r) {
  return fmt::format(R"({{"start":{{"line":{},"column":{}}},"end":{{"line":{},"column":{}}}}})", r.begin_line,
                     r.begin_col, r.end_line, r.end_col);
}

}  // namespace

std::string DiagnosticJson(const Diagnostic& d) {
  std::string notes, fixits;
  for (const DiagNote& n : d.notes)
    notes += fmt::format("{}{{\"range\":{},\"message\":{}}}", notes.empty() ? "" : ",", RangeJson(n.range),
                         rt::JsonQuote(n.message));
  for (const FixIt& f : d.fixits)
    fixits += fmt::format("{}{{\"range\":{},\"replacement\":{}}}", fixits.empty() ? "" : ",",
                          RangeJson(f.range), rt::JsonQuote(f.replacement));
  return fmt::format(
      "{{\"file\":{},\"range\":{},\"severity\":\"{}\",\"kind\":\"{}\",\"message\":{},\"notes\":[{}],"
      "\"fixits\":[{}]}}",
      rt::JsonQuote(d.file), RangeJson(d.range), d.severity() == Severity::Error ? "error" : "warning",
      InfoOf(d.kind).name, rt::JsonQuote(d.message), notes, fixits);
}

std::string DiagnosticSink::RenderJson(const std::string& separator) const {
  std::string out;
  std::vector<Diagnostic> sorted = Sorted();
  for (size_t i = 0; i < sorted.size(); ++i)
    out += DiagnosticJson(sorted[i]) + (i + 1 < sorted.size() ? separator : "") + "\n";
  return out;
}

}  // namespace polc
