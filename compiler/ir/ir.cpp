// IR utilities shared by the checker and both engines.
#include "compiler/ir/ir.h"

namespace polc::ir {

NodePtr Clone(const Node& node) {
  auto copy = std::make_unique<Node>();
  copy->op = node.op;
  copy->type = node.type;
  copy->range = node.range;
  copy->value = node.value;
  copy->a = node.a;
  copy->b = node.b;
  copy->arm_of_word = node.arm_of_word;
  for (const auto& k : node.kids) copy->kids.push_back(Clone(*k));
  return copy;
}

const char* BaseName(Base base) {
  switch (base) {
    case Base::Bool: return "bool";
    case Base::Int: return "int";
    case Base::Money: return "money";
    case Base::Rate: return "rate";
    case Base::Date: return "date";
    case Base::Duration: return "duration";
    case Base::Period: return "period";
    case Base::Text: return "text";
    case Base::Enum: return "enum";
    case Base::Record: return "row";
  }
  return "?";
}

}  // namespace polc::ir
