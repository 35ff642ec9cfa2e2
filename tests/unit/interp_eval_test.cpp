// Unit tests for the interpreter's semantics on small policies: exceptions, exact money and
// date arithmetic, absent values, tables, brackets, accumulators (read before, update after,
// caps, keys), laziness and memoization (through traces), and output formatting.
#include <filesystem>

#include <gtest/gtest.h>

#include "compiler/driver/compile.h"
#include "compiler/interp/explain.h"
#include "compiler/io/read_inputs.h"
#include "compiler/io/results.h"
#include "tests/unit/test_util.h"

namespace polc::interp {
namespace {

using io::FormatRate;
using io::ReadInputs;
using io::ResultTable;
using settle::InputErrors;

const char* kSkeleton = R"(policy "t" { region: "r" year: 2026 source: "s" }
enum kind { a, b, c }
input person key person_id { person_id: text  born: date }
input claim key claim_id of person by person_id order by date {
  claim_id: text  person_id: text  date: date  k: kind  total: money  n: int?
}
)";

const char* kPersons = "person_id,born\nP1,1990-01-31\nP2,2000-02-29\n";

class InterpEval : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("polc_interp_eval");
    ASSERT_FALSE(dir_.empty());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& name, const std::string& text) { WriteAll(dir_ + "/" + name, text); }

  // Compiles the skeleton plus `body` and `outputs`, reads the inputs and settles everything.
  // Returns the event rows (joined by commas), or the error.
  std::vector<std::string> Settle(const std::string& body, const std::string& claim_output,
                                  const std::string& claims, const std::string& persons = kPersons) {
    compilation_ = driver::CompileText("t.policy", std::string(kSkeleton) + body + "output o for claim { " +
                                                       claim_output + " }\noutput q for person { person_id }\n");
    EXPECT_TRUE(compilation_->ok) << compilation_->diagnostics.Render();
    if (!compilation_->ok) return {};
    Write("persons.csv", persons);
    Write("claims.csv", "claim_id,person_id,date,k,total,n\n" + claims);
    interp_ = std::make_unique<Interpreter>(compilation_->program);
    InputErrors errors;
    inputs_ = std::make_unique<Inputs>();
    if (!ReadInputs(*interp_, dir_ + "/persons.csv", dir_ + "/claims.csv", *inputs_, errors)) {
      return {"input error: " + errors.Render()};
    }
    ResultTable tables[2];
    try {
      io::SettleToTables(interp_->Program(), interp_->AsSettleFn(), *inputs_, tables);
    } catch (const EvalError& e) {
      return {std::string("eval error: ") + e.what()};
    }
    std::vector<std::string> rows;
    for (const auto& row : tables[1].rows) {
      std::string line;
      for (const std::string& cell : row) {
        if (!line.empty()) line += ",";
        line += cell;
      }
      rows.push_back(line);
    }
    return rows;
  }

  const ir::Rule& RuleNamed(const std::string& name) const {
    for (const ir::Rule& r : compilation_->program.rules) {
      if (r.name == name) return r;
    }
    ADD_FAILURE() << "no rule " << name;
    return compilation_->program.rules.front();
  }

  std::string dir_;
  std::unique_ptr<driver::Compilation> compilation_;
  std::unique_ptr<Interpreter> interp_;
  std::unique_ptr<Inputs> inputs_;
};

using Rows = std::vector<std::string>;

TEST_F(InterpEval, FirstExceptionThatHoldsWins) {
  const Rows rows = Settle(R"(
rule x: int = 0
  exception big when total > 100 = 1
  exception medium when total > 10 = 2
)", "claim_id, x", "C1,P1,2026-01-01,a,5,\nC2,P1,2026-01-02,a,50,\nC3,P1,2026-01-03,a,500,\n");
  EXPECT_EQ(rows, (Rows{"C1,0", "C2,2", "C3,1"}));
}

TEST_F(InterpEval, MoneyTimesRateRoundsHalfUpOncePerProduct) {
  // 1 fen * 62.5% = 0.625 fen -> 1; 2 fen -> 1.25 -> 1; 3 fen -> 1.875 -> 2; then * 50% again.
  const Rows rows = Settle("rule r: money = total * 62.5%\nrule twice: money = total * 62.5% * 50%\n",
                           "claim_id, r, twice",
                           "C1,P1,2026-01-01,a,0.01,\nC2,P1,2026-01-02,a,0.02,\nC3,P1,2026-01-03,a,0.03,\n");
  EXPECT_EQ(rows, (Rows{"C1,0.01,0.01", "C2,0.01,0.01", "C3,0.02,0.01"}));
}

TEST_F(InterpEval, DateArithmeticClampsMonthsThenAddsDays) {
  const Rows rows = Settle(R"(
rule next_month: date = born + 1 months
rule later: date = born + (1 months + 3 days)
rule age_days: int = date - born
rule earlier: date = date - 1 months
)", "claim_id, next_month, later, age_days, earlier",
                           "C1,P1,1990-03-31,a,1,\nC2,P2,2000-03-31,a,1,\n");
  EXPECT_EQ(rows, (Rows{"C1,1990-02-28,1990-03-03,59,1990-02-28", "C2,2000-03-29,2000-04-01,31,2000-02-29"}));
}

TEST_F(InterpEval, MinAndMaxSkipAbsentArguments) {
  const Rows rows = Settle("rule lo: int? = min(n, 5)\nrule only: int? = max(n)\nrule fallback: int = value_or(n, 7)\n",
                           "claim_id, lo, only = only absent \"none\", fallback, has = present(n)",
                           "C1,P1,2026-01-01,a,1,\nC2,P1,2026-01-02,a,1,3\nC3,P1,2026-01-03,a,1,9\n");
  EXPECT_EQ(rows, (Rows{"C1,5,none,7,false", "C2,3,3,3,true", "C3,5,9,9,true"}));
}

TEST_F(InterpEval, TablesByWordAndByNumber) {
  const Rows rows = Settle(R"(
table share: kind -> rate {
  a => 10%
  b => 62.5%
  else => 0%
}
table caps: int -> money {
  1 => 100
  3 => 300
}
table both: kind -> { low: money, high: money? } {
  a => 1, 2
  b => 3, none
  else => 5, 6
}
)", "claim_id, s = share[k], c = caps[n] absent \"-\", lo = both[k].low, hi = both[k].high absent \"?\"",
                           "C1,P1,2026-01-01,a,1,1\nC2,P1,2026-01-02,b,1,2\nC3,P1,2026-01-03,c,1,\n");
  EXPECT_EQ(rows, (Rows{"C1,10%,100.00,1.00,2.00", "C2,62.5%,-,3.00,?", "C3,0%,-,5.00,6.00"}));
}

TEST_F(InterpEval, BracketsSumExactlyWithAnOptionalShift) {
  // 150 = 100 at 10% + 50 at 20% = 20.00; shifted by 5%: 100 at 15% + 50 at 25% = 27.50.
  const Rows rows = Settle(R"(
brackets scale { 0 .. 100: 10%  100 ..: 20% }
rule plain: money = scale(total)
rule shifted: money = scale(total, 5%)
)", "claim_id, plain, shifted", "C1,P1,2026-01-01,a,150,\nC2,P1,2026-01-02,a,0.05,\n");
  EXPECT_EQ(rows, (Rows{"C1,20.00,27.50", "C2,0.01,0.01"}));
}

TEST_F(InterpEval, MatchSetsAndPeriods) {
  const Rows rows = Settle(R"(
set ab: kind = { a, b }
param spring: period = 2026-03-01 .. 2026-05-31
rule m: int = match k { a => 1 b, c => 2 }
rule in_ab: bool = k in ab
rule in_spring: bool = date in spring
)", "claim_id, m, in_ab, in_spring",
                           "C1,P1,2026-03-01,a,1,\nC2,P1,2026-05-31,b,1,\nC3,P1,2026-06-01,c,1,\n");
  EXPECT_EQ(rows, (Rows{"C1,1,true,true", "C2,2,true,true", "C3,2,false,false"}));
}

TEST_F(InterpEval, AccumulatorsReadTheTotalBeforeTheClaimInDateOrder) {
  // Input order is not date order; rows come back in input order, totals in date order.
  const Rows rows = Settle(R"(
accumulator spent: money = sum total
accumulator per_kind: int by k = count
rule before: money = spent
rule same_kind_before: int = per_kind
)", "claim_id, before, same_kind_before",
                           "C3,P1,2026-03-01,a,30,\nC1,P1,2026-01-01,a,10,\nC2,P1,2026-02-01,b,20,\n"
                           "D1,P2,2026-01-01,a,5,\nC0,P1,2026-03-01,a,1,\n");
  // C0 and C3 share a date: C0 goes first by key.
  EXPECT_EQ(rows, (Rows{"C3,31.00,2", "C1,0.00,0", "C2,10.00,0", "D1,0.00,0", "C0,30.00,1"}));
}

TEST_F(InterpEval, AbsentIntKeysHaveTheirOwnTotal) {
  const Rows rows = Settle("accumulator by_n: int by n = count\nrule prior: int = by_n\n", "claim_id, prior",
                           "C1,P1,2026-01-01,a,1,1\nC2,P1,2026-01-02,a,1,\nC3,P1,2026-01-03,a,1,1\n"
                           "C4,P1,2026-01-04,a,1,\nC5,P1,2026-01-05,a,1,2\n");
  EXPECT_EQ(rows, (Rows{"C1,0", "C2,0", "C3,1", "C4,1", "C5,0"}));
}

TEST_F(InterpEval, RoomKeepsPaymentsWithinTheCapAndConditionsFilterUpdates) {
  const Rows rows = Settle(R"(
accumulator paid: money = sum pay when k != c cap 100
rule pay: money = min(total, room(paid))
)", "claim_id, pay", "C1,P1,2026-01-01,a,60,\nC2,P1,2026-01-02,c,60,\nC3,P1,2026-01-03,a,60,\nC4,P1,2026-01-04,a,60,\n");
  EXPECT_EQ(rows, (Rows{"C1,60.00", "C2,40.00", "C3,40.00", "C4,0.00"}));
}

TEST_F(InterpEval, AnUpdateAboveTheCapStopsTheRun) {
  const Rows rows = Settle("accumulator over: money = sum total cap 100\n", "claim_id",
                           "C1,P1,2026-01-01,a,60,\nC2,P1,2026-01-02,a,60,\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_NE(rows[0].find("accumulator over exceeds its cap for person P1 (after claim C2)"), std::string::npos)
      << rows[0];
}

TEST_F(InterpEval, FunctionsAndLetUseTheirOwnLocals) {
  const Rows rows = Settle(R"(
function twice(x: money): money = x + x
rule quad: money = twice(twice(total))
rule sum3: money = let y = total; let z = twice(y); y + z
)", "claim_id, quad, sum3", "C1,P1,2026-01-01,a,1.25,\n");
  EXPECT_EQ(rows, (Rows{"C1,5.00,3.75"}));
}

TEST_F(InterpEval, OverflowStopsTheRun) {
  // 10^16 fen * 10^4 does not fit in 64 bits.
  const Rows rows = Settle("rule huge: money = total * 10000\n", "claim_id, huge",
                           "C1,P1,2026-01-01,a,100000000000000,\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_NE(rows[0].find("arithmetic overflow"), std::string::npos) << rows[0];
}

TEST_F(InterpEval, RulesAreLazyAndMemoizedPerClaimAndPerPerson) {
  const Rows rows = Settle(R"(
rule adult_from: date = born + 216 months
rule costly: money = total * 50%
rule pick: money = if k == a then 0 else costly
rule again: money = pick + pick
rule grown: bool = date >= adult_from
)", "claim_id, again, grown", "C1,P1,2026-01-01,a,10,\nC2,P1,2026-01-02,b,10,\n");
  ASSERT_EQ(rows, (Rows{"C1,0.00,true", "C2,10.00,true"}));
  auto count = [&](const std::vector<RuleStep>& steps, const std::string& name) {
    return std::count_if(steps.begin(), steps.end(), [&](const RuleStep& s) {
      return compilation_->program.rules[static_cast<size_t>(s.rule)].name == name;
    });
  };
  Interpreter fresh(compilation_->program);
  uint32_t c1 = 0, c2 = 0;
  ASSERT_TRUE(FindEvent(*inputs_, "C1", c1));
  ASSERT_TRUE(FindEvent(*inputs_, "C2", c2));
  const Trace first = TraceSettlement(fresh, *inputs_, 0, c1);
  EXPECT_EQ(count(first.event_rules, "costly"), 0) << "the else branch was evaluated";
  EXPECT_EQ(count(first.event_rules, "pick"), 1);
  const Trace second = TraceSettlement(fresh, *inputs_, 0, c2);
  EXPECT_EQ(count(second.event_rules, "costly"), 1);
  EXPECT_EQ(count(second.event_rules, "pick"), 1);
  // A person rule is evaluated once per person, however many claims read it.
  EXPECT_EQ(count(second.subject_rules, "adult_from"), 1);
  const RuleStep& pick = *std::find_if(second.event_rules.begin(), second.event_rules.end(), [&](const RuleStep& s) {
    return compilation_->program.rules[static_cast<size_t>(s.rule)].name == "pick";
  });
  EXPECT_EQ(pick.value, (ir::Value{500, 0, true}));
}

TEST_F(InterpEval, TracesRecordBranchesDependenciesAndAccumulators) {
  const Rows rows = Settle(R"(
accumulator paid: money = sum pay when total > 0 cap 100
rule small: bool = total < 50
rule pay: money = min(total, room(paid))
  exception tiny when small = 0
)", "claim_id, pay", "C1,P1,2026-01-01,a,60,\nC2,P1,2026-01-02,a,10,\nC3,P1,2026-01-03,a,70,\n");
  ASSERT_EQ(rows, (Rows{"C1,60.00", "C2,0.00", "C3,40.00"}));
  Interpreter fresh(compilation_->program);
  uint32_t c2 = 0, c3 = 0;
  ASSERT_TRUE(FindEvent(*inputs_, "C2", c2));
  ASSERT_TRUE(FindEvent(*inputs_, "C3", c3));
  const Trace t2 = TraceSettlement(fresh, *inputs_, 0, c2);
  ASSERT_FALSE(t2.event_rules.empty());
  const RuleStep& pay2 = t2.event_rules.back();
  EXPECT_EQ(compilation_->program.rules[static_cast<size_t>(pay2.rule)].name, "pay");
  EXPECT_EQ(pay2.branch, 0);
  EXPECT_TRUE(pay2.acc_reads.empty()) << "room() belongs to the default, which was not evaluated";
  const Trace t3 = TraceSettlement(fresh, *inputs_, 0, c3);
  const RuleStep& pay3 = t3.event_rules.back();
  EXPECT_EQ(pay3.branch, -1);
  EXPECT_EQ(pay3.conditions, (std::vector<uint8_t>{0}));
  ASSERT_EQ(pay3.acc_reads.size(), 1u);
  EXPECT_TRUE(pay3.acc_reads[0].room);
  EXPECT_EQ(pay3.acc_reads[0].value.a, 4000);
  ASSERT_EQ(t3.accumulators.size(), 1u);
  EXPECT_TRUE(t3.accumulators[0].updated);
  EXPECT_EQ(t3.accumulators[0].before.a, 6000);
  EXPECT_EQ(t3.accumulators[0].after.a, 10000);
  EXPECT_EQ(t3.accumulators[0].cap.a, 10000);
  const std::string text = ExplainText(compilation_->program, compilation_->source.get(), *inputs_, 0, t3);
  EXPECT_NE(text.find("pay = 40.00"), std::string::npos) << text;
  EXPECT_NE(text.find("room(paid) = 40.00"), std::string::npos) << text;
  EXPECT_NE(text.find("paid: 60.00 -> 100.00 (cap 100.00)"), std::string::npos) << text;
  const std::string json = ExplainJson(compilation_->program, *inputs_, 0, t3);
  EXPECT_EQ(json.rfind("{\"schema\":\"polc-trace\",\"version\":2,\"explains\":\"claim\",", 0), 0u) << json;
}

TEST(InterpFormat, RatesAndCells) {
  EXPECT_EQ(FormatRate(8500), "85%");
  EXPECT_EQ(FormatRate(6250), "62.5%");
  EXPECT_EQ(FormatRate(6255), "62.55%");
  EXPECT_EQ(FormatRate(5), "0.05%");
  EXPECT_EQ(FormatRate(-500), "-5%");
  EXPECT_EQ(FormatRate(0), "0%");
}

}  // namespace
}  // namespace polc::interp
