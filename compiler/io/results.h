// Result files: formatting output values as the interchange files write them, and settling a
// whole population into CSV files (all or nothing) or into memory (polc test).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/settle/inputs.h"
#include "compiler/settle/seam.h"

namespace polc::io {

using settle::Inputs;
using settle::SettleFn;

// A rate in basis points as a percentage with the decimals it needs: 8500 -> "85%",
// 6250 -> "62.5%", 5 -> "0.05%".
std::string FormatRate(int64_t bp);
// One output cell: money with two decimals, ISO dates, enumeration words, true/false, rates
// as percentages, text as read; `absent` for an absent value.
void AppendCell(std::string& out, const ir::Program& program, const Inputs& inputs,
                const ir::Type& type, const ir::Value& value, std::string_view absent);
std::string FormatCell(const ir::Program& program, const Inputs& inputs, const ir::Type& type,
                       const ir::Value& value, std::string_view absent = "");

// Settles every subject and writes the event output to `event_path` and, when
// `subject_path` is not empty, the subject output there (and the `at year_end` output to a
// non-empty `year_end_path`). Files appear only when the whole
// run succeeded. Subjects are spread over `settlers`, one thread each; the files are the same
// bytes for any number of them. Event rows stream to the file when the input is in
// settlement order, and are otherwise kept (formatted, compactly) until the end so they can
// be written in input order. Returns false with `error` set on failure.
// `progress`, when set, is called on the calling thread with the number of subjects settled
// so far, in order.
bool WriteResults(const ir::Program& program, const std::vector<SettleFn>& settlers, const Inputs& inputs,
                  const std::string& event_path, const std::string& subject_path, std::string& error,
                  const std::function<void(uint32_t settled)>& progress = {},
                  const std::string& year_end_path = "");

// Output rows as strings, in input order.
struct ResultTable {
  bool declared = false;  // the program has an output for this record kind
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // by subject row / event row
};

// Settles every subject into memory: tables[0] subjects, tables[1] events, and with
// `year_end` the `at year_end` output there. Throws EvalError.
void SettleToTables(const ir::Program& program, const SettleFn& settle, const Inputs& inputs,
                    ResultTable tables[2], ResultTable* year_end = nullptr);

}  // namespace polc::io
