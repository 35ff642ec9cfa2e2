// Cites checked against the notice they quote: each cite (but `[reading]` ones) must occur in
// the source text, ignoring whitespace and full-width/half-width differences of punctuation,
// with `……` (or `...`) standing for an omitted stretch. A cite that is not found gets a
// CiteNotInSource warning naming the closest passage, so a stale quote is caught after an edit.
#include <algorithm>
#include <filesystem>
#include <set>

#include "compiler/check/check.h"

namespace polc {

namespace {

std::u32string Decode(std::string_view s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    char32_t cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
    for (size_t k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out += cp;
    i += len;
  }
  return out;
}

std::string Encode(const std::u32string& s) {
  std::string out;
  for (char32_t c : s) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// Without whitespace, full-width forms folded to ASCII, Chinese punctuation to its ASCII twin.
std::u32string Normalize(const std::u32string& s) {
  std::u32string out;
  for (char32_t c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x3000 || c == 0xA0) continue;
    if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;
    else if (c == 0x3002) c = '.';
    else if (c == 0x3001) c = ',';
    else if (c == 0x201C || c == 0x201D) c = '"';
    else if (c == 0x2018 || c == 0x2019) c = '\'';
    out += c;
  }
  return out;
}

// The cite's pieces between gaps (`……`, `…`, `...`), each normalised.
std::vector<std::u32string> Pieces(const std::u32string& cite) {
  std::vector<std::u32string> pieces(1);
  for (size_t i = 0; i < cite.size(); ++i) {
    bool gap = cite[i] == 0x2026 || (cite[i] == '.' && i + 2 < cite.size() && cite[i + 1] == '.' && cite[i + 2] == '.');
    if (gap) {
      while (i + 1 < cite.size() && (cite[i + 1] == 0x2026 || cite[i + 1] == '.')) ++i;
      pieces.emplace_back();
    } else {
      pieces.back() += cite[i];
    }
  }
  std::vector<std::u32string> out;
  for (const auto& p : pieces) {
    std::u32string n = Normalize(p);
    if (!n.empty()) out.push_back(n);
  }
  return out;
}

bool Found(const std::vector<std::u32string>& pieces, const std::u32string& source) {
  size_t at = 0;
  for (const auto& p : pieces) {
    auto it = std::search(source.begin() + static_cast<long>(at), source.end(), p.begin(), p.end());
    if (it == source.end()) return false;
    at = static_cast<size_t>(it - source.begin()) + p.size();
  }
  return true;
}

// The source line sharing the most character pairs with the cite.
std::string Closest(const std::u32string& cite, const std::string& source) {
  std::u32string n = Normalize(cite);
  std::set<std::u32string> pairs;
  for (size_t i = 0; i + 1 < n.size(); ++i) pairs.insert(n.substr(i, 2));
  std::string best;
  size_t best_score = 0;
  size_t start = 0;
  while (start < source.size()) {
    size_t nl = source.find('\n', start);
    std::string line = source.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    start = nl == std::string::npos ? source.size() : nl + 1;
    std::u32string l = Normalize(Decode(line));
    size_t score = 0;
    std::set<std::u32string> seen;
    for (size_t i = 0; i + 1 < l.size(); ++i)
      if (pairs.count(l.substr(i, 2)) && seen.insert(l.substr(i, 2)).second) ++score;
    if (score > best_score) {
      best_score = score;
      best = line;
    }
  }
  std::u32string shown = Decode(best);
  size_t first = shown.find_first_not_of(U" \t\u3000");
  shown = first == std::u32string::npos ? U"" : shown.substr(first);
  if (shown.size() > 60) shown = shown.substr(0, 57) + U"...";
  return Encode(shown);
}

}  // namespace

void CheckCites(const ast::Module& module, const std::string& source_name, const std::string& source_text,
                DiagnosticSink& sink) {
  std::u32string source = Normalize(Decode(source_text));
  auto check = [&](const std::optional<ast::Cite>& cite) {
    if (!cite || cite->text.rfind("[reading]", 0) == 0) return;
    std::u32string text = Decode(cite->text);
    std::vector<std::u32string> pieces = Pieces(text);
    if (pieces.empty() || Found(pieces, source)) return;
    std::string closest = Closest(text, source_text);
    sink.Report(DiagKind::CiteNotInSource, module.file, cite->range, "this cite is not found in {}{}", source_name,
                closest.empty() ? std::string() : "; the closest passage: \"" + closest + "\"");
  };
  for (const auto& d : module.decls) {
    check(d->cite);
    if (d->kind == ast::DeclKind::Rule)
      for (const auto& ex : static_cast<const ast::RuleDecl&>(*d).exceptions) check(ex.cite);
    if (d->kind == ast::DeclKind::Table)
      for (const auto& row : static_cast<const ast::TableDecl&>(*d).rows) check(row.cite);
  }
}

std::string CiteSourceFile(const std::string& header_source, const std::string& base_dir) {
  namespace fs = std::filesystem;
  if (header_source.empty() || header_source.size() > 4096) return "";
  std::error_code ec;
  fs::path path = fs::path(header_source);
  if (path.is_relative()) path = fs::path(base_dir) / path;
  return fs::is_regular_file(path, ec) ? path.lexically_normal().string() : "";
}

}  // namespace polc
