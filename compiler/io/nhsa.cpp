// The nhsa output format (see nhsa.h): a mapping read from CSV, resolved against a policy,
// applied row by row to the claim results.
#include "compiler/io/nhsa.h"

#include <fmt/format.h>

#include "compiler/io/results.h"
#include "runtime/csv.h"
#include "runtime/money.h"

namespace polc::io {

namespace {

// numeric(16,2): at most 14 digits before the point.
constexpr int64_t kMaxFen = int64_t{99999999999999} * 100 + 99;

// A money cell as polc writes it ("-3.05", "1234.50"); false for anything else (an absent word).
bool CellFen(std::string_view cell, int64_t& fen) {
  const bool negative = !cell.empty() && cell.front() == '-';
  std::string ignored;
  if (!rt::ParseMoney(negative ? cell.substr(1) : cell, fen, ignored)) return false;
  if (negative) fen = -fen;
  return true;
}

// One field resolved against the program.
struct Resolved {
  const NhsaField* field = nullptr;
  int index = -1;       // claim field or output column
  bool money = false;
  NhsaColumn column;    // as written
  std::vector<size_t> terms;  // kSum: positions in the resolved list
};

}  // namespace

bool ReadNhsaMapping(const std::string& path, std::vector<NhsaField>& fields, std::string& error) {
  rt::CsvReader reader;
  if (!reader.Open(path, error)) return false;
  std::vector<std::string_view> row;
  const std::vector<std::string_view> header = {"field", "source", "if_missing", "meaning"};
  if (!reader.Next(row) || row != header) {
    error = fmt::format("{}:1: the mapping's header must be field,source,if_missing,meaning", path);
    return false;
  }
  fields.clear();
  while (reader.Next(row)) {
    const uint64_t line = reader.LineNumber();
    auto fail = [&](const std::string& what) {
      error = fmt::format("{}:{}: {}", path, line, what);
      return false;
    };
    if (row.size() != 4) return fail(fmt::format("{} fields, expected 4", row.size()));
    NhsaField f;
    f.name = std::string(row[0]);
    f.line = line;
    if (f.name.empty()) return fail("empty field name");
    for (const NhsaField& other : fields) {
      if (other.name == f.name) return fail(fmt::format("field {} is mapped twice (line {})", f.name, other.line));
    }
    const std::string_view source = row[1];
    if (source.starts_with("claim.")) {
      f.from = NhsaField::From::kClaim;
      f.column = std::string(source.substr(6));
    } else if (source.starts_with("result.")) {
      f.from = NhsaField::From::kResult;
      f.column = std::string(source.substr(7));
    } else if (source.starts_with("sum:")) {
      f.from = NhsaField::From::kSum;
      std::string_view rest = source.substr(4);
      for (;;) {
        const size_t plus = rest.find('+');
        const std::string_view term = rest.substr(0, plus);
        bool known = false;
        for (const NhsaField& other : fields) known = known || other.name == term;
        if (!known) return fail(fmt::format("sum term '{}' is no field before this one", term));
        f.terms.emplace_back(term);
        if (plus == std::string_view::npos) break;
        rest = rest.substr(plus + 1);
      }
    } else {
      return fail(fmt::format("source '{}': expected claim.FIELD, result.COLUMN or sum:A+B", source));
    }
    if (f.from != NhsaField::From::kSum && f.column.empty()) return fail("source names no column");
    if (row[2] == "omit") {
      f.omit_if_missing = true;
    } else if (row[2] != "error") {
      return fail(fmt::format("if_missing '{}': expected error or omit", row[2]));
    }
    fields.push_back(std::move(f));
  }
  if (reader.HasError()) {
    error = fmt::format("{}:{}", path, reader.Error());
    return false;
  }
  if (fields.empty()) {
    error = fmt::format("{}: the mapping has no field", path);
    return false;
  }
  return true;
}

bool WriteNhsa(const ir::Program& program, const settle::Inputs& inputs, const std::vector<NhsaField>& fields,
               const std::string& mapping_path, const std::string& results_path, const std::string& out_path,
               std::string& error, std::vector<NhsaColumn>* columns, uint64_t* failing_line) {
  if (failing_line != nullptr) *failing_line = 0;
  const ir::Record& claim = program.records[1];
  const ir::Output& output = program.outputs[static_cast<size_t>(program.output_of[1])];
  std::vector<Resolved> resolved;
  std::vector<std::string> names;  // of the resolved fields, for sums
  for (const NhsaField& f : fields) {
    Resolved r;
    r.field = &f;
    auto missing = [&](const std::string& what) {
      error = fmt::format("{}:{}: {} ({} {}); mark it 'omit' in if_missing if the field may be left out",
                          mapping_path, f.line, what, f.name, "cannot be filled");
      return false;
    };
    if (f.from == NhsaField::From::kClaim) {
      for (size_t i = 0; i < claim.fields.size(); ++i) {
        if (claim.fields[i].name == f.column) r.index = static_cast<int>(i);
      }
      if (r.index < 0) {
        if (f.omit_if_missing) continue;
        return missing(fmt::format("the policy's {} record has no field {}", claim.name, f.column));
      }
      r.money = claim.fields[static_cast<size_t>(r.index)].type.base == ir::Base::Money;
      r.column = {f.name, claim.fields[static_cast<size_t>(r.index)].type.base, false};  // absent: empty
    } else if (f.from == NhsaField::From::kResult) {
      for (size_t i = 0; i < output.columns.size(); ++i) {
        if (output.columns[i].name == f.column) r.index = static_cast<int>(i);
      }
      if (r.index < 0) {
        if (f.omit_if_missing) continue;
        return missing(fmt::format("the policy's output {} has no column {}", output.name, f.column));
      }
      const ir::OutputColumn& column = output.columns[static_cast<size_t>(r.index)];
      r.money = column.value->type.base == ir::Base::Money;
      r.column = {f.name, column.value->type.base, !column.absent.empty()};
    } else {
      r.money = true;
      r.column = {f.name, ir::Base::Money, false};
      for (const std::string& term : f.terms) {
        for (size_t i = 0; i < names.size(); ++i) {
          if (names[i] != term) continue;
          if (!resolved[i].money) {
            error = fmt::format("{}:{}: sum term {} is not money", mapping_path, f.line, term);
            return false;
          }
          r.terms.push_back(i);
        }
      }
      if (r.terms.empty()) {
        if (f.omit_if_missing) continue;
        return missing("every term of the sum is left out");
      }
    }
    resolved.push_back(r);
    names.push_back(f.name);
  }

  if (columns != nullptr) {
    columns->clear();
    for (const Resolved& r : resolved) columns->push_back(r.column);
  }
  rt::CsvReader reader;
  if (!reader.Open(results_path, error)) return false;
  std::vector<std::string_view> cells;
  if (!reader.Next(cells)) {
    error = fmt::format("{}: no header", results_path);
    return false;
  }
  rt::AtomicOutputFile file;
  if (!file.Open(out_path, error)) return false;
  rt::CsvWriter writer(file);
  for (const std::string& name : names) writer.Field(name);
  writer.EndRow();
  std::vector<int64_t> fen(resolved.size());
  std::vector<bool> has_fen(resolved.size());
  std::string cell;
  for (uint32_t e = 0; e < inputs.events.Size(); ++e) {
    if (!reader.Next(cells) || cells.size() != output.columns.size()) {
      error = fmt::format("internal error: {} does not hold one result row per claim", results_path);
      return false;
    }
    for (size_t i = 0; i < resolved.size(); ++i) {
      const Resolved& r = resolved[i];
      cell.clear();
      has_fen[i] = false;
      if (r.field->from == NhsaField::From::kClaim) {
        const ir::Field& field = claim.fields[static_cast<size_t>(r.index)];
        AppendCell(cell, program, inputs, field.type, inputs.events.Get(e, r.index), "");
      } else if (r.field->from == NhsaField::From::kResult) {
        cell = cells[static_cast<size_t>(r.index)];
      } else {
        int64_t sum = 0;
        bool any = false;
        for (const size_t t : r.terms) {
          if (!has_fen[t]) continue;
          if (__builtin_add_overflow(sum, fen[t], &sum)) sum = kMaxFen + 1;
          any = true;
        }
        if (any) cell = rt::FormatMoney(sum);
      }
      if (r.money && CellFen(cell, fen[i])) {
        has_fen[i] = true;
        if (fen[i] > kMaxFen || fen[i] < -kMaxFen) {
          error = fmt::format("{}: claim {}: {} = {} does not fit numeric(16,2)", inputs.event_file,
                              inputs.EventKey(e), r.field->name, cell);
          if (failing_line != nullptr) *failing_line = inputs.events.Line(e);
          return false;
        }
      }
      writer.Field(cell);
    }
    writer.EndRow();
  }
  return file.Commit(error);
}

}  // namespace polc::io
