// The call graph of memoized definitions (rules, accumulator keys and caps): a definition
// that depends on itself would recurse forever in native code (and in the lowering, which
// emits definitions inline at their first use), so it is refused here.
#include <functional>

#include <fmt/format.h>

#include "compiler/jit/lower_internal.h"

namespace polc::jit {

using ir::Node;
using ir::Op;

void Lowerer::AnalyzeCalls() {
  const size_t rules = program_.rules.size(), accs = program_.accumulators.size();
  const size_t root = rules + 2 * accs;  // the entry points
  std::vector<std::vector<size_t>> calls(root + 1);  // one entry per call site
  auto scan = [&](size_t from, const Node* body) {
    Walk(body, [&](const Node& n) {
      if (n.op == Op::Rule) calls[from].push_back(static_cast<size_t>(n.a));
      const size_t acc = static_cast<size_t>(n.a);
      if ((n.op == Op::AccRead || n.op == Op::AccRoom) && n.kids.empty() && key_memo_[acc].Exists()) {
        calls[from].push_back(rules + acc);
      }
      if (n.op == Op::AccRoom && cap_memo_[acc].Exists()) calls[from].push_back(rules + accs + acc);
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
    if (key_memo_[a].Exists()) calls[root].push_back(rules + a);
    if (cap_memo_[a].Exists()) calls[root].push_back(rules + accs + a);
  }
  for (const ir::Output& output : program_.outputs) {
    for (const ir::OutputColumn& column : output.columns) scan(root, column.value.get());
  }

  // A cycle would recurse forever in native code: the interpreter reports it, we refuse it.
  std::vector<uint8_t> color(root + 1, 0);
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
  };
  for (size_t v = 0; v <= root; ++v) {
    if (color[v] == 0) visit(v);
  }
}

}  // namespace polc::jit
