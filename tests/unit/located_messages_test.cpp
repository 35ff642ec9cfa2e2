// Every run-time message has a location: an arithmetic overflow names the policy line, the
// claim and its CSV line, and the person, the same for both engines; an id with invalid UTF-8
// or a NUL byte is a bad row at its line, not copied to the output.
#include <filesystem>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;

class LocatedMessages : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = MakeTempDir("polc_located");
    ASSERT_FALSE(root_.empty());
    std::string text = ReadAll(std::string(POLC_SOURCE_DIR) + "/tests/files/clean_skeleton.policy");
    const std::string from = "rule paid: money = total";
    text.replace(text.find(from), from.size(), "rule paid: money = total * 1000000000 * 1000000000");
    WriteAll(root_ + "/p.policy", text);
    WriteAll(root_ + "/persons.csv", "person_id\nP1\nP2\n");
  }
  void TearDown() override { fs::remove_all(root_); }

  PolcRun Run(const std::string& claims, const std::string& engine) {
    WriteAll(root_ + "/claims.csv", claims);
    return RunPolc(root_, fmt::format("run p.policy --persons persons.csv --claims claims.csv --out r.csv "
                                      "--engine {} --no-cache --threads 1", engine), root_);
  }

  std::string root_;
};

TEST_F(LocatedMessages, OverflowNamesClaimCsvLineAndPolicyLine) {
  // 0.01 * 10^18 fits in fen; 100.33 (10033 fen) * 10^18 does not.
  const std::string claims =
      "claim_id,person_id,date,kind,total\nC1,P1,2026-03-01,inpatient,0.01\n\nC2,P2,2026-04-01,outpatient,100.33\n";
  for (const char* engine : {"jit", "interp"}) {
    const PolcRun r = Run(claims, engine);
    EXPECT_EQ(r.code, 1) << engine;
    EXPECT_EQ(r.err, "polc: p.policy:22:20: arithmetic overflow (claim C2 at claims.csv:4, person P2 at persons.csv:3)\n")
        << engine;
    EXPECT_FALSE(fs::exists(root_ + "/r.csv")) << engine;
  }
}

TEST_F(LocatedMessages, InvalidUtf8AndNulInIdsAreBadRows) {
  std::string claims = "claim_id,person_id,date,kind,total\nC1,P1,2026-03-01,inpatient,0\n";
  claims += "\"C"s + '\0' + "2\",P2,2026-04-01,outpatient,0\n";
  claims += "C\xff" "3,P2,2026-04-01,outpatient,0\n";
  claims += "C\xe4\xb8" ",P2,2026-04-01,outpatient,0\n";  // a cut three-byte sequence
  claims += "C\xe4\xb8\xad,P2,2026-04-01,outpatient,0\n";  // 中: fine
  for (const char* engine : {"jit", "interp"}) {
    const PolcRun r = Run(claims, engine);
    EXPECT_EQ(r.code, 1) << engine;
    EXPECT_EQ(r.err,
              "claims.csv:3: claim_id: a NUL byte at byte 2 of the value\n"
              "claims.csv:4: claim_id: invalid UTF-8 (byte 0xff at byte 2 of the value)\n"
              "claims.csv:5: claim_id: invalid UTF-8 (byte 0xe4 at byte 2 of the value)\n")
        << engine;
    EXPECT_FALSE(fs::exists(root_ + "/r.csv")) << engine;
  }
  // A person id the same way, in the persons file.
  WriteAll(root_ + "/persons.csv", std::string("person_id\nP1\nP\xc0\xaf\n"));
  const PolcRun r = Run("claim_id,person_id,date,kind,total\nC1,P1,2026-03-01,inpatient,0\n", "interp");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "persons.csv:3: person_id: invalid UTF-8 (byte 0xc0 at byte 2 of the value)\n");
}

}  // namespace
}  // namespace polc
