// Coverage counters and their items (see coverage.h).
#include "compiler/interp/coverage.h"

#include <algorithm>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "compiler/io/results.h"
#include "runtime/money.h"

namespace polc::interp {

using ir::Node;
using ir::Op;

Coverage::Coverage(const ir::Program& program) : program_(program) {
  size_t n = 0;
  for (const ir::Rule& rule : program.rules) {
    rule_offset_.push_back(n);
    n += rule.exceptions.size() + 1;
  }
  rule_counts_.assign(n, 0);
  n = 0;
  for (const ir::Table& table : program.tables) {
    table_offset_.push_back(n);
    n += table.rows.size();
  }
  table_counts_.assign(n, 0);
  n = 0;
  for (const ir::Brackets& brackets : program.brackets) {
    brackets_offset_.push_back(n);
    n += brackets.rows.size();
  }
  brackets_counts_.assign(n, 0);
  // What a settlement evaluates: rules, accumulators and outputs (not the parameters, which
  // are computed once beforehand, nor the requirements, checked while reading).
  for (const ir::Rule& rule : program.rules) {
    if (rule.value) Register(*rule.value);
    for (const ir::Exception& e : rule.exceptions) {
      if (e.condition) Register(*e.condition);
      if (e.value) Register(*e.value);
    }
  }
  for (const ir::Accumulator& acc : program.accumulators) {
    for (const ir::NodePtr* node : {&acc.key, &acc.value, &acc.condition, &acc.cap}) {
      if (*node) Register(**node);
    }
  }
  for (const ir::Output& output : program.outputs) {
    for (const ir::OutputColumn& column : output.columns) {
      if (column.value) Register(*column.value);
    }
  }
}

void Coverage::Register(const Node& node) {
  if ((node.op == Op::If || node.op == Op::Match) && !node_offset_.count(&node)) {
    node_offset_.emplace(&node, node_counts_.size());
    nodes_.push_back(&node);
    node_counts_.resize(node_counts_.size() + (node.op == Op::If ? 2 : node.kids.size() - 1), 0);
  }
  for (const ir::NodePtr& kid : node.kids) {
    if (kid) Register(*kid);
  }
}

void Coverage::BracketAmount(size_t brackets, int64_t amount) {
  // A segment is reached when the amount is above its lower bound (rt::BracketSum).
  const ir::Brackets& b = program_.brackets[brackets];
  for (size_t i = 0; i < b.rows.size(); ++i) {
    if (amount <= std::max<int64_t>(b.rows[i].lower, 0)) break;
    ++brackets_counts_[brackets_offset_[brackets] + i];
  }
}

const char* Coverage::KindName(Kind kind) {
  switch (kind) {
    case Kind::Rule: return "rules";
    case Kind::Exception: return "exceptions";
    case Kind::Default: return "defaults";
    case Kind::IfBranch: return "if_branches";
    case Kind::MatchArm: return "match_arms";
    case Kind::TableRow: return "table_rows";
    case Kind::BracketSegment: return "bracket_segments";
  }
  return "?";
}

namespace {

std::string Joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

using Place = std::tuple<uint32_t, uint32_t, uint32_t, uint32_t>;
Place PlaceOf(const SourceRange& r) { return {r.begin_line, r.begin_col, r.end_line, r.end_col}; }

}  // namespace

std::vector<Coverage::Item> Coverage::Items() const {
  std::vector<Item> items;
  for (size_t r = 0; r < program_.rules.size(); ++r) {
    const ir::Rule& rule = program_.rules[r];
    const uint64_t* counts = &rule_counts_[rule_offset_[r]];
    uint64_t total = 0;
    for (size_t b = 0; b <= rule.exceptions.size(); ++b) total += counts[b];
    items.push_back({Kind::Rule, rule.name, "", "rule " + rule.name, rule.range, total, ""});
    if (rule.exceptions.empty()) continue;
    for (size_t e = 0; e < rule.exceptions.size(); ++e) {
      const ir::Exception& ex = rule.exceptions[e];
      const std::string part = ex.label.empty() ? fmt::format("#{}", e + 1) : ex.label;
      const std::string what = ex.label.empty() ? fmt::format("exception {} of rule {}", e + 1, rule.name)
                                                : fmt::format("exception {} of rule {}", ex.label, rule.name);
      items.push_back({Kind::Exception, rule.name, part, what, ex.range, counts[e + 1], ""});
    }
    items.push_back({Kind::Default, rule.name, "default",
                     fmt::format("default of rule {} (no exception applied)", rule.name),
                     rule.value ? rule.value->range : rule.range, counts[0], ""});
  }
  // `if` and `match`: one item per branch of each source place.
  std::map<Place, size_t> first_of_place;  // place -> index into items of its first branch
  for (const Node* node : nodes_) {
    const size_t offset = node_offset_.at(node);
    const size_t branches = node->op == Op::If ? 2 : node->kids.size() - 1;
    auto [it, fresh] = first_of_place.emplace(PlaceOf(node->range), items.size());
    if (!fresh) {
      for (size_t b = 0; b < branches; ++b) items[it->second + b].hits += node_counts_[offset + b];
      continue;
    }
    if (node->op == Op::If) {
      const std::string where = fmt::format("{}:{}", node->range.begin_line, node->range.begin_col);
      items.push_back({Kind::IfBranch, "", "then", fmt::format("then branch of the if at {}", where),
                       node->kids[1]->range, node_counts_[offset], ""});
      items.push_back({Kind::IfBranch, "", "else", fmt::format("else branch of the if at {}", where),
                       node->kids[2]->range, node_counts_[offset + 1], ""});
      continue;
    }
    const int32_t enum_id = node->kids[0]->type.enum_id;
    for (size_t arm = 0; arm < branches; ++arm) {
      std::vector<std::string> words;
      for (size_t w = 0; w < node->arm_of_word.size(); ++w) {
        if (node->arm_of_word[w] != static_cast<int32_t>(arm)) continue;
        words.push_back(enum_id >= 0 ? program_.enums[static_cast<size_t>(enum_id)].words[w].name
                                     : fmt::format("#{}", w));
      }
      const std::string part = Joined(words);
      items.push_back({Kind::MatchArm, "", part,
                       fmt::format("match arm {} of the match at {}:{}", part.empty() ? "(no word)" : part,
                                   node->range.begin_line, node->range.begin_col),
                       node->kids[1 + arm]->range, node_counts_[offset + arm], ""});
    }
  }
  for (size_t t = 0; t < program_.tables.size(); ++t) {
    const ir::Table& table = program_.tables[t];
    const uint64_t* counts = table.rows.empty() ? nullptr : &table_counts_[table_offset_[t]];
    if (!table.csv_path.empty()) {
      const std::string file = table.csv_path.substr(table.csv_path.find_last_of('/') + 1);
      for (size_t r = 0; r < table.rows.size(); ++r) {
        const std::string part = fmt::format("key {}", table.rows[r].key);
        items.push_back({Kind::TableRow, table.name, part,
                         fmt::format("table {} row {} ({})", table.name, part, file), table.range, counts[r], file});
      }
      continue;
    }
    // An inline table: one item per written row (an enumeration table's `else` row, or a row
    // listing several keys, stands for several rows of the IR).
    std::map<Place, size_t> item_of_row;
    for (size_t r = 0; r < table.rows.size(); ++r) {
      const ir::TableRow& row = table.rows[r];
      const std::string key = table.key_type.base == ir::Base::Enum
                                  ? program_.enums[static_cast<size_t>(table.key_type.enum_id)]
                                        .words[static_cast<size_t>(row.key)].name
                                  : fmt::format("{}", row.key);
      auto [it, fresh] = item_of_row.emplace(PlaceOf(row.range), items.size());
      if (fresh) {
        items.push_back({Kind::TableRow, table.name, key, "", row.range, counts[r], ""});
      } else {
        items[it->second].part += ", " + key;
        items[it->second].hits += counts[r];
      }
    }
    for (const auto& [place, index] : item_of_row) {
      items[index].what = fmt::format("table {} row {}", table.name, items[index].part);
    }
  }
  for (size_t b = 0; b < program_.brackets.size(); ++b) {
    const ir::Brackets& brackets = program_.brackets[b];
    for (size_t r = 0; r < brackets.rows.size(); ++r) {
      const ir::BracketRow& row = brackets.rows[r];
      const std::string part = row.upper < 0 ? fmt::format("{} ..", rt::FormatMoney(row.lower))
                                             : fmt::format("{} .. {}", rt::FormatMoney(row.lower), rt::FormatMoney(row.upper));
      items.push_back({Kind::BracketSegment, brackets.name, part,
                       fmt::format("brackets {} segment {} ({})", brackets.name, part, io::FormatRate(row.rate)),
                       row.range, brackets_counts_[brackets_offset_[b] + r], ""});
    }
  }
  std::stable_sort(items.begin(), items.end(), [](const Item& x, const Item& y) {
    if (x.range.begin_line != y.range.begin_line) return x.range.begin_line < y.range.begin_line;
    if (x.range.begin_col != y.range.begin_col) return x.range.begin_col < y.range.begin_col;
    return static_cast<int>(x.kind) < static_cast<int>(y.kind);
  });
  return items;
}

}  // namespace polc::interp
