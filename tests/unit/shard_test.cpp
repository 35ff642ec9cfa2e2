// `polc run --shard K/N` and `polc merge`: the hash is FNV-1a 64 (known vectors), shards are
// disjoint and cover the population, N shards merged are the single run's bytes (claims in
// settlement order or not, with the person output), and merge refuses parts that do not fit.
#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "compiler/settle/shard.h"
#include "tests/unit/test_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;

TEST(Shard, HashIsFnv1a64) {
  // The published FNV-1a 64 test vectors.
  EXPECT_EQ(settle::Fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(settle::Fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(settle::Fnv1a64("foobar"), 0x85944171f73967e8ULL);
  EXPECT_EQ(settle::ShardOfKey("foobar", 4), 0x85944171f73967e8ULL % 4);
}

TEST(Shard, ParsesKOverN) {
  settle::Shard s;
  std::string error;
  ASSERT_TRUE(settle::ParseShard("3/4", s, error));
  EXPECT_EQ(s.k, 3u);
  EXPECT_EQ(s.n, 4u);
  for (const char* bad : {"4/4", "1", "a/4", "0/0", "-1/4", "1/4/", " 1/4", "0/65537", "1/"}) {
    EXPECT_FALSE(settle::ParseShard(bad, s, error)) << bad;
    EXPECT_NE(error.find("K/N"), std::string::npos) << error;
  }
}

class ShardCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = MakeTempDir("polc_shard");
    ASSERT_FALSE(root_.empty());
    // pop/persons.csv, pop/claims.csv, and pop/reversed.csv: the claims not in settlement order.
    ASSERT_TRUE(GeneratePopulation(root_ + "/pop", 3000, 5));
  }
  static void TearDownTestSuite() { fs::remove_all(root_); }
  int Polc(const std::string& args) {
    const PolcRun r = RunPolc(root_, args, root_, fmt::format("XDG_CACHE_HOME='{}/cache'", root_));
    err_ = r.err;
    return r.code;
  }
  static std::string Policy() { return std::string(POLC_SOURCE_DIR) + "/policies/huaihua-2026.policy"; }
  static std::string root_;
  std::string err_;
};

std::string ShardCli::root_;

// The data rows of a CSV file (no header); these outputs quote no newline.
std::vector<std::string> Rows(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> rows;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) rows.push_back(line);
  return rows;
}

TEST_F(ShardCli, MergedShardsAreTheSingleRun) {
  for (const char* claims : {"claims.csv", "reversed.csv"}) {
    const std::string inputs = fmt::format("--persons pop/persons.csv --claims pop/{}", claims);
    ASSERT_EQ(Polc(fmt::format("run '{}' {} --out all.r.csv --persons-out all.p.csv", Policy(), inputs)), 0) << err_;
    for (int n : {1, 3, 4}) {
      std::string parts, person_parts;
      std::vector<std::string> union_rows;
      size_t person_rows = 0;
      for (int k = 0; k < n; ++k) {
        ASSERT_EQ(Polc(fmt::format("run '{}' {} --shard {}/{} --out s{}.r.csv --persons-out s{}.p.csv --threads 2",
                                   Policy(), inputs, k, n, k, k)), 0) << err_;
        parts += fmt::format(" s{}.r.csv", k);
        person_parts += fmt::format(" s{}.p.csv", k);
        const std::vector<std::string> rows = Rows(ReadAll(root_ + fmt::format("/s{}.r.csv", k)));
        if (n > 1) {
          EXPECT_GT(rows.size(), 0u);
        }
        union_rows.insert(union_rows.end(), rows.begin(), rows.end());
        person_rows += Rows(ReadAll(root_ + fmt::format("/s{}.p.csv", k))).size();
      }
      // Disjoint and covering: the shards' rows, sorted, are the single run's rows, sorted.
      std::vector<std::string> all_rows = Rows(ReadAll(root_ + "/all.r.csv"));
      std::sort(all_rows.begin(), all_rows.end());
      std::sort(union_rows.begin(), union_rows.end());
      EXPECT_EQ(union_rows, all_rows) << n;
      EXPECT_EQ(person_rows, 3000u);
      ASSERT_EQ(Polc(fmt::format("merge '{}' {} {} --out m.r.csv --persons-out m.p.csv --persons-parts {}",
                                 Policy(), parts, inputs, person_parts)), 0) << err_;
      EXPECT_EQ(ReadAll(root_ + "/m.r.csv"), ReadAll(root_ + "/all.r.csv")) << claims << " N=" << n;
      EXPECT_EQ(ReadAll(root_ + "/m.p.csv"), ReadAll(root_ + "/all.p.csv")) << claims << " N=" << n;
    }
  }
}

TEST_F(ShardCli, MergeRefusesPartsThatDoNotFit) {
  const std::string inputs = "--persons pop/persons.csv --claims pop/claims.csv";
  for (int k = 0; k < 2; ++k) {
    ASSERT_EQ(Polc(fmt::format("run '{}' {} --shard {}/2 --out t{}.csv", Policy(), inputs, k, k)), 0) << err_;
  }
  // Swapped parts: part 0 holds shard 1's rows.
  EXPECT_EQ(Polc(fmt::format("merge '{}' t1.csv t0.csv {} --out bad.csv", Policy(), inputs)), 1);
  EXPECT_NE(err_.find("rows than shard"), std::string::npos) << err_;
  EXPECT_FALSE(fs::exists(root_ + "/bad.csv"));
  // Too few parts for the shards that were run.
  EXPECT_EQ(Polc(fmt::format("merge '{}' t0.csv {} --out bad.csv", Policy(), inputs)), 1);
  EXPECT_NE(err_.find("fewer rows than shard 0/1"), std::string::npos) << err_;
  EXPECT_FALSE(fs::exists(root_ + "/bad.csv"));
  WriteAll(root_ + "/other.csv", "a,b\n");
  EXPECT_EQ(Polc(fmt::format("merge '{}' t0.csv other.csv {} --out bad.csv", Policy(), inputs)), 1);
  EXPECT_NE(err_.find("header differs"), std::string::npos) << err_;
  EXPECT_EQ(Polc(fmt::format("run '{}' {} --shard 2/2 --out bad.csv", Policy(), inputs)), 2);
  EXPECT_NE(err_.find("0 <= K < N"), std::string::npos) << err_;
  EXPECT_FALSE(fs::exists(root_ + "/bad.csv"));
}

}  // namespace
}  // namespace polc

namespace polc {
namespace {

// The first number after `label` in `text`.
int64_t NumberAfter(const std::string& text, const std::string& label) {
  const size_t at = text.find(label);
  if (at == std::string::npos) return -1;
  return std::stoll(text.substr(at + label.size()));
}

TEST_F(ShardCli, SummaryShardsAddUp) {
  const std::string inputs = "--persons pop/persons.csv --claims pop/claims.csv";
  const PolcRun all = RunPolc(root_, fmt::format("summary '{}' {}", Policy(), inputs), root_);
  ASSERT_EQ(all.code, 0) << all.err;
  int64_t persons = 0, claims = 0;
  for (int k = 0; k < 3; ++k) {
    const PolcRun r = RunPolc(root_, fmt::format("summary '{}' {} --shard {}/3", Policy(), inputs, k), root_);
    ASSERT_EQ(r.code, 0) << r.err;
    persons += NumberAfter(r.out, "person rows: ");
    claims += NumberAfter(r.out, "claim rows: ");
  }
  EXPECT_EQ(persons, NumberAfter(all.out, "person rows: "));
  EXPECT_EQ(claims, NumberAfter(all.out, "claim rows: "));
  EXPECT_EQ(RunPolc(root_, fmt::format("summary '{}' {} --shard 3/3", Policy(), inputs), root_).code, 2);
}

// Summary JSON as `polc summary --format json` writes it (schema polc-summary, version 1).
std::string SummaryJson(int subjects, int events, const std::string& basic, int ok, int waiting,
                        const std::string& payouts, const std::string& income, const std::string& balance) {
  return fmt::format(
      R"({{"schema":"polc-summary","version":1,"policies":[{{"file":"p.policy","title":"T","region":"R","year":2026,)"
      R"("subjects":{},"events":{},"columns":[{{"record":"claim","column":"basic","role":"fund","label":"b",)"
      R"("total":"{}","absent":0}},{{"record":"claim","column":"status","role":null,"label":"s","counts":{{"ok":{},)"
      R"("waiting_period":{}}}}}],"payouts":"{}","income":"{}","balance":"{}","balance_per_person":"0.00"}}]}})",
      subjects, events, basic, ok, waiting, payouts, income, balance);
}

TEST_F(ShardCli, MergedShardSummariesAreTheWholeSummary) {
  const std::string policies = fmt::format("'{0}/policies/huaihua-2026.policy' '{0}/policies/yueyang-louqu-2026.policy'",
                                           POLC_SOURCE_DIR);
  const std::string inputs = "--persons pop/persons.csv --claims pop/claims.csv --format json";
  ASSERT_EQ(Polc(fmt::format("summary {} {}", policies, inputs)), 0) << err_;
  const PolcRun all = RunPolc(root_, fmt::format("summary {} {}", policies, inputs), root_);
  ASSERT_EQ(all.code, 0) << all.err;
  std::string parts;
  for (int k = 0; k < 3; ++k) {
    const PolcRun r = RunPolc(root_, fmt::format("summary {} {} --shard {}/3", policies, inputs, k), root_);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out, all.out);
    WriteAll(root_ + fmt::format("/sum{}.json", k), r.out);
    parts += fmt::format(" sum{}.json", k);
  }
  ASSERT_EQ(Polc("merge --summaries" + parts + " --out merged.json"), 0) << err_;
  EXPECT_EQ(ReadAll(root_ + "/merged.json"), all.out);
}

TEST_F(ShardCli, MergeSummariesAddsShardsUp) {
  WriteAll(root_ + "/a.json", SummaryJson(2, 5, "100.50", 4, 1, "100.50", "300.00", "199.50"));
  WriteAll(root_ + "/b.json", SummaryJson(1, 2, "0.25", 1, 1, "0.25", "100.00", "99.75"));
  ASSERT_EQ(Polc("merge --summaries a.json b.json --out m.json"), 0) << err_;
  // 299.25 over 3 persons is 99.75.
  EXPECT_EQ(ReadAll(root_ + "/m.json"),
            R"({"schema":"polc-summary","version":1,"policies":[{"file":"p.policy","title":"T","region":"R","year":2026,)"
            R"("subjects":3,"events":7,"columns":[{"record":"claim","column":"basic","role":"fund","label":"b",)"
            R"("total":"100.75","absent":0},{"record":"claim","column":"status","role":null,"label":"s","counts":{"ok":5,)"
            R"("waiting_period":2}}],"payouts":"100.75","income":"400.00","balance":"299.25","balance_per_person":"99.75"}]})"
            "\n");
  std::string other = SummaryJson(1, 2, "0.25", 1, 1, "0.25", "100.00", "99.75");
  other.replace(other.find("2026"), 4, "2027");
  WriteAll(root_ + "/c.json", other);
  EXPECT_EQ(Polc("merge --summaries a.json c.json"), 1);
  EXPECT_NE(err_.find("c.json: policies[0].year: 2026 in one part, 2027 in another"), std::string::npos) << err_;
  WriteAll(root_ + "/d.json", "{\"schema\":\"other\"}");
  EXPECT_EQ(Polc("merge --summaries a.json d.json"), 1);
  EXPECT_NE(err_.find("d.json: not a polc summary"), std::string::npos) << err_;
}

// `polc diff --shard K/N --format json` of 3 shards, merged by `polc merge --summaries` (the
// parts in any order), is the single diff's JSON byte for byte: across two policy years (the
// population moved, a year step in the waterfall), with the population warning, groups by an
// enumeration, an int claim field (absent values, sorted as numbers) and a person field, and
// the top claims (the union of the shards' own top lists, ties broken by input line as the
// single run breaks them). Then merge refuses a missing shard, a shard twice, a whole run, a
// different pair of policies, a step applied on its own in one shard only and a summary among diffs.
TEST_F(ShardCli, MergedShardDiffsAreTheWholeDiff) {
  const std::string years =
      fmt::format("'{0}/policies/huaihua-2025.policy' '{0}/policies/huaihua-2026.policy'", POLC_SOURCE_DIR);
  const std::string cities =
      fmt::format("'{0}/policies/huaihua-2026.policy' '{0}/policies/yueyang-louqu-2026.policy'", POLC_SOURCE_DIR);
  const std::string inputs = "--persons pop/persons.csv --claims pop/claims.csv --format json --engine interp --threads 1";
  const std::vector<std::pair<std::string, std::string>> runs = {
      {years, ""}, {years, " --population-year 2024 --top 5"}, {cities, " --by zero_claim_years --top 5"},
      {cities, " --by disease --top 100"}};  // last: diff0..2.json are kept for the refusals below
  for (const auto& [policies, options] : runs) {
    const PolcRun all = RunPolc(root_, fmt::format("diff {} {}{}", policies, inputs, options), root_);
    ASSERT_EQ(all.code, 1) << all.err;
    EXPECT_EQ(all.out.find("\"shard\""), std::string::npos);
    std::string parts;
    for (int k = 0; k < 3; ++k) {
      const PolcRun r = RunPolc(root_, fmt::format("diff {} {}{} --shard {}/3", policies, inputs, options, k), root_);
      ASSERT_EQ(r.code, 1) << r.err;
      EXPECT_NE(r.out.find(fmt::format("\"shard\":{{\"k\":{},\"n\":3,", k)), std::string::npos);
      EXPECT_NE(r.out, all.out);
      WriteAll(root_ + fmt::format("/diff{}.json", k), r.out);
      parts = fmt::format(" diff{}.json", k) + parts;
    }
    ASSERT_EQ(Polc("merge --summaries" + parts + " --out merged-diff.json"), 0) << err_;
    EXPECT_EQ(ReadAll(root_ + "/merged-diff.json"), all.out) << options;
    WriteAll(root_ + "/whole-diff.json", all.out);
  }
  // What the runs went through: the year step, the warning, groups 9 before 10, tied scores.
  const nlohmann::json whole = nlohmann::json::parse(ReadAll(root_ + "/whole-diff.json"))["impact"];
  EXPECT_EQ(whole["groups"][0]["word"], "(none)");
  std::vector<std::string> words;
  for (const auto& g : whole["groups"]) words.push_back(g["word"]);
  const auto nine = std::find(words.begin(), words.end(), "9"), ten = std::find(words.begin(), words.end(), "10");
  ASSERT_NE(ten, words.end());
  EXPECT_LT(nine, ten);
  std::set<std::string> scores;
  for (const auto& t : whole["top"]) scores.insert(t["score"].get<std::string>());
  EXPECT_EQ(whole["top"].size(), 100u);
  EXPECT_LT(scores.size(), whole["top"].size()) << "no tie among the top claims";
  const PolcRun warned =
      RunPolc(root_, fmt::format("diff {} {} --population-year 2024 --top 5 --shard 0/3", years, inputs), root_);
  EXPECT_NE(warned.out.find("\"steps\":[{\"kind\":\"year\""), std::string::npos);
  EXPECT_NE(warned.out.find("\"warning\":\"WARNING"), std::string::npos);

  EXPECT_EQ(Polc("merge --summaries diff0.json diff2.json"), 1);
  EXPECT_NE(err_.find("shard 1/3 missing"), std::string::npos) << err_;
  EXPECT_EQ(Polc("merge --summaries diff0.json diff1.json diff1.json"), 1);
  EXPECT_NE(err_.find("diff1.json: shard 1/3 again"), std::string::npos) << err_;
  EXPECT_EQ(Polc("merge --summaries diff0.json whole-diff.json diff2.json"), 1);
  EXPECT_NE(err_.find("whole-diff.json: impact: no member shard"), std::string::npos) << err_;
  const PolcRun other = RunPolc(root_, fmt::format("diff {} {} --by disease --top 100 --shard 1/3", years, inputs), root_);
  ASSERT_EQ(other.code, 1) << other.err;
  WriteAll(root_ + "/other-diff.json", other.out);
  EXPECT_EQ(Polc("merge --summaries diff0.json other-diff.json diff2.json"), 1);
  EXPECT_NE(err_.find("other-diff.json: the policy diff differs"), std::string::npos) << err_;
  // A waterfall step applied on its own in one shard but counted in the interaction in another
  // adds up to neither: refused, naming the step.
  std::string unapplied = ReadAll(root_ + "/diff1.json");
  const size_t step = unapplied.find("\"kind\":\"area\"");
  ASSERT_NE(step, std::string::npos);
  const size_t separable = unapplied.find("\"separable\":true", step);
  ASSERT_NE(separable, std::string::npos);
  unapplied.replace(separable, 16, "\"separable\":false");
  WriteAll(root_ + "/unapplied-diff.json", unapplied);
  EXPECT_EQ(Polc("merge --summaries diff0.json unapplied-diff.json diff2.json"), 1);
  EXPECT_NE(err_.find("unapplied-diff.json: impact.waterfall.steps["), std::string::npos) << err_;
  EXPECT_NE(err_.find("].separable: true in one part, false in another"), std::string::npos) << err_;
  WriteAll(root_ + "/not-diff.json", "{\"schema\":\"polc-summary\",\"version\":1,\"policies\":[]}\n");
  EXPECT_EQ(Polc("merge --summaries diff0.json not-diff.json diff2.json"), 1);
  EXPECT_NE(err_.find("not-diff.json: not a polc diff"), std::string::npos) << err_;
  // A shard's CSV or HTML report would not say it is one: refused.
  EXPECT_EQ(Polc(fmt::format("diff {} --persons pop/persons.csv --claims pop/claims.csv --format csv --shard 0/3", years)), 2);
  EXPECT_NE(err_.find("--shard needs"), std::string::npos) << err_;
}

}  // namespace
}  // namespace polc
