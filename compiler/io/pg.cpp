// PostgreSQL source and sink (see pg.h). The tables travel as CSV through COPY, in temporary
// files of a private directory, so reading reuses the CSV reader's checks byte for byte and
// the results are the bytes `polc run` writes to files.
#include "compiler/io/pg.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include <fmt/format.h>
#include <libpq-fe.h>

#include "compiler/io/results.h"
#include "runtime/csv.h"

namespace polc::io {

namespace fs = std::filesystem;

struct PgSession::State {
  PGconn* conn = nullptr;
  std::string password;  // never printed: scrubbed from every message
  std::string dir;       // private temporary directory
  ~State() {
    if (conn != nullptr) PQfinish(conn);
    if (!dir.empty()) {
      std::error_code ignored;
      fs::remove_all(dir, ignored);
    }
  }
  std::string Scrub(std::string text) const {
    if (password.empty()) return text;
    for (size_t at; (at = text.find(password)) != std::string::npos;) text.replace(at, password.size(), "***");
    return text;
  }
  std::string ServerError() const {
    std::string m = PQerrorMessage(conn);
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    for (size_t at; (at = m.find('\n')) != std::string::npos;) {
      size_t end = at + 1;
      while (end < m.size() && (m[end] == '\t' || m[end] == ' ')) ++end;
      m.replace(at, end - at, "; ");
    }
    return Scrub(m);
  }
  // Runs a command; false with `error` = what + the server's message.
  bool Exec(const std::string& sql, const std::string& what, std::string& error) {
    PGresult* r = PQexec(conn, sql.c_str());
    const ExecStatusType status = PQresultStatus(r);
    PQclear(r);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return true;
    error = fmt::format("{}: {}", what, ServerError());
    return false;
  }
  std::string Ident(std::string_view name) const {
    char* quoted = PQescapeIdentifier(conn, name.data(), name.size());
    std::string out = quoted != nullptr ? quoted : "\"\"";
    PQfreemem(quoted);
    return out;
  }
  // A table name, optionally schema.table, each part quoted.
  std::string Table(const std::string& name) const {
    const size_t dot = name.find('.');
    if (dot == std::string::npos) return Ident(name);
    return Ident(std::string_view(name).substr(0, dot)) + "." + Ident(std::string_view(name).substr(dot + 1));
  }
  std::string Literal(const std::string& text) const {
    char* quoted = PQescapeLiteral(conn, text.c_str(), text.size());
    std::string out = quoted != nullptr ? quoted : "''";
    PQfreemem(quoted);
    return out;
  }
};

PgSession::PgSession() : state_(std::make_unique<State>()) {}
PgSession::~PgSession() = default;

bool PgSession::Connect(const std::string& conninfo, std::string& error) {
  char* parse_error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &parse_error);
  if (options == nullptr) {
    // libpq's message may quote the string, password and all: only say what is expected.
    PQfreemem(parse_error);
    error = "--db: not a PostgreSQL connection URI or key=value string (e.g. postgresql://user@host:5432/db)";
    return false;
  }
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (std::string_view(o->keyword) == "password" && o->val != nullptr) state_->password = o->val;
  }
  PQconninfoFree(options);
  state_->conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(state_->conn) != CONNECTION_OK) {
    auto text = [](const char* s) { return s != nullptr && *s != '\0' ? std::string(s) : std::string("(default)"); };
    error = fmt::format("cannot connect to PostgreSQL (host {}, port {}, database {}, user {}): {}",
                        text(PQhost(state_->conn)), text(PQport(state_->conn)), text(PQdb(state_->conn)),
                        text(PQuser(state_->conn)), state_->ServerError());
    return false;
  }
  return state_->Exec("SET client_encoding = 'UTF8'; SET DateStyle = 'ISO, YMD'; SET search_path TO public",
                      "setting up the session", error);
}

bool PgSession::CheckOutputs(const PgTables& tables, std::string& error) {
  if (!tables.persons_out.empty() && tables.persons_out == tables.out) {
    error = "--out-table and --persons-out-table name the same table";
    return false;
  }
  for (const std::string* name : {&tables.out, &tables.persons_out}) {
    if (name->empty() || tables.replace) continue;
    const std::string sql = fmt::format("SELECT to_regclass({}) IS NOT NULL", state_->Literal(state_->Table(*name)));
    PGresult* r = PQexec(state_->conn, sql.c_str());
    const bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    const bool exists = ok && std::string_view(PQgetvalue(r, 0, 0)) == "t";
    PQclear(r);
    if (!ok) {
      error = fmt::format("table {}: {}", *name, state_->ServerError());
      return false;
    }
    if (exists) {
      error = fmt::format("table {} exists: polc writes results into a new table (--replace drops it first)", *name);
      return false;
    }
  }
  return true;
}

namespace {

// Streams `COPY (...) TO STDOUT` into `path`.
bool CopyOut(PgSession::State& s, const std::string& sql, const std::string& path, const std::string& table,
             std::string& error) {
  PGresult* r = PQexec(s.conn, sql.c_str());
  const bool started = PQresultStatus(r) == PGRES_COPY_OUT;
  PQclear(r);
  if (!started) {
    error = fmt::format("table {}: {}", table, s.ServerError());
    return false;
  }
  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr) {
    error = fmt::format("cannot write the temporary file {}", path);
    return false;
  }
  bool written = true;
  char* buffer = nullptr;
  int n;
  while ((n = PQgetCopyData(s.conn, &buffer, 0)) > 0) {
    written = written && std::fwrite(buffer, 1, static_cast<size_t>(n), out) == static_cast<size_t>(n);
    PQfreemem(buffer);
  }
  written = std::fclose(out) == 0 && written;
  bool ok = n == -1;
  while ((r = PQgetResult(s.conn)) != nullptr) {
    ok = ok && PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
  }
  if (!ok) {
    error = fmt::format("table {}: {}", table, s.ServerError());
    return false;
  }
  if (!written) error = fmt::format("cannot write the temporary file {}", path);
  return written;
}

// Streams the file `path` into `COPY ... FROM STDIN`.
bool CopyIn(PgSession::State& s, const std::string& sql, const std::string& path, const std::string& table,
            std::string& error) {
  PGresult* r = PQexec(s.conn, sql.c_str());
  const bool started = PQresultStatus(r) == PGRES_COPY_IN;
  PQclear(r);
  if (!started) {
    error = fmt::format("table {}: {}", table, s.ServerError());
    return false;
  }
  std::FILE* in = std::fopen(path.c_str(), "rb");
  bool ok = in != nullptr;
  std::vector<char> buffer(size_t{1} << 20);
  while (ok) {
    const size_t n = std::fread(buffer.data(), 1, buffer.size(), in);
    if (n == 0) break;
    ok = PQputCopyData(s.conn, buffer.data(), static_cast<int>(n)) == 1;
  }
  if (in != nullptr) std::fclose(in);
  ok = PQputCopyEnd(s.conn, ok ? nullptr : "polc: reading the results failed") == 1 && ok;
  while ((r = PQgetResult(s.conn)) != nullptr) {
    ok = ok && PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
  }
  if (!ok) error = fmt::format("table {}: {}", table, s.ServerError());
  return ok;
}

// A table's rows as the reader's messages name them (in place of the temporary file's lines):
// by the record's key, or by the row's number in COPY's order when the record has none. The
// file's rows are read again at the first message that needs them.
class TableRows : public settle::LineNames {
 public:
  TableRows(const std::string& path, const std::string& table, const std::string& key_column)
      : path_(path), table_(table), key_column_(key_column) {}
  std::string At(uint64_t line) const override {
    if (line <= 1) return fmt::format("table {}", table_);
    const size_t row = Find(line);
    if (row == kNone) return fmt::format("table {}, row {}", table_, line - 1);
    if (key_column_.empty()) return fmt::format("table {}, row {}", table_, row + 1);
    return fmt::format("table {}, {} '{}'", table_, key_column_, keys_[row]);
  }
  std::string Earlier(uint64_t line) const override {
    const size_t row = Find(line);
    return fmt::format("at row {}", row == kNone ? line - 1 : row + 1);
  }

 private:
  static constexpr size_t kNone = SIZE_MAX;
  // The row (from 0) starting on `line`, or kNone.
  size_t Find(uint64_t line) const {
    std::call_once(loaded_, [this] { Load(); });
    const auto it = std::lower_bound(lines_.begin(), lines_.end(), line);
    return it != lines_.end() && *it == line ? static_cast<size_t>(it - lines_.begin()) : kNone;
  }
  void Load() const {
    rt::CsvReader reader;
    std::string error;
    if (!reader.Open(path_, error)) return;
    std::vector<std::string_view> fields;
    if (!reader.Next(fields)) return;
    size_t key = SIZE_MAX;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i] == key_column_) key = i;
    }
    while (reader.Next(fields)) {
      lines_.push_back(reader.LineNumber());
      keys_.emplace_back(key < fields.size() ? fields[key] : std::string_view());
    }
  }
  std::string path_, table_, key_column_;
  mutable std::once_flag loaded_;
  mutable std::vector<uint64_t> lines_;  // per row, its line (ascending)
  mutable std::vector<std::string> keys_;  // per row, its key cell
};

// The column type of an output column: numeric(16,2), bigint or date when every value written
// fits it (no absent word), text otherwise, so COPY ... TO gives back polc's bytes.
std::string SqlType(ir::Base base, bool word) {
  if (word) return "text";
  switch (base) {
    case ir::Base::Money: return "numeric(16,2)";
    case ir::Base::Int: return "bigint";
    case ir::Base::Date: return "date";
    default: return "text";
  }
}
std::string ColumnType(const ir::OutputColumn& column) { return SqlType(column.value->type.base, !column.absent.empty()); }

}  // namespace

bool PgSession::ReadInputs(settle::RowChecker& checker, const PgTables& tables, settle::Inputs& inputs,
                           const ReadOptions& options, std::string& error) {
  State& s = *state_;
  if (s.dir.empty()) {
    std::string pattern = (fs::temp_directory_path() / "polc-pg.XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      error = "cannot create a temporary directory";
      return false;
    }
    s.dir = pattern;
  }
  const ir::Program& program = checker.Program();
  const std::string* names[2] = {&tables.persons, &tables.claims};
  std::string paths[2] = {s.dir + "/persons.csv", s.dir + "/claims.csv"};
  for (int kind = 0; kind < 2; ++kind) {
    std::string columns;
    for (const ir::Field& field : program.records[kind].fields) {
      columns += fmt::format("{}{}::text AS {}", columns.empty() ? "" : ", ", s.Ident(field.name), s.Ident(field.name));
    }
    const std::string sql = fmt::format("COPY (SELECT {} FROM {}) TO STDOUT WITH (FORMAT csv, HEADER true)", columns,
                                        s.Table(*names[kind]));
    if (!CopyOut(s, sql, paths[kind], *names[kind], error)) return false;
  }
  auto key_name = [&](int kind) {
    const int32_t key = program.records[kind].key_field;
    return key >= 0 ? program.records[kind].fields[static_cast<size_t>(key)].name : std::string();
  };
  const TableRows rows[2] = {{paths[0], tables.persons, key_name(0)}, {paths[1], tables.claims, key_name(1)}};
  // The tables' names stand for the temporary files' paths, in messages (an event's unknown
  // subject) and as Inputs::subject_file and event_file.
  ReadOptions read = options;
  for (int kind = 0; kind < 2; ++kind) read.origin[kind] = {"table " + *names[kind], nullptr, &rows[kind]};
  settle::InputErrors errors;
  if (io::ReadInputs(checker, paths[0], paths[1], inputs, errors, read)) {
    inputs.file_lines = false;  // run-time messages name the rows by key, not by the copies' lines
    return true;
  }
  error = errors.Render();
  return false;
}

bool PgSession::WriteResults(const ir::Program& program, const std::vector<settle::SettleFn>& settlers,
                             const settle::Inputs& inputs, const PgTables& tables, std::string& error,
                             const std::vector<NhsaField>& nhsa, const std::string& mapping_path) {
  State& s = *state_;
  std::string paths[2] = {s.dir + "/persons_result.csv", s.dir + "/result.csv"};
  if (!io::WriteResults(program, settlers, inputs, paths[1], tables.persons_out.empty() ? "" : paths[0], error)) {
    return false;
  }
  std::string columns[2];
  for (int kind = 0; kind < 2; ++kind) {
    if (program.output_of[kind] < 0) continue;
    for (const ir::OutputColumn& column : program.outputs[static_cast<size_t>(program.output_of[kind])].columns) {
      columns[kind] += fmt::format("{}{} {}", columns[kind].empty() ? "" : ", ", s.Ident(column.name), ColumnType(column));
    }
  }
  if (!nhsa.empty()) {
    // The claim results under the platform's field names, as `polc run --format nhsa` writes them.
    std::vector<NhsaColumn> fields;
    const std::string nhsa_path = s.dir + "/result_nhsa.csv";
    if (!WriteNhsa(program, inputs, nhsa, mapping_path, paths[1], nhsa_path, error, &fields)) return false;
    paths[1] = nhsa_path;
    columns[1].clear();
    for (const NhsaColumn& f : fields) {
      columns[1] += fmt::format("{}{} {}", columns[1].empty() ? "" : ", ", s.Ident(f.name), SqlType(f.base, f.word));
    }
  }
  if (!s.Exec("BEGIN", "starting the transaction", error)) return false;
  auto write = [&](int kind, const std::string& table) {
    if (tables.replace && !s.Exec("DROP TABLE IF EXISTS " + s.Table(table), "table " + table, error)) return false;
    if (!s.Exec(fmt::format("CREATE TABLE {} ({})", s.Table(table), columns[kind]), "table " + table, error)) return false;
    return CopyIn(s, fmt::format("COPY {} FROM STDIN WITH (FORMAT csv, HEADER true)", s.Table(table)), paths[kind],
                  table, error);
  };
  const bool ok = write(1, tables.out) && (tables.persons_out.empty() || write(0, tables.persons_out)) &&
                  s.Exec("COMMIT", "committing the results", error);
  if (!ok) {
    std::string ignored;
    s.Exec("ROLLBACK", "rolling back", ignored);
  }
  return ok;
}

}  // namespace polc::io
