// The semantic diff of two checked policies (`polc diff OLD NEW`): definitions matched by kind
// and name, their parts compared structurally (expr.h), table cells by key, bracket rows by
// position, sets and enumerations by word, input fields and output columns by name. Each
// change carries both sides' text, source line and cited clause, and the area (`area`
// declaration) it belongs to.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/ir/ir.h"

namespace polc::diff {

// One checked policy: its AST (for structure and spelling) and its IR (for table cells and
// bracket rows as values).
struct PolicySide {
  const ast::Module* module = nullptr;
  const ir::Program* program = nullptr;
};

enum class ChangeKind { Added, Removed, Changed };

// What one side says: the text (a value, a sub-expression or a whole declaration), its line
// and the clause it cites. `present` is false on the missing side of an addition or removal.
struct Side {
  bool present = false;
  std::string text;
  uint32_t line = 0;
  std::string cite;
};

struct Change {
  ChangeKind kind = ChangeKind::Changed;
  std::string decl;  // the declaration keyword: param, rule, table, ... ("policy" for the header)
  std::string name;  // the definition's name
  std::string part;  // which part: "" for the whole definition, "value", "cite",
                     // "exception late_enrollment: when", "[level3].rate", "word none", ...
  Side before, after;
  std::string area;  // the area name; empty when the definition has none
  int order = 0;     // position of the definition (in the new policy, else the old), for sorting
};

struct Area {
  std::string name, label;  // name empty: the generic heading
  std::vector<const Change*> changes;
};

struct PolicyDiff {
  std::vector<Change> changes;  // in report order
  std::vector<Area> areas;      // the changes grouped by area, in the new policy's order
  bool Empty() const { return changes.empty(); }
};

PolicyDiff Compare(const PolicySide& old_side, const PolicySide& new_side);

// The text of a change kind: added, removed, changed.
const char* KindName(ChangeKind kind);

}  // namespace polc::diff
