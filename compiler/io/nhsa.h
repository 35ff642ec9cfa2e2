// `polc run --format nhsa`: the claim results under the national medical insurance platform's
// settlement field names (medfee_sumamt, hifp_pay, ...), money as numeric(16,2). Which field
// comes from which input or output column is data, in formats/nhsa.csv (docs/nhsa.md), never
// code: a field names a claim input field (claim.X), an output column of the policy
// (result.X), or a sum of fields before it (sum:a+b).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "compiler/settle/inputs.h"

namespace polc::io {

struct NhsaField {
  enum class From { kClaim, kResult, kSum };
  std::string name;
  From from = From::kClaim;
  std::string column;              // kClaim, kResult: the field or column
  std::vector<std::string> terms;  // kSum: earlier fields
  bool omit_if_missing = false;    // if_missing = omit: left out when the column does not exist
  uint64_t line = 0;               // in the mapping file
};

// A column of the nhsa output as written: its name, the type of its values, and whether a cell
// may hold an absent word instead (a result column that declares one), for a database's
// column types (docs/postgresql.md).
struct NhsaColumn {
  std::string name;
  ir::Base base = ir::Base::Text;
  bool word = false;
};

// Reads a mapping file (header field,source,if_missing,meaning). False with `error` set as
// `path:line: ...`.
bool ReadNhsaMapping(const std::string& path, std::vector<NhsaField>& fields, std::string& error);

// Rewrites the claim results `results_path` (the CSV polc run writes, one row per input claim
// in input order) as `out_path` under the mapping, reading claim fields from `inputs`. The
// file appears only when complete. False with `error` set (a mapping that names a column the
// policy lacks, an amount beyond numeric(16,2)). `columns`, when given, receives the columns
// written. `failing_line`, when given, receives on failure the input line of the claim whose
// amount does not fit, 0 for an error before the rows (the first in input order wins when the
// claims are written in partitions, polc run --memory-limit).
bool WriteNhsa(const ir::Program& program, const settle::Inputs& inputs, const std::vector<NhsaField>& fields,
               const std::string& mapping_path, const std::string& results_path, const std::string& out_path,
               std::string& error, std::vector<NhsaColumn>* columns = nullptr, uint64_t* failing_line = nullptr);

}  // namespace polc::io
