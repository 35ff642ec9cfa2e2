// `polc explain` as an analyst reads it, on the worked example (../shared/cases/worked-example,
// whose README derives every figure by hand from the spec): the catastrophic scale's segments,
// rates and the cumulative base before and after the claim; the Chinese labels of the words;
// the table row each lookup used and its cite; `--person`; the JSON trace (schema version 2)
// parsed field by field; and the errors.
#include <filesystem>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/unit/test_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ExplainCli : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = MakeTempDir("polc_explain_cli");
    ASSERT_FALSE(root_.empty());
    fs::copy(std::string(POLC_SHARED_DIR) + "/cases/worked-example", root_ + "/case");
  }
  void TearDown() override { fs::remove_all(root_); }

  PolcRun Polc(const std::string& args) { return RunPolc(root_, args, root_); }
  static std::string Policy(const std::string& stem = "huaihua-2026") {
    return std::string(POLC_SOURCE_DIR) + "/policies/" + stem + ".policy";
  }
  PolcRun Explain(const std::string& what, const std::string& policy = Policy()) {
    return Polc(fmt::format("explain '{}' --persons case/persons.csv --claims case/claims.csv {}", policy, what));
  }
  static void ExpectHas(const std::string& text, const std::string& want) {
    EXPECT_NE(text.find(want), std::string::npos) << "missing: " << want << "\n" << text;
  }
  // The location prefix of a line of the policy holding `needle` (`FILE:LINE:`).
  static std::string LineOf(const std::string& policy, const std::string& needle) {
    const std::string text = ReadAll(policy);
    const size_t at = text.find(needle);
    if (at == std::string::npos) return "not found: " + needle;
    return fmt::format("{}:{}:", policy, 1 + std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
  }

  std::string root_;
};

const json* StepOf(const json& steps, const std::string& rule) {
  for (const json& step : steps) {
    if (step.at("rule") == rule) return &step;
  }
  return nullptr;
}

// README, H2 (Huaihua): base 35,780 before, 53,670 after; K(53,670) = 30,000 x 60% + 7,670 x 65%
// = 22,985.50 and K(35,780) = 19,780 x 60% = 11,868 above the 16,000 deductible: 11,117.50.
TEST_F(ExplainCli, CatastrophicClaimShowsSegmentsRatesAndTotalsBeforeAndAfter) {
  const PolcRun r = Explain("--claim H2");
  ASSERT_EQ(r.code, 0) << r.err;
  ExpectHas(r.out, "catastrophic = 11117.50    [");
  ExpectHas(r.out, "brackets catastrophic_scale(37670.00) = 22985.50, in "
                   "`catastrophic_due(catastrophic_base + eligible - basic)` with 53670.00:\n");
  ExpectHas(r.out, "0.00 .. 30000.00 at 60%: 30000.00 x 60% = 18000.00    [" + LineOf(Policy(), "0 .. 3万:    60%"));
  ExpectHas(r.out, "30000.00 .. 80000.00 at 65%: 7670.00 x 65% = 4985.50    [" + LineOf(Policy(), "3万 .. 8万:  65%"));
  ExpectHas(r.out, "total 22985.50\n");
  ExpectHas(r.out, "brackets catastrophic_scale(19780.00) = 11868.00, in `catastrophic_due(catastrophic_base)` "
                   "with 35780.00:\n");
  ExpectHas(r.out, "0.00 .. 30000.00 at 60%: 19780.00 x 60% = 11868.00");
  ExpectHas(r.out, "accumulated: catastrophic_base 35780.00 before this claim -> 53670.00 after\n");
  ExpectHas(r.out, "cites: 起付线1.6万元, 0-3万元（含）部分报销60%");
  // The after-claim evaluation comes first (the left operand of the subtraction).
  EXPECT_LT(r.out.find("catastrophic_scale(37670.00)"), r.out.find("catastrophic_scale(19780.00)"));
}

// README, H3: base 53,670 -> 300,000; K = 30,000 x 60% + 50,000 x 65% + 70,000 x 75% +
// 134,000 x 85% = 216,900, so 193,914.50. C1 (minimum_living, preferential): deductible 8,000,
// rates + 5 points: 13,780 x 65% = 8,957.
TEST_F(ExplainCli, EverySegmentOfTheScaleAndTheShiftedRates) {
  PolcRun r = Explain("--claim H3");
  ASSERT_EQ(r.code, 0) << r.err;
  ExpectHas(r.out, "brackets catastrophic_scale(284000.00) = 216900.00");
  ExpectHas(r.out, "0.00 .. 30000.00 at 60%: 30000.00 x 60% = 18000.00");
  ExpectHas(r.out, "30000.00 .. 80000.00 at 65%: 50000.00 x 65% = 32500.00");
  ExpectHas(r.out, "80000.00 .. 150000.00 at 75%: 70000.00 x 75% = 52500.00");
  ExpectHas(r.out, "above 150000.00 at 85%: 134000.00 x 85% = 113900.00");
  ExpectHas(r.out, "accumulated: catastrophic_base 53670.00 before this claim -> 300000.00 after\n");
  ExpectHas(r.out, "catastrophic = 193914.50");
  r = Explain("--claim C1");
  ASSERT_EQ(r.code, 0) << r.err;
  ExpectHas(r.out, "brackets catastrophic_scale(13780.00, shift 5%) = 8957.00");
  ExpectHas(r.out, "0.00 .. 30000.00 at 65% (60% + 5%): 13780.00 x 65% = 8957.00");
  // Before C1 the base is 0: nothing above the deductible.
  ExpectHas(r.out, "brackets catastrophic_scale(0.00, shift 5%) = 0.00");
  ExpectHas(r.out, "accumulated: catastrophic_base 0.00 before this claim -> 21780.00 after\n");
}

TEST_F(ExplainCli, WordsCarryTheirChineseLabelsAndLookupsTheirRows) {
  const PolcRun r = Explain("--claim H2");
  ASSERT_EQ(r.code, 0) << r.err;
  ExpectHas(r.out, "kind=inpatient (住院), level=level3 (三级), region=out_of_region (异地), referral=temporary (其他临时外出就医)");
  ExpectHas(r.out, "hardship=none (无)");
  ExpectHas(r.out, "admissions[level3 (三级)]: 1 -> 2");
  // No row of the shipped table cites: the table's cite is shown, with the row used.
  ExpectHas(r.out, "table inpatient[level3 (三级)].rate = 65%    [row " + LineOf(Policy(), "  level3     => 1200, 65%") +
                       "3; table cites: 住院待遇 医疗机构等级 起付线 报销比例]");
  // The output row stays as the result file holds it.
  ExpectHas(r.out, "output results: claim_id=H2, person_id=A, status=ok, basic=32110.00");
}

// A row's own cite (the optional `cite` after a row's values) is shown instead of the table's,
// survives `polc fmt`, and a row without one falls back to the table's.
TEST_F(ExplainCli, TableRowCites) {
  std::string text = ReadAll(Policy());
  const std::string row = "  level3     => 1200, 65%\n";
  const size_t at = text.find(row);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, row.size(), "  level3     => 1200, 65% cite \"三级医疗机构 起付线1200元 报销65%\"\n");
  const std::string copy = root_ + "/cited.policy";
  WriteAll(copy, text);
  fs::copy(std::string(POLC_SOURCE_DIR) + "/policies/chronic-caps.csv", root_ + "/chronic-caps.csv");
  PolcRun r = Polc("check cited.policy");
  EXPECT_EQ(r.code, 0) << r.err;
  // `polc fmt` keeps the row's cite after its values, and its output is canonical.
  r = Polc("fmt cited.policy");
  EXPECT_EQ(r.code, 0) << r.err;
  ExpectHas(r.out, "=> 1200, 65% cite \"三级医疗机构 起付线1200元 报销65%\"\n");
  WriteAll(root_ + "/formatted.policy", r.out);
  r = Polc("fmt --check formatted.policy");
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  r = Explain("--claim H2", "cited.policy");
  ASSERT_EQ(r.code, 0) << r.err;
  ExpectHas(r.out, "table inpatient[level3 (三级)].rate = 65%    [row " + LineOf(copy, "  level3     => 1200, 65%").substr(root_.size() + 1) +
                       "3; row cites: 三级医疗机构 起付线1200元 报销65%]");
  r = Explain("--claim H2 --json", "cited.policy");
  ASSERT_EQ(r.code, 0) << r.err;
  const json doc = json::parse(r.out);
  const json* rate = StepOf(doc.at("event_rules"), "inpatient_rate");
  ASSERT_NE(rate, nullptr) << r.out;
  ASSERT_EQ(rate->at("tables").size(), 1u);
  const json& read = rate->at("tables")[0];
  EXPECT_EQ(read.at("table"), "inpatient");
  EXPECT_EQ(read.at("column"), "rate");
  EXPECT_EQ(read.at("key"), "level3");
  EXPECT_EQ(read.at("key_label"), "三级");
  EXPECT_EQ(read.at("value"), "65%");
  EXPECT_EQ(read.at("row").at("cite"), "三级医疗机构 起付线1200元 报销65%");
  EXPECT_EQ(read.at("cite"), "三级医疗机构 起付线1200元 报销65%");
  EXPECT_EQ(read.at("cite_of"), "row");
}

TEST_F(ExplainCli, JsonTraceHasTheSchemaVersionSegmentsLabelsAndTotals) {
  const PolcRun r = Explain("--claim H2 --json");
  ASSERT_EQ(r.code, 0) << r.err;
  json doc;
  ASSERT_NO_THROW(doc = json::parse(r.out)) << r.out.substr(0, 2000);
  EXPECT_EQ(doc.at("schema"), "polc-trace");
  EXPECT_EQ(doc.at("version"), 2);
  EXPECT_EQ(doc.at("explains"), "claim");
  const json* cat = StepOf(doc.at("event_rules"), "catastrophic");
  ASSERT_NE(cat, nullptr);
  EXPECT_EQ(cat->at("value"), "11117.50");
  const json& evals = cat->at("brackets");
  ASSERT_EQ(evals.size(), 2u);
  EXPECT_EQ(evals[0].at("name"), "catastrophic_scale");
  EXPECT_EQ(evals[0].at("amount"), "37670.00");
  EXPECT_EQ(evals[0].at("shift"), "0%");
  EXPECT_EQ(evals[0].at("result"), "22985.50");
  EXPECT_EQ(evals[0].at("call").at("arguments")[0].at("value"), "53670.00");
  ASSERT_EQ(evals[0].at("segments").size(), 2u);
  const json& second = evals[0].at("segments")[1];
  EXPECT_EQ(second.at("row"), 1);
  EXPECT_EQ(second.at("lower"), "30000.00");
  EXPECT_EQ(second.at("upper"), "80000.00");
  EXPECT_EQ(second.at("part"), "7670.00");
  EXPECT_EQ(second.at("rate"), "65%");
  EXPECT_EQ(second.at("row_rate"), "65%");
  EXPECT_EQ(second.at("paid"), "4985.50");
  EXPECT_EQ(evals[1].at("amount"), "19780.00");
  EXPECT_EQ(evals[1].at("result"), "11868.00");
  EXPECT_EQ(evals[1].at("call").at("arguments")[0].at("value"), "35780.00");
  ASSERT_EQ(evals[1].at("segments").size(), 1u);
  EXPECT_EQ(evals[1].at("segments")[0].at("paid"), "11868.00");
  bool base_seen = false;
  for (const json& acc : cat->at("accumulated")) {
    if (acc.at("name") != "catastrophic_base") continue;
    base_seen = true;
    EXPECT_EQ(acc.at("before"), "35780.00");
    EXPECT_EQ(acc.at("after"), "53670.00");
  }
  EXPECT_TRUE(base_seen) << cat->dump();
  // Labels beside the words: the claim's fields, and a keyed accumulator's bucket.
  for (const json& field : doc.at("event").at("fields")) {
    if (field.at("name") == "level") {
      EXPECT_EQ(field.at("label"), "三级");
    }
    if (field.at("name") == "total") {
      EXPECT_FALSE(field.contains("label"));
    }
  }
  for (const json& acc : doc.at("accumulators")) {
    if (acc.at("name") == "admissions") {
      EXPECT_EQ(acc.at("key_label"), "三级");
    }
  }
  // The shift is visible in the rates of a preferential person (C1).
  const PolcRun c1 = Explain("--claim C1 --json");
  ASSERT_EQ(c1.code, 0) << c1.err;
  const json c1_doc = json::parse(c1.out);
  const json* c1_cat = StepOf(c1_doc.at("event_rules"), "catastrophic");
  ASSERT_NE(c1_cat, nullptr);
  const json& seg = c1_cat->at("brackets")[0].at("segments")[0];
  EXPECT_EQ(seg.at("row_rate"), "60%");
  EXPECT_EQ(seg.at("rate"), "65%");
  EXPECT_EQ(seg.at("paid"), "8957.00");
}

// README: C (minimum_living, half subsidy): contribution 200, Huaihua benefits from 2026-07-01;
// zero_claim_years next year 0.
TEST_F(ExplainCli, PersonExplainsContributionBenefitStartCapsAndYearEnd) {
  PolcRun r = Explain("--person C");
  ASSERT_EQ(r.code, 0) << r.err;
  ExpectHas(r.out, "person C (case/persons.csv:4), under " + Policy() + "\n  person_id=C,");
  ExpectHas(r.out, "hardship=minimum_living (低保对象)");
  ExpectHas(r.out, "contribution = 200.00    [");
  ExpectHas(r.out, "benefit_start = 2026-07-01    [");
  ExpectHas(r.out, "catastrophic_cap = none    [");
  ExpectHas(r.out, "exception preferential applies");
  ExpectHas(r.out, "table hardship_subsidy[minimum_living (低保对象)] = 50%    [row " +
                       LineOf(Policy(), "  minimum_living, marginal_low_income, poverty_monitoring      => 50%") + "3; table cites: 帮扶措施");
  ExpectHas(r.out, "output persons_result: person_id=C, contribution=200.00, subsidy=200.00, benefit_start=2026-07-01, "
                   "catastrophic_cap=none");
  ExpectHas(r.out, "at year end, after the person's last claim:");
  ExpectHas(r.out, "output persons_next: person_id=C");
  EXPECT_EQ(r.out.find("claim rules, in evaluation order"), std::string::npos) << r.out;
  r = Explain("--person C --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const json doc = json::parse(r.out);
  EXPECT_EQ(doc.at("version"), 2);
  EXPECT_EQ(doc.at("explains"), "person");
  EXPECT_TRUE(doc.at("event").is_null());
  EXPECT_TRUE(doc.at("event_rules").empty());
  const json* contribution = StepOf(doc.at("subject_rules"), "contribution");
  ASSERT_NE(contribution, nullptr);
  EXPECT_EQ(contribution->at("value"), "200.00");
  const json* start = StepOf(doc.at("subject_rules"), "benefit_start");
  ASSERT_NE(start, nullptr);
  EXPECT_EQ(start->at("value"), "2026-07-01");
  EXPECT_EQ(doc.at("outputs").back().at("year_end"), true);
}

TEST_F(ExplainCli, UnknownPersonAndBadChoiceArePreciseErrors) {
  PolcRun r = Explain("--person NOPE");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "polc: no person 'NOPE' in case/persons.csv\n");
  EXPECT_EQ(r.out, "");
  r = Explain("--person C --claim H2");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "polc: explain needs exactly one of --claim ID and --person ID\n");
  r = Explain("");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "polc: explain needs exactly one of --claim ID and --person ID\n");
}

}  // namespace
}  // namespace polc
