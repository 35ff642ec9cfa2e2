// The settling commands as scripts see them (the polc executable): `run` on bad input (each
// kind of bad row: message, exit code, no file left behind) and on a policy that does not
// compile; `test` against a deliberately wrong expectation and with --junit; `explain` as text,
// as JSON and for an unknown claim; `summary`.
#include <filesystem>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;

// Replaces the first occurrence of `from` in a file.
void Edit(const std::string& path, const std::string& from, const std::string& to) {
  std::string text = ReadAll(path);
  const size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from << " not in " << path;
  text.replace(at, from.size(), to);
  WriteAll(path, text);
}

class InterpCli : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = MakeTempDir("polc_interp_cli");
    ASSERT_FALSE(root_.empty());
    cases_ = root_ + "/case";
    out_ = root_ + "/out";
    fs::create_directories(out_);
    fs::copy(std::string(POLC_SHARED_DIR) + "/cases/worked-example", cases_);
  }
  void TearDown() override { fs::remove_all(root_); }

  using Result = PolcRun;
  Result Polc(const std::string& args) { return RunPolc(root_, args, root_); }
  std::string Policy(const std::string& stem = "huaihua-2026") const {
    return std::string(POLC_SOURCE_DIR) + "/policies/" + stem + ".policy";
  }
  Result RunCase() {
    return Polc(fmt::format("run '{}' --persons case/persons.csv --claims case/claims.csv --out out/r.csv "
                            "--persons-out out/p.csv --engine interp",
                            Policy()));
  }
  bool OutIsEmpty() const { return fs::is_empty(out_); }

  std::string root_, cases_, out_;
};

TEST_F(InterpCli, BadMoney) {
  Edit(cases_ + "/claims.csv", "110000,100000", "110000.001,100000");
  const Result r = RunCase();
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "case/claims.csv:2: total: money '110000.001' has more than two decimals\n");
  EXPECT_TRUE(OutIsEmpty());
}

TEST_F(InterpCli, UnknownEnumWord) {
  Edit(cases_ + "/claims.csv", "H2,A,2026-05-01,inpatient", "H2,A,2026-05-01,inpatiant");
  const Result r = RunCase();
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "case/claims.csv:3: kind: unknown claim_kind word 'inpatiant'\n");
  EXPECT_TRUE(OutIsEmpty());
}

TEST_F(InterpCli, UnknownPerson) {
  Edit(cases_ + "/claims.csv", "H3,A,", "H3,Nobody,");
  const Result r = RunCase();
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "case/claims.csv:4: person_id: no person 'Nobody' in case/persons.csv\n");
  EXPECT_TRUE(OutIsEmpty());
}

TEST_F(InterpCli, DuplicateIds) {
  Edit(cases_ + "/claims.csv", "H3,A,", "H1,A,");
  WriteAll(cases_ + "/persons.csv", ReadAll(cases_ + "/persons.csv") + "B,1960-02-01,2026-03-15,resident,none,0,0,0,0,,,0,0,no\n");
  const Result r = RunCase();
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "case/persons.csv:22: duplicate person_id 'B' (first on line 3)\n"
            "case/claims.csv:4: duplicate claim_id 'H1' (first on line 2)\n");
  EXPECT_TRUE(OutIsEmpty());
}

TEST_F(InterpCli, EligibleAboveTotal) {
  Edit(cases_ + "/claims.csv", "52000,50000", "52000,52000.01");
  const Result r = RunCase();
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "case/claims.csv:3: eligible is larger than total\n");
  EXPECT_TRUE(OutIsEmpty());
}

TEST_F(InterpCli, MissingColumn) {
  Edit(cases_ + "/persons.csv", ",zero_claim_years,", ",zero_claims,");
  const Result r = RunCase();
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "case/persons.csv:1: missing column 'zero_claim_years'\n");
  EXPECT_TRUE(OutIsEmpty());
}

TEST_F(InterpCli, PolicyThatDoesNotCompile) {
  WriteAll(root_ + "/bad.policy", ReadAll(Policy()) + "\nrule broken: money = 400 + 5%\n");
  const Result r = Polc("run bad.policy --persons case/persons.csv --claims case/claims.csv --out out/r.csv");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("bad.policy:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(": error: "), std::string::npos) << r.err;
  EXPECT_TRUE(OutIsEmpty());
}

TEST_F(InterpCli, DefaultEngineRunsQuietly) {
  const Result r = Polc(fmt::format("run '{}' --persons case/persons.csv --claims case/claims.csv --out out/r.csv",
                                    Policy()));
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(ReadAll(out_ + "/r.csv"), ReadAll(cases_ + "/huaihua-2026.results.csv"));
  EXPECT_FALSE(fs::exists(out_ + "/p.csv"));
}

TEST_F(InterpCli, TestPassesAndWritesJunit) {
  const std::string golden = std::string(POLC_SHARED_DIR) + "/cases";
  const Result r = Polc(fmt::format("test '{}' '{}/worked-example' '{}/random-300' --engine interp --junit out/j.xml",
                                    Policy("yueyang-louqu-2026"), golden, golden));
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("PASS worked-example\nPASS random-300\n2 passed, 0 failed\n"), std::string::npos) << r.out;
  const std::string xml = ReadAll(out_ + "/j.xml");
  EXPECT_NE(xml.find("tests=\"2\" failures=\"0\""), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<failure"), std::string::npos) << xml;
}

TEST_F(InterpCli, TestNamesEveryWrongFieldAndExplainsTheFirstClaim) {
  Edit(cases_ + "/huaihua-2026.results.csv", "H2,A,ok,32110.00", "H2,A,ok,32111.00");
  Edit(cases_ + "/huaihua-2026.persons.csv", "C,200.00", "C,201.00");
  const Result r = Polc(fmt::format("test '{}' case --engine interp --junit out/j.xml", Policy()));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("FAIL case\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("case case: case/huaihua-2026.results.csv:3: claim H2 column basic: expected 32111.00, got 32110.00\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("case case: case/huaihua-2026.persons.csv:4: person C column contribution: expected 201.00, got 200.00\n"), std::string::npos)
      << r.out;
  // The explanation of H2 follows, as `polc explain` prints it.
  EXPECT_NE(r.out.find("claim H2 of person A"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("exception repeat_admission applies"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0 passed, 1 failed\n"), std::string::npos) << r.out;
  const std::string xml = ReadAll(out_ + "/j.xml");
  EXPECT_NE(xml.find("<failure message=\"2 problems\">"), std::string::npos) << xml;
  EXPECT_NE(xml.find("claim H2 column basic"), std::string::npos) << xml;
}

// Spec section 2: the four employee columns are required, and an empty employee_end with
// months or a gap is a bad row (a `require` of both policies).
TEST_F(InterpCli, EmployeeColumnsAreRequiredAndChecked) {
  const std::string persons = ReadAll(cases_ + "/persons.csv");
  Edit(cases_ + "/persons.csv", ",employee_gap\n", ",employee_gap_x\n");
  Result r = RunCase();
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "case/persons.csv:1: missing column 'employee_gap'\n");
  EXPECT_TRUE(OutIsEmpty());
  WriteAll(cases_ + "/persons.csv", persons);
  Edit(cases_ + "/persons.csv", "A,1970-05-01,2025-10-10,resident,none,1,0,0,1,,,0,0,no",
       "A,1970-05-01,2025-10-10,resident,none,1,0,0,1,,,3,0,no");
  Edit(cases_ + "/persons.csv", "B,1960-02-01,2026-03-15,resident,none,0,0,0,0,,,0,0,no",
       "B,1960-02-01,2026-03-15,resident,none,0,0,0,0,,,0,0,yes");
  r = RunCase();
  EXPECT_EQ(r.code, 1);
  const std::string why = "employee_end is empty, so employee_months_prev and employee_months_cur must be 0 and employee_gap no\n";
  EXPECT_EQ(r.err, "case/persons.csv:2: " + why + "case/persons.csv:3: " + why);
  EXPECT_TRUE(OutIsEmpty());
}

// `--next-out` writes the output `at year_end` with either engine; a policy without one refuses it.
TEST_F(InterpCli, NextOutWritesNextYearsCounters) {
  for (const char* engine : {"interp", "jit"}) {
    const Result r = Polc(fmt::format("run '{}' --persons case/persons.csv --claims case/claims.csv --out out/r.csv "
                                      "--next-out out/n.csv --engine {}", Policy("yueyang-louqu-2026"), engine));
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(ReadAll(out_ + "/n.csv"), ReadAll(cases_ + "/yueyang-louqu-2026.next.csv")) << engine;
  }
  std::string text = ReadAll(Policy());
  const size_t at = text.find("output persons_next for person at year_end");
  ASSERT_NE(at, std::string::npos);
  text.erase(at);
  const size_t rule = text.find("rule next_zero_claim_years"), next_area = text.find("\narea results");
  ASSERT_LT(rule, next_area);
  text.erase(rule, next_area - rule);
  WriteAll(root_ + "/no_next.policy", text);
  fs::copy(std::string(POLC_SOURCE_DIR) + "/policies/chronic-caps.csv", root_ + "/chronic-caps.csv");
  fs::remove_all(out_);
  fs::create_directories(out_);
  const Result r = Polc("run no_next.policy --persons case/persons.csv --claims case/claims.csv --out out/r.csv "
                        "--next-out out/n.csv");
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("declares no output for person records at year_end"), std::string::npos) << r.err;
  EXPECT_TRUE(OutIsEmpty());
}

// Spec section 13: explain shows the three assistance steps, their year sums before -> after,
// their cites, and the year-end values.
TEST_F(InterpCli, ExplainShowsAssistanceStepsAndYearEnd) {
  const Result r = Polc(fmt::format("explain '{}' --persons case/persons.csv --claims case/claims.csv --claim D2",
                                    Policy("yueyang-louqu-2026")));
  EXPECT_EQ(r.code, 0) << r.err;
  for (const char* want : {"inpatient_assistance = 79360.00", "serious_inpatient_assistance = 660.00",
                           "outpatient_assistance = 0.00", "assistance = 80020.00", "patient = 30440.00",
                           "inpatient_self_paid: 10640.00 -> 101100.00", "serious_inpatient_base: 0.00 -> 11100.00",
                           "outpatient_assistance_paid = 0.00 (unchanged", "cites: 住院救助 救助对象医保年度累计住院",
                           "年度最高支付限额9万元", "cites: 重特大疾病医疗救助 经基本医保",
                           "at year end, after the person's last claim:", "reads: year_total(fund_paid) = 468900.00",
                           "output persons_next: person_id=D, prior_insured_years=2, lapsed_years=0, repaired_years=0, "
                           "zero_claim_years=0"}) {
    EXPECT_NE(r.out.find(want), std::string::npos) << want << "\n" << r.out;
  }
  const Result json = Polc(fmt::format("explain '{}' --persons case/persons.csv --claims case/claims.csv --claim E2 --json",
                                       Policy("yueyang-louqu-2026")));
  EXPECT_EQ(json.code, 0) << json.err;
  EXPECT_NE(json.out.find("\"year_end_rules\":[{\"index\":1,\"rule\":\"next_zero_claim_years\",\"stage\":\"year_end\""),
            std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"read\":\"year_total\""), std::string::npos);
  EXPECT_NE(json.out.find("{\"name\":\"persons_next\",\"record\":\"person\",\"year_end\":true,"), std::string::npos);
}

TEST_F(InterpCli, ExplainTextJsonAndUnknownClaim) {
  const std::string common = fmt::format("explain '{}' --persons case/persons.csv --claims case/claims.csv", Policy());
  Result r = Polc(common + " --claim H2");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("nominal_deductible = 600.00    [" + Policy() + ":"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cites: 第二次及以上起付线标准按50%计算"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("admissions[level3 (三级)]: 1 -> 2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("output results: claim_id=H2, person_id=A, status=ok, basic=32110.00, "
                       "catastrophic=11117.50, assistance=0.00, patient=8772.50"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("benefit_start = 2026-01-01"), std::string::npos) << r.out;
  r = Polc(common + " --claim H2 --json");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("{\"schema\":\"polc-trace\",\"version\":2,\"explains\":\"claim\",", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\"rule\":\"nominal_deductible\""), std::string::npos);
  EXPECT_NE(r.out.find("\"branch\":\"exception\",\"exception\":{\"index\":0,\"label\":\"repeat_admission\""),
            std::string::npos);
  r = Polc(common + " --claim NOPE");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "polc: no claim 'NOPE' in case/claims.csv\n");
}

TEST_F(InterpCli, SummaryCountsAndTotals) {
  const Result r = Polc(fmt::format("summary '{}' '{}' --persons case/persons.csv --claims case/claims.csv --engine interp",
                                    Policy(), Policy("yueyang-louqu-2026")));
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("person rows: 20 (output persons_result)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("status           ok 22, waiting_period 12, outside_period 0, not_covered 0"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("    contribution               14100.00\n"), std::string::npos) << r.out;
  // The assistance fund's total stands beside the others (the policy's money columns).
  EXPECT_NE(r.out.find("    assistance                366366.10\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("per second"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace polc
