// Rendering a policy's coverage (see coverage_report.h).
#include "compiler/driver/coverage_report.h"

#include <array>
#include <vector>

#include <fmt/format.h>

#include "runtime/json.h"

namespace polc::driver {

using Item = interp::Coverage::Item;
using Kind = interp::Coverage::Kind;

namespace {

constexpr std::array<Kind, interp::Coverage::kKinds> kKinds = {
    Kind::Rule, Kind::Exception, Kind::Default, Kind::IfBranch, Kind::MatchArm, Kind::TableRow, Kind::BracketSegment};

// The kind of one item: "rule", "exception", "default", "if_branch", "match_arm", "table_row",
// "bracket_segment".
const char* SingularName(Kind kind) {
  switch (kind) {
    case Kind::Rule: return "rule";
    case Kind::Exception: return "exception";
    case Kind::Default: return "default";
    case Kind::IfBranch: return "if_branch";
    case Kind::MatchArm: return "match_arm";
    case Kind::TableRow: return "table_row";
    case Kind::BracketSegment: return "bracket_segment";
  }
  return "?";
}

struct Counts {
  size_t covered = 0, total = 0;
};

struct Summary {
  std::vector<Item> items;
  std::array<Counts, interp::Coverage::kKinds> by_kind{};
  Counts all;
};

Summary Summarize(const interp::Coverage& coverage) {
  Summary s;
  s.items = coverage.Items();
  for (const Item& item : s.items) {
    Counts& k = s.by_kind[static_cast<size_t>(item.kind)];
    ++k.total;
    ++s.all.total;
    if (item.hits > 0) {
      ++k.covered;
      ++s.all.covered;
    }
  }
  return s;
}

std::string Percent(const Counts& c) {
  return c.total == 0 ? "100.0" : fmt::format("{:.1f}", 100.0 * static_cast<double>(c.covered) / static_cast<double>(c.total));
}

}  // namespace

std::string CoverageText(const std::string& policy, const interp::Coverage& coverage, size_t cases) {
  const Summary s = Summarize(coverage);
  std::string out = fmt::format("coverage of {} by {} case{}: {} of {} reached ({}%)\n", policy, cases,
                                cases == 1 ? "" : "s", s.all.covered, s.all.total, Percent(s.all));
  for (Kind kind : kKinds) {
    const Counts& k = s.by_kind[static_cast<size_t>(kind)];
    std::string name = interp::Coverage::KindName(kind);
    for (char& ch : name) {
      if (ch == '_') ch = ' ';
    }
    out += fmt::format("  {:<17} {} of {}\n", name, k.covered, k.total);
  }
  const size_t missed = s.all.total - s.all.covered;
  if (missed == 0) {
    out += "every item was reached\n";
    return out;
  }
  out += fmt::format("never reached ({}):\n", missed);
  for (size_t i = 0; i < s.items.size(); ++i) {
    const Item& item = s.items[i];
    if (item.hits != 0) continue;
    const std::string where = fmt::format("  {}:{}:{}: ", policy, item.range.begin_line, item.range.begin_col);
    if (item.file.empty()) {
      out += where + item.what + "\n";
      continue;
    }
    // A CSV table's rows on one line: their keys.
    std::string keys;
    size_t rows = 0, missed_rows = 0;
    size_t j = i;
    for (; j < s.items.size() && s.items[j].kind == Kind::TableRow && s.items[j].declaration == item.declaration &&
           s.items[j].file == item.file;
         ++j, ++rows) {
      if (s.items[j].hits != 0) continue;
      keys += (missed_rows++ == 0 ? "" : ", ") + s.items[j].part.substr(s.items[j].part.find(' ') + 1);
    }
    out += fmt::format("{}table {} ({}): {} of {} rows, keys {}\n", where, item.declaration, item.file, missed_rows,
                       rows, keys);
    i = j - 1;
  }
  return out;
}

std::string CoverageJson(const std::string& policy, const interp::Coverage& coverage, size_t cases) {
  const Summary s = Summarize(coverage);
  auto item_json = [&](const Item& item) {
    return fmt::format(
        "{{\"kind\": \"{}\", \"declaration\": {}, \"part\": {}, \"what\": {}, \"line\": {}, \"column\": {}, \"hits\": {}}}",
        SingularName(item.kind), rt::JsonQuote(item.declaration), rt::JsonQuote(item.part), rt::JsonQuote(item.what),
        item.range.begin_line, item.range.begin_col, item.hits);
  };
  std::string out = fmt::format("{{\"policy\": {}, \"cases\": {}, \"covered\": {}, \"total\": {}, \"percent\": {},\n",
                                rt::JsonQuote(policy), cases, s.all.covered, s.all.total, Percent(s.all));
  out += " \"kinds\": {";
  for (size_t k = 0; k < kKinds.size(); ++k) {
    out += fmt::format("{}\"{}\": {{\"covered\": {}, \"total\": {}}}", k == 0 ? "" : ", ",
                       interp::Coverage::KindName(kKinds[k]), s.by_kind[k].covered, s.by_kind[k].total);
  }
  out += "},\n \"items\": [";
  bool first = true;
  for (const Item& item : s.items) {
    out += (first ? "\n  " : ",\n  ") + item_json(item);
    first = false;
  }
  out += "],\n \"not_reached\": [";
  first = true;
  for (const Item& item : s.items) {
    if (item.hits != 0) continue;
    out += (first ? "\n  " : ",\n  ") + item_json(item);
    first = false;
  }
  out += "]}";
  return out;
}

}  // namespace polc::driver
