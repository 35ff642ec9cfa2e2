// Tracing one settlement and rendering it as readable text (see explain.h).
#include "compiler/interp/explain.h"

#include <fmt/format.h>

#include "compiler/io/results.h"

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
    } else {
      Line(0, fmt::format("{} {} ({}:{}), under {}", p_.records[0].name, in_.SubjectKey(subject_),
                          in_.subject_file, in_.subjects.Line(subject_), p_.file));
    }
    Line(0, fmt::format("{} {} ({}:{})", p_.records[0].name, in_.SubjectKey(subject_),
                        in_.subject_file, in_.subjects.Line(subject_)));
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
      text += field.name + "=" + ShowValue(p_, in_, field.type, table.Get(row, static_cast<int32_t>(f)));
    }
    Line(1, text);
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
    Line(1, fmt::format("{}{} = {}    [{}]", head, rule.name, ShowValue(p_, in_, rule.type, step.value),
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
                       (step.dep_known[d] ? ShowValue(p_, in_, dep.type, step.deps[d]) : "(not needed)"));
    }
    for (const auto& [record, slot] : step.fields) {
      const RecordTable& table = record == 0 ? in_.subjects : in_.events;
      const uint32_t row = record == 0 ? subject_ : static_cast<uint32_t>(std::max<int64_t>(trace_.event, 0));
      if (record == 1 && trace_.event < 0) continue;
      const ir::Field& field = table.Decl().fields[static_cast<size_t>(slot)];
      inputs.push_back(field.name + " = " + ShowValue(p_, in_, field.type, table.Get(row, slot)));
    }
    for (int32_t param : step.params) {
      const ir::Param& decl = p_.params[static_cast<size_t>(param)];
      inputs.push_back(decl.name + " = " + ShowValue(p_, in_, decl.type, ParamOf(param)));
    }
    for (const TraceAccRead& read : step.acc_reads) {
      const ir::Accumulator& acc = p_.accumulators[static_cast<size_t>(read.acc)];
      std::string name = read.room         ? fmt::format("room({})", acc.name)
                         : read.year_total ? fmt::format("year_total({})", acc.name)
                                           : acc.name;
      if (acc.key_kind != ir::AccKey::None) name += fmt::format("[{}]", ShowValue(p_, in_, AccKeyType(acc), read.key));
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
  }

  Value ParamOf(int32_t param) const {
    const size_t i = static_cast<size_t>(param);
    return i < trace_.params.size() ? trace_.params[i] : Value::Absent();
  }

  void Acc(const AccStep& step) {
    const ir::Accumulator& acc = p_.accumulators[static_cast<size_t>(step.acc)];
    std::string name = acc.name;
    if (acc.key_kind != ir::AccKey::None) name += fmt::format("[{}]", ShowValue(p_, in_, AccKeyType(acc), step.key));
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
