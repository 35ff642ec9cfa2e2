// Running one golden case directory (see golden_case.h).
#include "compiler/driver/golden_case.h"

#include <chrono>
#include <filesystem>
#include <iostream>
#include <span>

#include <fmt/format.h>

#include "compiler/diag/stack.h"
#include "compiler/driver/case_compare.h"
#include "compiler/driver/session.h"
#include "compiler/interp/explain.h"
#include "compiler/io/read_inputs.h"

namespace polc::driver {

namespace {

// Every output row as values: [0] subjects, [1] events, [2] the subject output at year end.
class ValueTables : public settle::RowSink {
 public:
  SettledTable* tables[3] = {nullptr, nullptr, nullptr};
  void SubjectRow(uint32_t subject, std::span<const ir::Value> values) override { Keep(0, subject, values); }
  void EventRow(uint32_t event, std::span<const ir::Value> values) override { Keep(1, event, values); }
  void YearEndRow(uint32_t subject, std::span<const ir::Value> values) override { Keep(2, subject, values); }

 private:
  void Keep(int kind, uint32_t row, std::span<const ir::Value> values) {
    if (tables[kind] != nullptr) tables[kind]->rows[row].assign(values.begin(), values.end());
  }
};

void Settle(const Compilation& c, const std::string& stem, const std::string& dir,
            const std::string& engine_name, interp::Coverage* coverage, CaseOutcome& outcome) {
  const ir::Program& program = c.program;
  std::unique_ptr<Settlers> engine = MakeSettlers(program, engine_name, std::cerr);
  settle::Inputs inputs;
  settle::InputErrors errors;
  if (!io::ReadInputs(*engine->interp, dir + "/persons.csv", dir + "/claims.csv", inputs, errors)) {
    outcome.problems = errors.Messages();
    if (errors.Count() > errors.Messages().size()) {
      outcome.problems.push_back(fmt::format("... and {} more errors", errors.Count() - errors.Messages().size()));
    }
    return;
  }
  // Every subject settled into values; with coverage, by the interpreter counting into it.
  SettledTable tables[3];
  ValueTables sink;
  const uint32_t sizes[3] = {inputs.subjects.Size(), inputs.events.Size(), inputs.subjects.Size()};
  for (int kind = 0; kind < 3; ++kind) {
    tables[kind].output = program.output_of[kind];
    if (tables[kind].output < 0) continue;
    tables[kind].rows.resize(sizes[kind]);
    sink.tables[kind] = &tables[kind];
  }
  settle::SettleOptions options;
  options.year_end_output = program.output_of[2] >= 0;
  settle::SettleFn settle = engine->settle;
  if (coverage != nullptr) {
    engine->interp->SetCoverage(coverage);
    settle = engine->interp->AsSettleFn();
  }
  for (uint32_t s = 0; s < inputs.subjects.Size(); ++s) settle(inputs, s, sink, options);
  if (coverage != nullptr) engine->interp->SetCoverage(nullptr);
  const char* suffix[2] = {".persons.csv", ".results.csv"};
  int64_t first[2] = {-1, -1};
  for (int kind = 1; kind >= 0; --kind) {
    if (tables[kind].output < 0) continue;
    first[kind] = CompareWithExpected(program, inputs, tables[kind], dir + "/" + stem + suffix[kind], outcome.problems);
  }
  // Next year's counters (`<stem>.next.csv`), when the case has them and the policy declares
  // an output at year end; a case with the file and a policy without the output fails.
  const std::string next_path = dir + "/" + stem + ".next.csv";
  if (std::filesystem::exists(next_path)) {
    if (tables[2].output < 0) {
      outcome.problems.push_back(fmt::format("{} exists, but the policy declares no output for {} at year_end",
                                             next_path, program.records[0].name));
    } else {
      const int64_t row = CompareWithExpected(program, inputs, tables[2], next_path, outcome.problems);
      if (first[0] < 0) first[0] = row;
    }
  }
  outcome.passed = outcome.problems.empty();
  if (first[1] < 0 && first[0] < 0) return;
  // A fresh interpreter, so the trace starts from the same state as `polc explain`.
  interp::Interpreter fresh(program);
  fresh.AttachInputs(inputs);
  const int64_t event = first[1];
  const uint32_t subject = event >= 0 ? inputs.event_subject[static_cast<uint32_t>(event)]
                                      : static_cast<uint32_t>(first[0]);
  const interp::Trace trace = interp::TraceSettlement(fresh, inputs, subject, event);
  outcome.explanation = interp::ExplainText(program, c.source.get(), inputs, subject, trace);
}

}  // namespace

CaseOutcome RunCase(const Compilation& compilation, const std::string& policy_path,
                    const std::string& dir, const std::string& engine, interp::Coverage* coverage) {
  CaseOutcome outcome;
  std::filesystem::path path(dir);
  outcome.name = (path.has_filename() ? path.filename() : path.parent_path().filename()).string();
  const std::string stem = std::filesystem::path(policy_path).stem().string();
  const auto start = std::chrono::steady_clock::now();
  RunOnLargeStack([&] {
    try {
      Settle(compilation, stem, dir, engine, coverage, outcome);
    } catch (const settle::EvalError& e) {
      outcome.problems.push_back(e.what());
      outcome.passed = false;
    }
  });
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return outcome;
}

}  // namespace polc::driver
