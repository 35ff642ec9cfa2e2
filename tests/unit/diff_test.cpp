// `polc diff`: the semantic diff of two policies. A policy against itself and against a
// reformatted, reordered, renamed copy: no differences. One test per kind of change, on the
// Huaihua 2026 policy with one edit. The two real diffs against golden text under
// tests/files/diff/ (POLC_AUTOUPDATE=1 or tools/update_diff_tests.sh rewrites them).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "compiler/ast/print.h"
#include "compiler/diag/stack.h"
#include "compiler/diff/diff.h"
#include "compiler/diff/report.h"
#include "compiler/driver/compile.h"
#include "tests/unit/test_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;

std::string PolicyText(const std::string& name) { return ReadAll(fs::path(POLC_SOURCE_DIR) / "policies" / name); }

// Replaces exactly one occurrence of `from`.
std::string Edit(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << "more than one " << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// Compiles text as if it were a file of policies/ (so chronic-caps.csv is found).
std::unique_ptr<driver::Compilation> Compile(const std::string& name, const std::string& text) {
  auto c = driver::CompileText((fs::path(POLC_SOURCE_DIR) / "policies" / name).string(), text);
  EXPECT_TRUE(c->ok) << c->diagnostics.Render();
  return c;
}

struct Diffed {
  std::unique_ptr<driver::Compilation> a, b;
  diff::PolicyDiff d;
  std::string text;
};

Diffed DiffTexts(const std::string& old_text, const std::string& new_text, const std::string& old_name = "old.policy",
                 const std::string& new_name = "new.policy") {
  Diffed out;
  out.a = Compile(old_name, old_text);
  out.b = Compile(new_name, new_text);
  if (!out.a->ok || !out.b->ok) return out;
  RunOnLargeStack([&] {
    out.d = diff::Compare({out.a->module.get(), &out.a->program}, {out.b->module.get(), &out.b->program});
    out.text = diff::DiffText({"policies/" + old_name, "policies/" + new_name, &out.a->program, &out.b->program},
                              out.d, diff::Style{});
  });
  return out;
}

// The only change of a one-edit diff.
const diff::Change& Only(const Diffed& d) {
  static const diff::Change none;
  EXPECT_EQ(d.d.changes.size(), 1u) << d.text;
  return d.d.changes.empty() ? none : d.d.changes[0];
}

const std::string kHuaihua = "huaihua-2026.policy";

// The Huaihua 2026 policy against a copy with one occurrence of `from` replaced by `to`.
Diffed DiffOneEdit(const std::string& from, const std::string& to) {
  return DiffTexts(PolicyText(kHuaihua), Edit(PolicyText(kHuaihua), from, to));
}

TEST(Diff, EveryPolicyAgainstItselfHasNoDifferences) {
  for (const char* name : {"huaihua-2025.policy", "huaihua-2026.policy", "yueyang-louqu-2026.policy"}) {
    Diffed d = DiffTexts(PolicyText(name), PolicyText(name));
    EXPECT_TRUE(d.d.Empty()) << name << "\n" << d.text;
    EXPECT_NE(d.text.find("no differences"), std::string::npos);
  }
}

TEST(Diff, ReformattedReorderedRenamedCopyHasNoDifferences) {
  const std::string original = PolicyText(kHuaihua);
  std::string copy;
  {
    auto c = Compile(kHuaihua, original);
    ASSERT_TRUE(c->ok);
    // Declarations in reverse order, printed canonically (comments dropped).
    std::reverse(c->module->decls.begin(), c->module->decls.end());
    copy = ast::PrintSource(*c->module);
  }
  // A function parameter renamed, literals spelled otherwise, table rows and set words reordered.
  copy = Edit(copy, "function catastrophic_due(base: money): money =", "function catastrophic_due(amount: money): money =");
  copy = Edit(copy, "max(base - catastrophic_deductible, 0)", "max(amount - catastrophic_deductible, 0.00)");
  copy = Edit(copy, "= 1.6万", "= 16000");
  copy = Edit(copy, "{ extremely_poor, minimum_living, returned_to_poverty }", "{ returned_to_poverty, extremely_poor, minimum_living }");
  copy = Edit(copy, "  primary    => 200,  85%\n  level1     => 500,  82%\n", "  level1 => 500, 82%\n  primary => 200.00, 85.0%\n");
  // A let-bound name introduced on one side and renamed on the other is not a difference.
  const std::string old_let = Edit(original, "rule inpatient_rate: rate = inpatient[level].rate",
                                   "rule inpatient_rate: rate = let r = inpatient[level].rate; r");
  copy = Edit(copy, "rule inpatient_rate: rate = inpatient[level].rate", "rule inpatient_rate: rate = let rate_here = inpatient[level].rate; rate_here");
  Diffed d = DiffTexts(old_let, copy);
  EXPECT_TRUE(d.d.Empty()) << d.text;
}

TEST(Diff, ParameterValue) {
  Diffed d = DiffOneEdit("money = 700", "money = 720");
  const diff::Change& c = Only(d);
  EXPECT_EQ(c.decl, "param");
  EXPECT_EQ(c.name, "fiscal_subsidy_standard");
  EXPECT_EQ(c.part, "value");
  EXPECT_EQ(c.before.text, "700");
  EXPECT_EQ(c.after.text, "720");
  const uint32_t line = LineOf(PolicyText(kHuaihua), "param fiscal_subsidy_standard");
  EXPECT_EQ(c.before.line, line);
  EXPECT_EQ(c.after.line, line);
  EXPECT_EQ(c.after.cite, "缴费标准……财政补助不低于 700 元/人");
  EXPECT_EQ(c.area, "contribution");
}

TEST(Diff, TableCell) {
  Diffed d = DiffOneEdit("level3     => 1200, 65%", "level3     => 1200, 70%");
  const diff::Change& c = Only(d);
  EXPECT_EQ(c.decl, "table");
  EXPECT_EQ(c.part, "[level3].rate");
  EXPECT_EQ(c.before.text, "65%");
  EXPECT_EQ(c.after.text, "70%");
  EXPECT_EQ(c.area, "inpatient");
}

TEST(Diff, TableElseRowChangesEveryWordItCovers) {
  Diffed d = DiffOneEdit("=> 0%\n} cite \"门诊待遇", "=> 10%\n} cite \"门诊待遇");
  const diff::Change& c = Only(d);
  EXPECT_EQ(c.part, "[inpatient, maternity_prenatal, maternity_normal, maternity_cesarean]");
  EXPECT_EQ(c.before.text, "0%");
  EXPECT_EQ(c.after.text, "10%");
}

TEST(Diff, BracketRow) {
  Diffed d = DiffOneEdit("8万 .. 15万: 75%", "8万 .. 15万: 78%");
  const diff::Change& c = Only(d);
  EXPECT_EQ(c.decl, "brackets");
  EXPECT_EQ(c.part, "row 3");
  EXPECT_EQ(c.before.text, "8万 .. 15万: 75%");
  EXPECT_EQ(c.after.text, "8万 .. 15万: 78%");
}

TEST(Diff, BracketBoundSpelledOtherwiseIsTheSame) {
  Diffed d = DiffOneEdit("0 .. 3万:", "0 .. 30000:");
  EXPECT_TRUE(d.d.Empty()) << d.text;
}

// A bound named by a parameter: the parameter's change, and the rows it moves with its values.
TEST(Diff, BracketBoundNamedByAParameter) {
  auto named = [](const std::string& band) {
    std::string text = Edit(PolicyText(kHuaihua), "  0 .. 3万:    60%\n  3万 .. 8万:  65%",
                            "  0 .. first_band: 60%\n  first_band .. 8万: 65%");
    return Edit(text, "brackets catastrophic_scale {", "param first_band: money = " + band + "\nbrackets catastrophic_scale {");
  };
  Diffed d = DiffTexts(named("3万"), named("3.5万"));
  ASSERT_EQ(d.d.changes.size(), 3u) << d.text;
  EXPECT_EQ(d.d.changes[0].decl, "param");
  EXPECT_EQ(d.d.changes[0].name, "first_band");
  EXPECT_EQ(d.d.changes[1].part, "row 1");
  EXPECT_EQ(d.d.changes[1].before.text, "0 .. first_band (30000.00): 60%");
  EXPECT_EQ(d.d.changes[1].after.text, "0 .. first_band (35000.00): 60%");
  EXPECT_EQ(d.d.changes[2].part, "row 2");
  EXPECT_EQ(d.d.changes[2].after.text, "first_band (35000.00) .. 8万: 65%");
  // The same figure written as a literal or as a parameter changes no row: only the new
  // parameter is reported.
  Diffed same = DiffTexts(PolicyText(kHuaihua), named("3万"));
  const diff::Change& added = Only(same);
  EXPECT_EQ(added.name, "first_band");
  EXPECT_EQ(added.kind, diff::ChangeKind::Added);
}

TEST(Diff, AccumulatorCap) {
  Diffed d = DiffOneEdit("  cap yearly_deductible_cap", "  cap inpatient_annual_cap");
  const diff::Change& c = Only(d);
  EXPECT_EQ(c.decl, "accumulator");
  EXPECT_EQ(c.name, "deductible_applied");
  EXPECT_EQ(c.part, "cap");
  EXPECT_EQ(c.before.text, "yearly_deductible_cap");
  EXPECT_EQ(c.after.text, "inpatient_annual_cap");
}

TEST(Diff, WindowEnd) {
  Diffed d = DiffOneEdit("2025-09-01 .. 2025-12-31", "2025-09-01 .. 2026-01-31");
  const diff::Change& c = Only(d);
  EXPECT_EQ(c.name, "enrollment_window");
  EXPECT_EQ(c.before.text, "2025-09-01 .. 2025-12-31");
  EXPECT_EQ(c.after.text, "2025-09-01 .. 2026-01-31");
}

TEST(Diff, Duration) {
  Diffed d = DiffOneEdit("duration = 3 months", "duration = 90 days");
  const diff::Change& c = Only(d);
  EXPECT_EQ(c.name, "fixed_wait");
  EXPECT_EQ(c.before.text, "3 months");
  EXPECT_EQ(c.after.text, "90 days");
  EXPECT_EQ(c.area, "waiting_period");
}

TEST(Diff, SetWordAddedAndRemoved) {
  Diffed d = DiffOneEdit("{ extremely_poor, minimum_living, returned_to_poverty }", "{ extremely_poor, orphan, returned_to_poverty }");
  ASSERT_EQ(d.d.changes.size(), 2u) << d.text;
  EXPECT_EQ(d.d.changes[0].kind, diff::ChangeKind::Removed);
  EXPECT_EQ(d.d.changes[0].part, "word minimum_living");
  EXPECT_EQ(d.d.changes[1].kind, diff::ChangeKind::Added);
  EXPECT_EQ(d.d.changes[1].part, "word orphan");
  EXPECT_EQ(d.d.changes[1].after.cite, "特困人员、低保对象、返贫致贫人口");
}

TEST(Diff, InputFieldAdded) {
  std::string text = Edit(PolicyText(kHuaihua), "  event_date: date?\n", "  event_date: date?\n  household: text\n");
  Diffed d = DiffTexts(PolicyText(kHuaihua), text);
  const diff::Change& c = Only(d);
  EXPECT_EQ(c.kind, diff::ChangeKind::Added);
  EXPECT_EQ(c.decl, "input");
  EXPECT_EQ(c.name, "person");
  EXPECT_EQ(c.part, "field household");
  EXPECT_EQ(c.after.text, "household: text");
}

TEST(Diff, EnumWordLabel) {
  Diffed d = DiffOneEdit("region { local \"市内\"", "region { local \"本地\"");
  const diff::Change& c = Only(d);
  EXPECT_EQ(c.decl, "enum");
  EXPECT_EQ(c.part, "word local label");
}

TEST(Diff, RuleSmallestChangedExpression) {
  Diffed d = DiffOneEdit("min(maternity_allowance[kind], total)", "min(maternity_allowance[kind], eligible)");
  const diff::Change& c = Only(d);
  EXPECT_EQ(c.decl, "rule");
  EXPECT_EQ(c.name, "maternity_basic");
  EXPECT_EQ(c.part, "default");
  EXPECT_EQ(c.before.text, "total");
  EXPECT_EQ(c.after.text, "eligible");
  EXPECT_EQ(c.area, "maternity");
}

TEST(Diff, ExceptionAdded) {
  std::string text = Edit(PolicyText(kHuaihua), "rule inpatient_rate: rate = inpatient[level].rate",
                          "rule inpatient_rate: rate = inpatient[level].rate\n  exception far when region == out_of_region = 50%\n    cite \"异地\"");
  Diffed d = DiffTexts(PolicyText(kHuaihua), text);
  const diff::Change& c = Only(d);
  EXPECT_EQ(c.kind, diff::ChangeKind::Added);
  EXPECT_EQ(c.part, "exception far");
  EXPECT_EQ(c.after.text, "exception far when region == out_of_region = 50%");
  EXPECT_EQ(c.after.cite, "异地");
}

TEST(Diff, ExceptionConditionAndOrder) {
  std::string text = Edit(PolicyText(kHuaihua),
                          "  exception outside when not in_benefit_period = outside_period\n  exception waiting when date < benefit_start = waiting_period\n",
                          "  exception waiting when date <= benefit_start = waiting_period\n  exception outside when not in_benefit_period = outside_period\n");
  Diffed d = DiffTexts(PolicyText(kHuaihua), text);
  ASSERT_EQ(d.d.changes.size(), 2u) << d.text;
  EXPECT_EQ(d.d.changes[0].part, "exception waiting: when");
  EXPECT_EQ(d.d.changes[0].before.text, "date < benefit_start");
  EXPECT_EQ(d.d.changes[1].part, "exception order");
  EXPECT_EQ(d.d.changes[1].before.text, "outside, waiting, not_offered");
  EXPECT_EQ(d.d.changes[1].after.text, "waiting, outside, not_offered");
}

TEST(Diff, CiteOnly) {
  Diffed d = DiffOneEdit("cite \"大病保险 (第二重保障)……起付线1.6万元\"", "cite \"起付线1.6万元\"");
  const diff::Change& c = Only(d);
  EXPECT_EQ(c.part, "cite");
  EXPECT_EQ(c.before.text, "大病保险 (第二重保障)……起付线1.6万元");
  EXPECT_EQ(c.after.text, "起付线1.6万元");
}

TEST(Diff, FunctionBodyAndOutputColumn) {
  std::string text = Edit(PolicyText(kHuaihua), "catastrophic_scale(max(base - catastrophic_deductible, 0), catastrophic_shift)",
                          "catastrophic_scale(max(base - catastrophic_deductible, 0), 0%)");
  text = Edit(text, "catastrophic_cap absent \"none\"", "catastrophic_cap absent \"-\"");
  Diffed d = DiffTexts(PolicyText(kHuaihua), text);
  ASSERT_EQ(d.d.changes.size(), 2u) << d.text;
  EXPECT_EQ(d.d.changes[0].decl, "function");
  EXPECT_EQ(d.d.changes[0].before.text, "catastrophic_shift");
  EXPECT_EQ(d.d.changes[0].after.text, "0%");
  EXPECT_EQ(d.d.changes[1].decl, "output");
  EXPECT_EQ(d.d.changes[1].part, "column catastrophic_cap absent");
}

TEST(Diff, OutputColumnRole) {
  const Diffed d = DiffOneEdit("catastrophic fund \"大病保险\"", "catastrophic fund \"大病保险基金\"");
  ASSERT_EQ(d.d.changes.size(), 1u) << d.text;
  EXPECT_EQ(d.d.changes[0].part, "column catastrophic role");
  EXPECT_EQ(d.d.changes[0].before.text, "fund \"大病保险\"");
  EXPECT_EQ(d.d.changes[0].after.text, "fund \"大病保险基金\"");
}

TEST(Diff, DefinitionRemovedAndAdded) {
  std::string text = Edit(PolicyText(kHuaihua), "param continuity_years: int = 4\n  cite \"连续参加居民医保满 4 年\"",
                          "param continuity_years: int = 4\n  cite \"连续参加居民医保满 4 年\"\nparam spare: int = 1");
  text = Edit(text, "continuity_bonus * max(prior_insured_years + 1 - continuity_years, 0)",
              "continuity_bonus * max(prior_insured_years + spare - continuity_years, 0)");
  Diffed d = DiffTexts(PolicyText(kHuaihua), text);
  ASSERT_EQ(d.d.changes.size(), 2u) << d.text;
  EXPECT_EQ(d.d.changes[0].kind, diff::ChangeKind::Added);
  EXPECT_EQ(d.d.changes[0].name, "spare");
  EXPECT_EQ(d.d.changes[1].name, "catastrophic_cap");
  EXPECT_EQ(d.d.changes[1].before.text, "1");
  EXPECT_EQ(d.d.changes[1].after.text, "spare");
}

// The two real diffs, as text, against the golden files.
void Golden(const std::string& old_name, const std::string& new_name) {
  Diffed d = DiffTexts(PolicyText(old_name), PolicyText(new_name), old_name, new_name);
  const fs::path golden = fs::path(POLC_SOURCE_DIR) / "tests/files/diff" /
                          (fs::path(old_name).stem().string() + "_" + fs::path(new_name).stem().string() + ".txt");
  if (std::getenv("POLC_AUTOUPDATE")) {
    WriteAll(golden, d.text);
    return;
  }
  EXPECT_EQ(ReadAll(golden), d.text) << "regenerate with tools/update_diff_tests.sh and review the change";
}

TEST(DiffGolden, Huaihua2025To2026) { Golden("huaihua-2025.policy", "huaihua-2026.policy"); }
TEST(DiffGolden, Huaihua2026ToYueyang2026) { Golden("huaihua-2026.policy", "yueyang-louqu-2026.policy"); }

}  // namespace
}  // namespace polc
