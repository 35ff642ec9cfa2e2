// Settlement speed, in memory: the interpreter, the JIT and a hand-written C++ settlement of
// the Huaihua rules (handwritten_huaihua.h) on one generated population (claims/s), and the
// JIT's compile time per policy. Inputs are read and checked once, before timing; before any
// benchmark runs, the hand-written settlement is checked equal to the JIT on the whole
// population (exit 1 if not). Run: polc_bench [--persons=N] [--seed=S] [benchmark flags];
// needs polc-gen (POLC_GEN_BINARY at build time, or $POLC_GEN). bench/run.sh runs it.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "compiler/io/read_inputs.h"
#include "compiler/settle/population.h"
#include "compiler/diag/stack.h"
#include "compiler/driver/compile.h"
#include "compiler/interp/interp.h"
#include "compiler/settle/inputs.h"
#include "compiler/jit/engine.h"
#include "compiler/jit/native.h"
#include "compiler/jit/native_state.h"
#include "bench/handwritten_huaihua.h"

#ifndef POLC_SOURCE_DIR
#define POLC_SOURCE_DIR "."
#endif

namespace {

using namespace polc;

int g_persons = 100000;
uint64_t g_seed = 2026;

// Discards rows: the benchmark measures settlement, not formatting.
class NullSink : public settle::RowSink {
 public:
  void SubjectRow(uint32_t, std::span<const ir::Value> v) override { benchmark::DoNotOptimize(v.data()); }
  void EventRow(uint32_t, std::span<const ir::Value> v) override { benchmark::DoNotOptimize(v.data()); }
};

std::string GenBinary() {
  if (const char* env = std::getenv("POLC_GEN")) return env;
#ifdef POLC_GEN_BINARY
  return POLC_GEN_BINARY;
#else
  return "polc-gen";
#endif
}

// One policy with its population read into memory, shared by every benchmark of that policy.
struct Fixture {
  std::unique_ptr<driver::Compilation> compiled;
  std::unique_ptr<interp::Interpreter> interp;
  settle::Inputs inputs;
  std::unique_ptr<jit::Engine> engine;
  std::unique_ptr<jit::Engine> unoptimized;  // the fast compile's code (polc run on small inputs)
  // The same rows as ir::Value arrays, for the raw entry points.
  std::vector<ir::Value> subjects, events;
  std::string dir;  // the generated population (persons.csv, claims.csv)

  static Fixture& Get(const std::string& policy) {
    static std::map<std::string, std::unique_ptr<Fixture>> cache;
    auto& slot = cache[policy];
    if (!slot) slot = Load(policy);
    return *slot;
  }

  static std::unique_ptr<Fixture> Load(const std::string& policy) {
    auto f = std::make_unique<Fixture>();
    f->compiled = driver::CompileFile(std::string(POLC_SOURCE_DIR) + "/policies/" + policy + ".policy");
    if (!f->compiled->ok) throw std::runtime_error(f->compiled->diagnostics.Render());
    const std::string dir = fmt::format("{}/polc-bench-{}-{}", std::filesystem::temp_directory_path().string(), g_persons, g_seed);
    f->dir = dir;
    if (!std::filesystem::exists(dir + "/claims.csv")) {
      const std::string cmd = fmt::format("{} --persons {} --seed {} --out {}", GenBinary(), g_persons, g_seed, dir);
      if (std::system(cmd.c_str()) != 0) throw std::runtime_error("failed: " + cmd);
    }
    f->interp = std::make_unique<interp::Interpreter>(f->compiled->program);
    settle::InputErrors errors;
    if (!io::ReadInputs(*f->interp, dir + "/persons.csv", dir + "/claims.csv", f->inputs, errors)) {
      throw std::runtime_error(errors.Render());
    }
    std::string error;
    jit::EngineOptions options;
    options.params = interp::ComputeParams(f->compiled->program);
    f->engine = jit::Engine::Create(f->compiled->program, options, error);
    if (!f->engine) throw std::runtime_error(error);
    options.optimize = false;
    f->unoptimized = jit::Engine::Create(f->compiled->program, options, error);
    if (!f->unoptimized) throw std::runtime_error(error);
    const settle::Inputs& in = f->inputs;
    const size_t sf = in.subjects.Decl().fields.size(), ef = in.events.Decl().fields.size();
    for (uint32_t s = 0; s < in.subjects.Size(); ++s) {
      for (size_t k = 0; k < sf; ++k) f->subjects.push_back(in.subjects.Get(s, static_cast<int32_t>(k)));
    }
    for (uint32_t e : in.event_order) {
      for (size_t k = 0; k < ef; ++k) f->events.push_back(in.events.Get(e, static_cast<int32_t>(k)));
    }
    return f;
  }
};

void Report(benchmark::State& state, const Fixture& f) {
  state.counters["claims/s"] = benchmark::Counter(
      static_cast<double>(f.inputs.events.Size()) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
  state.counters["claims"] = f.inputs.events.Size();
}

// Every subject through the population loop (one worker), as `polc summary` settles.
void SettleAll(const settle::Inputs& inputs, const settle::SettleFn& settle, settle::RowSink& sink,
               benchmark::State& state) {
  settle::Population population;
  population.subjects = inputs.subjects.Size();
  population.settle = [&](size_t, uint32_t s) { settle(inputs, s, sink, settle::SettleOptions{}); };
  std::string error;
  if (!settle::SettlePopulation(population, error)) state.SkipWithError(error.c_str());
}

void BM_Interpreter(benchmark::State& state, const char* policy) {
  Fixture& f = Fixture::Get(policy);
  NullSink sink;
  const settle::SettleFn settle = f.interp->AsSettleFn();
  for (auto _ : state) SettleAll(f.inputs, settle, sink, state);
  Report(state, f);
}

// Through the seam: rows converted from settle::Inputs, delivered to a sink.
void BM_JitNative(benchmark::State& state, const char* policy) {
  Fixture& f = Fixture::Get(policy);
  jit::NativeSettler native(*f.engine);
  NullSink sink;
  const settle::SettleFn settle = [&](const settle::Inputs& inputs, uint32_t s, settle::RowSink& out,
                                      const settle::SettleOptions& options) {
    native.SettleSubject(inputs, s, out, options);
  };
  for (auto _ : state) SettleAll(f.inputs, settle, sink, state);
  Report(state, f);
}

// The compiled code alone: rows already laid out as values, one call per person.
void BM_JitRaw(benchmark::State& state, const char* policy, bool optimized) {
  Fixture& f = Fixture::Get(policy);
  jit::NativeState settler(optimized ? *f.engine : *f.unoptimized);
  if (settler.Init() != 0) state.SkipWithError("init failed");
  const jit::Layout& layout = settler.GetLayout();
  const size_t sf = static_cast<size_t>(layout.subject_fields), ef = static_cast<size_t>(layout.event_fields);
  std::vector<ir::Value> subject_out(static_cast<size_t>(layout.subject_columns));
  std::vector<ir::Value> event_out(f.inputs.events.Size() * static_cast<size_t>(layout.event_columns));
  for (auto _ : state) {
    for (uint32_t s = 0; s < f.inputs.subjects.Size(); ++s) {
      const ir::Value* subject = f.subjects.data() + s * sf;
      settler.BeginSubject();
      settler.Subject(subject, subject_out.data());
      const uint32_t begin = f.inputs.subject_begin[s], end = f.inputs.subject_begin[s + 1];
      const int32_t status = settler.Events(subject, f.events.data() + begin * ef, end - begin,
                                            event_out.data() + begin * static_cast<size_t>(layout.event_columns));
      if (status != 0) state.SkipWithError("settlement failed");
    }
    benchmark::DoNotOptimize(event_out.data());
  }
  Report(state, f);
}

// Raw JIT output for the whole population (subject rows, then event rows in settlement order).
std::vector<ir::Value> JitOutputs(Fixture& f, std::vector<ir::Value>& subject_rows) {
  jit::NativeState settler(*f.engine);
  settler.Init();
  const jit::Layout& layout = settler.GetLayout();
  const size_t sf = static_cast<size_t>(layout.subject_fields), ef = static_cast<size_t>(layout.event_fields);
  const size_t sc = static_cast<size_t>(layout.subject_columns), ec = static_cast<size_t>(layout.event_columns);
  subject_rows.assign(f.inputs.subjects.Size() * sc, {});
  std::vector<ir::Value> events(f.inputs.events.Size() * ec);
  for (uint32_t s = 0; s < f.inputs.subjects.Size(); ++s) {
    settler.BeginSubject();
    settler.Subject(f.subjects.data() + s * sf, subject_rows.data() + s * sc);
    const uint32_t begin = f.inputs.subject_begin[s], end = f.inputs.subject_begin[s + 1];
    settler.Events(f.subjects.data() + s * sf, f.events.data() + begin * ef, end - begin, events.data() + begin * ec);
  }
  return events;
}

// The hand-written settlement's rows for the whole population, in JitOutputs' layout.
constexpr size_t kHandSubjectFields = 14, kHandEventFields = 10, kHandSubjectColumns = 5, kHandEventColumns = 7;

void RunHandwritten(bench::HandwrittenHuaihua& hand, const Fixture& f, std::vector<ir::Value>& subject_out,
                    std::vector<ir::Value>& event_out) {
  for (uint32_t s = 0; s < f.inputs.subjects.Size(); ++s) {
    const ir::Value* subject = f.subjects.data() + s * kHandSubjectFields;
    hand.Subject(subject, subject_out.data() + s * kHandSubjectColumns);
    const uint32_t begin = f.inputs.subject_begin[s], end = f.inputs.subject_begin[s + 1];
    hand.Events(subject, f.events.data() + begin * kHandEventFields, end - begin,
                event_out.data() + begin * kHandEventColumns);
  }
}

std::string Show(const ir::Value* row, size_t n) {
  std::string s;
  for (size_t k = 0; k < n; ++k) {
    s += k ? ", " : "";
    s += row[k].present ? fmt::format("{}/{}", row[k].a, row[k].b) : "absent";
  }
  return s;
}

// Before any timing: the hand-written settlement must give exactly the JIT's rows on the whole
// generated population, or the comparison means nothing. Prints what was compared; on the first
// difference prints both rows and returns false.
bool VerifyHandwritten() {
  Fixture& f = Fixture::Get("huaihua-2026");
  bench::HandwrittenHuaihua hand;
  std::string error;
  if (!hand.Init(f.compiled->program, error)) {
    fmt::print(stderr, "polc_bench: hand-written settlement: {}\n", error);
    return false;
  }
  const jit::Layout& layout = f.engine->GetLayout();
  if (static_cast<size_t>(layout.subject_fields) != kHandSubjectFields ||
      static_cast<size_t>(layout.event_fields) != kHandEventFields ||
      static_cast<size_t>(layout.subject_columns) != kHandSubjectColumns ||
      static_cast<size_t>(layout.event_columns) != kHandEventColumns) {
    fmt::print(stderr, "polc_bench: the policy's row layout is not the one the hand-written settlement assumes\n");
    return false;
  }
  std::vector<ir::Value> jit_subjects;
  const std::vector<ir::Value> jit_events = JitOutputs(f, jit_subjects);
  std::vector<ir::Value> subject_out(jit_subjects.size()), event_out(jit_events.size());
  RunHandwritten(hand, f, subject_out, event_out);
  auto compare = [](const char* what, const std::vector<ir::Value>& jit, const std::vector<ir::Value>& hand_rows,
                    size_t columns) {
    for (size_t r = 0; r * columns < jit.size(); ++r) {
      for (size_t k = 0; k < columns; ++k) {
        if (!(jit[r * columns + k] == hand_rows[r * columns + k])) {
          fmt::print(stderr, "polc_bench: FAILED: the hand-written settlement disagrees with the JIT on {} row {} column {}\n"
                             "  jit:  {}\n  hand: {}\n", what, r, k, Show(&jit[r * columns], columns),
                     Show(&hand_rows[r * columns], columns));
          return false;
        }
      }
    }
    return true;
  };
  if (!compare("person", jit_subjects, subject_out, kHandSubjectColumns) ||
      !compare("claim", jit_events, event_out, kHandEventColumns)) {
    return false;
  }
  // How much of the rules the population exercises: claims by status, and paid by each fund.
  size_t by_status[4] = {0, 0, 0, 0}, basic_paid = 0, catastrophic_paid = 0;
  for (size_t r = 0; r * kHandEventColumns < jit_events.size(); ++r) {
    const ir::Value* row = &jit_events[r * kHandEventColumns];
    if (row[2].a >= 0 && row[2].a < 4) ++by_status[row[2].a];
    basic_paid += row[3].a > 0;
    catastrophic_paid += row[4].a > 0;
  }
  fmt::print(stderr,
             "polc_bench: hand-written settlement == JIT on {} persons and {} claims "
             "(status ok/waiting/outside/not_covered: {}/{}/{}/{}; basic > 0: {}, catastrophic > 0: {})\n",
             f.inputs.subjects.Size(), f.inputs.events.Size(), by_status[0], by_status[1], by_status[2],
             by_status[3], basic_paid, catastrophic_paid);
  return true;
}

// The speed of light: the same rows through hand-written C++ (checked equal to the JIT by
// VerifyHandwritten before any benchmark runs).
void BM_Handwritten(benchmark::State& state) {
  Fixture& f = Fixture::Get("huaihua-2026");
  bench::HandwrittenHuaihua hand;
  std::string error;
  if (!hand.Init(f.compiled->program, error)) {
    state.SkipWithError(error.c_str());
    return;
  }
  std::vector<ir::Value> subject_out(f.inputs.subjects.Size() * kHandSubjectColumns),
      event_out(f.inputs.events.Size() * kHandEventColumns);
  for (auto _ : state) {
    RunHandwritten(hand, f, subject_out, event_out);
    benchmark::DoNotOptimize(event_out.data());
  }
  Report(state, f);
}

// Reading the input CSV files into memory (what `polc run` does before settling): parsing,
// the requirement checks and the settlement order; claims/s and input MB/s.
void BM_ReadInputs(benchmark::State& state, const char* policy) {
  Fixture& f = Fixture::Get(policy);
  const std::string persons = f.dir + "/persons.csv", claims = f.dir + "/claims.csv";
  const double bytes = static_cast<double>(std::filesystem::file_size(persons) + std::filesystem::file_size(claims));
  interp::Interpreter reader(f.compiled->program);  // f.interp stays attached to f.inputs
  for (auto _ : state) {
    settle::Inputs inputs;
    settle::InputErrors errors;
    if (!io::ReadInputs(reader, persons, claims, inputs, errors)) state.SkipWithError("read failed");
    benchmark::DoNotOptimize(inputs.events.Size());
  }
  Report(state, f);
  state.counters["MB/s"] = benchmark::Counter(bytes * static_cast<double>(state.iterations()) / 1e6,
                                              benchmark::Counter::kIsRate);
}

// Engine::Create: lowering, the pipeline (-O2 or none) and machine code, without a cache.
void BM_JitCompile(benchmark::State& state, const char* policy, bool optimize) {
  auto compiled = driver::CompileFile(std::string(POLC_SOURCE_DIR) + "/policies/" + policy + ".policy");
  jit::EngineOptions options;
  options.params = interp::ComputeParams(compiled->program);
  options.optimize = optimize;
  for (auto _ : state) {
    std::string error;
    auto engine = jit::Engine::Create(compiled->program, options, error);
    if (!engine) state.SkipWithError(error.c_str());
    benchmark::DoNotOptimize(engine.get());
  }
}

// Engine::Create at -O2 from a warm object cache (a fresh directory, filled once before
// timing): lowering, the cache key and loading the object code; no pipeline, no code generation.
void BM_JitCompileCached(benchmark::State& state, const char* policy) {
  auto compiled = driver::CompileFile(std::string(POLC_SOURCE_DIR) + "/policies/" + policy + ".policy");
  jit::EngineOptions options;
  options.params = interp::ComputeParams(compiled->program);
  options.cache_dir = fmt::format("{}/polc-bench-cache-{}", std::filesystem::temp_directory_path().string(), policy);
  std::filesystem::remove_all(options.cache_dir);
  std::string error;
  if (!jit::Engine::Create(compiled->program, options, error)) {
    state.SkipWithError(error.c_str());
    return;
  }
  for (auto _ : state) {
    auto engine = jit::Engine::Create(compiled->program, options, error);
    if (!engine || !engine->FromCache()) {
      state.SkipWithError("not served from the cache");
      break;
    }
    benchmark::DoNotOptimize(engine.get());
  }
  std::filesystem::remove_all(options.cache_dir);
}

BENCHMARK_CAPTURE(BM_Interpreter, huaihua, "huaihua-2026")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_JitNative, huaihua, "huaihua-2026")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_JitRaw, huaihua, "huaihua-2026", true)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_JitRaw, huaihua_O0, "huaihua-2026", false)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Handwritten)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Interpreter, yueyang, "yueyang-louqu-2026")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_JitNative, yueyang, "yueyang-louqu-2026")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_JitRaw, yueyang, "yueyang-louqu-2026", true)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_ReadInputs, huaihua, "huaihua-2026")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_JitCompile, huaihua_O2, "huaihua-2026", true)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_JitCompile, huaihua_O0, "huaihua-2026", false)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_JitCompileCached, huaihua_O2, "huaihua-2026")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_JitCompile, yueyang_O2, "yueyang-louqu-2026", true)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_JitCompileCached, yueyang_O2, "yueyang-louqu-2026")->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  // Our own flags first; the rest go to Google Benchmark.
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--persons=", 10) == 0) g_persons = std::atoi(argv[i] + 10);
    else if (std::strncmp(argv[i], "--seed=", 7) == 0) g_seed = std::strtoull(argv[i] + 7, nullptr, 10);
    else rest.push_back(argv[i]);
  }
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  if (benchmark::ReportUnrecognizedArguments(n, rest.data())) return 2;
  try {
    if (!VerifyHandwritten()) return 1;
    benchmark::RunSpecifiedBenchmarks();
  } catch (const std::exception& e) {
    fmt::print(stderr, "polc_bench: {}\n", e.what());
    return 1;
  }
  benchmark::Shutdown();
  return 0;
}
