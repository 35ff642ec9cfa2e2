// The command line's shared surface: --version, every command's --help naming its exit codes
// and describing the persons and claims files in the same words, `check --format json`.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/unit/test_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;

class Cli : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir("polc_cli_test"); }
  void TearDown() override { fs::remove_all(dir_); }
  PolcRun Run(const std::string& args) { return RunPolc(POLC_SOURCE_DIR, args, dir_); }
  std::string dir_;
};

TEST_F(Cli, Version) {
  PolcRun r = Run("--version");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out.rfind("polc ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find('.'), std::string::npos) << r.out;
}

TEST_F(Cli, EveryHelpNamesItsExitCodesAndTheSameFileWords) {
  for (const char* command : {"check", "fmt", "run", "explain", "test", "summary", "diff"}) {
    SCOPED_TRACE(command);
    PolcRun r = Run(std::string(command) + " --help");
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("exit codes: 0 "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(" 2 "), std::string::npos) << r.out;
    if (r.out.find("--persons ") != std::string::npos) {
      EXPECT_NE(r.out.find("persons CSV: one row per person"), std::string::npos) << r.out;
    }
    if (r.out.find("--claims ") != std::string::npos) {
      EXPECT_NE(r.out.find("claims CSV: one row per claim"), std::string::npos) << r.out;
    }
    EXPECT_EQ(r.out.find("subject CSV"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("event CSV"), std::string::npos) << r.out;
  }
  EXPECT_NE(Run("--help").out.find("exit codes:"), std::string::npos);
}

TEST_F(Cli, CheckFormatJson) {
  PolcRun r = Run("check --format json tests/files/unit_mismatch.policy policies/huaihua-2026.policy");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out.rfind("[\n{\"file\":\"tests/files/unit_mismatch.policy\",\"range\":{\"start\":{\"line\":", 0), 0u)
      << r.out;
  EXPECT_NE(r.out.find("\"severity\":\"error\",\"kind\":\"UnitMismatch\",\"message\":\"cannot add money"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"notes\":["), std::string::npos);
  EXPECT_NE(r.out.find("\"fixits\":["), std::string::npos);
  EXPECT_EQ(r.out.substr(r.out.size() - 4), "}\n]\n") << r.out;
  // One object a line, each but the last ending in ",".
  std::vector<std::string> lines;
  for (size_t at = 0, nl; (nl = r.out.find('\n', at)) != std::string::npos; at = nl + 1)
    lines.push_back(r.out.substr(at, nl - at));
  ASSERT_GE(lines.size(), 4u);
  for (size_t i = 1; i + 2 < lines.size(); ++i) EXPECT_EQ(lines[i].back(), ',') << lines[i];
  EXPECT_EQ(lines[lines.size() - 2].back(), '}');
  PolcRun clean = Run("check --format json policies/huaihua-2026.policy");
  EXPECT_EQ(clean.code, 0);
  EXPECT_EQ(clean.out, "[\n]\n");
  EXPECT_EQ(Run("check --format xml policies/huaihua-2026.policy").code, 2);
}

}  // namespace
}  // namespace polc

namespace polc {
namespace {

// `--sources DIR` checks the cites of NAME.policy against DIR/NAME.txt: warnings, exit 0. The
// shipped policy quotes its notice (tests/unit/shipped_cites_test.cpp), so a copy of it gets a
// cite the notice does not have.
TEST_F(Cli, CheckSourcesWarnsAboutCitesNotInTheNotice) {
  std::string seeds = std::string(POLC_SHARED_DIR) + "/seeds";
  if (!fs::exists(seeds + "/yueyang-louqu-2026.txt")) GTEST_SKIP() << seeds << " is not here";
  std::string text = ReadAll(std::string(POLC_SOURCE_DIR) + "/policies/yueyang-louqu-2026.policy");
  const std::string quoted = "cite \"个人缴费标准：400元/人/年。\"";
  size_t at = text.find(quoted);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, quoted.size(), "cite \"个人缴费标准：420元/人/年。\"");
  WriteAll(dir_ + "/yueyang-louqu-2026.policy", text);
  fs::copy_file(std::string(POLC_SOURCE_DIR) + "/policies/chronic-caps.csv", dir_ + "/chronic-caps.csv");
  PolcRun r = Run("check -q --sources '" + seeds + "' '" + dir_ + "/yueyang-louqu-2026.policy'");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: this cite is not found in"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the closest passage: \"个人缴费标准：400元/人/年。\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[CiteNotInSource]"), std::string::npos);
  // `[reading]` cites are exempt, though the policy has some the notice does not contain.
  ASSERT_NE(text.find("cite \"[reading]"), std::string::npos);
  EXPECT_EQ(r.err.find("cite \"[reading]"), std::string::npos) << r.err;
  PolcRun plain = Run("check -q '" + dir_ + "/yueyang-louqu-2026.policy'");
  EXPECT_EQ(plain.err.find("CiteNotInSource"), std::string::npos);
}

// A notice missing from `--sources DIR` is said: the cites of that file were not checked.
TEST_F(Cli, CheckSourcesSaysWhenTheNoticeIsMissing) {
  fs::create_directories(dir_ + "/notices");
  fs::copy_file(std::string(POLC_SOURCE_DIR) + "/policies/huaihua-2026.policy", dir_ + "/renamed.policy");
  fs::copy_file(std::string(POLC_SOURCE_DIR) + "/policies/chronic-caps.csv", dir_ + "/chronic-caps.csv");
  PolcRun r = Run("check -q --sources '" + dir_ + "/notices' '" + dir_ + "/renamed.policy'");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("renamed.policy: warning: cites not checked: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("renamed.txt"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace polc
