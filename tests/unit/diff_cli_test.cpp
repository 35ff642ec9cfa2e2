// `polc diff` as scripts see it: exit codes (0 same, 1 different, 2 trouble), the golden text,
// JSON; and the impact checked against two independent `polc run`s on the same population
// (moved back a year, in this test's own code, for the 2025 policy), summed to the fen.
#include <filesystem>
#include <fstream>
#include <map>
#include <tuple>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "compiler/diag/stack.h"
#include "compiler/diff/impact.h"
#include "compiler/driver/session.h"
#include "runtime/csv.h"
#include "runtime/date.h"
#include "runtime/money.h"
#include "tests/unit/test_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;


// Every cell that is a date, moved by `years` (29 February becomes the 28th).
void WriteShifted(const std::string& from, const std::string& to, int years) {
  std::ofstream out(to, std::ios::binary);
  bool header = true;
  for (const auto& row : ReadCsv(from)) {
    for (size_t i = 0; i < row.size(); ++i) {
      int32_t days = 0;
      std::string error, cell = row[i];
      if (!header && rt::ParseDate(cell, days, error)) cell = rt::FormatDate(rt::ShiftYears(days, years));
      out << (i ? "," : "") << cell;
    }
    out << "\n";
    header = false;
  }
}

class DiffCli : public ::testing::Test {
 public:
  void SetUp() override {
    root_ = MakeTempDir("polc_diff_cli");
    ASSERT_FALSE(root_.empty());
  }
  void TearDown() override { fs::remove_all(root_); }

  using Result = PolcRun;
  // Runs polc in the source directory, so policies/... and examples/... are found.
  Result Polc(const std::string& args) { return RunPolc(POLC_SOURCE_DIR, args, root_); }
  std::string root_;
};


TEST_F(DiffCli, SamePolicyExitsZeroAndSaysSo) {
  Result r = Polc("diff policies/huaihua-2026.policy policies/huaihua-2026.policy");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\nno differences\n"), std::string::npos) << r.out;
}

TEST_F(DiffCli, RealDiffIsTheGoldenTextAndExitsOne) {
  Result r = Polc("diff policies/huaihua-2025.policy policies/huaihua-2026.policy --color never");
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(r.out, ReadAll(fs::path(POLC_SOURCE_DIR) / "tests/files/diff/huaihua-2025_huaihua-2026.txt"));
  Result colored = Polc("diff policies/huaihua-2025.policy policies/huaihua-2026.policy --color always");
  EXPECT_NE(colored.out.find("\x1b[31m"), std::string::npos);
}

TEST_F(DiffCli, Json) {
  Result r = Polc("diff policies/huaihua-2026.policy policies/yueyang-louqu-2026.policy --json");
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(r.out.rfind("{\"schema\":\"polc-diff\",\"version\":2,", 0), 0u) << r.out.substr(0, 200);
  const uint32_t line = LineOf(ReadAll(fs::path(POLC_SOURCE_DIR) / "policies/huaihua-2026.policy"), "param fixed_wait");
  EXPECT_NE(r.out.find("{\"change\":\"changed\",\"decl\":\"param\",\"name\":\"fixed_wait\",\"part\":\"value\","
                       "\"old\":{\"text\":\"3 months\",\"line\":" + std::to_string(line) + ","),
            std::string::npos);
  EXPECT_NE(r.out.find("\"impact\":null}"), std::string::npos);
}

TEST_F(DiffCli, PolicyThatDoesNotCompileExitsTwoWithDiagnostics) {
  std::string text = ReadAll(fs::path(POLC_SOURCE_DIR) / "policies/huaihua-2026.policy");
  text.replace(text.find("money = 700"), 11, "money = 700%");
  WriteAll(root_ + "/bad.policy", text);
  Result r = Polc(fmt::format("diff policies/huaihua-2026.policy '{}/bad.policy'", root_));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(root_ + "/bad.policy:" + std::to_string(LineOf(text, "money = 700%")) + ":"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("error:"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(DiffCli, BadInputExitsTwo) {
  WriteAll(root_ + "/claims.csv", "claim_id,person_id\nC1,P1\n");
  Result r = Polc(fmt::format("diff policies/huaihua-2025.policy policies/huaihua-2026.policy --persons examples/persons.csv --claims '{}/claims.csv'", root_));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("missing column"), std::string::npos) << r.err;
}

// Sums of two `polc run`s: per output money column, per claim kind; and the rows that differ.
struct RunSums {
  std::map<std::string, int64_t> persons;                         // column -> total
  std::map<std::pair<std::string, std::string>, int64_t> claims;  // (kind, column) -> total
  std::map<std::string, int64_t> claim_totals;
  Rows results, persons_rows;
};

RunSums Sum(const std::string& results, const std::string& persons_out, const std::string& claims_csv) {
  RunSums s;
  s.results = ReadCsv(results);
  s.persons_rows = ReadCsv(persons_out);
  const Rows claims = ReadCsv(claims_csv);
  std::map<std::string, std::string> kind_of;
  for (size_t i = 1; i < claims.size(); ++i) kind_of[claims[i][Column(claims, "claim_id")]] = claims[i][Column(claims, "kind")];
  for (const char* col : {"basic", "catastrophic", "assistance", "patient"}) {
    const size_t c = Column(s.results, col);
    for (size_t i = 1; i < s.results.size(); ++i) {
      const int64_t v = Fen(s.results[i][c]);
      s.claims[{kind_of[s.results[i][0]], col}] += v;
      s.claim_totals[col] += v;
    }
  }
  for (const char* col : {"contribution", "subsidy", "catastrophic_cap"}) {
    const size_t c = Column(s.persons_rows, col);
    for (size_t i = 1; i < s.persons_rows.size(); ++i)
      if (s.persons_rows[i][c] != "none") s.persons[col] += Fen(s.persons_rows[i][c]);
  }
  return s;
}

// Settles with `polc run` under each policy, then computes the impact in process; every total
// must match the sums of the two runs, and the changed rows their row-by-row comparison.
void CheckImpact(DiffCli& test, const std::string& root, const std::string& old_policy,
                 const std::string& new_policy, int old_shift) {
  const std::string src = POLC_SOURCE_DIR;
  const std::string persons = src + "/examples/persons.csv", claims = src + "/examples/claims.csv";
  std::string old_persons = persons, old_claims = claims;
  if (old_shift != 0) {
    old_persons = root + "/persons_shifted.csv";
    old_claims = root + "/claims_shifted.csv";
    WriteShifted(persons, old_persons, old_shift);
    WriteShifted(claims, old_claims, old_shift);
  }
  for (const auto& [policy, p, c, out] : {std::tuple{old_policy, old_persons, old_claims, std::string("old")},
                                          std::tuple{new_policy, persons, claims, std::string("new")}}) {
    auto r = test.Polc(fmt::format("run {} --persons '{}' --claims '{}' --out '{}/{}.results.csv' --persons-out '{}/{}.persons.csv'",
                                   policy, p, c, root, out, root, out));
    ASSERT_EQ(r.code, 0) << r.err;
  }
  const RunSums a = Sum(root + "/old.results.csv", root + "/old.persons.csv", old_claims);
  const RunSums b = Sum(root + "/new.results.csv", root + "/new.persons.csv", claims);

  auto ca = driver::CompileFile(src + "/" + old_policy), cb = driver::CompileFile(src + "/" + new_policy);
  ASSERT_TRUE(ca->ok && cb->ok);
  diff::Impact impact;
  std::string error;
  bool ok = false;
  RunOnLargeStack([&] {
    auto ea = driver::MakeSettlers(ca->program, "jit", std::cerr), eb = driver::MakeSettlers(cb->program, "jit", std::cerr);
    const diff::PolicyDiff d = diff::Compare({ca->module.get(), &ca->program}, {cb->module.get(), &cb->program});
    diff::ImpactOptions options;
    options.persons = persons;
    options.claims = claims;
    options.top = 100000;  // every changed claim, each explained
    ok = diff::ComputeImpact({&ca->program, ca->module.get(), ea->interp.get(), ea->settle, nullptr, nullptr},
                             {&cb->program, cb->module.get(), eb->interp.get(), eb->settle, nullptr, nullptr}, d, options,
                             impact, error);
  });
  ASSERT_TRUE(ok) << error;
  EXPECT_EQ(impact.year_shift, old_shift);
  for (const diff::Totals& t : impact.subjects.totals) {
    EXPECT_EQ(t.before, a.persons.at(t.column)) << t.column;
    EXPECT_EQ(t.after, b.persons.at(t.column)) << t.column;
  }
  ASSERT_EQ(impact.events.totals.size(), 4u);  // basic, catastrophic, assistance, patient
  for (const diff::Totals& t : impact.events.totals) {
    EXPECT_EQ(t.before, a.claim_totals.at(t.column)) << t.column;
    EXPECT_EQ(t.after, b.claim_totals.at(t.column)) << t.column;
  }
  ASSERT_EQ(impact.by, "kind");
  for (size_t g = 0; g < impact.groups.size(); ++g)
    for (const diff::Totals& t : impact.group_totals[g]) {
      auto get = [&](const RunSums& s) {
        auto it = s.claims.find({impact.groups[g], t.column});
        return it == s.claims.end() ? int64_t{0} : it->second;
      };
      EXPECT_EQ(t.before, get(a)) << impact.groups[g] << " " << t.column;
      EXPECT_EQ(t.after, get(b)) << impact.groups[g] << " " << t.column;
    }
  // Changed claims: the rows of the two results files that differ.
  int64_t changed = 0;
  ASSERT_EQ(a.results.size(), b.results.size());
  for (size_t i = 1; i < a.results.size(); ++i) changed += a.results[i] != b.results[i] ? 1 : 0;
  EXPECT_EQ(impact.events.changed, changed);
  EXPECT_EQ(impact.events.rows, static_cast<int64_t>(a.results.size()) - 1);
  EXPECT_EQ(static_cast<int64_t>(impact.top.size()), changed);
  // Every changed claim is explained by at least one changed definition or accumulator.
  for (const diff::TopEvent& t : impact.top) EXPECT_FALSE(t.causes.empty()) << t.key;
  if (old_shift == 0) {
    int64_t persons_changed = 0;
    for (size_t i = 1; i < a.persons_rows.size(); ++i) persons_changed += a.persons_rows[i] != b.persons_rows[i] ? 1 : 0;
    EXPECT_EQ(impact.subjects.changed, persons_changed);
  }
}

TEST_F(DiffCli, ImpactHuaihuaToYueyangMatchesTwoRuns) {
  CheckImpact(*this, root_, "policies/huaihua-2026.policy", "policies/yueyang-louqu-2026.policy", 0);
}

TEST_F(DiffCli, ImpactHuaihua2025To2026MatchesTwoRunsOnTheMovedPopulation) {
  CheckImpact(*this, root_, "policies/huaihua-2025.policy", "policies/huaihua-2026.policy", -1);
}

TEST_F(DiffCli, ImpactText) {
  Result r = Polc("diff policies/huaihua-2026.policy policies/yueyang-louqu-2026.policy --persons examples/persons.csv "
                  "--claims examples/claims.csv --top 3 --color never");
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.out.find("impact on examples/persons.csv and examples/claims.csv"), std::string::npos);
  EXPECT_NE(r.out.find("the 3 claim rows that changed most"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("status waiting_period → ok: "), std::string::npos);
}

}  // namespace
}  // namespace polc
