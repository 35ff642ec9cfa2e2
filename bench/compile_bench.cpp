// JIT compile time against policy size: a rule that sums N terms (1k/2k/4k/8k) and N rules
// summed in a chain (1k/4k/10k), each compiled cold (no object cache) with the options of
// `polc run` (-O2, where the module is small enough: engine.cpp). The front end is timed
// apart, so the figures show the JIT alone; growth should be linear (about 2x per doubling).
// Run: polc_compile_bench [benchmark flags]; bench/run.sh runs it.
#include <benchmark/benchmark.h>

#include <string>

#include <fmt/format.h>

#include "compiler/diag/stack.h"
#include "compiler/driver/compile.h"
#include "compiler/jit/engine.h"

namespace {

using namespace polc;

const char* kSkeleton = R"(policy "compile bench" {
  region: "bench"
  year: 2026
  source: "bench/compile_bench.cpp"
}

enum kind { outpatient, inpatient }

input person key person_id {
  person_id: text
}

input claim key claim_id of person by person_id order by date {
  claim_id: text
  person_id: text
  date: date
  kind: kind
  total: money
}

RULES

output people for person { person_id }

output results for claim { claim_id, paid }
)";

std::string WithRules(const std::string& rules) {
  std::string text = kSkeleton;
  return text.replace(text.find("RULES"), 5, rules);
}

// Two tokens a term (the front end allows 20,000 tokens a declaration): 8,000 terms fit.
std::string SumOfTerms(int n) {
  std::string body = "rule paid: money = total";
  for (int i = 1; i < n; ++i) body += " + total";
  return WithRules(body);
}

// Each rule adds a term to the one before it: N rules summed, each declaration small.
std::string SumOfRules(int n) {
  std::string body = "rule r0: money = total * 1%\n";
  for (int i = 1; i < n; ++i) body += fmt::format("rule r{}: money = r{} + total * {}%\n", i, i - 1, i % 97 + 1);
  body += fmt::format("rule paid: money = r{}", n - 1);
  return WithRules(body);
}

void Compile(benchmark::State& state, const std::string& text) {
  auto compiled = driver::CompileText("bench.policy", text);
  if (!compiled->ok) {
    state.SkipWithError(compiled->diagnostics.Render().c_str());
    return;
  }
  jit::EngineOptions options;  // -O2, no cache: every iteration compiles
  for (auto _ : state) {
    std::string error;
    std::unique_ptr<jit::Engine> engine;
    // Lowering recurses once per operator of the sum, as `polc run` does on its large stack.
    RunOnLargeStack([&] { engine = jit::Engine::Create(compiled->program, options, error); });
    if (!engine) {
      state.SkipWithError(error.c_str());
      return;
    }
    benchmark::DoNotOptimize(engine.get());
  }
  state.counters["terms"] = static_cast<double>(state.range(0));
}

void BM_CompileSumOfTerms(benchmark::State& state) { Compile(state, SumOfTerms(static_cast<int>(state.range(0)))); }
void BM_CompileSumOfRules(benchmark::State& state) { Compile(state, SumOfRules(static_cast<int>(state.range(0)))); }

BENCHMARK(BM_CompileSumOfTerms)->Arg(1000)->Arg(2000)->Arg(4000)->Arg(8000)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_CompileSumOfRules)->Arg(1000)->Arg(2000)->Arg(4000)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(2);

}  // namespace

BENCHMARK_MAIN();
