// One golden case: settle a case directory's inputs under a policy in memory and compare the
// results field by field with the expected files. Shared by `polc test` and the unit tests, so
// both exercise the same code path.
#pragma once

#include <string>
#include <vector>

#include "compiler/driver/compile.h"

namespace polc::driver {

struct CaseOutcome {
  std::string name;  // the directory's base name
  bool passed = false;
  // What is wrong, without the case name: `claim H2 field basic: expected 32110.00, got 32111.00`.
  std::vector<std::string> problems;
  // The explanation (as `polc explain` prints it) of the first mismatching claim, or of the
  // first mismatching person when no claim differs.
  std::string explanation;
  double seconds = 0;
};

// A case directory holds persons.csv, claims.csv and, per policy file stem, the expected
// `<stem>.results.csv` (event output) and `<stem>.persons.csv` (subject output), and optionally
// `<stem>.next.csv` (the subject output `at year_end`, next year's counters).
// `engine` is an --engine name (jit, interp); explanations always come from the interpreter.
CaseOutcome RunCase(const Compilation& compilation, const std::string& policy_path,
                    const std::string& dir, const std::string& engine = "interp");

}  // namespace polc::driver
