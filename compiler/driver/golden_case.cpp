// Running one golden case directory (see golden_case.h).
#include "compiler/io/read_inputs.h"
#include "compiler/driver/golden_case.h"

#include <chrono>
#include <filesystem>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "compiler/diag/stack.h"
#include "compiler/driver/session.h"
#include "compiler/interp/explain.h"
#include "compiler/io/results.h"
#include "runtime/csv.h"

namespace polc::driver {

namespace {

using Rows = std::vector<std::vector<std::string>>;

bool ReadCsv(const std::string& path, Rows& rows, std::string& error) {
  rt::CsvReader reader;
  if (!reader.Open(path, error)) return false;
  std::vector<std::string_view> fields;
  while (reader.Next(fields)) rows.emplace_back(fields.begin(), fields.end());
  if (reader.HasError()) {
    error = fmt::format("{}: {}", path, reader.Error());
    return false;
  }
  return true;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

// Compares one output table with its expected file; returns the first mismatching row or -1.
int64_t Compare(const ir::Program& program, const settle::Inputs& inputs, int kind,
                const io::ResultTable& table, const std::string& path,
                std::vector<std::string>& problems) {
  const ir::Output& output = program.outputs[static_cast<size_t>(program.output_of[kind])];
  Rows expected;
  std::string error;
  if (!ReadCsv(path, expected, error)) {
    problems.push_back(error);
    return -1;
  }
  if (expected.empty() || expected[0] != table.header) {
    problems.push_back(fmt::format("{}: expected columns {}, got {}", output.name,
                                   expected.empty() ? "(none)" : Join(expected[0]), Join(table.header)));
    return -1;
  }
  const size_t want = expected.size() - 1, got = table.rows.size();
  if (want != got) problems.push_back(fmt::format("{}: expected {} rows, got {}", output.name, want, got));
  int64_t first = -1;
  for (size_t r = 0; r < std::min(want, got); ++r) {
    const std::vector<std::string>& e = expected[r + 1];
    const std::vector<std::string>& g = table.rows[r];
    const uint32_t row = static_cast<uint32_t>(r);
    const int record = kind == 2 ? 0 : kind;  // 2: the subject output at year end
    const std::string label = fmt::format("{} {}{}", program.records[record].name,
                                          record == 0 ? inputs.SubjectKey(row) : inputs.EventKey(row),
                                          kind == 2 ? " (" + output.name + ")" : "");
    if (e.size() != g.size()) {
      problems.push_back(fmt::format("{}: expected {} fields, got {}", label, e.size(), g.size()));
      if (first < 0) first = static_cast<int64_t>(r);
      continue;
    }
    for (size_t f = 0; f < g.size(); ++f) {
      if (e[f] == g[f]) continue;
      problems.push_back(fmt::format("{} field {}: expected {}, got {}", label, table.header[f], e[f], g[f]));
      if (first < 0) first = static_cast<int64_t>(r);
    }
  }
  return first;
}

void Settle(const Compilation& c, const std::string& stem, const std::string& dir,
            const std::string& engine_name, CaseOutcome& outcome) {
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
  io::ResultTable tables[2], year_end;
  io::SettleToTables(program, engine->settle, inputs, tables, &year_end);
  const char* suffix[2] = {".persons.csv", ".results.csv"};
  int64_t first[2] = {-1, -1};
  for (int kind = 1; kind >= 0; --kind) {
    if (!tables[kind].declared) continue;
    first[kind] = Compare(program, inputs, kind, tables[kind], dir + "/" + stem + suffix[kind], outcome.problems);
  }
  // Next year's counters (`<stem>.next.csv`), when the case has them and the policy declares
  // an output at year end; a case with the file and a policy without the output fails.
  const std::string next_path = dir + "/" + stem + ".next.csv";
  if (std::filesystem::exists(next_path)) {
    if (!year_end.declared) {
      outcome.problems.push_back(fmt::format("{} exists, but the policy declares no output for {} at year_end",
                                             next_path, program.records[0].name));
    } else {
      const int64_t row = Compare(program, inputs, 2, year_end, next_path, outcome.problems);
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
                    const std::string& dir, const std::string& engine) {
  CaseOutcome outcome;
  std::filesystem::path path(dir);
  outcome.name = (path.has_filename() ? path.filename() : path.parent_path().filename()).string();
  const std::string stem = std::filesystem::path(policy_path).stem().string();
  const auto start = std::chrono::steady_clock::now();
  RunOnLargeStack([&] {
    try {
      Settle(compilation, stem, dir, engine, outcome);
    } catch (const settle::EvalError& e) {
      outcome.problems.push_back(e.what());
      outcome.passed = false;
    }
  });
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return outcome;
}

}  // namespace polc::driver
