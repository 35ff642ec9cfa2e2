// Format: canonical printing that keeps comments. The AST has no comments, so each one is
// anchored to a code token of the source (the token it follows on its line, or the token it
// precedes), the source tokens of each declaration are aligned with the tokens of its printed
// form, and the comment is put back beside the printed token its anchor aligned with.
#include "compiler/parse/format.h"

#include "PolicyLexer.h"
#include "antlr4-runtime.h"
#include "compiler/ast/print.h"
#include "compiler/parse/parse.h"

namespace polc {
namespace {

struct Tok {
  size_t type = 0;
  std::string text;
  uint32_t line = 0;  // 1-based
  uint32_t col = 0;   // 0-based, in code points
};

struct Lexed {
  std::vector<Tok> code;      // default-channel tokens, no EOF
  std::vector<Tok> comments;  // `//` comments, their text without the line end or trailing blanks
  // For each comment: the number of code tokens before it.
  std::vector<size_t> code_before;
};

Lexed Lex(const std::string& text) {
  antlr4::ANTLRInputStream input(text);
  grammar::PolicyLexer lexer(&input);
  lexer.removeErrorListeners();
  antlr4::CommonTokenStream stream(&lexer);
  stream.fill();
  Lexed out;
  for (antlr4::Token* t : stream.getTokens()) {
    if (t->getType() == antlr4::Token::EOF) break;
    Tok tok{t->getType(), t->getText(), static_cast<uint32_t>(t->getLine()),
            static_cast<uint32_t>(t->getCharPositionInLine())};
    if (tok.type == grammar::PolicyLexer::LINE_COMMENT) {
      while (!tok.text.empty() && (tok.text.back() == ' ' || tok.text.back() == '\t'))
        tok.text.pop_back();
      out.comments.push_back(std::move(tok));
      out.code_before.push_back(out.code.size());
    } else if (t->getChannel() == antlr4::Token::DEFAULT_CHANNEL) {
      out.code.push_back(std::move(tok));
    }
  }
  return out;
}

bool Loose(const Tok& t) { return t.text == "(" || t.text == ")" || t.text == ","; }

// For each source token, the index of the printed token it aligns with, or -1. The two
// sequences differ only where the printer drops or adds parentheses and trailing commas,
// re-escapes strings, or moves an input's requirements after its fields, so a greedy walk
// that skips loose punctuation and re-synchronises within a short window is enough.
std::vector<long> Align(const std::vector<Tok>& source, const std::vector<Tok>& printed) {
  std::vector<long> map(source.size(), -1);
  size_t i = 0, j = 0;
  while (i < source.size() && j < printed.size()) {
    const Tok& s = source[i];
    const Tok& p = printed[j];
    if (s.type == p.type && (s.text == p.text || s.type == grammar::PolicyLexer::STRING)) {
      map[i++] = static_cast<long>(j++);
    } else if (Loose(s)) {
      ++i;
    } else if (Loose(p)) {
      ++j;
    } else {
      size_t k = j + 1;
      while (k < printed.size() && k < j + 64 && printed[k].text != s.text) ++k;
      if (k < printed.size() && printed[k].text == s.text) j = k;
      else ++i;
    }
  }
  return map;
}

// The printed token for source token `local`: its own, else the nearest aligned neighbour
// (searching forward first when `forward`).
long Nearest(const std::vector<long>& map, size_t local, bool forward) {
  if (map.empty()) return -1;
  local = std::min(local, map.size() - 1);
  auto search = [&](bool fwd) -> long {
    for (long k = static_cast<long>(local); k >= 0 && k < static_cast<long>(map.size()); k += fwd ? 1 : -1)
      if (map[k] >= 0) return map[k];
    return -1;
  };
  long j = search(forward);
  return j >= 0 ? j : search(!forward);
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (true) {
    size_t nl = text.find('\n', start);
    lines.push_back(text.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return lines;
}

struct Placed {
  size_t comment;  // index into Lexed::comments
  bool trailing;
};

// The printed declaration with its inner comments put back.
std::string MergeComments(const std::string& printed, const std::vector<Tok>& source_code,
                          const std::vector<Tok>& comments, const std::vector<std::pair<Placed, size_t>>& inner) {
  if (inner.empty()) return printed;
  Lexed out = Lex(printed);
  std::vector<long> map = Align(source_code, out.code);
  std::vector<std::string> lines = SplitLines(printed);
  std::vector<std::vector<std::string>> before(lines.size()), after(lines.size());
  for (const auto& [placed, local] : inner) {
    long j = Nearest(map, local, !placed.trailing);
    size_t line = j < 0 ? 0 : out.code[j].line - 1;
    if (line >= lines.size()) line = lines.size() - 1;
    (placed.trailing ? after : before)[line].push_back(comments[placed.comment].text);
  }
  std::string result;
  for (size_t l = 0; l < lines.size(); ++l) {
    size_t indent = lines[l].find_first_not_of(' ');
    if (indent == std::string::npos) indent = 0;
    for (const std::string& c : before[l]) result += std::string(indent, ' ') + c + "\n";
    result += lines[l];
    for (const std::string& c : after[l]) result += " " + c;
    if (l + 1 < lines.size()) result += "\n";
  }
  return result;
}

}  // namespace

std::string FormatModule(const ast::Module& module, const std::string& source) {
  Lexed lexed = Lex(source);
  const std::vector<Tok>& code = lexed.code;
  // The first code token of each declaration.
  std::vector<size_t> starts;
  size_t next = 0;
  for (const auto& decl : module.decls) {
    while (next < code.size() &&
           (code[next].line < decl->range.begin_line ||
            (code[next].line == decl->range.begin_line && code[next].col + 1 < decl->range.begin_col)))
      ++next;
    starts.push_back(next);
  }
  starts.push_back(code.size());
  auto decl_of = [&](size_t token) {
    size_t d = std::upper_bound(starts.begin(), starts.end() - 1, token) - starts.begin();
    return d == 0 ? 0 : d - 1;
  };

  // Sort the comments: leading comments of a declaration, comments inside one, and the ones
  // after the last declaration.
  size_t n = module.decls.size();
  std::vector<std::vector<size_t>> leading(n);
  std::vector<std::vector<std::pair<Placed, size_t>>> inner(n);
  std::vector<size_t> tail;
  for (size_t c = 0; c < lexed.comments.size(); ++c) {
    size_t before = lexed.code_before[c];
    bool trailing = before > 0 && code[before - 1].line == lexed.comments[c].line;
    if (n == 0) {
      tail.push_back(c);
    } else if (trailing) {
      size_t d = decl_of(before - 1);
      inner[d].push_back({{c, true}, before - 1 - starts[d]});
    } else if (before == code.size()) {
      tail.push_back(c);
    } else {
      size_t d = decl_of(before);
      if (starts[d] == before) leading[d].push_back(c);
      else inner[d].push_back({{c, false}, before - starts[d]});
    }
  }

  // A blank line goes where the source has at least one between two lines with text.
  uint32_t last_line = 0;
  std::string out;
  auto blank_before = [&](uint32_t line) {
    bool blank = !out.empty() && line > last_line + 1;
    if (blank) out += "\n";
  };
  auto last_source_line = [&](size_t d) {
    uint32_t line = code[starts[d + 1] - 1].line;
    for (const auto& [placed, local] : inner[d])
      line = std::max(line, lexed.comments[placed.comment].line);
    return line;
  };
  for (size_t d = 0; d < n; ++d) {
    for (size_t c : leading[d]) {
      blank_before(lexed.comments[c].line);
      out += lexed.comments[c].text + "\n";
      last_line = lexed.comments[c].line;
    }
    if (starts[d] < starts[d + 1]) blank_before(code[starts[d]].line);
    std::vector<Tok> source_code(code.begin() + starts[d], code.begin() + starts[d + 1]);
    out += MergeComments(ast::PrintDecl(*module.decls[d]), source_code, lexed.comments, inner[d]) + "\n";
    if (starts[d] < starts[d + 1]) last_line = last_source_line(d);
  }
  for (size_t c : tail) {
    blank_before(lexed.comments[c].line);
    out += lexed.comments[c].text + "\n";
    last_line = lexed.comments[c].line;
  }
  return out;
}

std::optional<std::string> FormatSource(const SourceFile& file, DiagnosticSink& sink) {
  std::unique_ptr<ast::Module> module = Parse(file, sink);
  if (!module) return std::nullopt;
  return FormatModule(*module, file.Text());
}

}  // namespace polc
