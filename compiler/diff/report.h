// Rendering a policy diff (and, with impact.h, its impact) as readable text or as the JSON of
// docs/diff.md (schema "polc-diff", version 1).
#pragma once

#include <string>
#include <string_view>

#include "compiler/diff/diff.h"
#include "runtime/json.h"

namespace polc::diff {

inline constexpr int kDiffSchemaVersion = 2;

// Amounts for readers (fen in): "1,234,567.89" (元), "123.46" (万元, rounded half up), a change
// with its sign, and a change as a percentage of `base` with one decimal ("" when base is 0).
std::string Grouped(int64_t fen);
std::string SignedGrouped(int64_t fen);
std::string Wan(int64_t fen);
std::string PercentOf(int64_t change, int64_t base);
// fen / n rounded half up to the fen (0 when n is 0).
int64_t PerHead(int64_t fen, int64_t n);

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
// The impact's first lines: the population's year and how it moved; the warning when more
// than a fifth of the claims are dated outside either policy's year ("" when not).
std::string PopulationLine(const Impact& impact);
std::string OutsideWarning(const Impact& impact);
// The policy diff and the impact (null: none) as CSV rows (`section,...`, docs/diff.md).
std::string DiffCsv(const Sides& sides, const PolicyDiff& diff, const Impact* impact);
// One self-contained HTML page (html_report.cpp).
std::string DiffHtml(const Sides& sides, const PolicyDiff& diff, const Impact* impact);
}  // namespace polc::diff
