// PostgreSQL as a source and a sink (libpq): the input tables are read with COPY ... TO STDOUT
// into the CSV reader, so the checks and messages are CSV's (a bad row named by its table and
// key instead of a line); the results are written with COPY ... FROM STDIN into new tables in
// one transaction, so nothing is visible unless everything succeeded (docs/postgresql.md).
#pragma once

#include <memory>
#include <string>

#include "compiler/io/nhsa.h"
#include "compiler/io/read_inputs.h"
#include "compiler/settle/inputs.h"
#include "compiler/settle/seam.h"

namespace polc::io {

struct PgTables {
  std::string persons, claims;         // input tables (optionally schema.table)
  std::string out, persons_out;        // result tables; persons_out may be empty
  bool replace = false;                // drop an existing result table instead of failing
};

// One connection. Connect never puts the password in `error`.
class PgSession {
 public:
  PgSession();
  ~PgSession();
  PgSession(const PgSession&) = delete;
  PgSession& operator=(const PgSession&) = delete;

  bool Connect(const std::string& conninfo, std::string& error);
  // Checks before any work that the result tables may be created (they do not exist, or
  // `replace`).
  bool CheckOutputs(const PgTables& tables, std::string& error);
  // Reads both input tables, the columns the policy declares, in the tables' order. On bad rows
  // `error` holds their messages, one line each ending in a newline, as the CSV path prints
  // them (rows named by table and key instead of file and line); other errors have no newline.
  bool ReadInputs(settle::RowChecker& checker, const PgTables& tables, settle::Inputs& inputs,
                  const ReadOptions& options, std::string& error);
  // Settles and writes the results: CSV into a temporary directory, then COPY FROM STDIN into
  // the new tables inside one transaction. With an nhsa mapping (`nhsa` not empty, read from
  // `mapping_path`) the claim results table has the mapping's fields (`--format nhsa`, money as
  // numeric(16,2)); the person results table has the policy's columns either way.
  bool WriteResults(const ir::Program& program, const std::vector<settle::SettleFn>& settlers,
                    const settle::Inputs& inputs, const PgTables& tables, std::string& error,
                    const std::vector<NhsaField>& nhsa = {}, const std::string& mapping_path = "");

  struct State;  // the connection and the temporary directory (pg.cpp)

 private:
  std::unique_ptr<State> state_;
};

}  // namespace polc::io
