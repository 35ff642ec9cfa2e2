// IR node builders, type predicates and IR names shared by the files of the expression checker.
#pragma once

#include <memory>

#include "compiler/ir/ir.h"

namespace polc::check {

// The expression checker's files speak IR throughout.
using ir::Base;
using ir::Node;
using ir::NodePtr;
using ir::Op;
using ir::Type;

inline ir::NodePtr Make(ir::Op op, ir::Type type, SourceRange range) {
  auto n = std::make_unique<ir::Node>();
  n->op = op;
  n->type = type;
  n->range = range;
  return n;
}

inline ir::NodePtr Const(ir::Type type, ir::Value v, SourceRange range) {
  auto n = Make(ir::Op::Const, type, range);
  n->value = v;
  return n;
}

// A plain integer as written (b == 1), which may still become money where money is expected.
inline bool IsIntLiteral(const ir::Node& n) {
  return n.op == ir::Op::Const && n.type.base == ir::Base::Int && n.b == 1;
}

inline bool Numeric(ir::Base b) { return b == ir::Base::Money || b == ir::Base::Int || b == ir::Base::Rate; }

inline bool Ordered(ir::Base b) { return Numeric(b) || b == ir::Base::Date; }

}  // namespace polc::check
