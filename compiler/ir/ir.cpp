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

}  // namespace polc::ir
