// Helpers the unit tests share: whole files read and written, fresh temporary directories, the
// polc executable run with its output captured, and a sink that keeps every output row.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/interp/interp.h"
#include "compiler/settle/inputs.h"

namespace polc {

// The bytes of a file; "" when it cannot be read.
std::string ReadAll(const std::string& path);
void WriteAll(const std::string& path, const std::string& text);

// A CSV file as rows of cells (the header first), read with the project's reader; a failure to
// open it fails the test. `Column` is the index of a header cell; `Fen` parses a money cell.
using Rows = std::vector<std::vector<std::string>>;
Rows ReadCsv(const std::string& path);
size_t Column(const Rows& rows, const std::string& name);
int64_t Fen(const std::string& text);

// A new directory /tmp/PREFIX.XXXXXX; "" when it cannot be made.
std::string MakeTempDir(const std::string& prefix);

// A polc-gen population of `persons` persons from seed `seed` in DIR (made if missing):
// persons.csv, claims.csv, and reversed.csv, the same claims with the rows reversed, so no longer
// in settlement order. False, with a failed test, when polc-gen fails.
bool GeneratePopulation(const std::string& dir, int persons, int seed);

// The 1-based line of `text` where `needle` first occurs (a declaration of a policy, say, so that
// a test does not hard-code where the file puts it); a missing needle fails the test and gives 0.
uint32_t LineOf(const std::string& text, const std::string& needle);

// The exit code of a std::system() status; -1 when the command did not exit normally.
int ExitCode(int status);

struct PolcRun {
  int code = -1;
  std::string out, err;
};

// Runs `polc ARGS` from the directory `cwd`, stdout and stderr captured through the files
// `stdout` and `stderr` of the directory `scratch`. `env` ("NAME='value' ...") prefixes the
// command.
PolcRun RunPolc(const std::string& cwd, const std::string& args, const std::string& scratch,
                const std::string& env = "");

// Every output row as values, by record kind (0 subject, 1 event) and row.
class ValueSink : public settle::RowSink {
 public:
  explicit ValueSink(const settle::Inputs& inputs) {
    rows[0].resize(inputs.subjects.Size());
    rows[1].resize(inputs.events.Size());
  }
  void SubjectRow(uint32_t subject, std::span<const ir::Value> values) override { rows[0][subject].assign(values.begin(), values.end()); }
  void EventRow(uint32_t event, std::span<const ir::Value> values) override { rows[1][event].assign(values.begin(), values.end()); }
  std::vector<std::vector<ir::Value>> rows[2];
};

// Settles every subject with either engine; returns the failure message, or "" when all settled.
template <typename Engine>
std::string SettleAll(Engine& engine, const settle::Inputs& inputs, ValueSink& sink) {
  try {
    for (uint32_t s = 0; s < inputs.subjects.Size(); ++s) engine.SettleSubject(inputs, s, sink);
  } catch (const settle::EvalError& e) {
    return e.what();
  }
  return "";
}

}  // namespace polc
