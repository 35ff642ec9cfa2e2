// Tables: enumeration-keyed tables written inline (exhaustive, with an optional `else` row)
// and integer-keyed tables, inline or loaded from a CSV file beside the policy.
#include <algorithm>
#include <filesystem>

#include "compiler/check/checker.h"
#include "compiler/diag/source.h"
#include "runtime/csv.h"
#include "runtime/money.h"

namespace polc::check {

using ir::Base;
using ir::Type;

namespace {

// A table is a few thousand rows at most; the limit keeps a policy from making check read a
// huge file. Bad rows past the first few are counted, not shown (as run does for inputs).
constexpr uint64_t kMaxTableFileBytes = uint64_t{16} << 20;
constexpr size_t kShownTableErrors = 20;
constexpr size_t kMaxCellBytes = 32;

std::string_view Prefix(std::string_view text, size_t bytes) {
  if (text.size() <= bytes) return text;
  size_t cut = bytes;
  // Never cut a UTF-8 sequence in two.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut);
}

// A table file is named relative to the policy's directory and must stay inside it: no
// absolute path, no `..`, and no symbolic link leading out (checked on the resolved path),
// so checking a policy (as an editor does on every file it opens) never reads /etc/passwd.
// `opened` is the path to open; a missing file is left for the open to report.
bool ConfineTablePath(const std::string& base_dir, const std::filesystem::path& written,
                      std::string& opened, std::string& error) {
  namespace fs = std::filesystem;
  if (written.empty()) {
    error = "the path is empty";
    return false;
  }
  if (written.is_absolute()) {
    error = "an absolute path is not allowed: name the file relative to the policy's directory";
    return false;
  }
  for (const fs::path& part : written) {
    if (part == "..") {
      error = "'..' is not allowed: the file must be inside the policy's directory";
      return false;
    }
  }
  std::error_code ec;
  const fs::path base = fs::canonical(base_dir, ec);
  if (ec) {
    error = fmt::format("cannot resolve the policy's directory '{}': {}", base_dir, ec.message());
    return false;
  }
  const fs::path lexical = (fs::path(base_dir) / written).lexically_normal();
  const fs::path real = fs::canonical(lexical, ec);
  if (ec) {
    opened = lexical.string();
    return true;
  }
  const fs::path inside = real.lexically_relative(base);
  if (inside.empty() || *inside.begin() == "..") {
    error = fmt::format("it resolves to '{}', outside the policy's directory '{}'", real.string(), base.string());
    return false;
  }
  opened = real.string();
  return true;
}

}  // namespace

void Checker::CheckTables() {
  for (size_t i = 0; i < p_.tables.size(); ++i) {
    const ast::TableDecl& d = *table_decls_[i];
    ir::Table& t = p_.tables[i];
    bool ok = ResolveType(d.key_type, t.key_type);
    if (ok && ((t.key_type.base != Base::Enum && t.key_type.base != Base::Int) || t.key_type.optional)) {
      Error(DiagKind::TypeMismatch, d.key_type.range, "a table is keyed by an enumeration or an int, not {}",
            TypeName(t.key_type));
      ok = false;
    }
    if (d.value_type) {
      Type v;
      ok = ResolveType(*d.value_type, v) && ok;
      t.columns.push_back({"value", v});
    } else {
      t.record_valued = true;
      std::set<std::string> names;
      for (const ast::TableColumn& c : d.columns) {
        Type v;
        ok = ResolveType(c.type, v) && ok;
        if (!names.insert(c.name.name).second)
          Error(DiagKind::DuplicateDefinition, c.name.range, "column '{}' appears twice", c.name.name);
        t.columns.push_back({c.name.name, v});
      }
    }
    if (!ok) continue;
    if (d.csv_path) {
      LoadCsvTable(d, t);
      continue;
    }
    bool enum_keyed = t.key_type.base == Base::Enum;
    std::vector<int> row_of;  // enum word -> row index in `parsed`
    if (enum_keyed) row_of.assign(p_.enums[t.key_type.enum_id].words.size(), -1);
    std::vector<ir::TableRow> parsed;
    int else_row = -1;
    std::vector<std::string> unknown_keys;  // row keys that are not words of the enumeration
    std::set<int64_t> int_keys;
    for (const ast::TableRow& row : d.rows) {
      ir::TableRow out;
      out.range = row.range;
      if (row.cite) out.cite = {row.cite->text, row.cite->range};
      // A row with a bad cell still covers its keys: its error is the only one, with no
      // `NotExhaustive` for the words it lists (the table is not used, the policy has an error).
      const bool sized = row.values.size() == t.columns.size();
      if (!sized) {
        Error(DiagKind::TypeMismatch, row.range, "this row has {} value{}, the table has {} column{}",
              row.values.size(), row.values.size() == 1 ? "" : "s", t.columns.size(),
              t.columns.size() == 1 ? "" : "s");
      }
      for (size_t c = 0; sized && c < t.columns.size(); ++c) {
        int frame = 0;
        Scope scope;
        scope.const_only = true;
        scope.frame_size = &frame;
        ir::Value value;
        ir::NodePtr v = ExpectType(*row.values[c], scope, t.columns[c].type);
        if (!v || !ConstantCell(*v, row.values[c]->range, "a table cell", value)) value = ir::Value{};
        out.values.push_back(value);
      }
      out.values.resize(t.columns.size());
      int index = static_cast<int>(parsed.size());
      if (row.keys.empty()) {
        if (else_row >= 0) Error(DiagKind::DuplicateDefinition, row.range, "a second else row");
        else_row = index;
      }
      for (const ast::Ident& key : row.keys) {
        if (enum_keyed) {
          int w = FindWord(t.key_type.enum_id, key.name);
          if (w < 0) {
            UnknownWordError(t.key_type.enum_id, key.range, key.name);
            unknown_keys.push_back(key.name);
          } else if (row_of[w] >= 0) {
            Error(DiagKind::DuplicateDefinition, key.range, "'{}' has two rows", key.name);
          } else {
            row_of[w] = index;
          }
        } else {
          int64_t k;
          std::string error;
          if (!ParseDecimal(key.name, 0, k, error)) {
            Error(DiagKind::TypeMismatch, key.range, "table {} is keyed by int, not '{}'", t.name, key.name);
          } else if (!int_keys.insert(k).second) {
            Error(DiagKind::DuplicateDefinition, key.range, "key {} has two rows", k);
          } else {
            ir::TableRow keyed = out;
            keyed.key = k;
            t.rows.push_back(std::move(keyed));
          }
        }
      }
      parsed.push_back(std::move(out));
    }
    if (!enum_keyed) {
      if (else_row >= 0)
        Error(DiagKind::TypeMismatch, d.range, "an int-keyed table has no else row; a missing key is absent");
      std::sort(t.rows.begin(), t.rows.end(),
                [](const ir::TableRow& a, const ir::TableRow& b) { return a.key < b.key; });
      continue;
    }
    std::vector<std::string> missing_words;
    const auto& words = p_.enums[t.key_type.enum_id].words;
    for (size_t w = 0; w < words.size(); ++w) {
      int index = row_of[w] >= 0 ? row_of[w] : else_row;
      if (index < 0) {
        missing_words.push_back(words[w].name);
        continue;
      }
      ir::TableRow row = parsed[index];
      row.key = static_cast<int64_t>(w);
      t.rows.push_back(std::move(row));
    }
    // A misspelt row key already has its error: the word it meant is not missing on top of it
    // (`'levl3' is not a word...` is not followed by `no row for level3`).
    size_t unmatched = 0;
    for (const std::string& key : unknown_keys) {
      std::string meant = Closest(key, missing_words);
      if (meant.empty()) ++unmatched;
      else missing_words.erase(std::find(missing_words.begin(), missing_words.end(), meant));
    }
    if (missing_words.size() <= unmatched) missing_words.clear();
    std::string missing;
    for (const std::string& w : missing_words) missing += (missing.empty() ? "" : ", ") + w;
    if (!missing.empty())
      Error(DiagKind::NotExhaustive, d.name.range, "table {} has no row for {} (add them or an else row)",
            t.name, missing);
  }
}

void Checker::LoadCsvTable(const ast::TableDecl& d, ir::Table& t) {
  namespace fs = std::filesystem;
  const fs::path written = fs::path(*d.csv_path);
  t.csv_path = (fs::path(base_dir_) / written).lexically_normal().string();
  if (t.key_type.base != Base::Int || t.record_valued) {
    Error(DiagKind::TableFile, d.range, "a table loaded from CSV maps an int key to one value");
    return;
  }
  std::string error;
  std::string opened;
  if (!ConfineTablePath(base_dir_, written, opened, error)) {
    Error(DiagKind::TableFile, d.range, "table file {}: {}", QuoteString(*d.csv_path), error);
    return;
  }
  rt::CsvReader reader;
  reader.SetMaxBytes(kMaxTableFileBytes);
  if (!reader.Open(opened, error)) {
    Error(DiagKind::TableFile, d.range, "cannot read table file {}: {}", t.csv_path, error);
    return;
  }
  std::vector<std::string_view> fields;
  if (!reader.Next(fields)) {
    Error(DiagKind::TableFile, d.range, "table file {} is empty", t.csv_path);
    return;
  }
  int key_col = -1, value_col = -1;
  for (size_t c = 0; c < fields.size(); ++c) {
    if (fields[c] == d.csv_key.name) key_col = static_cast<int>(c);
    if (fields[c] == d.csv_value.name) value_col = static_cast<int>(c);
  }
  if (key_col < 0 || value_col < 0) {
    Error(DiagKind::TableFile, key_col < 0 ? d.csv_key.range : d.csv_value.range,
          "table file {} has no column '{}'", t.csv_path, key_col < 0 ? d.csv_key.name : d.csv_value.name);
    return;
  }
  const Type& vt = t.columns[0].type;
  std::set<int64_t> keys;
  size_t bad_rows = 0;
  while (reader.Next(fields)) {
    size_t line = reader.LineNumber();
    auto bad = [&](const std::string& what) {
      // Capped like run's input errors: a file of bad rows must not flood the output.
      if (bad_rows++ >= kShownTableErrors) return;
      // Located in the CSV file itself, so the analyst can go to the row.
      sink_.Report(DiagKind::TableFile, fmt::format("{}:{}", t.csv_path, line), SourceRange{},
                   fmt::format("{} (table {} at {}:{}:{})", what, t.name, file_, d.range.begin_line,
                               d.range.begin_col));
    };
    if (static_cast<int>(fields.size()) <= std::max(key_col, value_col)) {
      bad("the row has too few columns");
      continue;
    }
    // A number is short: a long cell is refused with only its beginning quoted, so a message
    // never carries much of a file the policy should not have named.
    if (fields[key_col].size() > kMaxCellBytes || fields[value_col].size() > kMaxCellBytes) {
      const std::string_view cell = fields[key_col].size() > kMaxCellBytes ? fields[key_col] : fields[value_col];
      bad(fmt::format("a cell of {} bytes is too long for a number (it begins {})", cell.size(),
                      QuoteString(Prefix(cell, 16))));
      continue;
    }
    ir::TableRow row;
    row.range = d.range;
    std::string err;
    if (!rt::ParseCount(fields[key_col], row.key, err)) { bad(err); continue; }
    ir::Value v;
    if (vt.base == Base::Money) {
      if (!rt::ParseMoney(fields[value_col], v.a, err)) { bad(err); continue; }
    } else if (vt.base == Base::Int) {
      if (!rt::ParseCount(fields[value_col], v.a, err)) { bad(err); continue; }
    } else {
      bad(fmt::format("values of type {} cannot be loaded from CSV", TypeName(vt)));
      return;
    }
    if (!keys.insert(row.key).second) { bad(fmt::format("key {} appears twice", row.key)); continue; }
    row.values.push_back(v);
    t.rows.push_back(std::move(row));
  }
  if (bad_rows > kShownTableErrors)
    sink_.Report(DiagKind::TableFile, t.csv_path, SourceRange{}, "... and {} more bad rows (table {})",
                 bad_rows - kShownTableErrors, t.name);
  if (reader.HasError())
    sink_.Report(DiagKind::TableFile, t.csv_path, SourceRange{}, reader.Error());
  std::sort(t.rows.begin(), t.rows.end(),
            [](const ir::TableRow& a, const ir::TableRow& b) { return a.key < b.key; });
}

}  // namespace polc::check
