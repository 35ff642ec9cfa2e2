// A policy far larger than any shipped one (a rule summing 6,000 terms, 3,000 rules in a
// chain) compiles with the JIT in seconds, not minutes (past a size, engine.cpp skips the
// -O2 pipeline, whose value propagation was quadratic), and settles exactly as the
// interpreter does. Compile time itself is measured in bench/compile_bench.cpp.
#include <filesystem>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;

std::string Skeleton(const std::string& rules) {
  std::string text = ReadAll(std::string(POLC_SOURCE_DIR) + "/tests/files/clean_skeleton.policy");
  const std::string from = "rule paid: money = total";
  text.replace(text.find(from), from.size(), rules);
  return text;
}

class JitLargePolicy : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = MakeTempDir("polc_jit_large");
    ASSERT_FALSE(root_.empty());
    WriteAll(root_ + "/persons.csv", "person_id\nP1\nP2\n");
    WriteAll(root_ + "/claims.csv",
             "claim_id,person_id,date,kind,total\nC1,P1,2026-03-01,inpatient,100.07\n"
             "C2,P2,2026-04-01,outpatient,0.33\nC3,P1,2026-05-01,outpatient,12345.67\n");
  }
  void TearDown() override { fs::remove_all(root_); }

  // Both engines; returns the JIT's results after checking they equal the interpreter's.
  std::string Settle(const std::string& policy_text) {
    WriteAll(root_ + "/p.policy", policy_text);
    std::string results[2];
    int k = 0;
    for (const char* engine : {"jit", "interp"}) {
      const PolcRun r = RunPolc(root_, fmt::format("run p.policy --persons persons.csv --claims claims.csv "
                                                   "--out {}.csv --engine {} --no-cache --threads 1", engine, engine),
                                root_, "timeout 300");
      EXPECT_EQ(r.code, 0) << engine << ": " << r.err;
      EXPECT_EQ(r.err, "") << engine;
      results[k++] = ReadAll(root_ + "/" + engine + ".csv");
    }
    EXPECT_EQ(results[0], results[1]);
    return results[0];
  }

  std::string root_;
};

TEST_F(JitLargePolicy, SumOfManyTerms) {
  std::string rule = "rule paid: money = total";
  for (int i = 1; i < 6000; ++i) rule += " + total";
  EXPECT_EQ(Settle(Skeleton(rule)), "claim_id,paid\nC1,600420.00\nC2,1980.00\nC3,74074020.00\n");
}

TEST_F(JitLargePolicy, ChainOfManyRules) {
  std::string rules = "rule r0: money = total * 1%\n";
  for (int i = 1; i < 3000; ++i) rules += fmt::format("rule r{}: money = r{} + total * 1%\n", i, i - 1);
  rules += "rule paid: money = r2999";
  // Each term rounds once: 100.07 * 1% = 1.00, 0.33 * 1% = 0.00, 12345.67 * 1% = 123.46.
  EXPECT_EQ(Settle(Skeleton(rules)), "claim_id,paid\nC1,3000.00\nC2,0.00\nC3,370380.00\n");
}

}  // namespace
}  // namespace polc
