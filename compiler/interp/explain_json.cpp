// The JSON rendering of a trace: schema "polc-trace", version kTraceSchemaVersion, described field by field in
// docs/trace.md. Scripts depend on it, so fields are only ever added with a version bump.
#include <fmt/format.h>

#include "compiler/interp/explain.h"
#include "compiler/io/results.h"
#include "runtime/json.h"

namespace polc::interp {

using ir::Value;
using rt::JsonQuote;

namespace {

class JsonWriter {
 public:
  JsonWriter(const ir::Program& program, const Inputs& inputs, uint32_t subject, const Trace& trace)
      : p_(program), in_(inputs), subject_(subject), trace_(trace) {}

  std::string Render() {
    std::string out = fmt::format("{{\"schema\":\"polc-trace\",\"version\":{},\"explains\":\"{}\"",
                                  kTraceSchemaVersion, trace_.event >= 0 ? "claim" : "person");
    out += fmt::format(",\"policy\":{{\"file\":{},\"title\":{},\"region\":{},\"year\":{}}}", JsonQuote(p_.file),
                       JsonQuote(p_.header.title), JsonQuote(p_.header.region), p_.header.year);
    out += ",\"subject\":" + Row(in_.subjects, subject_, in_.subject_file, in_.SubjectKey(subject_));
    if (trace_.event >= 0) {
      const uint32_t event = static_cast<uint32_t>(trace_.event);
      out += ",\"event\":" + Row(in_.events, event, in_.event_file, in_.EventKey(event));
    } else {
      out += ",\"event\":null";
    }
    out += ",\"subject_rules\":[";
    size_t n = 0;
    for (const RuleStep* step : RelevantSubjectSteps(p_, trace_)) {
      ++n;
      if (n > 1) out += ",";
      out += Step(*step, n);
    }
    out += "],\"event_rules\":[";
    n = 0;
    for (const RuleStep& step : trace_.event_rules) {
      ++n;
      if (n > 1) out += ",";
      out += Step(step, n);
    }
    out += "],\"year_end_rules\":[";
    n = 0;
    for (const RuleStep& step : trace_.year_end_rules) {
      ++n;
      if (n > 1) out += ",";
      out += Step(step, n);
    }
    out += "],\"accumulators\":[";
    n = 0;
    for (const AccStep& step : trace_.accumulators) {
      if (n++ > 0) out += ",";
      out += Acc(step);
    }
    out += "],\"outputs\":[";
    std::string outputs;
    for (int kind = 0; kind < 3; ++kind) {
      const std::vector<Value>& values = kind == 0   ? trace_.subject_output
                                         : kind == 1 ? trace_.event_output
                                                     : trace_.year_end_output;
      if (p_.output_of[kind] < 0 || values.empty()) continue;
      if (!outputs.empty()) outputs += ",";
      outputs += Output(kind, values);
    }
    return out + outputs + "]}\n";
  }

 private:
  std::string V(const ir::Type& type, const Value& value) const {
    return value.present ? JsonQuote(ShowValue(p_, in_, type, value)) : "null";
  }

  // `,"label":...` when the type is an enumeration (null: the word has no label, or absent).
  std::string Label(const ir::Type& type, const Value& value, const char* field = "label") const {
    if (type.base != ir::Base::Enum) return "";
    const std::string label = WordLabel(p_, type, value);
    return fmt::format(",\"{}\":{}", field, label.empty() ? "null" : JsonQuote(label));
  }

  std::string Money(int64_t fen) const { return V({ir::Base::Money, -1, false}, {fen, 0, true}); }
  std::string Rate(int64_t bp) const { return V({ir::Base::Rate, -1, false}, {bp, 0, true}); }

  std::string Tables(const RuleStep& step) {
    std::string out;
    for (const TraceTableRead& read : step.tables) {
      const ir::Table& table = p_.tables[static_cast<size_t>(read.table)];
      const ir::TableColumn& column = table.columns[static_cast<size_t>(read.column)];
      std::string row = "null";
      const ir::Citation* cite = table.cite.text.empty() ? nullptr : &table.cite;
      const char* cite_of = cite ? "\"table\"" : "null";
      if (read.row >= 0) {
        const ir::TableRow& r = table.rows[static_cast<size_t>(read.row)];
        row = fmt::format("{{\"location\":{},\"cite\":{}}}", r.range.Valid() ? Loc(r.range) : "null",
                          r.cite.text.empty() ? "null" : JsonQuote(r.cite.text));
        if (!r.cite.text.empty()) {
          cite = &r.cite;
          cite_of = "\"row\"";
        }
      }
      out += fmt::format(
          "{}{{\"table\":{},\"column\":{},\"key\":{}{},\"type\":{},\"value\":{}{},\"row\":{},\"cite\":{},"
          "\"cite_of\":{}}}",
          out.empty() ? "" : ",", JsonQuote(table.name), table.record_valued ? JsonQuote(column.name) : "null",
          V(table.key_type, read.key), Label(table.key_type, read.key, "key_label"), JsonQuote(TypeName(p_, column.type)),
          V(column.type, read.value), Label(column.type, read.value), row, cite ? JsonQuote(cite->text) : "null", cite_of);
    }
    return out;
  }

  std::string Brackets(const RuleStep& step) {
    std::string out;
    for (const TraceBrackets& eval : step.brackets) {
      const ir::Brackets& b = p_.brackets[static_cast<size_t>(eval.brackets)];
      std::string call = "null";
      if (eval.call.Valid()) {
        std::string args;
        for (const auto& [type, value] : eval.call_args) {
          args += fmt::format("{}{{\"type\":{},\"value\":{}{}}}", args.empty() ? "" : ",", JsonQuote(TypeName(p_, type)),
                              V(type, value), Label(type, value));
        }
        call = fmt::format("{{\"location\":{},\"arguments\":[{}]}}", Loc(eval.call), args);
      }
      std::string segments;
      for (const BracketSegment& s : BracketSegments(b, eval.amount.a, eval.shift)) {
        segments += fmt::format(
            "{}{{\"row\":{},\"lower\":{},\"upper\":{},\"part\":{},\"row_rate\":{},\"rate\":{},\"paid\":{},"
            "\"location\":{}}}",
            segments.empty() ? "" : ",", s.row, Money(s.lower), s.upper < 0 ? "null" : Money(s.upper), Money(s.part),
            Rate(s.rate - eval.shift), Rate(s.rate), Money(s.paid), Loc(b.rows[static_cast<size_t>(s.row)].range));
      }
      out += fmt::format(
          "{}{{\"name\":{},\"location\":{},\"amount\":{},\"shift\":{},\"result\":{},\"call\":{},"
          "\"segments\":[{}],\"cite\":{}}}",
          out.empty() ? "" : ",", JsonQuote(b.name), Loc(b.range), Money(eval.amount.a), Rate(eval.shift),
          V({ir::Base::Money, -1, true}, eval.result), call, segments, b.cite.text.empty() ? "null" : JsonQuote(b.cite.text));
    }
    return out;
  }

  std::string Accumulated(const RuleStep& step) {
    std::string out;
    for (const TraceAccRead& read : step.acc_reads) {
      const AccStep* acc_step = AccStepOf(trace_, read);
      if (acc_step == nullptr) continue;
      const ir::Accumulator& acc = p_.accumulators[static_cast<size_t>(read.acc)];
      const ir::Type type{acc.type.base, -1, false};
      out += fmt::format("{}{{\"name\":{},\"key\":{}{},\"type\":{},\"before\":{},\"after\":{}}}",
                         out.empty() ? "" : ",", JsonQuote(acc.name), Key(acc, read.key), KeyLabel(acc, read.key),
                         JsonQuote(TypeName(p_, type)), V(type, acc_step->before), V(type, acc_step->after));
    }
    return out;
  }

  std::string KeyLabel(const ir::Accumulator& acc, const Value& key) const {
    return acc.key_kind == ir::AccKey::Enum ? Label(AccKeyType(acc), key, "key_label") : "";
  }

  std::string Loc(const SourceRange& range) const {
    return fmt::format("{{\"file\":{},\"line\":{},\"column\":{}}}", JsonQuote(p_.file), range.begin_line,
                       range.begin_col);
  }

  std::string Row(const RecordTable& table, uint32_t row, const std::string& file, const std::string& key) {
    std::string fields;
    for (size_t f = 0; f < table.Decl().fields.size(); ++f) {
      const ir::Field& field = table.Decl().fields[f];
      const Value value = table.Get(row, static_cast<int32_t>(f));
      fields += fmt::format("{}{{\"name\":{},\"type\":{},\"value\":{}{}}}", f ? "," : "", JsonQuote(field.name),
                            JsonQuote(TypeName(p_, field.type)), V(field.type, value), Label(field.type, value));
    }
    return fmt::format("{{\"record\":{},\"key\":{},\"file\":{},\"line\":{},\"fields\":[{}]}}",
                       JsonQuote(table.Decl().name), JsonQuote(key), JsonQuote(file), table.Line(row), fields);
  }

  std::string Step(const RuleStep& step, size_t index) {
    const ir::Rule& rule = p_.rules[static_cast<size_t>(step.rule)];
    const char* stage = rule.stage == ir::Stage::Event     ? "event"
                        : rule.stage == ir::Stage::YearEnd ? "year_end"
                        : rule.stage == ir::Stage::Subject ? "subject"
                                                           : "const";
    std::string out = fmt::format("{{\"index\":{},\"rule\":{},\"stage\":\"{}\",\"type\":{},\"value\":{}", index,
                                  JsonQuote(rule.name), stage, JsonQuote(TypeName(p_, rule.type)), V(rule.type, step.value));
    out += Label(rule.type, step.value);
    out += ",\"location\":" + Loc(rule.range);
    const ir::Citation* cite = &rule.cite;
    if (step.branch >= 0) {
      const ir::Exception& e = rule.exceptions[static_cast<size_t>(step.branch)];
      out += fmt::format(",\"branch\":\"exception\",\"exception\":{{\"index\":{},\"label\":{},\"location\":{}}}",
                         step.branch, e.label.empty() ? "null" : JsonQuote(e.label), Loc(e.range));
      if (!e.cite.text.empty()) cite = &e.cite;
    } else {
      out += ",\"branch\":\"default\",\"exception\":null";
    }
    out += ",\"tested\":[";
    for (size_t e = 0; e < step.conditions.size(); ++e) {
      const std::string& label = rule.exceptions[e].label;
      out += fmt::format("{}{{\"index\":{},\"label\":{},\"held\":{}}}", e ? "," : "", e,
                         label.empty() ? "null" : JsonQuote(label), step.conditions[e] ? "true" : "false");
    }
    out += "],\"cite\":" + (cite->text.empty() ? std::string("null") : JsonQuote(cite->text));
    std::string inputs;
    auto add = [&](const std::string& item) {
      if (!inputs.empty()) inputs += ",";
      inputs += item;
    };
    for (size_t d = 0; d < rule.rule_deps.size(); ++d) {
      const ir::Rule& dep = p_.rules[static_cast<size_t>(rule.rule_deps[d])];
      const Value value = step.dep_known[d] ? step.deps[d] : Value::Absent();
      add(fmt::format("{{\"kind\":\"rule\",\"name\":{},\"type\":{},\"evaluated\":{},\"value\":{}{}}}", JsonQuote(dep.name),
                      JsonQuote(TypeName(p_, dep.type)), step.dep_known[d] ? "true" : "false", V(dep.type, value),
                      Label(dep.type, value)));
    }
    for (const auto& [record, slot] : step.fields) {
      if (record == 1 && trace_.event < 0) continue;
      const RecordTable& table = record == 0 ? in_.subjects : in_.events;
      const uint32_t row = record == 0 ? subject_ : static_cast<uint32_t>(trace_.event);
      const ir::Field& field = table.Decl().fields[static_cast<size_t>(slot)];
      add(fmt::format("{{\"kind\":\"field\",\"record\":{},\"name\":{},\"type\":{},\"value\":{}{}}}",
                      JsonQuote(table.Decl().name), JsonQuote(field.name), JsonQuote(TypeName(p_, field.type)),
                      V(field.type, table.Get(row, slot)), Label(field.type, table.Get(row, slot))));
    }
    for (int32_t param : step.params) {
      const ir::Param& decl = p_.params[static_cast<size_t>(param)];
      const Value value = static_cast<size_t>(param) < trace_.params.size() ? trace_.params[static_cast<size_t>(param)] : Value::Absent();
      add(fmt::format("{{\"kind\":\"param\",\"name\":{},\"type\":{},\"value\":{}{}}}", JsonQuote(decl.name),
                      JsonQuote(TypeName(p_, decl.type)), V(decl.type, value), Label(decl.type, value)));
    }
    for (const TraceAccRead& read : step.acc_reads) {
      const ir::Accumulator& acc = p_.accumulators[static_cast<size_t>(read.acc)];
      add(fmt::format("{{\"kind\":\"accumulator\",\"name\":{},\"read\":\"{}\",\"key\":{}{},\"type\":{},\"value\":{}}}",
                      JsonQuote(acc.name), read.room ? "room" : read.year_total ? "year_total" : "total", Key(acc, read.key),
                      KeyLabel(acc, read.key), JsonQuote(TypeName(p_, acc.type)), V(acc.type, read.value)));
    }
    return out + ",\"inputs\":[" + inputs + "],\"tables\":[" + Tables(step) + "],\"brackets\":[" + Brackets(step) +
           "],\"accumulated\":[" + Accumulated(step) + "]}";
  }

  std::string Key(const ir::Accumulator& acc, const Value& key) const {
    return acc.key_kind == ir::AccKey::None ? "null" : V(AccKeyType(acc), key);
  }

  std::string Acc(const AccStep& step) {
    const ir::Accumulator& acc = p_.accumulators[static_cast<size_t>(step.acc)];
    const ir::Type type{acc.type.base, -1, false};
    return fmt::format(
        "{{\"name\":{},\"type\":{},\"keyed\":{},\"key\":{}{},\"updated\":{},\"before\":{},\"after\":{},\"cap\":{},"
        "\"location\":{}}}",
        JsonQuote(acc.name), JsonQuote(TypeName(p_, type)), acc.key_kind != ir::AccKey::None ? "true" : "false",
        Key(acc, step.key), KeyLabel(acc, step.key), step.updated ? "true" : "false", V(type, step.before), V(type, step.after),
        V(type, step.cap), Loc(acc.range));
  }

  std::string Output(int kind, const std::vector<Value>& values) {
    const ir::Output& output = p_.outputs[static_cast<size_t>(p_.output_of[kind])];
    std::string columns;
    for (size_t c = 0; c < output.columns.size() && c < values.size(); ++c) {
      const ir::OutputColumn& column = output.columns[c];
      columns += fmt::format("{}{{\"name\":{},\"type\":{},\"value\":{}{},\"cell\":{}}}", c ? "," : "",
                             JsonQuote(column.name), JsonQuote(TypeName(p_, column.value->type)),
                             V(column.value->type, values[c]), Label(column.value->type, values[c]),
                             JsonQuote(io::FormatCell(p_, in_, column.value->type, values[c], column.absent)));
    }
    return fmt::format("{{\"name\":{},\"record\":{},{}\"columns\":[{}]}}", JsonQuote(output.name),
                       JsonQuote(p_.records[output.record].name), output.year_end ? "\"year_end\":true," : "",
                       columns);
  }

  const ir::Program& p_;
  const Inputs& in_;
  uint32_t subject_;
  const Trace& trace_;
};

}  // namespace

std::string ExplainJson(const ir::Program& program, const Inputs& inputs, uint32_t subject,
                        const Trace& trace) {
  return JsonWriter(program, inputs, subject, trace).Render();
}

}  // namespace polc::interp
