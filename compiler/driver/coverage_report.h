// The coverage report of `polc test --coverage`: what the cases reached of a policy, by kind,
// and every item they never reached, as text or as a JSON object (docs/testing.md).
#pragma once

#include <cstddef>
#include <string>

#include "compiler/interp/coverage.h"

namespace polc::driver {

// `policy` is the path as given; `cases` the number of case directories settled.
std::string CoverageText(const std::string& policy, const interp::Coverage& coverage, size_t cases);
// One JSON object (no trailing newline): policy, cases, covered, total, percent, kinds (covered
// and total per kind), items (every item with its hits) and not_reached (the items with none).
std::string CoverageJson(const std::string& policy, const interp::Coverage& coverage, size_t cases);

}  // namespace polc::driver
