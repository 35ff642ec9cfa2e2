// Differential test: generated populations (polc-gen) settled by the interpreter and by the
// JIT must give identical values in every output cell, or the same failure message.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "compiler/io/read_inputs.h"
#include "compiler/driver/compile.h"
#include "compiler/interp/interp.h"
#include "compiler/settle/inputs.h"
#include "compiler/jit/engine.h"
#include "compiler/jit/native.h"
#include "tests/unit/test_util.h"

namespace polc {
namespace {

struct Population {
  uint64_t seed;
  int persons;
  int claims_per_person;
};

std::string Generate(const Population& pop) {
  const std::string dir = fmt::format("{}/polc-jit-diff-{}-{}-{}-{}",
                                      std::filesystem::temp_directory_path().string(), pop.seed,
                                      pop.persons, pop.claims_per_person, ::getpid());
  const std::string command = fmt::format("{} --persons {} --seed {} --claims-per-person {} --out {}",
                                          POLC_GEN_BINARY, pop.persons, pop.seed,
                                          pop.claims_per_person, dir);
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  return dir;
}

void Compare(const std::string& policy, const Population& pop, bool optimize) {
  auto c = driver::CompileFile(std::string(POLC_SOURCE_DIR) + "/policies/" + policy + ".policy");
  ASSERT_TRUE(c->ok) << c->diagnostics.Render();
  std::string error;
  jit::EngineOptions options;
  options.params = interp::ComputeParams(c->program);
  options.optimize = optimize;
  auto engine = jit::Engine::Create(c->program, options, error);
  ASSERT_TRUE(engine) << error;
  const std::string dir = Generate(pop);
  interp::Interpreter interp(c->program);
  settle::Inputs inputs;
  settle::InputErrors errors;
  ASSERT_TRUE(io::ReadInputs(interp, dir + "/persons.csv", dir + "/claims.csv", inputs, errors))
      << errors.Render();
  ValueSink expected(inputs), actual(inputs);
  const std::string interp_failure = SettleAll(interp, inputs, expected);
  jit::NativeSettler native(*engine);
  const std::string jit_failure = SettleAll(native, inputs, actual);
  EXPECT_EQ(jit_failure, interp_failure);
  size_t differences = 0, cells = 0;
  for (int kind = 0; kind < 2; ++kind) {
    for (size_t row = 0; row < expected.rows[kind].size(); ++row) {
      const auto& want = expected.rows[kind][row];
      const auto& got = actual.rows[kind][row];
      cells += want.size();
      if (want.size() != got.size()) {
        ADD_FAILURE() << policy << " kind " << kind << " row " << row << ": " << got.size()
                      << " cells, want " << want.size();
        continue;
      }
      for (size_t col = 0; col < want.size(); ++col) {
        if (want[col] == got[col] && (!want[col].present || want[col].b == got[col].b)) continue;
        if (++differences <= 10) {
          ADD_FAILURE() << policy << " kind " << kind << " row " << row << " column " << col
                        << ": jit (" << got[col].a << ", " << got[col].b << ", " << got[col].present
                        << ") interp (" << want[col].a << ", " << want[col].b << ", "
                        << want[col].present << ")";
        }
      }
    }
  }
  EXPECT_EQ(differences, 0u) << policy;
  EXPECT_GT(cells, 0u);
  std::cerr << policy << ": " << inputs.events.Size() << " claims compared\n";
  std::filesystem::remove_all(dir);
}

// About 210,000 claims per policy (the CI floor of the JIT issue is 200,000).
TEST(JitDifferential, HuaihuaGeneratedPopulation) {
  Compare("huaihua-2026", {20261, 70000, 3}, true);
}

TEST(JitDifferential, YueyangGeneratedPopulation) {
  Compare("yueyang-louqu-2026", {20262, 70000, 3}, true);
}

// Many claims per person: caps reached, and more chronic diseases per person than the
// inline int-keyed buckets hold.
TEST(JitDifferential, HeavyClaimantsBothPolicies) {
  Compare("huaihua-2026", {7, 150, 60}, true);
  Compare("yueyang-louqu-2026", {8, 150, 60}, true);
}

TEST(JitDifferential, UnoptimizedPipelineAgrees) {
  Compare("huaihua-2026", {11, 500, 6}, false);
  Compare("yueyang-louqu-2026", {12, 500, 6}, false);
}

}  // namespace
}  // namespace polc
