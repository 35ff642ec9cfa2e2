// Coverage of a policy by settlements: which rules were evaluated, which of their exceptions
// applied and whether their default was used, which `if` branches and `match` arms were taken,
// which table rows were looked up and which bracket segments an amount reached. The
// interpreter counts into a Coverage when one is attached (Interpreter::SetCoverage), so the
// counts are what the settlement really evaluated; `polc test --coverage` adds up the counts of
// every case and reports what was never reached (docs/testing.md).
//
// Parameters are constants computed once, before any settlement, and are not counted; nor are
// the input requirements (`require`), which are checked while the inputs are read.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/ir/ir.h"

namespace polc::interp {

class Coverage {
 public:
  explicit Coverage(const ir::Program& program);

  // The interpreter's hooks (one thread at a time).
  void RuleBranch(size_t rule, int32_t branch) {  // branch -1: the default
    ++rule_counts_[rule_offset_[rule] + static_cast<size_t>(branch + 1)];
  }
  void TableRow(size_t table, size_t row) { ++table_counts_[table_offset_[table] + row]; }
  void BracketAmount(size_t brackets, int64_t amount);
  // Nodes outside the program's rules, accumulators and outputs are not counted.
  void MatchArm(const ir::Node& match, int32_t arm) { Count(match, static_cast<size_t>(arm)); }
  void IfBranch(const ir::Node& node, bool then_branch) { Count(node, then_branch ? 0 : 1); }

  // What can be covered, grouped by source place: a function's `if` or `match` inlined in two
  // rules, and the words of one table row, are one item each.
  enum class Kind { Rule, Exception, Default, IfBranch, MatchArm, TableRow, BracketSegment };
  static constexpr int kKinds = 7;
  struct Item {
    Kind kind = Kind::Rule;
    std::string declaration;  // the rule, table or brackets it belongs to ("" for if and match)
    std::string part;         // which exception, row, arm, branch or segment ("" for a rule)
    std::string what;         // one line for people: `exception repeat_admission of rule nominal_deductible`
    SourceRange range;        // in the policy (a CSV table's rows: the table declaration)
    uint64_t hits = 0;
    std::string file;         // a CSV table's rows: the file they come from ("" otherwise)
  };
  // Every item, in source order (then by kind).
  std::vector<Item> Items() const;

  // The plural name of a kind, as the reports spell it: "rules", "exceptions", "defaults",
  // "if_branches", "match_arms", "table_rows", "bracket_segments".
  static const char* KindName(Kind kind);

 private:
  void Count(const ir::Node& node, size_t which) {
    auto it = node_offset_.find(&node);
    if (it != node_offset_.end()) ++node_counts_[it->second + which];
  }
  void Register(const ir::Node& node);

  const ir::Program& program_;
  std::vector<size_t> rule_offset_, table_offset_, brackets_offset_;
  std::vector<uint64_t> rule_counts_, table_counts_, brackets_counts_;
  // `if` and `match` nodes: the first counter of each (then/else, or one per arm).
  std::unordered_map<const ir::Node*, size_t> node_offset_;
  std::vector<const ir::Node*> nodes_;  // in registration order
  std::vector<uint64_t> node_counts_;
};

}  // namespace polc::interp
