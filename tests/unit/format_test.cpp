// `polc fmt` keeps comments: one test per place a comment can sit. Each checks the formatted
// text, that formatting it again changes nothing, and that it parses to the same AST.
#include <gtest/gtest.h>

#include <filesystem>

#include "compiler/ast/print.h"
#include "compiler/parse/format.h"
#include "compiler/parse/parse.h"
#include "tests/unit/test_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<ast::Module> ParseText(const std::string& text) {
  SourceFile file("t.policy", text);
  DiagnosticSink sink;
  sink.AddSource(&file);
  auto module = Parse(file, sink);
  EXPECT_TRUE(module) << sink.Render();
  return module;
}

std::string Format(const std::string& text) {
  auto module = ParseText(text);
  if (!module) return "";
  std::string once = FormatModule(*module, text);
  auto again = ParseText(once);
  if (!again) return once;
  std::string difference;
  EXPECT_TRUE(ast::SameAst(*module, *again, &difference)) << difference;
  EXPECT_EQ(FormatModule(*again, once), once) << "formatting is not idempotent";
  return once;
}

TEST(FormatComments, BeforeTheFirstDeclaration) {
  EXPECT_EQ(Format("// what this is\n// second line\nparam a: int = 1\n"),
            "// what this is\n// second line\nparam a: int = 1\n");
}

TEST(FormatComments, BetweenDeclarationsKeepsTheBlankLines) {
  EXPECT_EQ(Format("param a: int = 1\n\n\n// about b\nparam b: int = 2\nparam c: int = 3\n\n// about d\n\nparam d: int = 4\n"),
            "param a: int = 1\n\n// about b\nparam b: int = 2\nparam c: int = 3\n\n// about d\n\nparam d: int = 4\n");
}

TEST(FormatComments, TrailingAfterADeclaration) {
  EXPECT_EQ(Format("param a: int = (1+2)   // three\nparam b: int = 2 // two  \n"),
            "param a: int = 1 + 2 // three\nparam b: int = 2 // two\n");
}

TEST(FormatComments, TrailingAfterACite) {
  EXPECT_EQ(Format("param a: money = 400\n  cite \"400元\" // the notice\n"),
            "param a: money = 400\n  cite \"400元\" // the notice\n");
}

TEST(FormatComments, OwnLineBeforeAnException) {
  std::string text =
      "rule r: int = 1\n"
      "  // only for b\n"
      "  exception e when b = 2\n"
      "param b: bool = true\n";
  EXPECT_EQ(Format(text), text);
}

TEST(FormatComments, InsideATable) {
  EXPECT_EQ(Format("table t: level -> rate {\n"
                   "  // the first level\n"
                   "  a => 1%   // low\n"
                   "  bb => 2%\n"
                   "}\n"),
            "table t: level -> rate {\n"
            "  // the first level\n"
            "  a  => 1% // low\n"
            "  bb => 2%\n"
            "}\n");
}

TEST(FormatComments, InsideAnInputRecord) {
  std::string text =
      "input person key id {\n"
      "  id: text // the key\n"
      "  // born\n"
      "  birth: date\n"
      "  require birth > 2000-01-01 message \"old\" // why\n"
      "}\n";
  EXPECT_EQ(Format(text), text);
}

TEST(FormatComments, InsideAMatch) {
  std::string text =
      "rule r: int =\n"
      "    match k {\n"
      "      // the first arm\n"
      "      a => 1 // one\n"
      "      else => 2\n"
      "    }\n";
  EXPECT_EQ(Format(text), text);
}

TEST(FormatComments, InsideAnExpressionTheFormatterJoins) {
  // The printer puts `1 + 2` on one line; the comment moves above that line and stays there.
  EXPECT_EQ(Format("param a: int =\n  1 +\n  // the second\n  2\n"),
            "// the second\nparam a: int = 1 + 2\n");
  EXPECT_EQ(Format("rule r: int = 1 + // the first\n  2\n"), "rule r: int = 1 + 2 // the first\n");
}

TEST(FormatComments, AtTheEndOfTheFile) {
  EXPECT_EQ(Format("param a: int = 1\n// the end\n\n// really\n"),
            "param a: int = 1\n// the end\n\n// really\n");
}

TEST(FormatComments, SlashesInAStringAreNoComment) {
  EXPECT_EQ(Format("param s: text = \"http://x\"\n"), "param s: text = \"http://x\"\n");
}

TEST(FormatComments, OnlyComments) { EXPECT_EQ(Format("// nothing yet\n"), "// nothing yet\n"); }

// Every shipped policy keeps each of its comments, and formatting is idempotent on it.
TEST(FormatComments, ShippedPoliciesKeepEveryComment) {
  int count = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(POLC_SOURCE_DIR) / "policies")) {
    if (entry.path().extension() != ".policy") continue;
    SCOPED_TRACE(entry.path().string());
    std::string text = ReadAll(entry.path().string());
    std::string formatted = Format(text);
    auto comments = [](const std::string& s) {
      std::vector<std::string> out;
      size_t at = 0;
      while ((at = s.find("\n", at)) != std::string::npos) {
        size_t start = ++at;
        size_t end = s.find('\n', start);
        std::string line = s.substr(start, end == std::string::npos ? std::string::npos : end - start);
        size_t slash = line.find("//");
        if (slash != std::string::npos && line.find('"') == std::string::npos) out.push_back(line.substr(slash));
      }
      return out;
    };
    EXPECT_EQ(comments("\n" + formatted), comments("\n" + text));
    ++count;
  }
  EXPECT_GE(count, 2);
}

}  // namespace
}  // namespace polc
