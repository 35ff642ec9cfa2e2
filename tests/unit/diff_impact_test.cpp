// The impact's bureau figures on the sample population: the population's year (moved to each
// policy's year, both directions, and the warning when it is wrong), the funds and their
// balance, the waterfall (its steps add up to the total change to the fen, and one step equals
// a policy written by hand with only that change), --by over fields and rules, and the
// formats. Totals are checked against `polc run` result files, summed here.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "compiler/diag/stack.h"
#include "compiler/diff/impact.h"
#include "compiler/diff/report.h"
#include "compiler/driver/session.h"
#include "runtime/csv.h"
#include "runtime/date.h"
#include "runtime/money.h"
#include "tests/unit/test_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;

const std::string kSrc = POLC_SOURCE_DIR;
const std::string k2026 = kSrc + "/policies/huaihua-2026.policy";
const std::string k2027 = kSrc + "/tests/files/diff/huaihua-2027.policy";
const std::string kPersons = kSrc + "/examples/persons.csv";
const std::string kClaims = kSrc + "/examples/claims.csv";

// The impact computed in process, with the waterfall's variants settled by the JIT.
struct Computed {
  std::unique_ptr<driver::Compilation> a, b;
  diff::PolicyDiff d;
  diff::Impact impact;
  bool ok = false;
  std::string error;
};

std::unique_ptr<Computed> Compute(const std::string& old_policy, const std::string& new_policy,
                                  diff::ImpactOptions options) {
  auto c = std::make_unique<Computed>();
  c->a = driver::CompileFile(old_policy);
  c->b = driver::CompileFile(new_policy);
  EXPECT_TRUE(c->a->ok && c->b->ok) << c->a->diagnostics.Render() << c->b->diagnostics.Render();
  if (!c->a->ok || !c->b->ok) return c;
  options.persons = options.persons.empty() ? kPersons : options.persons;
  options.claims = options.claims.empty() ? kClaims : options.claims;
  RunOnLargeStack([&] {
    driver::EngineConfig config;
    config.optimize = false;
    auto ea = driver::MakeSettlers(c->a->program, config, std::cerr);
    auto eb = driver::MakeSettlers(c->b->program, config, std::cerr);
    diff::MakeSettler make = [config](const ir::Program& program) {
      std::shared_ptr<driver::Settlers> e = driver::MakeSettlers(program, config, std::cerr);
      return diff::Settler{e->interp.get(), e->settle, e};
    };
    c->d = diff::Compare({c->a->module.get(), &c->a->program}, {c->b->module.get(), &c->b->program});
    try {
      c->ok = diff::ComputeImpact(
          {&c->a->program, c->a->module.get(), ea->interp.get(), ea->settle, c->a->source.get(), make},
          {&c->b->program, c->b->module.get(), eb->interp.get(), eb->settle, c->b->source.get(), make}, c->d, options,
          c->impact, c->error);
    } catch (const settle::EvalError& e) {
      c->error = e.what();
    }
  });
  return c;
}

int64_t Transitions(const diff::RecordImpact& r, const std::string& word) {
  int64_t n = 0;
  for (const diff::Transition& t : r.transitions) n += t.before == word || t.after == word ? t.count : 0;
  return n;
}

const diff::Totals& Find(const std::vector<diff::Totals>& totals, const std::string& column) {
  for (const diff::Totals& t : totals)
    if (t.column == column) return t;
  ADD_FAILURE() << "no total " << column;
  return totals.front();
}

class DiffImpact : public ::testing::Test {
 public:
  void SetUp() override {
    root_ = MakeTempDir("polc_diff_impact");
    ASSERT_FALSE(root_.empty());
  }
  void TearDown() override { fs::remove_all(root_); }
  PolcRun Polc(const std::string& args) { return RunPolc(POLC_SOURCE_DIR, args, root_); }
  // `polc run` of one policy over the sample: its results rows.
  Rows Run(const std::string& policy) {
    PolcRun r = Polc(fmt::format("run {} --persons {} --claims {} --out {}/r.csv --persons-out {}/p.csv", policy,
                                 kPersons, kClaims, root_, root_));
    EXPECT_EQ(r.code, 0) << r.err;
    persons_out_ = ReadCsv(root_ + "/p.csv");
    return ReadCsv(root_ + "/r.csv");
  }
  std::string root_;
  Rows persons_out_;
};

TEST_F(DiffImpact, PopulationYearFromTheClaimDatesGivesTheOutsideCountsOfTheSameYearsRun) {
  auto c = Compute(k2026, k2027, {});
  ASSERT_TRUE(c->ok) << c->error;
  const diff::PopulationYear& y = c->impact.population;
  EXPECT_EQ(y.year, 2026);
  EXPECT_EQ(y.source, "dates");
  EXPECT_EQ(y.old_shift, 0);
  EXPECT_EQ(y.new_shift, 1);
  EXPECT_FALSE(y.warn);
  // The 2026 run has outside_period claims; the 2027 policy over the moved population has the
  // same ones: no claim moves into or out of outside_period.
  const Rows results = Run(k2026);
  int64_t outside = 0;
  for (size_t i = 1; i < results.size(); ++i) outside += results[i][Column(results, "status")] == "outside_period";
  EXPECT_GT(outside, 0);
  EXPECT_EQ(Transitions(c->impact.events, "outside_period"), 0);
}

TEST_F(DiffImpact, WrongPopulationYearWarnsAndSaysWhatToPass) {
  PolcRun r = Polc("diff policies/huaihua-2026.policy tests/files/diff/huaihua-2027.policy --persons examples/persons.csv "
                   "--claims examples/claims.csv --top 0 --population-year 2027 --color never");
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.out.find("population year 2027 (--population-year)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("WARNING: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Pass --population-year YEAR"), std::string::npos);
  // Both policies see a population of the wrong year: most claims are outside on both sides.
  // 1377835.60 is the sum of basic of `polc run policies/huaihua-2026.policy` over the sample
  // with every date moved one year earlier (the old side moved to 2025); 1380334.97 that of
  // `polc run tests/files/diff/huaihua-2027.policy` over the sample as it is.
  EXPECT_NE(r.out.find("    basic                                1377835.60         1380334.97 "), std::string::npos)
      << r.out;
  // The year named explicitly settles like the default.
  PolcRun good = Polc("diff policies/huaihua-2026.policy tests/files/diff/huaihua-2027.policy --persons "
                      "examples/persons.csv --claims examples/claims.csv --top 0 --population-year 2026 --color never");
  EXPECT_EQ(good.out.find("WARNING"), std::string::npos) << good.out;
  EXPECT_EQ(good.out.find("outside_period"), std::string::npos) << good.out;
  // The sum of basic of `polc run policies/huaihua-2026.policy` over the sample.
  EXPECT_NE(good.out.find("    basic                               44655090.37 "), std::string::npos) << good.out;
}

TEST_F(DiffImpact, BothDirectionsMoveThePopulationToEachPolicysYear) {
  auto forward = Compute(k2026, k2027, {});
  auto backward = Compute(k2027, k2026, {});
  ASSERT_TRUE(forward->ok && backward->ok) << forward->error << backward->error;
  EXPECT_EQ(backward->impact.population.year, 2026);
  EXPECT_EQ(backward->impact.population.old_shift, 1);
  EXPECT_EQ(backward->impact.population.new_shift, 0);
  EXPECT_EQ(Transitions(backward->impact.events, "outside_period"), 0);
  for (const diff::Totals& t : forward->impact.events.totals) {
    EXPECT_EQ(Find(backward->impact.events.totals, t.column).before, t.after) << t.column;
    EXPECT_EQ(Find(backward->impact.events.totals, t.column).after, t.before) << t.column;
  }
}

TEST_F(DiffImpact, FundsBalanceAndAveragesComeFromTheDeclaredColumns) {
  auto c = Compute(k2026, k2027, {});
  ASSERT_TRUE(c->ok) << c->error;
  const diff::Funds& f = c->impact.funds;
  ASSERT_EQ(f.funds.size(), 3u);
  EXPECT_EQ(f.funds[0].column, "basic");
  EXPECT_EQ(f.funds[0].label, "基本医保统筹基金");
  EXPECT_EQ(f.funds[1].column, "catastrophic");
  EXPECT_EQ(f.funds[1].label, "大病保险");
  EXPECT_EQ(f.funds[2].column, "assistance");
  EXPECT_EQ(f.funds[2].label, "医疗救助");
  ASSERT_EQ(f.incomes.size(), 2u);
  const Rows results = Run(k2026);
  int64_t basic = 0, catastrophic = 0, assistance = 0, contribution = 0, subsidy = 0;
  std::set<std::string> claimants;
  for (size_t i = 1; i < results.size(); ++i) {
    basic += Fen(results[i][Column(results, "basic")]);
    catastrophic += Fen(results[i][Column(results, "catastrophic")]);
    assistance += Fen(results[i][Column(results, "assistance")]);
    claimants.insert(results[i][Column(results, "person_id")]);
  }
  for (size_t i = 1; i < persons_out_.size(); ++i) {
    contribution += Fen(persons_out_[i][Column(persons_out_, "contribution")]);
    subsidy += Fen(persons_out_[i][Column(persons_out_, "subsidy")]);
  }
  EXPECT_GT(assistance, 0);
  EXPECT_EQ(f.funds[0].before, basic);
  EXPECT_EQ(f.funds[1].before, catastrophic);
  EXPECT_EQ(f.funds[2].before, assistance);
  EXPECT_EQ(f.payouts.before, basic + catastrophic + assistance);
  EXPECT_EQ(f.income.before, contribution + subsidy);
  EXPECT_EQ(f.balance.before, contribution + subsidy - basic - catastrophic - assistance);
  EXPECT_EQ(f.persons, static_cast<int64_t>(persons_out_.size()) - 1);
  EXPECT_EQ(f.claimants_before, static_cast<int64_t>(claimants.size()));
  EXPECT_EQ(f.balance.after - f.balance.before,
            (f.income.after - f.income.before) - (f.payouts.after - f.payouts.before));
}

// The sample policy with one figure replaced, written beside a copy of its CSV table.
std::string WithOneChange(const std::string& root, const std::string& from, const std::string& to) {
  std::string text = ReadAll(k2026);
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
  WriteAll(root + "/one.policy", text);
  fs::copy_file(kSrc + "/policies/chronic-caps.csv", root + "/chronic-caps.csv", fs::copy_options::overwrite_existing);
  return root + "/one.policy";
}

TEST_F(DiffImpact, WaterfallStepsAddUpToTheTotalChangeToTheFen) {
  auto c = Compute(k2026, k2027, {});
  ASSERT_TRUE(c->ok) << c->error;
  const diff::Waterfall& w = c->impact.waterfall;
  ASSERT_EQ(w.columns,
            (std::vector<std::string>{"basic", "catastrophic", "assistance", "contribution", "subsidy", "balance"}));
  ASSERT_GE(w.steps.size(), 4u);
  EXPECT_EQ(w.steps.front().kind, "year");
  EXPECT_EQ(w.steps.back().kind, "interaction");
  std::map<std::string, const diff::WaterfallStep*> by_area;
  for (const diff::WaterfallStep& s : w.steps) {
    if (s.kind == "area") by_area[s.area] = &s;
    EXPECT_TRUE(s.separable) << s.area << ": " << s.note;
  }
  for (size_t i = 0; i < w.columns.size(); ++i) {
    int64_t sum = 0;
    for (const diff::WaterfallStep& s : w.steps) sum += s.deltas[i];
    EXPECT_EQ(sum, w.after[i] - w.before[i]) << w.columns[i];
  }
  const diff::Funds& f = c->impact.funds;
  EXPECT_EQ(w.before[0], f.funds[0].before);
  EXPECT_EQ(w.before[2], f.funds[2].before);
  EXPECT_EQ(w.after[5] - w.before[5], f.balance.after - f.balance.before);
  // Only the contribution area moves the contributions; the date moves cost nothing.
  ASSERT_TRUE(by_area.count("contribution") && by_area.count("inpatient") && by_area.count("catastrophic"));
  EXPECT_EQ(by_area["contribution"]->deltas[3], w.after[3] - w.before[3]);
  EXPECT_GT(by_area["contribution"]->deltas[3], 0);
  EXPECT_EQ(by_area["contribution"]->deltas[0], 0);
  EXPECT_EQ(by_area["contribution"]->deltas[2], 0);
  EXPECT_GT(by_area["inpatient"]->deltas[0], 0);
  EXPECT_EQ(by_area["catastrophic"]->deltas[0], 0);
  EXPECT_EQ(w.steps.front().deltas, std::vector<int64_t>(6, 0));
  if (by_area.count("waiting_period")) {
    EXPECT_EQ(by_area["waiting_period"]->deltas, std::vector<int64_t>(6, 0));
  }

  // The catastrophic step is what a 2026 policy with only the lower deductible costs.
  const std::string one = WithOneChange(root_, "catastrophic_deductible_standard: money = 1.6万",
                                        "catastrophic_deductible_standard: money = 1.5万");
  diff::ImpactOptions options;
  options.waterfall = false;
  auto alone = Compute(k2026, one, options);
  ASSERT_TRUE(alone->ok) << alone->error;
  EXPECT_EQ(by_area["catastrophic"]->deltas[1],
            Find(alone->impact.events.totals, "catastrophic").after - Find(alone->impact.events.totals, "catastrophic").before);
  // and what it moves in the assistance that comes after it.
  EXPECT_EQ(by_area["catastrophic"]->deltas[2],
            Find(alone->impact.events.totals, "assistance").after - Find(alone->impact.events.totals, "assistance").before);
}

TEST_F(DiffImpact, WaterfallIsTheSameOnAnyNumberOfThreads) {
  diff::ImpactOptions one, three;
  three.threads = 3;
  auto a = Compute(k2026, k2027, one), b = Compute(k2026, k2027, three);
  ASSERT_TRUE(a->ok && b->ok) << a->error << b->error;
  ASSERT_EQ(a->impact.waterfall.steps.size(), b->impact.waterfall.steps.size());
  for (size_t i = 0; i < a->impact.waterfall.steps.size(); ++i) {
    EXPECT_EQ(a->impact.waterfall.steps[i].area, b->impact.waterfall.steps[i].area);
    EXPECT_EQ(a->impact.waterfall.steps[i].deltas, b->impact.waterfall.steps[i].deltas) << i;
  }
}

TEST_F(DiffImpact, ByHardshipTotalsPerPersonClass) {
  diff::ImpactOptions options;
  options.by = "hardship";
  auto c = Compute(k2026, k2027, options);
  ASSERT_TRUE(c->ok) << c->error;
  EXPECT_EQ(c->impact.by, "hardship");
  EXPECT_TRUE(c->impact.by_subject);
  // Sums of the 2026 run by the person's hardship class.
  const Rows persons = ReadCsv(kPersons), results = Run(k2026);
  std::map<std::string, std::string> hardship;
  std::map<std::string, int64_t> people, basic, contribution;
  for (size_t i = 1; i < persons.size(); ++i) {
    hardship[persons[i][0]] = persons[i][Column(persons, "hardship")];
    ++people[persons[i][Column(persons, "hardship")]];
  }
  for (size_t i = 1; i < results.size(); ++i)
    basic[hardship[results[i][Column(results, "person_id")]]] += Fen(results[i][Column(results, "basic")]);
  for (size_t i = 1; i < persons_out_.size(); ++i)
    contribution[hardship[persons_out_[i][0]]] += Fen(persons_out_[i][Column(persons_out_, "contribution")]);
  ASSERT_EQ(c->impact.group_rows.size(), 9u);  // every word of the enumeration, in its order
  EXPECT_EQ(c->impact.group_rows[1].key, "extremely_poor");
  EXPECT_EQ(c->impact.group_rows[1].label, "特困人员");
  int64_t events = 0;
  for (const diff::Group& g : c->impact.group_rows) {
    EXPECT_EQ(g.subjects, people[g.key]) << g.key;
    EXPECT_EQ(Find(g.totals, "basic").before, basic[g.key]) << g.key;
    EXPECT_EQ(Find(g.totals, "contribution").before, contribution[g.key]) << g.key;
    events += g.events;
  }
  EXPECT_EQ(events, c->impact.events.rows);
}

TEST_F(DiffImpact, ByARuleTheNewPolicyDeclares) {
  diff::ImpactOptions options;
  options.by = "age-band";
  auto c = Compute(k2026, k2027, options);
  ASSERT_TRUE(c->ok) << c->error;
  EXPECT_EQ(c->impact.by, "age_band");
  EXPECT_EQ(c->impact.by_source, "rule");
  // Ages on 2027-01-01 of the population moved to 2027.
  const Rows persons = ReadCsv(kPersons);
  std::map<std::string, int64_t> expected;
  const int32_t start = rt::MakeDate(2027, 1, 1);
  for (size_t i = 1; i < persons.size(); ++i) {
    int32_t birth = 0;
    std::string error;
    ASSERT_TRUE(rt::ParseDate(persons[i][Column(persons, "birth_date")], birth, error));
    birth = rt::ShiftYears(birth, 1);
    ++expected[rt::AddMonths(birth, 216) > start ? "child" : rt::AddMonths(birth, 720) <= start ? "elder" : "adult"];
  }
  ASSERT_EQ(c->impact.group_rows.size(), 3u);
  for (const diff::Group& g : c->impact.group_rows) EXPECT_EQ(g.subjects, expected[g.key]) << g.key;
  // A claim-level grouping: the level field.
  options.by = "level";
  auto l = Compute(k2026, k2027, options);
  ASSERT_TRUE(l->ok) << l->error;
  EXPECT_FALSE(l->impact.by_subject);
  EXPECT_EQ(l->impact.by_source, "claim field");
}

TEST_F(DiffImpact, BadByIsAPreciseMessage) {
  PolcRun r = Polc("diff policies/huaihua-2026.policy tests/files/diff/huaihua-2027.policy --persons examples/persons.csv "
                   "--claims examples/claims.csv --by nonsense");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--by nonsense: no field of claim or person and no rule"), std::string::npos) << r.err;
  r = Polc("diff policies/huaihua-2026.policy tests/files/diff/huaihua-2027.policy --persons examples/persons.csv "
           "--claims examples/claims.csv --by total");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--by total: a money value"), std::string::npos) << r.err;
}

TEST_F(DiffImpact, JsonOutputWithAnImpactParses) {
  const PolcRun r = Polc("diff policies/huaihua-2026.policy tests/files/diff/huaihua-2027.policy --persons "
                         "examples/persons.csv --claims examples/claims.csv --top 2 --by hardship --format json");
  EXPECT_EQ(r.code, 1) << r.err;
  nlohmann::json doc;
  ASSERT_NO_THROW(doc = nlohmann::json::parse(r.out)) << r.out.substr(0, 2000);
  const nlohmann::json& impact = doc.at("impact");
  EXPECT_EQ(impact.at("top").size(), 2u);
  EXPECT_EQ(impact.at("waterfall").at("columns").size(), impact.at("waterfall").at("old").size());
  EXPECT_EQ(impact.at("funds").at("funds").size(), 3u);
}

TEST_F(DiffImpact, CsvAndHtmlFormats) {
  const std::string args = "diff policies/huaihua-2026.policy tests/files/diff/huaihua-2027.policy --persons "
                           "examples/persons.csv --claims examples/claims.csv --top 2 --by hardship --format ";
  PolcRun csv = Polc(args + "csv");
  EXPECT_EQ(csv.code, 1) << csv.err;
  EXPECT_EQ(csv.out.rfind("section,key,column,label,old,new,change\n", 0), 0u);
  // The sums of basic and assistance of `polc run policies/huaihua-2026.policy` over the sample.
  EXPECT_NE(csv.out.find("\nfund,basic,total,基本医保统筹基金,44655090.37,"), std::string::npos) << csv.out.substr(0, 2000);
  EXPECT_NE(csv.out.find("\nfund,assistance,total,医疗救助,5040689.23,"), std::string::npos) << csv.out.substr(0, 2000);
  EXPECT_NE(csv.out.find("\nwaterfall,interaction,basic,"), std::string::npos);
  EXPECT_NE(csv.out.find("\nby hardship,extremely_poor,basic,特困人员,"), std::string::npos);
  PolcRun html = Polc(args + "html");
  EXPECT_EQ(html.code, 1) << html.err;
  EXPECT_EQ(html.out.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.out.find("data-figure=\"payouts\""), std::string::npos);
  EXPECT_NE(html.out.find("特困人员"), std::string::npos);
  EXPECT_NE(html.out.find("万元"), std::string::npos);
  // Self-contained: nothing to fetch when viewed.
  for (const char* ref : {"src=", "href=", "https://", "@import", "url("})
    EXPECT_EQ(html.out.find(ref), std::string::npos) << ref;
  for (size_t at = html.out.find("http://"); at != std::string::npos; at = html.out.find("http://", at + 1))
    EXPECT_EQ(html.out.compare(at, 26, "http://www.w3.org/2000/svg"), 0) << html.out.substr(at, 40);
}

TEST_F(DiffImpact, SummaryFormats) {
  const std::string args = "summary policies/huaihua-2026.policy --persons examples/persons.csv --claims examples/claims.csv --format ";
  const Rows results = Run(k2026);
  int64_t payouts = 0;
  for (size_t i = 1; i < results.size(); ++i)
    payouts += Fen(results[i][Column(results, "basic")]) + Fen(results[i][Column(results, "catastrophic")]) +
               Fen(results[i][Column(results, "assistance")]);
  PolcRun json = Polc(args + "json");
  EXPECT_EQ(json.code, 0) << json.err;
  EXPECT_EQ(json.out.rfind("{\"schema\":\"polc-summary\",\"version\":1,", 0), 0u);
  EXPECT_NE(json.out.find("\"payouts\":\"" + rt::FormatMoney(payouts) + "\""), std::string::npos) << json.out;
  PolcRun csv = Polc(args + "csv");
  EXPECT_NE(csv.out.find(",all funds,fund,," + rt::FormatMoney(payouts) + "\n"), std::string::npos) << csv.out;
  PolcRun html = Polc(args + "html");
  EXPECT_NE(html.out.find("基金支出合计"), std::string::npos);
  PolcRun text = Polc(args + "text");
  EXPECT_NE(text.out.find("all funds"), std::string::npos) << text.out;
}

TEST(DiffFormat, AmountsAndPercentages) {
  EXPECT_EQ(diff::Grouped(123456789), "1,234,567.89");
  EXPECT_EQ(diff::Grouped(-100), "-1.00");
  EXPECT_EQ(diff::Grouped(5), "0.05");
  EXPECT_EQ(diff::SignedGrouped(100000), "+1,000.00");
  EXPECT_EQ(diff::Wan(7061616444), "7,061.62");  // 70,616,164.44 元
  EXPECT_EQ(diff::Wan(-1924962), "-1.92");
  EXPECT_EQ(diff::Wan(4999), "0.00");
  EXPECT_EQ(diff::PercentOf(3441000, 168210000), "+2.0%");
  EXPECT_EQ(diff::PercentOf(-1, 1000), "-0.1%");
  EXPECT_EQ(diff::PercentOf(5, 0), "");
  EXPECT_EQ(diff::PerHead(10, 4), 3);   // 2.5 rounds half up
  EXPECT_EQ(diff::PerHead(-10, 4), -3);
  EXPECT_EQ(diff::PerHead(7, 0), 0);
}

}  // namespace
}  // namespace polc
