// The JIT against the interpreter on a policy that uses the operations the 2026 policies do
// not (let, value_or, match arms, int-keyed tables and accumulators, negation, durations,
// date differences), and on failures: an arithmetic overflow and an accumulator over its cap
// must stop both engines with the same message.
#include <gtest/gtest.h>

#include <filesystem>

#include <fmt/format.h>

#include "compiler/io/read_inputs.h"
#include "compiler/driver/compile.h"
#include "compiler/interp/interp.h"
#include "compiler/settle/inputs.h"
#include "compiler/jit/engine.h"
#include "compiler/jit/native.h"
#include "runtime/date.h"
#include "runtime/money.h"
#include "tests/unit/test_util.h"

namespace polc {
namespace {

const char* kOpsPolicy = R"(policy "ops" { region: "r" year: 2026 source: "s" }
enum kind { a, b, c, d }
input person key person_id {
  person_id: text  born: date  boss: text  n: int  stop: date?
}
input claim key claim_id of person by person_id order by date {
  claim_id: text  person_id: text  date: date  k: kind  total: money  code: int?  ref: text
}
param year_span: period = 2026-01-01 .. 2026-12-31
param shift: duration = 1 months + 10 days
param big: int = 4611686018427387904
table code_cap: int -> money { 1 => 100  2 => 250  7 => 40  12 => 900 }
table kind_rate: kind -> rate { a => 50%  b, c => 75.5%  else => 0% }
brackets scale { 0 .. 1000: 10%  1000 .. 5000: 20%  5000 ..: 35% }
set ab: kind = { a, b }
accumulator by_code: money by code = sum paid when present(code) cap code_cap[code]
accumulator visits: int by k = count when k != d
accumulator spent: money = sum total
rule age_days: int = date - born
rule later: date = born + shift - 3 days
rule back: date = date - 2 months
rule neg: money = -total
rule paid: money = if present(code_cap[code]) then min(total * kind_rate[k], room(by_code)) else 0
rule chosen: money = match k { a => total  b, c => paid  else => 0 }
rule lookup: money = value_or(code_cap[value_or(code, 0)], 5)
rule tax: money = scale(total, 5%)
rule same_text: bool = k == a or k != b
rule let_it: money = let x = total * 2; if x > 1000 then x - 1000 else -x
rule in_year: bool = date in year_span and k in ab
rule overflow: int = if n > 7 then big * n else n
rule subject_only: int = n * 3
  exception when n > 5 = n * 4
rule until: date? = stop
rule gap: int = if present(stop) then value_or(stop, born) - born else -1
output o for claim {
  claim_id, age_days, later, back, neg, paid, chosen, lookup, tax, same_text, let_it, in_year,
  visits, spent, count_k = visits + subject_only, overflow, gap
}
output q for person { person_id, subject_only, until absent "-", gap, later2 = born + shift }
)";

// Deterministic pseudo-random numbers (the test must not depend on the standard library's
// distributions).
struct Lcg {
  uint64_t state;
  uint64_t Next(uint64_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % n;
  }
};

struct Files {
  std::string dir;
  explicit Files(const std::string& name)
      : dir(fmt::format("{}/polc-jit-ops-{}-{}", std::filesystem::temp_directory_path().string(),
                        name, ::getpid())) {
    std::filesystem::create_directories(dir);
  }
  ~Files() { std::filesystem::remove_all(dir); }
  void Write(const std::string& name, const std::string& text) const { WriteAll(dir + "/" + name, text); }
};

// Persons with n below `max_n` (n > 7 overflows), claims with every kind and code.
void WritePopulation(const Files& files, int persons, int max_n, uint64_t seed) {
  Lcg rng{seed};
  std::string p = "person_id,born,boss,n,stop\n", c = "claim_id,person_id,date,k,total,code,ref\n";
  const char* kinds[] = {"a", "b", "c", "d"};
  const char* codes[] = {"", "0", "1", "2", "7", "12", "13"};
  const int32_t first = rt::MakeDate(2025, 11, 1);
  int claim = 0;
  for (int i = 0; i < persons; ++i) {
    const int32_t born = rt::MakeDate(1950, 1, 1) + static_cast<int32_t>(rng.Next(28000));
    const std::string stop = rng.Next(2) ? rt::FormatDate(born + static_cast<int32_t>(rng.Next(9000))) : "";
    p += fmt::format("P{},{},B{},{},{}\n", i, rt::FormatDate(born), rng.Next(5),
                     rng.Next(static_cast<uint64_t>(max_n)), stop);
    const int n = static_cast<int>(rng.Next(14));
    for (int k = 0; k < n; ++k, ++claim) {
      c += fmt::format("C{},P{},{},{},{},{},R{}\n", claim, i,
                       rt::FormatDate(first + static_cast<int32_t>(rng.Next(480))),
                       kinds[rng.Next(4)], rt::FormatMoney(static_cast<int64_t>(rng.Next(2000000))),
                       codes[rng.Next(7)], rng.Next(3));
    }
  }
  files.Write("persons.csv", p);
  files.Write("claims.csv", c);
}

// Both engines over the files in `files`: the same values, or the same failure.
void Compare(const std::string& policy_text, const Files& files, bool optimize,
             const std::string& expected_failure_part) {
  files.Write("ops.policy", policy_text);
  auto compiled = driver::CompileFile(files.dir + "/ops.policy");
  ASSERT_TRUE(compiled->ok) << compiled->diagnostics.Render();
  std::string error;
  jit::EngineOptions options;
  options.params = interp::ComputeParams(compiled->program);
  options.optimize = optimize;
  auto engine = jit::Engine::Create(compiled->program, options, error);
  ASSERT_TRUE(engine) << error;
  interp::Interpreter interp(compiled->program);
  settle::Inputs inputs;
  settle::InputErrors errors;
  ASSERT_TRUE(io::ReadInputs(interp, files.dir + "/persons.csv", files.dir + "/claims.csv",
                                 inputs, errors))
      << errors.Render();
  ValueSink want(inputs), got(inputs);
  const std::string interp_failure = SettleAll(interp, inputs, want);
  jit::NativeSettler native(*engine);
  const std::string jit_failure = SettleAll(native, inputs, got);
  EXPECT_EQ(jit_failure, interp_failure);
  if (expected_failure_part.empty()) {
    EXPECT_EQ(interp_failure, "");
  } else {
    EXPECT_NE(interp_failure.find(expected_failure_part), std::string::npos) << interp_failure;
  }
  size_t differences = 0;
  for (int kind = 0; kind < 2; ++kind) {
    ASSERT_EQ(got.rows[kind].size(), want.rows[kind].size());
    for (size_t r = 0; r < want.rows[kind].size(); ++r) {
      ASSERT_EQ(got.rows[kind][r].size(), want.rows[kind][r].size()) << kind << " row " << r;
      for (size_t col = 0; col < want.rows[kind][r].size(); ++col) {
        const ir::Value& w = want.rows[kind][r][col];
        const ir::Value& g = got.rows[kind][r][col];
        if (w == g) continue;
        if (++differences <= 10) {
          ADD_FAILURE() << "kind " << kind << " row " << r << " column " << col << ": jit (" << g.a
                        << ", " << g.b << ", " << g.present << ") interp (" << w.a << ", " << w.b
                        << ", " << w.present << ")";
        }
      }
    }
  }
  EXPECT_EQ(differences, 0u);
}

class JitOps : public testing::TestWithParam<bool> {};

TEST_P(JitOps, EveryOperationAgreesWithTheInterpreter) {
  Files files("all");
  WritePopulation(files, 400, 8, 99);
  Compare(kOpsPolicy, files, GetParam(), "");
}

TEST_P(JitOps, OverflowFailsLikeTheInterpreter) {
  Files files("overflow");
  WritePopulation(files, 60, 10, 5);
  Compare(kOpsPolicy, files, GetParam(), "arithmetic overflow");
}

TEST_P(JitOps, AccumulatorOverItsCapFailsLikeTheInterpreter) {
  Files files("cap");
  WritePopulation(files, 40, 8, 3);
  std::string policy = kOpsPolicy;
  policy += "accumulator capped: money = sum total cap 2000\n";
  Compare(policy, files, GetParam(), "exceeds its cap");
}

// Int keys past the record's eight inline buckets (runtime/protocol.h) spill to the host in
// both engines; a key that repeats (visits counts up per kind) reads its spilled total back.
TEST_P(JitOps, IntKeysPastTheInlineBucketsAgree) {
  Files files("spill-keys");
  WritePopulation(files, 300, 8, 17);
  std::string policy = kOpsPolicy;
  policy += "accumulator per_day: money by age_days = sum total\n"
            "accumulator per_visit: int by visits + 100 * n = count\n";
  const std::string from = "overflow, gap\n}";
  policy.replace(policy.find(from), from.size(), "overflow, gap, per_day, per_visit\n}");
  Compare(policy, files, GetParam(), "");
}

// Date arithmetic leaving 1000 .. 9999 stops both engines at the policy line, never wraps.
TEST_P(JitOps, DateOutOfRangeFailsLikeTheInterpreter) {
  Files files("date-range");
  WritePopulation(files, 40, 3, 11);
  std::string policy = kOpsPolicy;
  const std::string from = "later2 = born + shift }";
  policy.replace(policy.find(from), from.size(), "later2 = born + shift, far = born + (n * 1000000000) months }");
  Compare(policy, files, GetParam(), "date out of range (years 1000 to 9999)");
}

// `N years` is 12 N months: 29 February + 70 years is 28 February, as + 840 months is; both
// engines agree, and years of an int field move like months.
TEST_P(JitOps, YearsAreTwelveMonths) {
  Files files("years");
  files.Write("persons.csv", "person_id,born,boss,n,stop\nP1,1956-02-29,B,3,\nP2,1990-01-31,B,0,2000-02-29\n");
  files.Write("claims.csv", "claim_id,person_id,date,k,total,code,ref\nC1,P1,2026-01-01,a,10,,R\n");
  std::string policy = kOpsPolicy;
  const std::string from = "later2 = born + shift }";
  policy.replace(policy.find(from), from.size(),
                 "later2 = born + shift, seventy = born + 70 years, by_months = born + 840 months, "
                 "n_years = born + n years, year_back = value_or(stop, born) - 1 years }");
  Compare(policy, files, GetParam(), "");
  files.Write("ops.policy", policy);
  auto compiled = driver::CompileFile(files.dir + "/ops.policy");
  ASSERT_TRUE(compiled->ok) << compiled->diagnostics.Render();
  interp::Interpreter interp(compiled->program);
  settle::Inputs inputs;
  settle::InputErrors errors;
  ASSERT_TRUE(io::ReadInputs(interp, files.dir + "/persons.csv", files.dir + "/claims.csv", inputs, errors));
  ValueSink sink(inputs);
  ASSERT_EQ(SettleAll(interp, inputs, sink), "");
  auto date = [&](uint32_t person, size_t column) {
    return rt::FormatDate(static_cast<int32_t>(sink.rows[0][person][column].a));
  };
  EXPECT_EQ(date(0, 5), "2026-02-28");
  EXPECT_EQ(date(0, 6), "2026-02-28");
  EXPECT_EQ(date(0, 7), "1959-02-28");
  EXPECT_EQ(date(1, 7), "1990-01-31");
  EXPECT_EQ(date(1, 8), "1999-02-28");
}

// Durations compared and chosen between (within one unit), and parameters in table cells and
// bracket rows: both engines agree on a population, and on a hand-made one give the values
// worked out by hand.
const char* kDurationsPolicy = R"(policy "durations" { region: "r" year: 2026 source: "s" }
enum kind { a, b, c, d }
input person key person_id {
  person_id: text  born: date  boss: text  n: int  stop: date?
}
input claim key claim_id of person by person_id order by date {
  claim_id: text  person_id: text  date: date  k: kind  total: money  code: int?  ref: text
}
param wait: duration = 3 months
param grace: duration = 45 days
param cap_a: money = 1200
param cap_b: money = cap_a * 2 + 0.5
param band: money = 1000
param low: rate = 10%
param high: rate = low + 25%
table cap_of: kind -> money? { a => cap_a  b => cap_b  c => none  else => 7 }
table wait_of: kind -> duration { a => wait  b => 2 months  else => 1 years }
table code_cap: int -> money { 1 => cap_a  2 => 250 }
brackets scale { 0 .. band: low  band .. 5000: 20%  5000 ..: high }
rule span: duration = n months
rule longer: bool = span > wait_of[k]
rule at_most: bool = span <= 2 months
rule one_year: bool = span == 1 years
rule not_wait: bool = span != wait
rule young: bool = (date - born) days < grace + 10000 days
rule old: bool = (date - born) days >= 20000 days
rule chosen_max: duration = max(span, wait, 1 months)
rule chosen_min: duration = min(span, wait)
rule until: date = born + max(span, wait_of[k])
rule until_min: date = born + min(span, wait, wait_of[k])
rule back: date = date - min(grace, (n * 10) days)
rule capped: money = value_or(cap_of[k], 0) + value_or(code_cap[value_or(code, 0)], 0)
rule tax: money = scale(total)
rule tax_shift: money = scale(total, 5%)
output o for claim {
  claim_id, longer, at_most, not_wait, young, old, until, until_min, back, capped, tax, tax_shift
}
output q for person { person_id, one_year, most = born + chosen_max, least = born + chosen_min }
)";

TEST_P(JitOps, DurationComparisonsAndParameterCellsAgree) {
  Files files("durations");
  WritePopulation(files, 300, 14, 21);
  Compare(kDurationsPolicy, files, GetParam(), "");
}

TEST_P(JitOps, DurationComparisonsAndParameterCellsGiveTheirValues) {
  Files files("durations-values");
  files.Write("persons.csv", "person_id,born,boss,n,stop\nP1,2000-01-31,B,2,\nP2,1950-06-15,B,12,\n");
  files.Write("claims.csv",
              "claim_id,person_id,date,k,total,code,ref\nC1,P1,2026-03-01,a,6000,1,R\n"
              "C2,P2,2026-03-01,b,100,2,R\n");
  Compare(kDurationsPolicy, files, GetParam(), "");
  auto compiled = driver::CompileFile(files.dir + "/ops.policy");
  ASSERT_TRUE(compiled->ok) << compiled->diagnostics.Render();
  std::string error;
  jit::EngineOptions options;
  options.params = interp::ComputeParams(compiled->program);
  options.optimize = GetParam();
  auto engine = jit::Engine::Create(compiled->program, options, error);
  ASSERT_TRUE(engine) << error;
  interp::Interpreter interp(compiled->program);
  settle::Inputs inputs;
  settle::InputErrors errors;
  ASSERT_TRUE(io::ReadInputs(interp, files.dir + "/persons.csv", files.dir + "/claims.csv", inputs, errors));
  ValueSink sink(inputs);
  jit::NativeSettler native(*engine);
  ASSERT_EQ(SettleAll(native, inputs, sink), "");
  auto date = [](const ir::Value& v) { return rt::FormatDate(static_cast<int32_t>(v.a)); };
  const auto& c1 = sink.rows[1][0];
  const auto& c2 = sink.rows[1][1];
  // span 2 months against wait_of[a] = wait = 3 months; against wait_of[b] = 2 months.
  EXPECT_EQ(c1[1].a, 0);  // longer
  EXPECT_EQ(c2[1].a, 1);
  EXPECT_EQ(c1[2].a, 1);  // at_most
  EXPECT_EQ(c2[2].a, 0);
  EXPECT_EQ(c1[3].a, 1);  // not_wait
  EXPECT_EQ(c1[4].a, 1);  // young: 9526 days < 10045 days
  EXPECT_EQ(c2[4].a, 0);
  EXPECT_EQ(c1[5].a, 0);  // old: 27653 days >= 20000 days
  EXPECT_EQ(c2[5].a, 1);
  EXPECT_EQ(date(c1[6]), "2000-04-30");  // born + max(2 months, 3 months), clamped
  EXPECT_EQ(date(c1[7]), "2000-03-31");  // born + min(2 months, 3 months, 3 months)
  EXPECT_EQ(date(c2[6]), "1951-06-15");  // born + 12 months
  EXPECT_EQ(date(c1[8]), "2026-02-09");  // date - min(45 days, 20 days)
  EXPECT_EQ(date(c2[8]), "2026-01-15");  // date - min(45 days, 120 days)
  EXPECT_EQ(c1[9].a, 240000);            // cap_of[a] = cap_a, code_cap[1] = cap_a: 1200 + 1200
  EXPECT_EQ(c2[9].a, 265050);            // cap_b = 1200 * 2 + 0.5, code_cap[2] = 250
  EXPECT_EQ(c1[10].a, 125000);           // 1000 * 10% + 4000 * 20% + 1000 * 35%
  EXPECT_EQ(c1[11].a, 155000);           // each row 5% higher
  const auto& p1 = sink.rows[0][0];
  const auto& p2 = sink.rows[0][1];
  EXPECT_EQ(p1[1].a, 0);  // one_year
  EXPECT_EQ(p2[1].a, 1);  // 12 months == 1 years
  EXPECT_EQ(date(p1[2]), "2000-04-30");  // max(2 months, 3 months, 1 months)
  EXPECT_EQ(date(p1[3]), "2000-03-31");  // min(2 months, 3 months)
  EXPECT_EQ(date(p2[2]), "1951-06-15");
  EXPECT_EQ(date(p2[3]), "1950-09-15");
}

INSTANTIATE_TEST_SUITE_P(Pipelines, JitOps, testing::Values(false, true),
                         [](const testing::TestParamInfo<bool>& info) {
                           return info.param ? "O2" : "O0";
                         });

}  // namespace
}  // namespace polc
