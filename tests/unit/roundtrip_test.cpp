// The formatter's contract: printing a policy and parsing the result gives the same AST, and
// printing again gives the same text. Plus targeted printer tests (parentheses, layout,
// escapes) and the `polc fmt` command.
#include <gtest/gtest.h>

#include <filesystem>

#include "compiler/ast/print.h"
#include "compiler/diag/stack.h"
#include "compiler/parse/parse.h"
#include "tests/unit/test_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<ast::Module> ParseText(const std::string& name, const std::string& text,
                                       std::string* diagnostics = nullptr) {
  SourceFile file(name, text);
  DiagnosticSink sink;
  sink.AddSource(&file);
  auto module = Parse(file, sink);
  if (diagnostics) *diagnostics = sink.Render();
  return module;
}

// Prints, re-parses and compares; returns the printed text.
std::string RoundTrip(const std::string& name, const std::string& text) {
  std::string diagnostics;
  auto module = ParseText(name, text, &diagnostics);
  EXPECT_TRUE(module) << diagnostics;
  if (!module) return "";
  std::string printed = ast::PrintSource(*module);
  auto again = ParseText(name + " (printed)", printed, &diagnostics);
  EXPECT_TRUE(again) << "the printed text does not parse:\n" << diagnostics << printed;
  if (!again) return printed;
  std::string difference;
  EXPECT_TRUE(ast::SameAst(*module, *again, &difference)) << difference << "\n" << printed;
  EXPECT_EQ(ast::PrintSource(*again), printed) << "printing is not idempotent";
  return printed;
}

void RoundTripPolicy(const std::string& relative) {
  fs::path path = fs::path(POLC_SOURCE_DIR) / relative;
  if (!fs::exists(path)) GTEST_SKIP() << path << " does not exist yet";
  std::string text, error;
  ASSERT_TRUE(ReadFile(path.string(), text, error)) << error;
  RoundTrip(path.string(), text);
}

TEST(RoundTrip, Huaihua) { RoundTripPolicy("policies/huaihua-2026.policy"); }
TEST(RoundTrip, YueyangLouqu) { RoundTripPolicy("policies/yueyang-louqu-2026.policy"); }

// Policies added later are covered without a new test.
TEST(RoundTrip, EveryPolicy) {
  int count = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(POLC_SOURCE_DIR) / "policies")) {
    if (entry.path().extension() != ".policy") continue;
    SCOPED_TRACE(entry.path().string());
    RoundTripPolicy(fs::relative(entry.path(), POLC_SOURCE_DIR).string());
    ++count;
  }
  EXPECT_GT(count, 0);
}

// Every file test that parses is a round-trip test too (comments are ignored by the parser).
TEST(RoundTrip, FileTests) {
  int parsed = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(POLC_SOURCE_DIR) / "tests" / "files")) {
    if (entry.path().extension() != ".policy") continue;
    std::string text, error;
    ASSERT_TRUE(ReadFile(entry.path().string(), text, error)) << error;
    if (!ParseText(entry.path().string(), text)) continue;
    SCOPED_TRACE(entry.path().string());
    RoundTrip(entry.path().string(), text);
    ++parsed;
  }
  EXPECT_GT(parsed, 0);
}

// Every declaration form, odd names (keywords usable as names) and nested layouts.
TEST(RoundTrip, EveryConstruct) {
  RoundTrip("every.policy", R"(policy "t\"q\\x 中文" { region: "a\tb\nc" year: 2026 }
enum e { a "x", b, c, }
input key key key of value by sum order by count { key: text value: e?
  require not (key == key and value in {a}) message "m" }
param p: int = a - (b - c) + -(x + 1) * - -2
param q: bool = (a == b) == c or not (a and b) and (x or y)
param r: int = (a + b).x + (if a then b else c) + (let z = 1; z) * 2 + (-1).y + 3 months + (a + 1) days
param s: bool = x not in s and not x in { a, b } and (x in s) == true
param t: date = 2025-01-01 .. 2025-12-31.start + f()[if a then 1 else 2]
rule u: int = let x = if a then let y = 1; y else 2; match x { a, b => match y { c => 1 else => 2 }
  else => f(match z { d => 1 }, 2) }
  exception when x = 1 exception lbl when y = 2 cite "c"
table t1: int -> { a: money, b: rate } { 1 => 1.5, 5% 20 => -3, 10.25% else => 1万, (1 + 2) * 3 } cite "x"
table t2: e -> money = csv "f.csv" key key value value
brackets br { 0 .. 1万: 5% 1万 ..: 10% } cite "b"
function f(): int = 1
function g(a: int, b: money?): int = a * (b + 1) cite "g"
accumulator acc: int by f(key) = count
accumulator acc2: money = sum x when y cap z cite "k"
output o for key { a = b + 1 absent "—", c absent "", d = match k { a => 1 } }
)");
}

// The expression of `param x: int = EXPR` as printed.
std::string Expr(const std::string& source) {
  std::string printed = RoundTrip("expr.policy", "param x: int = " + source + "\n");
  std::string prefix = "param x: int = ";
  if (printed.rfind(prefix, 0) != 0) return "(unexpected) " + printed;
  return printed.substr(prefix.size(), printed.size() - prefix.size() - 1);
}

TEST(Printer, KeepsOnlyTheParenthesesPrecedenceNeeds) {
  EXPECT_EQ(Expr("(a + b) * c"), "(a + b) * c");
  EXPECT_EQ(Expr("a + b * c"), "a + b * c");
  EXPECT_EQ(Expr("a + (b * c)"), "a + b * c");
  EXPECT_EQ(Expr("((((a))))"), "a");
  EXPECT_EQ(Expr("(a - b) - c"), "a - b - c");
  EXPECT_EQ(Expr("a - (b - c)"), "a - (b - c)");
  EXPECT_EQ(Expr("a * (b * c)"), "a * (b * c)");
  EXPECT_EQ(Expr("(a or b) and c"), "(a or b) and c");
  EXPECT_EQ(Expr("a or (b and c)"), "a or b and c");
  EXPECT_EQ(Expr("(not a) and b"), "not a and b");
  EXPECT_EQ(Expr("not (a and b)"), "not (a and b)");
  EXPECT_EQ(Expr("not (a == b)"), "not a == b");
  EXPECT_EQ(Expr("(a == b) == c"), "(a == b) == c");
  EXPECT_EQ(Expr("a == (b + c)"), "a == b + c");
  EXPECT_EQ(Expr("(a in s) == b"), "(a in s) == b");
  EXPECT_EQ(Expr("a not in s"), "a not in s");
  EXPECT_EQ(Expr("-(a + b)"), "-(a + b)");
  EXPECT_EQ(Expr("(-a) * b"), "-a * b");
  EXPECT_EQ(Expr("-(a * b)"), "-(a * b)");
  EXPECT_EQ(Expr("(a + b).start"), "(a + b).start");
  EXPECT_EQ(Expr("(a + 1) days"), "(a + 1) days");
  EXPECT_EQ(Expr("(-1).x"), "(-1).x");
  EXPECT_EQ(Expr("(if a then b else c) + 1"), "(if a then b else c) + 1");
  EXPECT_EQ(Expr("1 + (let y = 2; y)"), "1 + (let y = 2; y)");
  EXPECT_EQ(Expr("if a then b else (if c then d else e)"), "if a then b else if c then d else e");
  EXPECT_EQ(Expr("f((a + b), t[(k)])"), "f(a + b, t[k])");
}

TEST(Printer, ReEscapesStrings) {
  std::string printed = RoundTrip("s.policy", "policy \"a\\\"b\\\\c\\nd\\te 中\" { year: 2026 }\n");
  EXPECT_EQ(printed, "policy \"a\\\"b\\\\c\\nd\\te 中\" {\n  year: 2026\n}\n");
}

TEST(Printer, AlignsTableRowsAndPlacesCites) {
  std::string printed = RoundTrip("t.policy", R"(table inpatient: level -> { deductible: money, rate: rate } {
  primary => 200, 85% level3 => 1200, 65%
  else => 0, 0% } cite "c"
param p: int = 1 cite "d")");
  EXPECT_EQ(printed, R"(table inpatient: level -> { deductible: money, rate: rate } {
  primary => 200,  85%
  level3  => 1200, 65%
  else    => 0,    0%
} cite "c"

param p: int = 1
  cite "d"
)");
}

TEST(Printer, BreaksLongExpressionsAndMatches) {
  std::string chain = "rule r: money = aaaaaaaaaaaaaaaa + bbbbbbbbbbbbbbbbbbbb * cccccccccccccccc + "
                      "dddddddddddddddddddddd - eeeeeeeeeeeeeeeeeeeeeee\n";
  EXPECT_EQ(RoundTrip("c.policy", chain), R"(rule r: money =
    aaaaaaaaaaaaaaaa
      + bbbbbbbbbbbbbbbbbbbb * cccccccccccccccc
      + dddddddddddddddddddddd
      - eeeeeeeeeeeeeeeeeeeeeee
)");
  EXPECT_EQ(RoundTrip("m.policy", "rule r: int = if p then 0 else match k { a, b => 1 else => 2 }"),
            R"(rule r: int =
    if p
    then 0
    else match k {
      a, b => 1
      else => 2
    }
)");
}

TEST(Printer, SameAstReportsTheFirstDifference) {
  auto a = ParseText("a", "param x: int = a + b * c\n");
  auto b = ParseText("b", "param x: int = (a + b) * c\n");
  ASSERT_TRUE(a && b);
  std::string difference;
  EXPECT_FALSE(ast::SameAst(*a, *b, &difference));
  EXPECT_NE(difference.find("declaration 0 (param x)"), std::string::npos) << difference;
  auto c = ParseText("c", "\n\nparam x: int = a + (b * c)  // ranges differ\n");
  EXPECT_TRUE(ast::SameAst(*a, *c, &difference)) << difference;
}

TEST(Printer, DumpShowsKindsSpellingsAndRanges) {
  auto m = ParseText("d.policy", "param x: money = 1.5万 + 2\n");
  ASSERT_TRUE(m);
  EXPECT_EQ(ast::DumpAst(*m), R"(module "d.policy"
  param x: money [1:1-1:26]
    binary + [1:18-1:26]
      wan 1.5万 [1:18-1:22]
      int 2 [1:25-1:26]
)");
}

// A chain just under the token limit gives an AST thousands of levels deep.
TEST(Printer, DeepChainsRoundTrip) {
  std::string text = "rule r: int = 1";
  for (int i = 0; i < 9000; ++i) text += " + 1";
  RunOnLargeStack([&] { RoundTrip("deep.policy", text + "\n"); });
}

// ---------------------------------------------------------------- polc fmt
TEST(FmtCommand, ChecksAndRewritesKeepingComments) {
  const std::string dir = MakeTempDir("polc_fmt_test");
  ASSERT_FALSE(dir.empty());
  auto write = [&](const std::string& name, const std::string& text) {
    WriteAll(dir + "/" + name, text);
    return dir + "/" + name;
  };
  // The exit code of `polc ARGS`, run in the test's directory (the paths here are absolute).
  auto exit_code = [&](const std::string& args) { return RunPolc(dir, args, dir).code; };
  std::string messy = write("messy.policy", "param a: int = (1+2)*3\nparam s: text = \"http://x\"\n");
  std::string commented = write("commented.policy", "// why\nparam a: int = (1+2)*3\n");
  std::string broken = write("broken.policy", "param a: int 3\n");
  EXPECT_EQ(exit_code("fmt --check " + messy), 1);
  EXPECT_EQ(exit_code("fmt " + messy), 0);
  // `//` inside a string is not a comment.
  EXPECT_EQ(exit_code("fmt --in-place " + messy), 0);
  EXPECT_EQ(ReadAll(messy), "param a: int = (1 + 2) * 3\nparam s: text = \"http://x\"\n");
  EXPECT_EQ(exit_code("fmt --check " + messy), 0);
  EXPECT_EQ(exit_code("fmt --check " + commented), 1);
  EXPECT_EQ(exit_code("fmt --in-place " + commented), 0);
  EXPECT_EQ(ReadAll(commented), "// why\nparam a: int = (1 + 2) * 3\n");
  EXPECT_EQ(exit_code("fmt --check " + commented), 0);
  EXPECT_EQ(exit_code("fmt " + broken), 1);
  EXPECT_EQ(exit_code("--emit=ast " + broken), 1);
  EXPECT_EQ(exit_code("--emit=ast " + messy), 0);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace polc
