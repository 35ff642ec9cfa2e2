// Rendering a policy diff (and, with impact.h, its impact) as readable text or as the JSON of
// docs/diff.md (schema "polc-diff", version 1).
#pragma once

#include <string>
#include <string_view>

#include "compiler/diff/diff.h"
#include "runtime/json.h"

namespace polc::diff {

inline constexpr int kDiffSchemaVersion = 1;

// ANSI colour (for a terminal) or none.
struct Style {
  bool color = false;
  std::string Bold(std::string_view s) const;
  std::string Old(std::string_view s) const;  // red
  std::string New(std::string_view s) const;  // green
  std::string Dim(std::string_view s) const;
};

// The two policies' files and headers, for the report's first lines.
struct Sides {
  std::string old_file, new_file;
  const ir::Program* old_program = nullptr;
  const ir::Program* new_program = nullptr;
};

std::string DiffText(const Sides& sides, const PolicyDiff& diff, const Style& style);
// The JSON object's members for the policy diff ("old", "new", "differences", "areas"),
// without the braces, so the impact can be added alongside.
std::string DiffJsonMembers(const Sides& sides, const PolicyDiff& diff);

// JSON quoting, shared with the impact's rendering.
using rt::JsonQuote;

}  // namespace polc::diff

namespace polc::diff {
struct Impact;
std::string ImpactText(const Impact& impact, const Style& style);
std::string ImpactJson(const Impact& impact);  // one JSON object
}  // namespace polc::diff
