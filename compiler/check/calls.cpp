// Calls: the built-in functions (min, max, present, value_or, room), brackets and the
// policy's own functions, whose checked bodies are inlined at each call.
#include <algorithm>

#include "compiler/check/checker.h"
#include "compiler/check/nodes.h"

namespace polc::check {

namespace {

// Shifts the local slots of a cloned function body into the caller's frame.
void ShiftSlots(Node& n, int base) {
  if (n.op == Op::Local || n.op == Op::Let) n.a += base;
  for (auto& k : n.kids) ShiftSlots(*k, base);
}

}  // namespace

NodePtr Checker::Call(const ast::Expr& e, Scope& scope, const Type* expected) {
  const std::string& f = e.text;
  size_t argc = e.args.size();
  auto arity = [&](size_t lo, size_t hi) {
    if (argc >= lo && argc <= hi) return true;
    Error(DiagKind::BadCall, e.range, "{} takes {} argument{}, not {}", f,
          lo == hi ? std::to_string(lo) : fmt::format("{} to {}", lo, hi), hi == 1 ? "" : "s", argc);
    return false;
  };
  if (f == "min" || f == "max") {
    if (argc == 0) return arity(1, 64), nullptr;
    std::vector<NodePtr> args;
    const Type* hint = expected && expected->base == Base::Money ? expected : nullptr;
    // Every argument is checked, so one bad argument hides no error (nor a use) in the others.
    bool failed = false;
    for (auto& a : e.args) {
      args.push_back(Expr(*a, scope, hint));
      failed = failed || !args.back();
    }
    if (failed) return nullptr;
    bool any_money = std::any_of(args.begin(), args.end(),
                                 [](const NodePtr& n) { return n->type.base == Base::Money; });
    bool all_optional = true;
    for (auto& a : args) {
      if (any_money && IsIntLiteral(*a)) Coerce(a, Type{Base::Money}, e.range, "");
      all_optional = all_optional && a->type.optional;
    }
    Type t;
    for (size_t i = 1; i < args.size(); ++i)
      if (!Unify(args[0], args[i], e.range, "the arguments of min/max", t)) return nullptr;
    // Durations of one unit only: checked once every rule is known (durations.cpp).
    if (!Ordered(args[0]->type.base) && args[0]->type.base != Base::Duration) {
      Error(DiagKind::TypeMismatch, e.range, "{} needs numbers, dates or durations, not {}", f,
            TypeName(args[0]->type));
      return nullptr;
    }
    auto n = Make(f == "min" ? Op::Min : Op::Max, args[0]->type.Required(), e.range);
    n->type.optional = all_optional;
    n->kids = std::move(args);
    return n;
  }
  if (f == "present") {
    if (!arity(1, 1)) return nullptr;
    NodePtr a = Expr(*e.args[0], scope, nullptr);
    if (!a) return nullptr;
    if (!a->type.optional) {
      Error(DiagKind::TypeMismatch, e.range, "present() needs a value that may be absent; this is {}",
            TypeName(a->type));
      return nullptr;
    }
    auto n = Make(Op::Present, Type{Base::Bool}, e.range);
    n->kids.push_back(std::move(a));
    return n;
  }
  if (f == "value_or") {
    if (!arity(2, 2)) return nullptr;
    NodePtr a = Expr(*e.args[0], scope, expected ? &*std::make_unique<Type>(expected->Optional()) : nullptr);
    if (!a) return nullptr;
    NodePtr b = ExpectType(*e.args[1], scope, a->type.Required());
    if (!b) return nullptr;
    auto n = Make(Op::ValueOr, a->type.Required(), e.range);
    n->kids.push_back(std::move(a));
    n->kids.push_back(std::move(b));
    return n;
  }
  if (f == "room") {
    if (!arity(1, 1)) return nullptr;
    const ast::Expr& arg = *e.args[0];
    Symbol* s = arg.kind == ast::ExprKind::Name ? Lookup(arg.text) : nullptr;
    if (!s || s->kind != SymKind::Accumulator) {
      Error(DiagKind::BadCall, arg.range, "room() takes the name of an accumulator");
      return nullptr;
    }
    s->used = true;
    const ir::Accumulator& acc = p_.accumulators[s->id];
    if (!acc_decls_[s->id]->cap) {
      Error(DiagKind::BadCall, arg.range, "accumulator {} has no cap, so it has no room", acc.name);
      return nullptr;
    }
    if (!scope.event_fields) {
      Error(DiagKind::StageMismatch, e.range, "room() can only be used while settling a {}",
            p_.records[1].name);
      return nullptr;
    }
    auto n = Make(Op::AccRoom, acc.type, e.range);
    n->type.optional = acc_decls_[s->id]->cap != nullptr;  // refined once the cap is checked
    n->a = s->id;
    if (scope.deps) {
      scope.deps->acc_reads.insert(s->id);
      scope.deps->Raise(ir::Stage::Event);
    }
    return n;
  }
  if (f == "year_total") {
    // The accumulator's total over all the subject's events: only after the last one, so the
    // value is of the year-end stage (a per-event value cannot read it; checked with stages).
    if (!arity(1, 1)) return nullptr;
    const ast::Expr& arg = *e.args[0];
    Symbol* s = arg.kind == ast::ExprKind::Name ? Lookup(arg.text) : nullptr;
    if (!s || s->kind != SymKind::Accumulator) {
      Error(DiagKind::BadCall, arg.range, "year_total() takes the name of an accumulator");
      return nullptr;
    }
    s->used = true;
    const ir::Accumulator& acc = p_.accumulators[s->id];
    if (acc_decls_[s->id]->key) {
      Error(DiagKind::BadCall, arg.range, "year_total() of a keyed accumulator ({}) is not supported",
            acc.name);
      return nullptr;
    }
    if (scope.const_only) {
      Error(DiagKind::NotConstant, e.range, "year_total() is not a constant");
      return nullptr;
    }
    auto n = Make(Op::AccYearTotal, acc.type, e.range);
    n->a = s->id;
    if (scope.deps) {
      scope.deps->year_total = true;
      scope.deps->Raise(ir::Stage::Subject);
    }
    return n;
  }
  Symbol* s = Lookup(f);
  if (s && s->kind == SymKind::Brackets) {
    s->used = true;
    if (!arity(1, 2)) return nullptr;
    auto n = Make(Op::Brackets, Type{Base::Money}, e.range);
    n->a = s->id;
    NodePtr amount = ExpectType(*e.args[0], scope, Type{Base::Money});
    if (!amount) return nullptr;
    n->kids.push_back(std::move(amount));
    if (argc == 2) {
      NodePtr shift = ExpectType(*e.args[1], scope, Type{Base::Rate});
      if (!shift) return nullptr;
      n->kids.push_back(std::move(shift));
    }
    return n;
  }
  if (s && s->kind == SymKind::Function) {
    s->used = true;
    if (!CheckFunction(s->id)) return nullptr;
    FunctionInfo& fn = functions_[s->id];
    if (!arity(fn.params.size(), fn.params.size())) return nullptr;
    if (scope.deps) {
      scope.deps->functions.insert(s->id);
      scope.deps->Merge(fn.deps);
    }
    // Inlined: parameters become locals of the caller's frame, bound by nested lets.
    int base = *scope.frame_size;
    *scope.frame_size += fn.frame_size;
    NodePtr body = ir::Clone(*fn.body);
    ShiftSlots(*body, base);
    for (size_t i = fn.params.size(); i-- > 0;) {
      NodePtr arg = ExpectType(*e.args[i], scope, fn.params[i]);
      if (!arg) return nullptr;
      auto let = Make(Op::Let, body->type, e.range);
      let->a = base + static_cast<int>(i);
      let->kids.push_back(std::move(arg));
      let->kids.push_back(std::move(body));
      body = std::move(let);
    }
    return body;
  }
  Error(DiagKind::UnknownName, e.range, "unknown function '{}'", f);
  return nullptr;
}

}  // namespace polc::check
