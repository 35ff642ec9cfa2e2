// Every golden case under ../shared/cases settles to its expected files under both 2026
// policies: through RunCase (the code path of `polc test`) with each engine name, and through
// the `polc run` executable, whose files must be byte-identical to the expected ones.
#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

#include "compiler/driver/compile.h"
#include "compiler/driver/golden_case.h"
#include "tests/unit/test_util.h"

namespace polc::driver {
namespace {

namespace fs = std::filesystem;

struct GoldenCase {
  std::string policy;  // file stem under policies/
  std::string dir;     // case directory
};

std::vector<GoldenCase> AllCases() {
  std::vector<GoldenCase> cases;
  std::vector<std::string> dirs;
  for (const auto& entry : fs::directory_iterator(fs::path(POLC_SHARED_DIR) / "cases")) {
    if (entry.is_directory()) dirs.push_back(entry.path().string());
  }
  std::sort(dirs.begin(), dirs.end());
  for (const char* policy : {"huaihua-2026", "yueyang-louqu-2026"}) {
    for (const std::string& dir : dirs) cases.push_back({policy, dir});
  }
  return cases;
}

std::string PolicyPath(const GoldenCase& c) {
  return std::string(POLC_SOURCE_DIR) + "/policies/" + c.policy + ".policy";
}

class Golden : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(Golden, SettlesAsExpectedWithEachEngineName) {
  const GoldenCase& c = GetParam();
  auto compilation = CompileFile(PolicyPath(c));
  ASSERT_TRUE(compilation->ok) << compilation->diagnostics.Render();
  for (const char* engine : {"interp", "jit"}) {
    const CaseOutcome outcome = RunCase(*compilation, PolicyPath(c), c.dir, engine);
    std::string problems;
    for (const std::string& p : outcome.problems) problems += p + "\n";
    EXPECT_TRUE(outcome.passed) << engine << "\n" << problems << outcome.explanation;
    EXPECT_TRUE(outcome.problems.empty());
  }
}

TEST_P(Golden, RunWritesByteIdenticalFiles) {
  const GoldenCase& c = GetParam();
  const std::string out = MakeTempDir("polc_golden_run");
  ASSERT_FALSE(out.empty());
  for (const char* engine : {"interp", "jit"}) {
    const std::string args = fmt::format(
        "run '{}' --persons '{}/persons.csv' --claims '{}/claims.csv' --out '{}/r.csv' "
        "--persons-out '{}/p.csv' --next-out '{}/n.csv' --engine {}",
        PolicyPath(c), c.dir, c.dir, out, out, out, engine);
    const PolcRun run = RunPolc(out, args, out);
    ASSERT_EQ(run.code, 0) << args << "\n" << run.err;
    EXPECT_EQ(ReadAll(out + "/r.csv"), ReadAll(c.dir + "/" + c.policy + ".results.csv")) << engine;
    EXPECT_EQ(ReadAll(out + "/p.csv"), ReadAll(c.dir + "/" + c.policy + ".persons.csv")) << engine;
    EXPECT_EQ(ReadAll(out + "/n.csv"), ReadAll(c.dir + "/" + c.policy + ".next.csv")) << engine;
    EXPECT_EQ(ReadAll(out + "/stdout"), "") << "run prints nothing on success";
  }
  fs::remove_all(out);
}

std::string CaseName(const ::testing::TestParamInfo<GoldenCase>& info) {
  std::string name = info.param.policy + "_" + fs::path(info.param.dir).filename().string();
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Interp, Golden, ::testing::ValuesIn(AllCases()), CaseName);

}  // namespace
}  // namespace polc::driver
