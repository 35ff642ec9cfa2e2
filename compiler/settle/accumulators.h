// Where each accumulator of a program lives in the flat per-subject int64 record of
// runtime/protocol.h, the one record both engines keep their totals in.
#pragma once

#include <cstdint>
#include <vector>

#include "compiler/ir/ir.h"

namespace polc::settle {

struct AccPlace {
  int32_t offset = 0;  // first word of the accumulator in the record
  int32_t words = 0;   // polc_acc_words
  int32_t kind = 0;    // POLC_ACC_NONE / ENUM / INT
};

struct AccRecordLayout {
  std::vector<AccPlace> accs;  // by accumulator
  int32_t words = 0;           // the whole record
};

// The layout of `program`'s accumulators, one after another in declaration order. An
// enum-keyed accumulator without a valid enumeration has no words but its absent-key total
// (the checker rejects it; `bad_enum` says which, or -1).
AccRecordLayout LayOutAccumulators(const ir::Program& program, int32_t* bad_enum = nullptr);

}  // namespace polc::settle
