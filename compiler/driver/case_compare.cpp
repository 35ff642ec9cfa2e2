// Comparing an expected file with the settled rows, as typed values matched by key (see
// case_compare.h).
#include "compiler/driver/case_compare.h"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

#include "compiler/interp/explain.h"
#include "compiler/io/results.h"
#include "runtime/csv.h"
#include "runtime/date.h"
#include "runtime/money.h"

namespace polc::driver {

using ir::Base;
using ir::Value;

int32_t KeyColumn(const ir::Program& program, const ir::Output& output) {
  const int32_t key = program.records[output.record].key_field;
  if (key < 0) return -1;
  for (size_t c = 0; c < output.columns.size(); ++c) {
    const ir::Node* v = output.columns[c].value.get();
    if (v != nullptr && v->op == ir::Op::Field && v->a == output.record && v->b == key) return static_cast<int32_t>(c);
  }
  return -1;
}

namespace {

// A fixed-point number with up to two decimals and an optional sign (money in fen, a
// percentage in basis points).
bool ParseHundredths(std::string_view text, int64_t& out, std::string& error) {
  const bool negative = !text.empty() && text[0] == '-';
  if (!rt::ParseMoney(negative ? text.substr(1) : text, out, error)) return false;
  if (negative) out = -out;
  return true;
}

bool ParseWhole(std::string_view text, int64_t& out, std::string& error) {
  const bool negative = !text.empty() && text[0] == '-';
  if (!rt::ParseCount(negative ? text.substr(1) : text, out, error)) return false;
  if (negative) out = -out;
  return true;
}

}  // namespace

bool ParseExpectedCell(const ir::Program& program, const ir::Type& type, std::string_view absent,
                       std::string_view text, Value& value, std::string& error) {
  if (type.base == Base::Text) return true;
  if (text.empty() || (!absent.empty() && text == absent)) {
    value = Value::Absent();
    return true;
  }
  value = Value{0, 0, true};
  switch (type.base) {
    case Base::Money:
      return ParseHundredths(text, value.a, error);
    case Base::Rate:
      if (text.back() != '%') {
        error = "a rate is written as a percentage, e.g. 85%";
        return false;
      }
      return ParseHundredths(text.substr(0, text.size() - 1), value.a, error);
    case Base::Int:
      return ParseWhole(text, value.a, error);
    case Base::Date: {
      int32_t days = 0;
      if (!rt::ParseDate(text, days, error)) return false;
      value.a = days;
      return true;
    }
    case Base::Bool:
      if (text != "true" && text != "false") {
        error = "expected true or false";
        return false;
      }
      value.a = text == "true" ? 1 : 0;
      return true;
    case Base::Enum: {
      const ir::Enum& e = program.enums[static_cast<size_t>(type.enum_id)];
      for (size_t w = 0; w < e.words.size(); ++w) {
        if (e.words[w].name == text) {
          value.a = static_cast<int64_t>(w);
          return true;
        }
      }
      error = fmt::format("not a word of {}", e.name);
      return false;
    }
    case Base::Duration: {
      // `N months M days`, as result files write it.
      const size_t months = text.find(" months ");
      if (months == std::string_view::npos || !text.ends_with(" days")) {
        error = "a duration is written `N months M days`";
        return false;
      }
      const std::string_view days = text.substr(months + 8, text.size() - months - 8 - 5);
      return ParseWhole(text.substr(0, months), value.a, error) && ParseWhole(days, value.b, error);
    }
    case Base::Period: {
      const size_t dots = text.find("..");
      int32_t first = 0, last = 0;
      if (dots == std::string_view::npos) {
        error = "a period is written FIRST..LAST";
        return false;
      }
      if (!rt::ParseDate(text.substr(0, dots), first, error) || !rt::ParseDate(text.substr(dots + 2), last, error)) {
        return false;
      }
      value.a = first;
      value.b = last;
      return true;
    }
    default:
      error = "this column cannot be compared";
      return false;
  }
}

namespace {

bool SameValue(const ir::Type& type, const Value& expected, const Value& got) {
  if (expected.present != got.present) return false;
  if (!expected.present) return true;
  if (type.base == Base::Duration || type.base == Base::Period) return expected.a == got.a && expected.b == got.b;
  return expected.a == got.a;
}

std::string CsvLine(const std::vector<std::string>& cells) {
  rt::CsvWriter writer;
  for (const std::string& cell : cells) writer.Field(cell);
  writer.EndRow();
  std::string line = writer.Take();
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

}  // namespace

int64_t CompareWithExpected(const ir::Program& program, const settle::Inputs& inputs, const SettledTable& table,
                            const std::string& path, std::vector<std::string>& problems) {
  const ir::Output& output = program.outputs[static_cast<size_t>(table.output)];
  const ir::Record& record = program.records[output.record];
  const bool subjects = output.record == 0;
  auto cell_of = [&](size_t row, size_t c) {
    return io::FormatCell(program, inputs, output.columns[c].value->type, table.rows[row][c], output.columns[c].absent);
  };
  auto key_of = [&](size_t row) {
    return subjects ? inputs.SubjectKey(static_cast<uint32_t>(row)) : inputs.EventKey(static_cast<uint32_t>(row));
  };
  auto input_line = [&](size_t row) {
    return subjects ? fmt::format("{}:{}", inputs.subject_file, inputs.subjects.Line(static_cast<uint32_t>(row)))
                    : fmt::format("{}:{}", inputs.event_file, inputs.events.Line(static_cast<uint32_t>(row)));
  };
  std::vector<std::string> header;
  for (const ir::OutputColumn& column : output.columns) header.push_back(column.name);

  rt::CsvReader reader;
  std::string error;
  if (!reader.Open(path, error)) {
    problems.push_back(error);
    return -1;
  }
  std::vector<std::string_view> fields;
  if (!reader.Next(fields)) {
    problems.push_back(reader.HasError() ? fmt::format("{}: {}", path, reader.Error())
                                         : fmt::format("{}: empty, expected the header {}", path, Joined(header)));
    return -1;
  }
  // Columns by name: where each output column is in the file (-1: missing).
  const std::vector<std::string> file_header(fields.begin(), fields.end());
  std::vector<int64_t> at(output.columns.size(), -1);
  for (size_t f = 0; f < file_header.size(); ++f) {
    const auto it = std::find(header.begin(), header.end(), file_header[f]);
    if (it == header.end()) {
      problems.push_back(fmt::format("{}:1: column {} is not written by output {} (its columns: {})", path,
                                     file_header[f], output.name, Joined(header)));
      continue;
    }
    int64_t& where = at[static_cast<size_t>(it - header.begin())];
    if (where >= 0) {
      problems.push_back(fmt::format("{}:1: column {} appears twice", path, file_header[f]));
      continue;
    }
    where = static_cast<int64_t>(f);
  }
  for (size_t c = 0; c < header.size(); ++c) {
    if (at[c] < 0) problems.push_back(fmt::format("{}:1: no column {} (output {} writes it)", path, header[c], output.name));
  }
  const int32_t key_column = KeyColumn(program, output);
  if (key_column >= 0 && at[static_cast<size_t>(key_column)] < 0) {
    problems.push_back(fmt::format("{}:1: without the key column {} the rows cannot be matched", path,
                                   header[static_cast<size_t>(key_column)]));
    return -1;
  }

  // The settled rows by key (rows are matched by position when the output writes no key).
  std::unordered_map<std::string, size_t> row_of_key;
  for (size_t r = 0; r < table.rows.size(); ++r) {
    if (!table.rows[r].empty() && key_column >= 0) row_of_key.emplace(cell_of(r, static_cast<size_t>(key_column)), r);
  }
  std::vector<uint8_t> matched(table.rows.size(), 0);
  std::unordered_map<std::string, uint64_t> line_of_key;  // the expected file's keys
  int64_t first = -1;
  auto mismatch = [&](size_t row) {
    if (first < 0) first = static_cast<int64_t>(row);
  };
  size_t position = 0;
  while (reader.Next(fields)) {
    const uint64_t line = reader.LineNumber();
    size_t row = 0;
    std::string key;
    if (key_column >= 0) {
      const size_t f = static_cast<size_t>(at[static_cast<size_t>(key_column)]);
      if (f >= fields.size()) {
        problems.push_back(fmt::format("{}:{}: {} cells, the header has {}", path, line, fields.size(), file_header.size()));
        continue;
      }
      key = std::string(fields[f]);
      const auto [seen, fresh] = line_of_key.emplace(key, line);
      if (!fresh) {
        problems.push_back(fmt::format("{}:{}: duplicate {} '{}' (first on line {})", path, line,
                                       header[static_cast<size_t>(key_column)], key, seen->second));
        continue;
      }
      const auto it = row_of_key.find(key);
      if (it == row_of_key.end()) {
        problems.push_back(fmt::format("{}:{}: {} {} is expected, but {} has no {} {}", path, line, record.name, key,
                                       subjects ? inputs.subject_file : inputs.event_file, record.name, key));
        continue;
      }
      row = it->second;
    } else {
      // No key column: the n-th expected row is the n-th settled row.
      while (position < table.rows.size() && table.rows[position].empty()) ++position;
      if (position >= table.rows.size()) {
        problems.push_back(fmt::format("{}:{}: a row more than polc wrote ({} rows)", path, line, table.rows.size()));
        continue;
      }
      row = position++;
      key = key_of(row);
    }
    matched[row] = 1;
    const std::string label = fmt::format("{}:{}: {} {}", path, line, record.name, key);
    if (fields.size() != file_header.size()) {
      problems.push_back(fmt::format("{}: {} cells, the header has {}", label, fields.size(), file_header.size()));
      mismatch(row);
      continue;
    }
    for (size_t c = 0; c < header.size(); ++c) {
      if (at[c] < 0) continue;
      const std::string_view want = fields[static_cast<size_t>(at[c])];
      const ir::OutputColumn& column = output.columns[c];
      const ir::Type& type = column.value->type;
      const Value& got = table.rows[row][c];
      bool same = false;
      if (type.base == Base::Text) {
        same = want == cell_of(row, c);
      } else {
        Value expected;
        std::string why;
        if (!ParseExpectedCell(program, type, column.absent, want, expected, why)) {
          problems.push_back(fmt::format("{} column {}: '{}' is not a {} value ({}); got {}", label, column.name, want,
                                         interp::TypeName(program, type.Required()), why, cell_of(row, c)));
          mismatch(row);
          continue;
        }
        same = SameValue(type, expected, got);
      }
      if (same) continue;
      problems.push_back(fmt::format("{} column {}: expected {}, got {}", label, column.name,
                                     want.empty() ? "(empty)" : std::string(want), cell_of(row, c)));
      mismatch(row);
    }
  }
  if (reader.HasError()) problems.push_back(fmt::format("{}: {}", path, reader.Error()));
  // Rows polc wrote that the file lacks, in input order.
  for (size_t r = 0; r < table.rows.size(); ++r) {
    if (table.rows[r].empty() || matched[r]) continue;
    std::vector<std::string> cells;
    for (size_t c = 0; c < header.size(); ++c) cells.push_back(cell_of(r, c));
    problems.push_back(fmt::format("{}: no row for {} {} ({}); polc wrote {}", path, record.name, key_of(r),
                                   input_line(r), CsvLine(cells)));
    mismatch(r);
  }
  return first;
}

}  // namespace polc::driver
