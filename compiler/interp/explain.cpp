// Tracing one settlement and rendering it as readable text (see explain.h).
#include "compiler/interp/explain.h"

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "compiler/io/results.h"
#include "runtime/money.h"

namespace polc::interp {

using ir::Base;
using ir::Value;

bool FindEvent(const Inputs& inputs, std::string_view key, uint32_t& event) {
  for (uint32_t e = 0; e < inputs.events.Size(); ++e) {
    if (inputs.EventKey(e) == key) {
      event = e;
      return true;
    }
  }
  return false;
}

bool FindSubject(const Inputs& inputs, std::string_view key, uint32_t& subject) {
  for (uint32_t s = 0; s < inputs.subjects.Size(); ++s) {
    if (inputs.SubjectKey(s) == key) {
      subject = s;
      return true;
    }
  }
  return false;
}

namespace {
class NullSink : public RowSink {
 public:
  void SubjectRow(uint32_t, std::span<const Value>) override {}
  void EventRow(uint32_t, std::span<const Value>) override {}
};
}  // namespace

Trace TraceSettlement(Interpreter& interp, const Inputs& inputs, uint32_t subject, int64_t event) {
  Trace trace;
  trace.event = event;
  for (size_t i = 0; i < interp.Program().params.size(); ++i) {
    trace.params.push_back(interp.ParamValue(static_cast<int32_t>(i)));
  }
  SettleOptions options;
  options.events = event >= 0;
  options.stop_after_event = event;
  NullSink sink;
  interp.SettleSubject(inputs, subject, sink, options, &trace);
  if (interp.Program().output_of[2] >= 0) {
    // The year-end values need every event of the subject: a second, whole settlement of it,
    // tracing no event, gives them and the rules behind them.
    Trace year_end;
    year_end.event = -2;  // no event row has this index
    SettleOptions whole;
    whole.year_end_output = true;
    interp.SettleSubject(inputs, subject, sink, whole, &year_end);
    trace.year_end_rules = std::move(year_end.year_end_rules);
    trace.year_end_output = std::move(year_end.year_end_output);
  }
  return trace;
}

std::string TypeName(const ir::Program& program, const ir::Type& type) {
  std::string name = ir::BaseName(type.base);
  if (type.base == Base::Enum && type.enum_id >= 0) name = program.enums[static_cast<size_t>(type.enum_id)].name;
  if (type.base == Base::Record && type.enum_id >= 0) name = program.tables[static_cast<size_t>(type.enum_id)].name;
  return type.optional ? name + "?" : name;
}

std::string ShowValue(const ir::Program& program, const Inputs& inputs, const ir::Type& type,
                      const Value& value) {
  return io::FormatCell(program, inputs, type, value, "none");
}

ir::Type AccKeyType(const ir::Accumulator& acc) {
  if (acc.key_kind == ir::AccKey::Enum) return {Base::Enum, acc.key_enum, acc.key_optional};
  return {Base::Int, -1, acc.key_optional};
}

std::string WordLabel(const ir::Program& program, const ir::Type& type, const Value& value) {
  if (type.base != Base::Enum || type.enum_id < 0 || !value.present) return "";
  const ir::Enum& e = program.enums[static_cast<size_t>(type.enum_id)];
  if (value.a < 0 || static_cast<size_t>(value.a) >= e.words.size()) return "";
  return e.words[static_cast<size_t>(value.a)].label;
}

// Mirrors rt::BracketSum segment by segment.
std::vector<BracketSegment> BracketSegments(const ir::Brackets& brackets, int64_t amount, int64_t shift) {
  std::vector<BracketSegment> out;
  const size_t n = brackets.rows.size();
  if (amount <= 0) return out;
  for (size_t i = 0; i < n; ++i) {
    const int64_t lower = std::max<int64_t>(brackets.rows[i].lower, 0);
    if (amount <= lower) break;
    const int64_t upper = i + 1 < n ? std::min(amount, brackets.rows[i + 1].lower) : amount;
    if (upper <= lower) continue;
    BracketSegment s;
    s.row = static_cast<int32_t>(i);
    s.lower = brackets.rows[i].lower;
    s.upper = brackets.rows[i].upper;
    s.part = upper - lower;
    s.rate = brackets.rows[i].rate + shift;
    s.paid = rt::MulRate(s.part, s.rate);
    out.push_back(s);
  }
  return out;
}

const AccStep* AccStepOf(const Trace& trace, const TraceAccRead& read) {
  if (trace.event < 0 || read.year_total) return nullptr;
  for (const AccStep& step : trace.accumulators) {
    if (step.acc == read.acc && step.key == read.key) return &step;
  }
  return nullptr;
}

std::vector<const RuleStep*> RelevantSubjectSteps(const ir::Program& program, const Trace& trace) {
  std::vector<const RuleStep*> out;
  if (trace.event < 0) {
    for (const RuleStep& step : trace.subject_rules) out.push_back(&step);
    return out;
  }
  // Follow what the event's evaluations really read, through subject rules.
  std::vector<const RuleStep*> step_of(program.rules.size(), nullptr);
  for (const RuleStep& step : trace.subject_rules) step_of[static_cast<size_t>(step.rule)] = &step;
  std::vector<uint8_t> wanted(program.rules.size(), 0);
  std::vector<const RuleStep*> work;
  for (const RuleStep& step : trace.event_rules) work.push_back(&step);
  while (!work.empty()) {
    const RuleStep* step = work.back();
    work.pop_back();
    for (int32_t read : step->reads) {
      const size_t r = static_cast<size_t>(read);
      if (wanted[r] || step_of[r] == nullptr) continue;
      wanted[r] = 1;
      work.push_back(step_of[r]);
    }
  }
  for (const RuleStep& step : trace.subject_rules) {
    if (wanted[static_cast<size_t>(step.rule)]) out.push_back(&step);
  }
  return out;
}

// ---------------------------------------------------------------- text

namespace {

class TextWriter {
 public:
  TextWriter(const ir::Program& program, const SourceFile* source, const Inputs& inputs,
             uint32_t subject, const Trace& trace)
      : p_(program), source_(source), in_(inputs), subject_(subject), trace_(trace) {}

  std::string Render() {
    const bool has_event = trace_.event >= 0;
    const uint32_t event = has_event ? static_cast<uint32_t>(trace_.event) : 0;
    if (has_event) {
      Line(0, fmt::format("{} {} of {} {} ({}:{}), under {}", p_.records[1].name, in_.EventKey(event),
                          p_.records[0].name, in_.SubjectKey(subject_), in_.event_file,
                          in_.events.Line(event), p_.file));
      Fields(in_.events, event);
      Line(0, fmt::format("{} {} ({}:{})", p_.records[0].name, in_.SubjectKey(subject_),
                          in_.subject_file, in_.subjects.Line(subject_)));
    } else {
      Line(0, fmt::format("{} {} ({}:{}), under {}", p_.records[0].name, in_.SubjectKey(subject_),
                          in_.subject_file, in_.subjects.Line(subject_), p_.file));
    }
    Fields(in_.subjects, subject_);
    const std::vector<const RuleStep*> subject_steps = RelevantSubjectSteps(p_, trace_);
    out_ += "\n";
    Line(0, has_event ? fmt::format("{} rules this {} relies on:", p_.records[0].name, p_.records[1].name)
                      : fmt::format("{} rules:", p_.records[0].name));
    for (const RuleStep* step : subject_steps) Step(*step, 0);
    if (has_event) {
      out_ += "\n";
      Line(0, fmt::format("{} rules, in evaluation order:", p_.records[1].name));
      size_t n = 0;
      for (const RuleStep& step : trace_.event_rules) Step(step, ++n);
      out_ += "\n";
      Line(0, "accumulators (before -> after):");
      for (const AccStep& step : trace_.accumulators) Acc(step);
    }
    out_ += "\n";
    Output(0, trace_.subject_output);
    if (has_event) Output(1, trace_.event_output);
    if (!trace_.year_end_output.empty()) {
      out_ += "\n";
      Line(0, fmt::format("at year end, after the {}'s last {}:", p_.records[0].name, p_.records[1].name));
      for (const RuleStep& step : trace_.year_end_rules) Step(step, 0);
      Output(2, trace_.year_end_output);
    }
    return out_;
  }

 private:
  void Line(int indent, const std::string& text) {
    out_.append(static_cast<size_t>(indent) * 2, ' ');
    out_ += text;
    out_ += "\n";
  }

  std::string Loc(const SourceRange& range) const {
    return fmt::format("{}:{}:{}", p_.file, range.begin_line, range.begin_col);
  }

  void Fields(const RecordTable& table, uint32_t row) {
    std::string text;
    for (size_t f = 0; f < table.Decl().fields.size(); ++f) {
      const ir::Field& field = table.Decl().fields[f];
      if (!text.empty()) text += ", ";
      text += field.name + "=" + Labeled(field.type, table.Get(row, static_cast<int32_t>(f)));
    }
    Line(1, text);
  }

  // A value as result files write it, with its word's label beside an enumeration word:
  // `level1 (一级)`.
  std::string Labeled(const ir::Type& type, const Value& value) const {
    std::string text = ShowValue(p_, in_, type, value);
    const std::string label = WordLabel(p_, type, value);
    return label.empty() ? text : fmt::format("{} ({})", text, label);
  }

  std::string Money(int64_t fen) const { return rt::FormatMoney(fen); }
  std::string Rate(int64_t bp) const { return ShowValue(p_, in_, {Base::Rate, -1, false}, {bp, 0, true}); }

  // The source text of a range on one line (its first line when it spans more), columns being
  // code points.
  std::string SourceText(const SourceRange& range) const {
    if (source_ == nullptr || !range.Valid()) return "";
    const std::string_view line = source_->Line(range.begin_line);
    auto byte_of = [&](uint32_t col) {
      size_t at = 0;
      for (uint32_t c = 1; c < col && at < line.size(); ++c) {
        ++at;
        while (at < line.size() && (static_cast<unsigned char>(line[at]) & 0xC0) == 0x80) ++at;
      }
      return at;
    };
    const size_t begin = byte_of(range.begin_col);
    const size_t end = range.end_line == range.begin_line ? byte_of(range.end_col) : line.size();
    return end > begin ? std::string(line.substr(begin, end - begin)) : "";
  }

  // Which row each table lookup used, and what that row (or else the table) cites.
  void Tables(const RuleStep& step) {
    for (const TraceTableRead& read : step.tables) {
      const ir::Table& table = p_.tables[static_cast<size_t>(read.table)];
      std::string name = fmt::format("{}[{}]", table.name, Labeled(table.key_type.Optional(), read.key));
      if (table.record_valued) name += "." + table.columns[static_cast<size_t>(read.column)].name;
      const ir::Type type = table.columns[static_cast<size_t>(read.column)].type;
      if (read.row < 0) {
        Line(3, fmt::format("table {} = none (no row){}", name,
                            table.cite.text.empty() ? "" : fmt::format("; table cites: {}", table.cite.text)));
        continue;
      }
      const ir::TableRow& row = table.rows[static_cast<size_t>(read.row)];
      std::string where = row.range.Valid() ? fmt::format("row {}", Loc(row.range))
                                            : fmt::format("row {} of {}", Labeled(table.key_type, read.key),
                                                          table.csv_path.empty() ? p_.file : table.csv_path);
      std::string cite = !row.cite.text.empty()   ? fmt::format("; row cites: {}", row.cite.text)
                         : !table.cite.text.empty() ? fmt::format("; table cites: {}", table.cite.text)
                                                    : "";
      Line(3, fmt::format("table {} = {}    [{}{}]", name, Labeled(type, read.value), where, cite));
    }
  }

  // Each scale evaluation: its segments with their rates, and the accumulated totals it ran on.
  void Brackets(const RuleStep& step) {
    for (const TraceBrackets& eval : step.brackets) {
      const ir::Brackets& b = p_.brackets[static_cast<size_t>(eval.brackets)];
      std::string head = fmt::format("brackets {}({}{}) = {}", b.name, Money(eval.amount.a),
                                     eval.shift != 0 ? fmt::format(", shift {}", Rate(eval.shift)) : "",
                                     Money(eval.result.a));
      if (eval.call.Valid()) {
        const std::string call = SourceText(eval.call);
        std::string args;
        for (const auto& [type, value] : eval.call_args) args += (args.empty() ? "" : ", ") + Labeled(type, value);
        head += fmt::format(", in {}{}", call.empty() ? Loc(eval.call) : "`" + call + "`",
                            args.empty() ? "" : " with " + args);
      }
      Line(3, head + ":");
      const std::vector<BracketSegment> segments = BracketSegments(b, eval.amount.a, eval.shift);
      if (segments.empty()) Line(4, "nothing above the first row's lower bound: 0.00");
      for (const BracketSegment& s : segments) {
        const std::string bounds = s.upper < 0 ? fmt::format("above {}", Money(s.lower))
                                               : fmt::format("{} .. {}", Money(s.lower), Money(s.upper));
        const std::string rate = eval.shift != 0 ? fmt::format("{} ({} {} {})", Rate(s.rate), Rate(s.rate - eval.shift),
                                                               eval.shift > 0 ? "+" : "-", Rate(std::abs(eval.shift)))
                                                 : Rate(s.rate);
        Line(4, fmt::format("{} at {}: {} x {} = {}    [{}]", bounds, rate, Money(s.part), Rate(s.rate),
                            Money(s.paid), Loc(b.rows[static_cast<size_t>(s.row)].range)));
      }
      if (segments.size() > 1) {
        int64_t sum = 0;
        for (const BracketSegment& s : segments) sum += s.paid;
        Line(4, sum == eval.result.a ? fmt::format("total {}", Money(eval.result.a))
                                     : fmt::format("total {} (the exact products summed, rounded once)",
                                                   Money(eval.result.a)));
      }
      if (!b.cite.text.empty()) Line(4, fmt::format("cites: {}", b.cite.text));
    }
    if (step.brackets.empty()) return;
    std::string totals;
    for (const TraceAccRead& read : step.acc_reads) {
      const AccStep* acc_step = AccStepOf(trace_, read);
      if (acc_step == nullptr || read.room) continue;
      const ir::Accumulator& acc = p_.accumulators[static_cast<size_t>(read.acc)];
      const ir::Type type{acc.type.base, -1, false};
      std::string name = acc.name;
      if (acc.key_kind != ir::AccKey::None) name += fmt::format("[{}]", Labeled(AccKeyType(acc), read.key));
      totals += fmt::format("{}{} {} before this {} -> {} after", totals.empty() ? "" : ", ", name,
                            ShowValue(p_, in_, type, acc_step->before), p_.records[1].name,
                            ShowValue(p_, in_, type, acc_step->after));
    }
    if (!totals.empty()) Line(3, "accumulated: " + totals);
  }

  // The clause's first source line, to show which exception and why.
  std::string Quote(const SourceRange& range) const {
    if (source_ == nullptr || !range.Valid()) return "";
    std::string_view line = source_->Line(range.begin_line);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    return fmt::format(" `{}`", line);
  }

  std::string ExceptionName(const ir::Rule& rule, size_t e) const {
    const std::string& label = rule.exceptions[e].label;
    return label.empty() ? fmt::format("#{}", e + 1) : label;
  }

  void Step(const RuleStep& step, size_t number) {
    const ir::Rule& rule = p_.rules[static_cast<size_t>(step.rule)];
    const std::string head = number > 0 ? fmt::format("{}. ", number) : "- ";
    Line(1, fmt::format("{}{} = {}    [{}]", head, rule.name, Labeled(rule.type, step.value),
                        Loc(rule.range)));
    const ir::Citation* cite = &rule.cite;
    if (step.branch >= 0) {
      const ir::Exception& e = rule.exceptions[static_cast<size_t>(step.branch)];
      Line(3, fmt::format("exception {} applies ({}){}", ExceptionName(rule, static_cast<size_t>(step.branch)),
                          Loc(e.range), Quote(e.range)));
      if (!e.cite.text.empty()) cite = &e.cite;
    } else if (!rule.exceptions.empty()) {
      Line(3, "default: no exception applies");
    }
    std::string tested;
    for (size_t e = 0; e < step.conditions.size(); ++e) {
      if (static_cast<int32_t>(e) == step.branch) continue;
      if (!tested.empty()) tested += ", ";
      tested += ExceptionName(rule, e) + (step.conditions[e] ? " (holds)" : " (does not hold)");
    }
    if (!tested.empty()) Line(3, fmt::format("tested first: {}", tested));
    if (!cite->text.empty()) Line(3, fmt::format("cites: {}", cite->text));
    std::vector<std::string> inputs;
    for (size_t d = 0; d < rule.rule_deps.size(); ++d) {
      const ir::Rule& dep = p_.rules[static_cast<size_t>(rule.rule_deps[d])];
      inputs.push_back(dep.name + " = " +
                       (step.dep_known[d] ? Labeled(dep.type, step.deps[d]) : "(not needed)"));
    }
    for (const auto& [record, slot] : step.fields) {
      const RecordTable& table = record == 0 ? in_.subjects : in_.events;
      const uint32_t row = record == 0 ? subject_ : static_cast<uint32_t>(std::max<int64_t>(trace_.event, 0));
      if (record == 1 && trace_.event < 0) continue;
      const ir::Field& field = table.Decl().fields[static_cast<size_t>(slot)];
      inputs.push_back(field.name + " = " + Labeled(field.type, table.Get(row, slot)));
    }
    for (int32_t param : step.params) {
      const ir::Param& decl = p_.params[static_cast<size_t>(param)];
      inputs.push_back(decl.name + " = " + Labeled(decl.type, ParamOf(param)));
    }
    for (const TraceAccRead& read : step.acc_reads) {
      const ir::Accumulator& acc = p_.accumulators[static_cast<size_t>(read.acc)];
      std::string name = read.room         ? fmt::format("room({})", acc.name)
                         : read.year_total ? fmt::format("year_total({})", acc.name)
                                           : acc.name;
      if (acc.key_kind != ir::AccKey::None) name += fmt::format("[{}]", Labeled(AccKeyType(acc), read.key));
      inputs.push_back(name + " = " + ShowValue(p_, in_, {acc.type.base, -1, true}, read.value));
    }
    if (!inputs.empty()) {
      std::string text;
      for (const std::string& input : inputs) {
        if (!text.empty()) text += ", ";
        text += input;
      }
      Line(3, fmt::format("reads: {}", text));
    }
    Tables(step);
    Brackets(step);
  }

  Value ParamOf(int32_t param) const {
    const size_t i = static_cast<size_t>(param);
    return i < trace_.params.size() ? trace_.params[i] : Value::Absent();
  }

  void Acc(const AccStep& step) {
    const ir::Accumulator& acc = p_.accumulators[static_cast<size_t>(step.acc)];
    std::string name = acc.name;
    if (acc.key_kind != ir::AccKey::None) name += fmt::format("[{}]", Labeled(AccKeyType(acc), step.key));
    const ir::Type type{acc.type.base, -1, false};
    if (!step.updated) {
      Line(1, fmt::format("{} = {} (unchanged: condition does not hold)", name, ShowValue(p_, in_, type, step.before)));
      return;
    }
    Line(1, fmt::format("{}: {} -> {}{}", name, ShowValue(p_, in_, type, step.before),
                        ShowValue(p_, in_, type, step.after),
                        step.cap.present ? fmt::format(" (cap {})", ShowValue(p_, in_, type, step.cap)) : ""));
  }

  void Output(int kind, const std::vector<Value>& values) {
    if (p_.output_of[kind] < 0 || values.empty()) return;
    const ir::Output& output = p_.outputs[static_cast<size_t>(p_.output_of[kind])];
    std::string text;
    for (size_t c = 0; c < output.columns.size() && c < values.size(); ++c) {
      if (!text.empty()) text += ", ";
      text += output.columns[c].name + "=" +
              io::FormatCell(p_, in_, output.columns[c].value->type, values[c], output.columns[c].absent);
    }
    Line(0, fmt::format("output {}: {}", output.name, text));
  }

  const ir::Program& p_;
  const SourceFile* source_;
  const Inputs& in_;
  uint32_t subject_;
  const Trace& trace_;
  std::string out_;
};

}  // namespace

std::string ExplainText(const ir::Program& program, const SourceFile* source,
                        const Inputs& inputs, uint32_t subject, const Trace& trace) {
  return TextWriter(program, source, inputs, subject, trace).Render();
}

}  // namespace polc::interp
