// Unit tests for the checker: what the IR holds after checking (values, stages, tables,
// brackets) and how the checker treats units and literals.
#include <gtest/gtest.h>

#include "compiler/driver/compile.h"

namespace polc {
namespace {

const char* kSkeleton = R"(policy "t" { region: "r" year: 2026 source: "s" }
enum kind { a, b, c }
input person key person_id { person_id: text  born: date }
input claim key claim_id of person by person_id order by date {
  claim_id: text  person_id: text  date: date  k: kind  total: money  n: int?
}
)";

std::unique_ptr<driver::Compilation> Compile(const std::string& body, const std::string& outputs =
                                                 "output o for claim { claim_id }\n"
                                                 "output q for person { person_id }\n") {
  return driver::CompileText("test.policy", kSkeleton + body + outputs);
}

const ir::Rule* FindRule(const ir::Program& p, const std::string& name) {
  for (const auto& r : p.rules)
    if (r.name == name) return &r;
  return nullptr;
}

std::string Kinds(const driver::Compilation& c) {
  std::string out;
  for (const auto& d : c.diagnostics.Sorted()) out += std::string(InfoOf(d.kind).name) + " ";
  return out;
}

TEST(Check, SeedPoliciesCheckCleanWithoutWarnings) {
  for (const char* name : {"huaihua-2026.policy", "yueyang-louqu-2026.policy"}) {
    auto c = driver::CompileFile(std::string(POLC_SOURCE_DIR) + "/policies/" + name);
    EXPECT_TRUE(c->ok) << name << "\n" << c->diagnostics.Render();
    EXPECT_EQ(c->diagnostics.All().size(), 0u) << name << "\n" << c->diagnostics.Render();
  }
}

TEST(Check, StagesAreInferredFromWhatARuleReads) {
  auto c = driver::CompileFile(std::string(POLC_SOURCE_DIR) + "/policies/huaihua-2026.policy");
  ASSERT_TRUE(c->ok) << c->diagnostics.Render();
  EXPECT_EQ(FindRule(c->program, "benefit_start")->stage, ir::Stage::Subject);
  EXPECT_EQ(FindRule(c->program, "contribution")->stage, ir::Stage::Subject);
  EXPECT_EQ(FindRule(c->program, "basic")->stage, ir::Stage::Event);
  EXPECT_EQ(FindRule(c->program, "status")->stage, ir::Stage::Event);
}

TEST(Check, LiteralsBecomeExactIntegers) {
  auto c = Compile(R"(
param wan: money = 1.6万
param plain: money = 400
param cents: money = 12.34
param pct: rate = 62.5%
param wait: duration = 90 days
param window: period = 2025-09-01 .. 2025-12-31
rule r: money = wan + plain + cents + days_used
rule days_used: money = if window.end > born + wait and pct > 50% then 1 else 0
)", "output o for claim { claim_id, r }\noutput q for person { person_id }\n");
  ASSERT_TRUE(c->ok) << c->diagnostics.Render();
  auto value = [&](const char* name) {
    for (const auto& p : c->program.params)
      if (p.name == name) return p.value->value;
    return ir::Value::Absent();
  };
  EXPECT_EQ(value("wan").a, 1600000);  // fen
  EXPECT_EQ(value("plain").a, 40000);
  EXPECT_EQ(value("cents").a, 1234);
  EXPECT_EQ(value("pct").a, 6250);  // basis points
  EXPECT_EQ(value("wait").b, 90);
  EXPECT_EQ(value("window").b - value("window").a, 121);
}

TEST(Check, UnitsThatDoNotGoTogetherAreErrors) {
  auto c = Compile("rule r: money = total + 5%\n", "output o for claim { claim_id, r }\noutput q for person { person_id }\n");
  EXPECT_FALSE(c->ok);
  EXPECT_EQ(Kinds(*c), "UnitMismatch ");
  c = Compile("rule r: bool = date < total\n", "output o for claim { claim_id, r }\noutput q for person { person_id }\n");
  EXPECT_FALSE(c->ok);
  EXPECT_EQ(Kinds(*c), "TypeMismatch ");
  c = Compile("rule r: money = total * 5%\n", "output o for claim { claim_id, r }\noutput q for person { person_id }\n");
  EXPECT_TRUE(c->ok) << c->diagnostics.Render();
  EXPECT_EQ(FindRule(c->program, "r")->value->op, ir::Op::MulRate);
}

TEST(Check, EnumTablesExpandTheElseRowForEveryWord) {
  auto c = Compile(R"(
table t: kind -> rate { b => 10%  else => 1% }
rule r: rate = t[k]
)", "output o for claim { claim_id, r }\noutput q for person { person_id }\n");
  ASSERT_TRUE(c->ok) << c->diagnostics.Render();
  const ir::Table& t = c->program.tables[0];
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0].values[0].a, 100);
  EXPECT_EQ(t.rows[1].values[0].a, 1000);
  EXPECT_EQ(t.rows[2].values[0].a, 100);
}

TEST(Check, OptionalValuesMustBeUnwrapped) {
  auto c = Compile("rule r: int = n + 1\n", "output o for claim { claim_id, r }\noutput q for person { person_id }\n");
  EXPECT_EQ(Kinds(*c), "OptionalValue ");
  c = Compile("rule r: int = value_or(n, 0) + 1\n", "output o for claim { claim_id, r }\noutput q for person { person_id }\n");
  EXPECT_TRUE(c->ok) << c->diagnostics.Render();
}

TEST(Check, AllErrorsOfAFileAreReportedSorted) {
  auto c = Compile("rule r1: money = nope\nrule r2: money = total + 5%\n",
                   "output o for claim { claim_id, r1, r2 }\noutput q for person { person_id }\n");
  auto sorted = c->diagnostics.Sorted();
  ASSERT_EQ(sorted.size(), 2u);
  EXPECT_LT(sorted[0].range.begin_line, sorted[1].range.begin_line);
  std::string text = c->diagnostics.Render();
  EXPECT_NE(text.find("test.policy:7:18: error: unknown name 'nope' [UnknownName]"), std::string::npos)
      << text;
  EXPECT_NE(text.find("  rule r1: money = nope\n                   ^~~~\n"), std::string::npos) << text;
}

TEST(Check, AnErrorHidesNeitherTheOtherOperandsErrorsNorItsUses) {
  // Both arguments of min and both sides of + are checked: the second error is reported, and
  // `cap` is used (not "never used") although the expression around it is wrong.
  auto c = Compile("param cap: money = 10\nrule r: money = min(total + 5%, cap) + (date + total)\n",
                   "output o for claim { claim_id, r }\noutput q for person { person_id }\n");
  EXPECT_FALSE(c->ok);
  EXPECT_EQ(Kinds(*c), "UnitMismatch UnitMismatch ") << c->diagnostics.Render();
}

TEST(Check, FunctionsAreInlinedAndRecursionIsRejected) {
  auto c = Compile(R"(
function twice(x: money): money = x + x
rule r: money = twice(total)
)", "output o for claim { claim_id, r }\noutput q for person { person_id }\n");
  ASSERT_TRUE(c->ok) << c->diagnostics.Render();
  EXPECT_EQ(FindRule(c->program, "r")->value->op, ir::Op::Let);
  c = Compile("function f(x: int): int = f(x)\nrule r: int = f(1)\n",
              "output o for claim { claim_id, r }\noutput q for person { person_id }\n");
  EXPECT_FALSE(c->ok);
  EXPECT_NE(Kinds(*c).find("Cycle"), std::string::npos);
}

}  // namespace
}  // namespace polc
