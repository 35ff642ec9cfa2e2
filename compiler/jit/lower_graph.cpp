// The call graph of memoized definitions (rules, accumulator keys and caps): refusing cycles,
// and deciding whether to inline every definition into the entry points. Inlined, the event
// memo is a handful of SSA values instead of a stack array shared through calls, which is
// most of the distance to hand-written code; but a definition is copied once per path that
// reaches it, so a policy whose copies would add up past a budget keeps its calls.
#include <functional>

#include <fmt/format.h>

#include "compiler/jit/lower_internal.h"

namespace polc::jit {

using ir::Node;
using ir::Op;

namespace {

// IR nodes (a proxy for the LLVM code a definition becomes) that copies may add up to.
constexpr int64_t kInlineBudget = 20000;

}  // namespace

void Lowerer::AnalyzeCalls() {
  const size_t rules = program_.rules.size(), accs = program_.accumulators.size();
  const size_t root = rules + 2 * accs;  // the entry points
  std::vector<std::vector<size_t>> calls(root + 1);  // one entry per call site
  std::vector<int64_t> size(root + 1, 0);
  auto scan = [&](size_t from, const Node* body) {
    Walk(body, [&](const Node& n) {
      ++size[from];
      if (n.op == Op::Rule) calls[from].push_back(static_cast<size_t>(n.a));
      const size_t acc = static_cast<size_t>(n.a);
      if ((n.op == Op::AccRead || n.op == Op::AccRoom) && n.kids.empty() && key_memo_[acc].fn) {
        calls[from].push_back(rules + acc);
      }
      if (n.op == Op::AccRoom && cap_memo_[acc].fn) calls[from].push_back(rules + accs + acc);
    });
  };
  for (size_t r = 0; r < rules; ++r) {
    scan(r, program_.rules[r].value.get());
    for (const ir::Exception& e : program_.rules[r].exceptions) {
      scan(r, e.condition.get());
      scan(r, e.value.get());
    }
  }
  for (size_t a = 0; a < accs; ++a) {
    const ir::Accumulator& acc = program_.accumulators[a];
    scan(rules + a, acc.key.get());
    scan(rules + accs + a, acc.cap.get());
    scan(root, acc.condition.get());
    scan(root, acc.value.get());
    if (key_memo_[a].fn) calls[root].push_back(rules + a);
    if (cap_memo_[a].fn) calls[root].push_back(rules + accs + a);
  }
  for (const ir::Output& output : program_.outputs) {
    for (const ir::OutputColumn& column : output.columns) scan(root, column.value.get());
  }

  // A cycle would recurse forever in native code: the interpreter reports it, we refuse it.
  std::vector<uint8_t> color(root + 1, 0);
  std::vector<size_t> post_order;
  std::function<void(size_t)> visit = [&](size_t v) {
    color[v] = 1;
    for (size_t w : calls[v]) {
      if (w >= root) throw LowerError("a reference outside the program");
      if (color[w] == 1) {
        throw LowerError(w < rules ? fmt::format("rule {} depends on itself", program_.rules[w].name)
                                   : "an accumulator's key or cap depends on itself");
      }
      if (color[w] == 0) visit(w);
    }
    color[v] = 2;
    post_order.push_back(v);
  };
  for (size_t v = 0; v <= root; ++v) {
    if (color[v] == 0) visit(v);
  }

  // Copies of each definition once everything is inlined: the number of call paths from the
  // entry points, counted in topological order (callers before callees). Saturating, since
  // paths multiply.
  std::vector<int64_t> paths(root + 1, 0);
  paths[root] = 1;
  int64_t cost = 0;
  for (auto it = post_order.rbegin(); it != post_order.rend(); ++it) {
    const size_t v = *it;
    if (v != root) cost = std::min(kInlineBudget + 1, cost + paths[v] * size[v]);
    for (size_t w : calls[v]) paths[w] = std::min(kInlineBudget + 1, paths[w] + paths[v]);
  }
  inline_cost_ = cost;
  inline_memos_ = cost <= kInlineBudget;
}

}  // namespace polc::jit
