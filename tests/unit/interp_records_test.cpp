// Unit tests for reading input CSV files: columns in any order, field syntax per declared
// type, absent optional values, requirements, duplicate keys, unknown parents, the error
// report (file:line, sorted, capped at 20) and the settlement order of events.
#include <filesystem>

#include <gtest/gtest.h>

#include "compiler/driver/compile.h"
#include "compiler/interp/interp.h"
#include "compiler/io/read_inputs.h"
#include "tests/unit/test_util.h"

namespace polc::interp {
namespace {

using io::ReadInputs;
using settle::InputErrors;

const char* kPolicy = R"(policy "t" { region: "r" year: 2026 source: "s" }
enum kind { a, b, c }
input person key person_id {
  person_id: text  born: date  flag: bool  kids: int  since: date?
  require kids <= 10 message "too many kids"
}
input claim key claim_id of person by person_id order by date {
  claim_id: text  person_id: text  date: date  k: kind  total: money  eligible: money  n: int?
  require eligible <= total message "eligible is larger than total"
}
output o for claim { claim_id }
output q for person { person_id }
)";

const char* kPersons =
    "kids,person_id,flag,born,since,ignored\n"
    "0,P1,true,1990-01-31,,x\n"
    "2,P2,false,2000-02-29,2026-01-01,y\n";

class InterpRecords : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("polc_interp_records");
    ASSERT_FALSE(dir_.empty());
    compilation_ = driver::CompileText("t.policy", kPolicy);
    ASSERT_TRUE(compilation_->ok) << compilation_->diagnostics.Render();
    interp_ = std::make_unique<Interpreter>(compilation_->program);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Reads the two files (given as text); returns the rendered errors, empty when fine.
  std::string Read(const std::string& persons, const std::string& claims) {
    WriteAll(dir_ + "/persons.csv", persons);
    WriteAll(dir_ + "/claims.csv", claims);
    errors_ = InputErrors{};
    inputs_ = std::make_unique<Inputs>();
    // Relative names, as a user would type them, so messages are predictable.
    const auto cwd = std::filesystem::current_path();
    std::filesystem::current_path(dir_);
    const bool ok = ReadInputs(*interp_, "persons.csv", "claims.csv", *inputs_, errors_);
    std::filesystem::current_path(cwd);
    EXPECT_EQ(ok, errors_.Empty());
    return errors_.Render();
  }

  std::string dir_;
  std::unique_ptr<driver::Compilation> compilation_;
  std::unique_ptr<Interpreter> interp_;
  std::unique_ptr<Inputs> inputs_;
  InputErrors errors_;
};

const char* kClaimsHeader = "eligible,n,claim_id,total,k,date,person_id\n";

TEST_F(InterpRecords, ReadsColumnsInAnyOrderAndGroupsEventsBySubject) {
  ASSERT_EQ(Read(kPersons, std::string(kClaimsHeader) +
                               "5,,C3,10,a,2026-03-01,P1\n"
                               "1,4,C1,1,b,2026-01-01,P2\n"
                               "2,,C2,2,c,2026-03-01,P1\n"
                               "3,,C0,3,a,2026-03-01,P1\n"),
            "");
  ASSERT_EQ(inputs_->subjects.Size(), 2u);
  ASSERT_EQ(inputs_->events.Size(), 4u);
  EXPECT_EQ(inputs_->SubjectKey(1), "P2");
  EXPECT_EQ(inputs_->EventKey(0), "C3");
  // P1's events by (date, key): C0, C2, C3; then P2's C1.
  EXPECT_EQ(inputs_->event_order, (std::vector<uint32_t>{3, 2, 0, 1}));
  EXPECT_EQ(inputs_->subject_begin, (std::vector<uint32_t>{0, 3, 4}));
  EXPECT_EQ(inputs_->event_subject, (std::vector<uint32_t>{0, 1, 0, 0}));
  // Field values: money in fen, an absent optional, an enum word index, a shared parent text.
  const ir::Record& claim = compilation_->program.records[1];
  auto slot = [&](const std::string& name) {
    for (size_t f = 0; f < claim.fields.size(); ++f) {
      if (claim.fields[f].name == name) return static_cast<int32_t>(f);
    }
    return -1;
  };
  EXPECT_EQ(inputs_->events.Get(0, slot("eligible")), (ir::Value{500, 0, true}));
  EXPECT_FALSE(inputs_->events.Get(0, slot("n")).present);
  EXPECT_EQ(inputs_->events.Get(1, slot("n")), (ir::Value{4, 0, true}));
  EXPECT_EQ(inputs_->events.Get(2, slot("k")).a, 2);
  EXPECT_EQ(inputs_->Text(inputs_->events.Get(1, slot("person_id"))), "P2");
  EXPECT_EQ(inputs_->events.Line(3), 5u);
}

TEST_F(InterpRecords, ReportsEveryBadRowWithFileAndLine) {
  const std::string errors = Read(
      "person_id,born,flag,kids,since\n"
      "P1,1990-01-31,true,0,\n"
      "P2,1990-02-30,yes,-1,\n"      // bad date, bad bool, signed count
      "P1,1990-01-01,false,1,\n"     // duplicate
      "P3,1990-01-01,false,11,\n"    // requirement
      "P4,,false,1,\n",              // empty required date
      std::string(kClaimsHeader) +
          "1,,C1,1.234,a,2026-01-01,P1\n"   // three decimals
          "1,,C2,1,d,2026-01-01,P1\n"       // unknown word
          "1,,C3,1,a,2026-01-01,P9\n"       // unknown person
          "1,,C1,1,a,2026-01-01,P1\n"       // duplicate of a bad row
          "2,,C5,1,a,2026-01-01,P1\n"       // eligible > total
          "1,,C6,1,a,2026-01-01,P2\n"       // P2's row is bad: no orphan report
          "1,,C7,1,a\n");                   // short row
  EXPECT_EQ(errors,
            "persons.csv:3: born: date '1990-02-30' does not exist: 1990-02 has 28 days\n"
            "persons.csv:3: flag: expected true or false, got 'yes'\n"
            "persons.csv:3: kids: count '-1' has a sign\n"
            "persons.csv:4: duplicate person_id 'P1' (first on line 2)\n"
            "persons.csv:5: too many kids\n"
            "persons.csv:6: born: empty value\n"
            "claims.csv:2: total: money '1.234' has more than two decimals\n"
            "claims.csv:3: k: unknown kind word 'd'\n"
            "claims.csv:4: person_id: no person 'P9' in persons.csv\n"
            "claims.csv:5: duplicate claim_id 'C1' (first on line 2)\n"
            "claims.csv:6: eligible is larger than total\n"
            "claims.csv:8: the row has 5 fields, the header has 7\n");
}

TEST_F(InterpRecords, MissingColumnsAndUnreadableFiles) {
  EXPECT_EQ(Read("person_id,born,flag,since\nP1,1990-01-01,true,\n", std::string(kClaimsHeader)),
            "persons.csv:1: missing column 'kids'\n");
  EXPECT_EQ(Read(kPersons, "claim_id,person_id\n"),
            "claims.csv:1: missing column 'date'\n"
            "claims.csv:1: missing column 'k'\n"
            "claims.csv:1: missing column 'total'\n"
            "claims.csv:1: missing column 'eligible'\n"
            "claims.csv:1: missing column 'n'\n");
  EXPECT_EQ(Read(kPersons, ""), "claims.csv:1: empty file: expected a header row\n");
  std::filesystem::remove(dir_ + "/claims.csv");
  InputErrors errors;
  Inputs inputs;
  EXPECT_FALSE(ReadInputs(*interp_, dir_ + "/persons.csv", dir_ + "/nope.csv", inputs, errors));
  EXPECT_NE(errors.Render().find("cannot open '" + dir_ + "/nope.csv'"), std::string::npos) << errors.Render();
}

TEST_F(InterpRecords, ShowsTheFirstTwentyErrorsAndCountsTheRest) {
  std::string claims = kClaimsHeader;
  for (int i = 0; i < 30; ++i) claims += "2,,X" + std::to_string(i) + ",1,a,2026-01-01,P1\n";
  claims += "1,,Y,1,\"a,2026-01-01,P1\n";  // an unterminated quote ends the file
  const std::string errors = Read(kPersons, claims);
  EXPECT_EQ(errors_.Count(), 31u);
  EXPECT_EQ(errors.rfind("claims.csv:2: eligible is larger than total\nclaims.csv:3:", 0), 0u) << errors;
  EXPECT_NE(errors.find("claims.csv:21: eligible is larger than total\n... and 11 more errors\n"), std::string::npos)
      << errors;
  EXPECT_EQ(errors_.Messages().size(), InputErrors::kShown);
}

}  // namespace
}  // namespace polc::interp
