// A hand-written C++ settlement of the Huaihua 2026 rules (policies/huaihua-2026.policy), for
// the benchmark only: the speed of light for our design (same value rows in, same output rows
// out, same runtime helpers), against which the JIT is measured. Not a second source of truth:
// the benchmark checks it against the JIT before timing it.
#pragma once

#include <cstdint>
#include <string>

#include "compiler/ir/ir.h"

namespace polc::bench {

class HandwrittenHuaihua {
 public:
  // Takes the chronic-disease caps from the program's table and checks that the records have
  // the field order this code assumes; false with `error` otherwise.
  bool Init(const ir::Program& program, std::string& error);
  // Instead of Init: the caps of diseases 0 .. n-1 in fen (-1: not covered), the rest not
  // covered (bench/handwritten_run.cpp, which has no program).
  void SetChronicCaps(const int64_t* caps, int n);

  // As polc_begin_subject + polc_subject: the person's output row (5 values).
  void Subject(const ir::Value* person, ir::Value* out);
  // As polc_events: `n` claims of the person in settlement order, 7 output values each.
  void Events(const ir::Value* person, const ir::Value* claims, int64_t n, ir::Value* out);

 private:
  static constexpr int kMaxDisease = 64;
  int64_t chronic_cap_[kMaxDisease + 1];  // -1: no cap (not covered)

  // Per person (computed by Subject, used by Events).
  int32_t period_start_ = 0, benefit_start_ = 0;
  int64_t cat_deductible_ = 0, cat_shift_ = 0, cat_cap_ = 0;
  bool cat_capped_ = true;
  // Accumulators.
  int64_t outpatient_paid_[9];
  int64_t chronic_paid_[kMaxDisease + 2];  // by disease, last: absent disease
  int64_t admissions_[5];
  int64_t deductible_applied_ = 0, inpatient_paid_ = 0, catastrophic_base_ = 0;
  // Medical assistance (spec section 13): the person's class, and the year's sums.
  bool assisted_ = false;
  int64_t assist_threshold_ = 0, assist_rate_ = 0;
  int64_t inpatient_self_paid_ = 0, outpatient_assistance_paid_ = 0, serious_inpatient_base_ = 0,
          serious_outpatient_base_ = 0;
};

}  // namespace polc::bench
