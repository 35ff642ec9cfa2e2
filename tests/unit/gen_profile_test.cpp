// polc-gen's profile (tools/population.profile, docs/generator.md): the default profile gives
// the expected bytes (tests/gen/default-s5-p40, regenerated whenever the profile changes the population);
// a changed profile changes the population as it says; every kind of bad profile gives
// "FILE:LINE: what is wrong", a non-zero exit and no output directory.
#include <stdlib.h>

#include <filesystem>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;

std::vector<std::vector<std::string>> Rows(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(ReadAll(path));
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream fs_(line);
    std::string f;
    while (std::getline(fs_, f, ',')) fields.push_back(f);
    if (!line.empty() && line.back() == ',') fields.push_back("");
    rows.push_back(fields);
  }
  return rows;
}

class GenProfile : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = MakeTempDir("polc_gen_profile");
    ASSERT_FALSE(root_.empty());
    profile_ = root_ + "/test.profile";
    text_ = ReadAll(std::string(POLC_SOURCE_DIR) + "/tools/population.profile");
    ASSERT_FALSE(text_.empty());
  }
  void TearDown() override { fs::remove_all(root_); }

  // Replaces the first occurrence of `from` in the profile; returns its 1-based line.
  int Edit(const std::string& from, const std::string& to) {
    const size_t at = text_.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at == std::string::npos) return 0;
    text_.replace(at, from.size(), to);
    return 1 + static_cast<int>(std::count(text_.begin(), text_.begin() + static_cast<long>(at), '\n'));
  }

  struct Result {
    int code = -1;
    std::string err;
  };
  // polc-gen on the edited profile (or `profile`) into root_/out.
  Result Gen(const std::string& args, const std::string& profile = "") {
    const std::string path = profile.empty() ? profile_ : profile;
    if (profile.empty()) WriteAll(profile_, text_);
    const std::string command = fmt::format("'{}' --profile '{}' --out '{}/out' {} 2>'{}/stderr'", POLC_GEN_BINARY,
                                            path, root_, args, root_);
    Result r;
    r.code = ExitCode(std::system(command.c_str()));
    r.err = ReadAll(root_ + "/stderr");
    return r;
  }

  // A bad profile: the message is "FILE:LINE: ..." with `what` in it, the exit non-zero, and
  // nothing is written.
  void ExpectBad(int line, const std::string& what) {
    const Result r = Gen("--persons 10 --seed 1");
    EXPECT_NE(r.code, 0);
    EXPECT_EQ(r.err.rfind(fmt::format("{}:{}: ", profile_, line), 0), 0u) << r.err;
    EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(fs::exists(root_ + "/out"));
  }

  std::string root_, profile_, text_;
};

TEST_F(GenProfile, DefaultProfileGivesTheExpectedBytes) {
  const std::string expected = std::string(POLC_SOURCE_DIR) + "/tests/gen/default-s5-p40";
  ASSERT_EQ(Gen("--persons 40 --seed 5 --claims-per-person 2").code, 0);
  EXPECT_EQ(ReadAll(root_ + "/out/persons.csv"), ReadAll(expected + "/persons.csv"));
  EXPECT_EQ(ReadAll(root_ + "/out/claims.csv"), ReadAll(expected + "/claims.csv"));
  // Without --profile, the shipped profile is the one read.
  const std::string command = fmt::format("'{}' --persons 40 --seed 5 --claims-per-person 2 --out '{}/plain'",
                                          POLC_GEN_BINARY, root_);
  ASSERT_EQ(std::system(command.c_str()), 0);
  EXPECT_EQ(ReadAll(root_ + "/plain/claims.csv"), ReadAll(expected + "/claims.csv"));
}

TEST_F(GenProfile, OneClaimKind) {
  Edit("kind = pick 350: inpatient, 200: outpatient_general, 100: outpatient_hypertension,\n"
       "    80: outpatient_diabetes, 120: outpatient_chronic, 100: dual_channel_drug,\n"
       "    20: maternity_prenatal, 20: maternity_normal, 10: maternity_cesarean",
       "kind = maternity_normal");
  // A kind without a section falls back to [claims]; one that is never drawn may not have one.
  const size_t at = text_.find("[kind inpatient]");
  text_.erase(at, text_.find("# General, hypertension") - at);
  for (const char* kind : {"outpatient_general", "outpatient_hypertension", "outpatient_diabetes"}) {
    Edit(fmt::format("[kind {}]\nlevel = pick 750: primary, 250: (@any_level)\n", kind), "");
  }
  for (const char* kind : {"outpatient_chronic]\n", "dual_channel_drug]\n", "maternity_prenatal]\n", "maternity_cesarean]\n"}) {
    const size_t s = text_.find(std::string("[kind ") + kind);
    ASSERT_NE(s, std::string::npos) << kind;
    text_.erase(s, text_.find("\n\n", s) + 2 - s);
  }
  ASSERT_EQ(Gen("--persons 300 --seed 4").code, 0) << ReadAll(root_ + "/stderr");
  const auto claims = Rows(root_ + "/out/claims.csv");
  ASSERT_GT(claims.size(), 500u);
  for (size_t i = 1; i < claims.size(); ++i) {
    ASSERT_EQ(claims[i].size(), 10u);
    EXPECT_EQ(claims[i][3], "maternity_normal");
    EXPECT_EQ(claims[i][7], "");  // no disease
    EXPECT_LE(std::stod(claims[i][8]), 10000.0);
  }
}

TEST_F(GenProfile, OneCategoryAndFixedNumbers) {
  Edit("category = pick 70: resident, 8: new_student, 8: newborn, 7: welfare_child, 7: special_entry",
       "category = pick 1: special_entry");
  Edit("hardship = pick 600: none", "hardship = pick 0: none");
  Edit("unbroken_per_mille = 800", "unbroken_per_mille = 1000");
  Edit("prior_insured = min(0 .. 8, age)", "prior_insured = 5");
  Edit("region = pick 150: out_of_region, 850: local", "region = out_of_region");
  for (const char* c : {"resident", "new_student", "newborn", "welfare_child"}) {
    const size_t s = text_.find(fmt::format("[category {}]\n", c));
    ASSERT_NE(s, std::string::npos) << c;
    text_.erase(s, text_.find("\n\n", s) + 2 - s);
  }
  ASSERT_EQ(Gen("--persons 200 --seed 8 --year 2030").code, 0) << ReadAll(root_ + "/stderr");
  const auto persons = Rows(root_ + "/out/persons.csv");
  ASSERT_EQ(persons.size(), 201u);
  for (size_t i = 1; i < persons.size(); ++i) {
    EXPECT_EQ(persons[i][3], "special_entry");
    EXPECT_NE(persons[i][4], "none");
    EXPECT_EQ(persons[i][5], "5");
    EXPECT_EQ(persons[i][6], "0");
    EXPECT_EQ(persons[i][9], "");
    EXPECT_LE(persons[i][1], "2028-12-31");  // born by Y-2
  }
  for (const auto& claim : Rows(root_ + "/out/claims.csv")) {
    if (claim[0] == "claim_id") continue;
    EXPECT_EQ(claim[5], "out_of_region");
    EXPECT_NE(claim[6], "none");
  }
}

TEST_F(GenProfile, UnreadableFile) {
  const Result r = Gen("--persons 10 --seed 1", root_ + "/missing.profile");
  EXPECT_NE(r.code, 0);
  EXPECT_EQ(r.err.rfind(root_ + "/missing.profile:0: cannot read the profile", 0), 0u) << r.err;
  EXPECT_FALSE(fs::exists(root_ + "/out"));
}

TEST_F(GenProfile, UnknownKey) {
  ExpectBad(Edit("eligible_same_per_mille = 400", "eligible_same = 400"), "unknown key 'eligible_same' in [claims]");
}

TEST_F(GenProfile, UnknownSection) { ExpectBad(Edit("[history]", "[histories]"), "unknown section [histories]"); }

TEST_F(GenProfile, MalformedNumbers) {
  ExpectBad(Edit("loguniform(1, 20000)", "loguniform(1, 2x000)"), "malformed number '2x'");
}

TEST_F(GenProfile, TooManyDecimals) {
  ExpectBad(Edit("loguniform(1, 20000)", "loguniform(1, 20000.005)"), "malformed number '20000.005'");
}

TEST_F(GenProfile, PercentWhereMoneyIsExpected) {
  ExpectBad(Edit("980: loguniform(1, 10000)", "980: loguniform(1%, 10000)"), "a percentage is not allowed here");
}

TEST_F(GenProfile, EmptyWordList) {
  ExpectBad(Edit("referral = oneof registered referral_emergency temporary", "referral = oneof"),
            "oneof needs at least one item");
}

TEST_F(GenProfile, EmptyValue) { ExpectBad(Edit("referral = none", "referral ="), "'referral' has an empty value"); }

TEST_F(GenProfile, WeightsAddUpToZero) {
  ExpectBad(Edit("region = pick 150: out_of_region, 850: local", "region = pick 0: out_of_region, 0: local"),
            "the weights of pick add up to 0");
}

TEST_F(GenProfile, PerMilleOutOfRange) {
  ExpectBad(Edit("unbroken_per_mille = 800", "unbroken_per_mille = 1800"), "0 .. 1000");
}

TEST_F(GenProfile, CategoryWithoutRules) {
  ExpectBad(Edit("8: new_student", "8: new_student, 3: veteran"), "category 'veteran' has no [category veteran] section");
}

TEST_F(GenProfile, RulesForAWordNeverDrawn) {
  ExpectBad(Edit("[kind maternity_cesarean]", "[kind maternity_twins]"), "'maternity_twins' is not among the words");
}

TEST_F(GenProfile, MissingRequiredKey) {
  Edit("unbroken_per_mille = 800\n", "");
  ExpectBad(Edit("[history]", "[history]"), "[history] needs the key 'unbroken_per_mille'");
}

TEST_F(GenProfile, WrongType) {
  ExpectBad(Edit("total = pick 20: 0, 980: loguniform(1, 20000)", "total = Y-01-01"),
            "expected a number, the expression gives a date");
}

TEST_F(GenProfile, UnknownDefine) {
  ExpectBad(Edit("enrolled = @window_enrollment", "enrolled = @window"), "no [define] entry named 'window'");
}

TEST_F(GenProfile, VariableNotAllowedInKey) {
  ExpectBad(Edit("birth = pick 150:", "birth = enrolled + 0 + (pick 150:"), "'enrolled' cannot be used in this key");
}

TEST_F(GenProfile, BadDate) { ExpectBad(Edit("Y-1-10-01 ..", "Y-1-13-01 .."), "'Y-1-13-01' is not a valid month and day"); }

TEST_F(GenProfile, BadValueAtRunTime) {
  const int line = Edit("decimals = pick 3: 0, 2: 1, 5: 2", "decimals = pick 3: 0, 2: 1, 5: 3");
  const Result r = Gen("--persons 10 --seed 1");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind(fmt::format("{}:{}: decimals must be 0, 1 or 2, got 3", profile_, line), 0), 0u) << r.err;
  // Neither file, whole or partial, nor a temporary file is left behind.
  if (fs::exists(root_ + "/out")) {
    EXPECT_TRUE(fs::is_empty(root_ + "/out"));
  }
}

TEST_F(GenProfile, OverflowAtRunTime) {
  const int line = Edit("mean * 2 * 85 / 90", "mean * 99999999999 * 99999999999");
  const Result r = Gen("--persons 10 --seed 1");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind(fmt::format("{}:{}: arithmetic overflow", profile_, line), 0), 0u) << r.err;
}

}  // namespace
}  // namespace polc
