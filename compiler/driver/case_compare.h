// A golden case's expected file compared with what polc settled: every cell as a value of its
// output column's type (money `63360` is `63360.00`, a rate `85%` is `85.00%`), columns by
// name, rows by the output's key column (the record's key, e.g. claim_id), so the order of the
// expected rows does not matter. Used by `polc test` (golden_case.cpp); docs/testing.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ir/ir.h"
#include "compiler/settle/inputs.h"

namespace polc::driver {

// One output's rows as settled: by subject row (subject outputs) or event row (the event
// output), each empty when the row was not settled.
struct SettledTable {
  int32_t output = -1;  // index into Program::outputs
  std::vector<std::vector<ir::Value>> rows;
};

// The output column holding the record's key (`claim_id` for claims), or -1 when the output
// does not write it (rows are then compared by position).
int32_t KeyColumn(const ir::Program& program, const ir::Output& output);

// Parses `text` as a value of `type`, as an expected file may write it: money with up to two
// decimals and an optional sign, rates as percentages (`85%`, `62.5%`), ISO dates, enumeration
// words, `true`/`false`, whole numbers, `N months M days`, `FIRST..LAST`; `absent` (the
// column's spelling of no value) or an empty cell is an absent value. Text is compared as
// written, so it is not parsed (`value` is left alone); false with `error` set on bad input.
bool ParseExpectedCell(const ir::Program& program, const ir::Type& type, std::string_view absent,
                       std::string_view text, ir::Value& value, std::string& error);

// Compares `table` with the expected file at `path`. Each problem names the file and line, the
// row's key, the column, and what was expected and got:
//   `case/huaihua-2026.results.csv:3: claim H2 column basic: expected 32111, got 32110.00`.
// Returns the settled row of the first mismatching row (in the expected file's order, then the
// rows the file lacks), or -1 when every row matches.
int64_t CompareWithExpected(const ir::Program& program, const settle::Inputs& inputs, const SettledTable& table,
                            const std::string& path, std::vector<std::string>& problems);

}  // namespace polc::driver
