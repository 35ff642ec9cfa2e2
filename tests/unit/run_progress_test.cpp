// `polc run` progress on stderr: a line rewritten in place when stderr is a terminal (forced
// with --progress always, or under a pseudo-terminal from script(1)), nothing when it is not
// or with --quiet, a summary line with --verbose; the result files are the same either way.
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;

class RunProgress : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = MakeTempDir("polc_run_progress");
    ASSERT_FALSE(root_.empty());
    const std::string gen = fmt::format("'{}' --persons 3000 --seed 5 --out '{}/pop' >/dev/null", POLC_GEN_BINARY, root_);
    ASSERT_EQ(std::system(gen.c_str()), 0);
  }
  static void TearDownTestSuite() { fs::remove_all(root_); }

  static std::string Args(const std::string& out, const std::string& extra) {
    return fmt::format("run '{}/policies/huaihua-2026.policy' --persons pop/persons.csv --claims pop/claims.csv "
                       "--out {} --threads 2 {}",
                       POLC_SOURCE_DIR, out, extra);
  }
  static PolcRun Polc(const std::string& out, const std::string& extra) {
    return RunPolc(root_, Args(out, extra), root_, fmt::format("XDG_CACHE_HOME='{}/cache'", root_));
  }
  static size_t Claims() {
    const std::string claims = ReadAll(root_ + "/pop/claims.csv");
    return static_cast<size_t>(std::count(claims.begin(), claims.end(), '\n')) - 1;
  }
  static std::string root_;
};
std::string RunProgress::root_;

TEST_F(RunProgress, NothingWhenStderrIsNotATerminal) {
  const PolcRun r = Polc("plain.csv", "");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
}

TEST_F(RunProgress, ForcedLineIsRewrittenInPlaceAndClearedAtTheEnd) {
  const PolcRun plain = Polc("plain.csv", "");
  const PolcRun r = Polc("forced.csv", "--progress always");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("\rpolc: reading pop/claims.csv"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(fmt::format("\rpolc: settling 0/{} claims (0%)", Claims())), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), std::string::npos) << "one line, rewritten: " << r.err;
  // The last thing written erases the line.
  ASSERT_GE(r.err.size(), 4u);
  EXPECT_EQ(r.err.substr(r.err.size() - 4), "\r\033[K");
  EXPECT_EQ(ReadAll(root_ + "/forced.csv"), ReadAll(root_ + "/plain.csv"));
}

TEST_F(RunProgress, QuietWinsOverAlways) {
  const PolcRun r = Polc("quiet.csv", "--progress always --quiet");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
}

TEST_F(RunProgress, VerboseEndsWithOneSummaryLine) {
  const PolcRun r = Polc("verbose.csv", "--verbose");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string prefix = fmt::format("polc: settled {} claims in ", Claims());
  ASSERT_EQ(r.err.rfind(prefix, 0), 0u) << r.err;
  EXPECT_NE(r.err.find(" claims/s)\n"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST_F(RunProgress, ShownUnderAPseudoTerminal) {
  if (std::system("command -v script >/dev/null 2>&1") != 0) GTEST_SKIP() << "script(1) is not installed";
  // script gives polc a terminal for stdin, stdout and stderr and copies what it wrote.
  const std::string command = fmt::format("cd '{}' && XDG_CACHE_HOME='{}/cache' script -qec \"'{}' {}\" /dev/null > '{}/tty.txt' 2>&1",
                                          root_, root_, POLC_BINARY, Args("tty.csv", ""), root_);
  ASSERT_EQ(std::system(command.c_str()), 0);
  const std::string seen = ReadAll(root_ + "/tty.txt");
  EXPECT_NE(seen.find("polc: settling 0/"), std::string::npos) << seen;
  EXPECT_EQ(ReadAll(root_ + "/tty.csv"), ReadAll(root_ + "/plain.csv"));
}

TEST_F(RunProgress, DiffImpactShowsItsSettlementToo) {
  const std::string args = fmt::format("diff '{0}/policies/huaihua-2025.policy' '{0}/policies/huaihua-2026.policy' "
                                       "--persons pop/persons.csv --claims pop/claims.csv",
                                       POLC_SOURCE_DIR);
  const std::string env = fmt::format("XDG_CACHE_HOME='{}/cache'", root_);
  const PolcRun plain = RunPolc(root_, args, root_, env);
  EXPECT_EQ(plain.err, "");
  const PolcRun r = RunPolc(root_, args + " --progress always --verbose", root_, env);
  EXPECT_EQ(r.code, plain.code);
  EXPECT_EQ(r.out, plain.out);
  EXPECT_NE(r.err.find(fmt::format("\rpolc: settling under both policies 0/{} claims", Claims())), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(fmt::format("\r\033[Kpolc: settled {} claims in ", Claims())), std::string::npos) << r.err;
}

}  // namespace
}  // namespace polc
