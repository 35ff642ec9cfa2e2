// Typing slips: found among the lexer's UNKNOWN tokens (so never inside a string or comment),
// reported with their repair, and repaired in place for the parser.
#include "compiler/parse/slips.h"

#include <map>

#include "PolicyLexer.h"
#include "antlr4-runtime.h"

namespace polc {

std::string RepairSlips(const SourceFile& file, DiagnosticSink& sink) {
  static const std::map<std::string, std::string> punctuation = {
      {"，", ","}, {"：", ":"}, {"；", ";"}, {"（", "("}, {"）", ")"}, {"％", "%"},
      {"【", "["}, {"】", "]"}, {"＝", "="}, {"＞", ">"}, {"＜", "<"}, {"＋", "+"}, {"－", "-"}, {"．", "."},
  };
  const std::string& text = file.Text();
  bool any = false;
  for (const auto& [slip, ascii] : punctuation) any = any || text.find(slip) != std::string::npos;
  if (!any && text.find("元") == std::string::npos) return text;

  antlr4::ANTLRInputStream input(text);
  grammar::PolicyLexer lexer(&input);
  lexer.removeErrorListeners();
  antlr4::CommonTokenStream stream(&lexer);
  stream.fill();
  // The byte offset of a code point index (tokens count code points); slips come in order, so
  // one forward walk serves them all.
  size_t walked_points = 0, walked_bytes = 0;
  auto byte_at = [&](size_t code_point) {
    while (walked_points < code_point && walked_bytes < text.size()) {
      unsigned char c = static_cast<unsigned char>(text[walked_bytes]);
      walked_bytes += c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
      ++walked_points;
    }
    return walked_bytes;
  };
  std::string out;
  size_t copied = 0;  // bytes of `text` already in `out`
  auto replace = [&](size_t byte, size_t length, const std::string& with) {
    out.append(text, copied, byte - copied);
    out += with;
    copied = byte + length;
  };
  size_t previous = 0;  // type of the last default-channel token
  for (antlr4::Token* t : stream.getTokens()) {
    size_t type = t->getType();
    if (type == antlr4::Token::EOF) break;
    if (type != grammar::PolicyLexer::UNKNOWN) {
      if (t->getChannel() == antlr4::Token::DEFAULT_CHANNEL) previous = type;
      continue;
    }
    std::string slip = t->getText();
    SourceRange r;
    r.begin_line = r.end_line = static_cast<uint32_t>(t->getLine());
    r.begin_col = static_cast<uint32_t>(t->getCharPositionInLine() + 1);
    r.end_col = r.begin_col + 1;
    size_t byte = byte_at(t->getStartIndex());
    auto it = punctuation.find(slip);
    if (it != punctuation.end()) {
      Diagnostic& d = sink.Report(DiagKind::FullWidthPunctuation, file.Name(), r,
                                  "full-width '{}' outside a string: write '{}'", slip, it->second);
      d.fixits.push_back({r, it->second});
      replace(byte, slip.size(), it->second);
    } else if (slip == "元" && (previous == grammar::PolicyLexer::INT || previous == grammar::PolicyLexer::DECIMAL ||
                                 previous == grammar::PolicyLexer::WAN)) {
      Diagnostic& d = sink.Report(DiagKind::UnitSuffix, file.Name(), r,
                                  "'元' after an amount: money is written in yuan without a unit (400, 1.5万)");
      d.fixits.push_back({r, ""});
      replace(byte, slip.size(), " ");
    }
  }
  // Each slip became one ASCII character, so every line and column is where it was.
  out.append(text, copied, std::string::npos);
  return out;
}

}  // namespace polc
