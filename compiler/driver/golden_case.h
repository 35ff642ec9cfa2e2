// One golden case: settle a case directory's inputs under a policy in memory and compare the
// results field by field with the expected files. Shared by `polc test` and the unit tests, so
// both exercise the same code path.
#pragma once

#include <string>
#include <vector>

#include "compiler/driver/compile.h"
#include "compiler/interp/coverage.h"

namespace polc::driver {

struct CaseOutcome {
  std::string name;  // the directory's base name
  bool passed = false;
  // What is wrong, without the case name:
  // `case/huaihua-2026.results.csv:3: claim H2 column basic: expected 32111, got 32110.00`.
  std::vector<std::string> problems;
  // The explanation (as `polc explain` prints it) of the first mismatching claim, or of the
  // first mismatching person when no claim differs.
  std::string explanation;
  double seconds = 0;
};

// A case directory holds persons.csv, claims.csv and, per policy file stem, the expected
// `<stem>.results.csv` (event output) and `<stem>.persons.csv` (subject output), and optionally
// `<stem>.next.csv` (the subject output `at year_end`, next year's counters); they are compared
// as typed values, rows by key (case_compare.h, docs/testing.md).
// `engine` is an --engine name (jit, interp); explanations always come from the interpreter.
// With `coverage`, the interpreter settles (whatever `engine` says) and counts into it what the
// settlement evaluated.
CaseOutcome RunCase(const Compilation& compilation, const std::string& policy_path,
                    const std::string& dir, const std::string& engine = "interp",
                    interp::Coverage* coverage = nullptr);

}  // namespace polc::driver
