// `polc run --threads N` and the JIT's object cache, as scripts see them: the same bytes for any
// number of threads and either engine (input in settlement order or not), the same error and
// no file left behind when settling fails, and the cache in $XDG_CACHE_HOME/polc unless
// --no-cache.
#include <algorithm>
#include <filesystem>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;

class RunThreads : public ::testing::Test {
 protected:
  // One population for the suite: several chunks of subjects, so that threads share work.
  static void SetUpTestSuite() {
    root_ = MakeTempDir("polc_run_threads");
    ASSERT_FALSE(root_.empty());
    // pop/persons.csv, pop/claims.csv, and pop/reversed.csv: the claims not in settlement order.
    ASSERT_TRUE(GeneratePopulation(root_ + "/pop", 5000, 11));
  }
  static void TearDownTestSuite() { fs::remove_all(root_); }

  // Runs polc with a cache of the test's own; returns the exit code, stderr in err_.
  int Polc(const std::string& args) {
    const PolcRun r = RunPolc(root_, args, root_, fmt::format("XDG_CACHE_HOME='{}/cache'", root_));
    err_ = r.err;
    return r.code;
  }
  static std::string Policy(const std::string& stem) {
    return std::string(POLC_SOURCE_DIR) + "/policies/" + stem + ".policy";
  }
  // Settles into out/<name>.{results,persons}.csv; returns both files' bytes.
  std::string Run(const std::string& policy, const std::string& claims, const std::string& engine, int threads,
                  const std::string& name) {
    fs::create_directories(root_ + "/out");
    const int code = Polc(fmt::format("run '{}' --persons pop/persons.csv --claims pop/{} --out out/{}.r.csv "
                                      "--persons-out out/{}.p.csv --engine {} --threads {}",
                                      policy, claims, name, name, engine, threads));
    EXPECT_EQ(code, 0) << err_;
    return ReadAll(root_ + "/out/" + name + ".r.csv") + "\n--\n" + ReadAll(root_ + "/out/" + name + ".p.csv");
  }

  static std::string root_;
  std::string err_;
};

std::string RunThreads::root_;

TEST_F(RunThreads, AnyNumberOfThreadsGivesTheSameBytes) {
  for (const char* stem : {"huaihua-2026", "yueyang-louqu-2026"}) {
    for (const char* claims : {"claims.csv", "reversed.csv"}) {
      const std::string want = Run(Policy(stem), claims, "interp", 1, "want");
      ASSERT_GT(want.size(), 100000u);
      for (const char* engine : {"interp", "jit"}) {
        for (int threads : {1, 2, 3, 7}) {
          EXPECT_EQ(Run(Policy(stem), claims, engine, threads, "got"), want)
              << stem << " " << claims << " --engine " << engine << " --threads " << threads;
        }
      }
    }
  }
}

TEST_F(RunThreads, AFailureIsTheSameForAnyNumberOfThreadsAndLeavesNoFile) {
  // Without room() the inpatient fund's annual cap is broken, which settlement refuses.
  std::string text = ReadAll(Policy("huaihua-2026"));
  const std::string from = "min((eligible - applied_deductible) * inpatient_rate, room(inpatient_paid))";
  const size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, from.size(), "(eligible - applied_deductible) * inpatient_rate");
  const std::string policy = root_ + "/broken.policy";
  WriteAll(policy, text);
  fs::copy_file(std::string(POLC_SOURCE_DIR) + "/policies/chronic-caps.csv", root_ + "/chronic-caps.csv",
                fs::copy_options::overwrite_existing);
  std::string first_error;
  for (const char* engine : {"interp", "jit"}) {
    for (int threads : {1, 2, 5}) {
      fs::remove_all(root_ + "/out");
      fs::create_directories(root_ + "/out");
      EXPECT_NE(Polc(fmt::format("run '{}' --persons pop/persons.csv --claims pop/claims.csv --out out/r.csv "
                                 "--persons-out out/p.csv --engine {} --threads {}",
                                 policy, engine, threads)),
                0);
      EXPECT_NE(err_.find("exceeds its cap"), std::string::npos) << err_;
      if (first_error.empty()) first_error = err_;
      EXPECT_EQ(err_, first_error) << "--engine " << engine << " --threads " << threads;
      EXPECT_TRUE(fs::is_empty(root_ + "/out")) << "--engine " << engine << " --threads " << threads;
    }
  }
}

TEST_F(RunThreads, TheJitCachesObjectCodeUnlessToldNot) {
  const std::string cache = root_ + "/cache/polc";
  fs::remove_all(root_ + "/cache");
  const std::string args = fmt::format("run '{}' --persons pop/persons.csv --claims pop/claims.csv --out out/c.csv",
                                       Policy("yueyang-louqu-2026"));
  fs::create_directories(root_ + "/out");
  ASSERT_EQ(Polc(args + " --no-cache"), 0) << err_;
  EXPECT_FALSE(fs::exists(cache));
  ASSERT_EQ(Polc(args), 0) << err_;
  ASSERT_TRUE(fs::exists(cache));
  const auto entries = std::distance(fs::directory_iterator(cache), fs::directory_iterator{});
  EXPECT_EQ(entries, 1);
  const std::string first = ReadAll(root_ + "/out/c.csv");
  // A second run is served from the entry and writes the same bytes; a broken entry is
  // replaced, never trusted.
  ASSERT_EQ(Polc(args), 0) << err_;
  EXPECT_EQ(std::distance(fs::directory_iterator(cache), fs::directory_iterator{}), 1);
  EXPECT_EQ(ReadAll(root_ + "/out/c.csv"), first);
  for (const auto& entry : fs::directory_iterator(cache)) WriteAll(entry.path().string(), "garbage");
  ASSERT_EQ(Polc(args), 0) << err_;
  EXPECT_EQ(ReadAll(root_ + "/out/c.csv"), first);
  for (const auto& entry : fs::directory_iterator(cache)) EXPECT_NE(ReadAll(entry.path().string()), "garbage");
}

}  // namespace
}  // namespace polc
