// Tracing a settlement: the notes the evaluator leaves in the innermost open rule step about
// scales and tables, for `polc explain` (explain.h). Only called while a traced rule is open.
#include <algorithm>

#include "compiler/interp/interp.h"

namespace polc::interp {

using ir::Node;
using ir::Value;

void Interpreter::NoteBrackets(const Node& node, const Value& amount, int64_t shift, const Value& result) {
  TraceBrackets note;
  note.brackets = static_cast<int32_t>(node.a);
  note.amount = amount;
  note.shift = shift;
  note.result = result;
  if (!trace_lets_.empty()) {
    // A call's parameters are nested lets sharing the call's range: the innermost call is the
    // run of innermost lets with that range, outermost (the first parameter) first.
    const SourceRange call = trace_lets_.back().first->range;
    note.call = call;
    size_t first = trace_lets_.size();
    while (first > 0) {
      const SourceRange& r = trace_lets_[first - 1].first->range;
      if (r.begin_line != call.begin_line || r.begin_col != call.begin_col || r.end_line != call.end_line ||
          r.end_col != call.end_col) {
        break;
      }
      --first;
    }
    for (size_t i = first; i < trace_lets_.size(); ++i) {
      note.call_args.emplace_back(trace_lets_[i].first->kids[0]->type, trace_lets_[i].second);
    }
  }
  open_steps_.back().brackets.push_back(std::move(note));
}

void Interpreter::NoteTable(const Node& node, const Value& key, int32_t row, const Value& value) {
  std::vector<TraceTableRead>& reads = open_steps_.back().tables;
  const auto table = static_cast<int32_t>(node.a);
  const auto column = static_cast<int32_t>(node.b);
  const bool seen = std::any_of(reads.begin(), reads.end(), [&](const TraceTableRead& r) {
    return r.table == table && r.column == column && r.key == key;
  });
  if (!seen) reads.push_back({table, column, key, row, value});
}

}  // namespace polc::interp
