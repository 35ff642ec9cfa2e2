// Hostile input never crashes the front end: truncated policies, random bytes and token
// soup, deep nesting, huge declarations and huge files all end in diagnostics (or a clean
// parse), and the parser returns a module exactly when it reported no error.
#include <gtest/gtest.h>

#include <random>

#include "compiler/diag/stack.h"
#include "compiler/driver/compile.h"
#include "compiler/parse/parse.h"

namespace polc {
namespace {

struct Result {
  bool parsed = false;
  bool has_errors = false;
  std::string rendered;  // without source lines: the text can be megabytes on one line
};

Result ParseText(const std::string& text, bool large_stack = true) {
  Result r;
  auto work = [&] {
    SourceFile file("input.policy", text);
    DiagnosticSink sink;
    auto module = Parse(file, sink);
    r.parsed = module != nullptr;
    r.has_errors = sink.HasErrors();
    r.rendered = sink.Render(false);
  };
  // Deep but legal input gives a deep AST; freeing it recurses, so stay on a large stack.
  if (large_stack) RunOnLargeStack(work);
  else work();
  return r;
}

std::string Huaihua() {
  std::string text, error;
  EXPECT_TRUE(ReadFile(std::string(POLC_SOURCE_DIR) + "/policies/huaihua-2026.policy", text, error)) << error;
  return text;
}

TEST(ParseRobustness, TruncatedPolicies) {
  std::string text = Huaihua();
  ASSERT_GT(text.size(), 1000u);
  int with_errors = 0;
  for (int i = 1; i <= 50; ++i) {
    // Spread over the file, offset a little so cuts also land inside tokens and characters.
    size_t cut = text.size() * i / 51 + (i % 7);
    Result r = ParseText(text.substr(0, cut));
    EXPECT_EQ(r.parsed, !r.has_errors) << "cut at " << cut << "\n" << r.rendered;
    with_errors += r.has_errors;
  }
  // A cut between two declarations or inside a trailing comment parses; most cuts do not.
  EXPECT_GE(with_errors, 35);
}

TEST(ParseRobustness, RandomBytesAndTokenSoup) {
  std::mt19937 rng(20260101);
  static const char* tokens[] = {
      "policy", "enum", "input", "param", "set", "table", "brackets", "rule", "function", "accumulator",
      "output", "key", "of", "by", "order", "require", "message", "cite", "exception", "when", "let", "if",
      "then", "else", "match", "not", "in", "and", "or", "sum", "count", "cap", "csv", "value", "absent",
      "days", "months", "true", "false", "x", "kind", "money", "rate?", "{", "}", "(", ")", "[", "]", ",",
      ":", ";", "=", "==", "=>", "->", "..", ".", "+", "-", "*", "<=", "!=", "?", "1", "2.5", "3万", "85%",
      "2026-01-01", "\"s\"", "\"unterminated", "//c\n", "\n", "@", "中"};
  const size_t n_tokens = sizeof(tokens) / sizeof(tokens[0]);
  for (int i = 0; i < 2000; ++i) {
    std::string text;
    size_t length = rng() % 200;
    if (i % 2 == 0) {
      for (size_t k = 0; k < length; ++k) text += static_cast<char>(rng() % 256);
    } else {
      for (size_t k = 0; k < length / 3; ++k) text += std::string(tokens[rng() % n_tokens]) + " ";
    }
    Result r = ParseText(text, /*large_stack=*/false);  // short: at most ~70 tokens
    ASSERT_EQ(r.parsed, !r.has_errors) << "case " << i << "\n" << r.rendered;
  }
}

TEST(ParseRobustness, DeepParenthesesAreRefused) {
  const size_t depth = 200000;
  Result r = ParseText("rule x: int = " + std::string(depth, '(') + "1" + std::string(depth, ')') + "\n");
  EXPECT_FALSE(r.parsed);
  EXPECT_NE(r.rendered.find("[NestingTooDeep]"), std::string::npos) << r.rendered;
}

TEST(ParseRobustness, LongPrefixRunsAreRefused) {
  std::string text = "rule x: bool = ";
  for (int i = 0; i < 200000; ++i) text += "not ";
  Result r = ParseText(text + "true\n");
  EXPECT_FALSE(r.parsed);
  EXPECT_NE(r.rendered.find("[NestingTooDeep]"), std::string::npos) << r.rendered;
}

TEST(ParseRobustness, HugeDeclarationIsRefusedOrParsed) {
  std::string text = "rule x: int = 1";
  for (int i = 1; i < 100000; ++i) text += " + 1";
  Result r = ParseText(text + "\n");
  if (r.parsed) {
    EXPECT_FALSE(r.has_errors);
  } else {
    EXPECT_NE(r.rendered.find("[DeclarationTooLong]"), std::string::npos) << r.rendered;
  }
}

TEST(ParseRobustness, HugeFileIsRefused) {
  Result r = ParseText(std::string(50u << 20, 'a'));
  EXPECT_FALSE(r.parsed);
  EXPECT_NE(r.rendered.find("[FileTooLarge]"), std::string::npos) << r.rendered;
}

TEST(ParseRobustness, CompileTextRefusesFiveMegabytes) {
  std::string text = "// padding\n";
  text += std::string(5u << 20, ' ');
  auto c = driver::CompileText("big.policy", text);
  EXPECT_FALSE(c->ok);
  EXPECT_EQ(c->module, nullptr);
  EXPECT_NE(c->diagnostics.Render(false).find("[FileTooLarge]"), std::string::npos);
}

}  // namespace
}  // namespace polc
