// The IR listing behind `polc --emit=ir`: every declaration with its resolved types, and
// expressions as s-expressions that name the rules, parameters, tables, fields and
// accumulators they use (ids alone would make the listing unreadable).
#include <fmt/format.h>

#include "compiler/ir/ir.h"
#include "runtime/date.h"
#include "runtime/money.h"

namespace polc::ir {
namespace {

constexpr size_t kWidth = 100;

const char* kRecordRole[2] = {"subject", "event"};

// Names by id, tolerating ids out of range so a broken program still prints.
template <typename T>
std::string NameAt(const std::vector<T>& items, int64_t id, const char* what) {
  if (id >= 0 && static_cast<size_t>(id) < items.size()) return items[id].name;
  return fmt::format("{}#{}", what, id);
}

std::string TypeName(const Program& p, const Type& t) {
  std::string out = BaseName(t.base);
  if (t.base == Base::Enum) out = NameAt(p.enums, t.enum_id, "enum");
  if (t.base == Base::Record) out = "row of " + NameAt(p.tables, t.enum_id, "table");
  return t.optional ? out + "?" : out;
}

// Basis points as a percentage with at most two decimals: 8500 -> 85%, 6250 -> 62.5%.
std::string FormatRate(int64_t bp) {
  std::string sign = bp < 0 ? "-" : "";
  uint64_t v = bp < 0 ? -static_cast<uint64_t>(bp) : static_cast<uint64_t>(bp);
  std::string out = sign + std::to_string(v / 100);
  if (v % 100 != 0) {
    std::string frac = fmt::format("{:02}", v % 100);
    if (frac.back() == '0') frac.pop_back();
    out += "." + frac;
  }
  return out + "%";
}

std::string FormatDuration(int64_t months, int64_t days) {
  if (months != 0 && days != 0) return fmt::format("{} months {} days", months, days);
  if (months != 0) return fmt::format("{} months", months);
  return fmt::format("{} days", days);
}

std::string Words(const Program& p, int32_t enum_id, uint64_t mask) {
  std::string out;
  for (int w = 0; w < 64; ++w) {
    if (!(mask >> w & 1)) continue;
    if (!out.empty()) out += " ";
    bool known = enum_id >= 0 && static_cast<size_t>(enum_id) < p.enums.size() &&
                 static_cast<size_t>(w) < p.enums[enum_id].words.size();
    out += known ? p.enums[enum_id].words[w].name : fmt::format("#{}", w);
  }
  return out;
}

const char* OpName(Op op) {
  switch (op) {
    case Op::Const: return "const";
    case Op::Param: return "param";
    case Op::Field: return "field";
    case Op::Rule: return "rule";
    case Op::Local: return "local";
    case Op::Let: return "let";
    case Op::AccRead: return "acc";
    case Op::AccRoom: return "acc-room";
    case Op::AccYearTotal: return "acc-year-total";
    case Op::TableGet: return "table";
    case Op::Brackets: return "brackets";
    case Op::Add: return "add";
    case Op::Sub: return "sub";
    case Op::MulRate: return "mul-rate";
    case Op::Mul: return "mul";
    case Op::Neg: return "neg";
    case Op::Not: return "not";
    case Op::And: return "and";
    case Op::Or: return "or";
    case Op::Eq: return "eq";
    case Op::Ne: return "ne";
    case Op::Lt: return "lt";
    case Op::Le: return "le";
    case Op::Gt: return "gt";
    case Op::Ge: return "ge";
    case Op::InSet: return "in-set";
    case Op::InPeriod: return "in-period";
    case Op::PeriodStart: return "period-start";
    case Op::PeriodEnd: return "period-end";
    case Op::Months: return "months";
    case Op::Days: return "days";
    case Op::If: return "if";
    case Op::Match: return "match";
    case Op::Min: return "min";
    case Op::Max: return "max";
    case Op::Present: return "present";
    case Op::ValueOr: return "value-or";
  }
  return "?";
}

// The head of a node's s-expression (operator and immediate operands) and its children, so
// the same pieces serve the one-line and the broken form.
struct Parts {
  std::string head;                  // "(op a b" without the closing parenthesis
  std::vector<std::string> leading;  // labels printed before a child ("[a b]" for match arms)
  std::vector<const Node*> kids;
  std::string atom;                  // set instead of head for leaves
};

std::string ConstText(const Program& p, const Node& n) {
  std::string v = FormatValue(p, n.type, n.value);
  // A value with spaces in it is wrapped so the s-expression stays unambiguous.
  if (n.value.present && (n.type.base == Base::Duration || n.type.base == Base::Period))
    v = fmt::format("({} {})", n.type.base == Base::Duration ? "duration" : "period", v);
  if (n.a > 0) return fmt::format("(const {} {})", NameAt(p.params, n.a - 1, "param"), v);
  return v;
}

Parts Split(const Program& p, const Node& n) {
  Parts parts;
  parts.head = std::string("(") + OpName(n.op);
  switch (n.op) {
    case Op::Const: parts.atom = ConstText(p, n); return parts;
    case Op::Param: parts.atom = "(param " + NameAt(p.params, n.a, "param") + ")"; return parts;
    case Op::Rule: parts.atom = "(rule " + NameAt(p.rules, n.a, "rule") + ")"; return parts;
    case Op::Local: parts.atom = fmt::format("(local {})", n.a); return parts;
    case Op::Field: {
      bool ok = n.a >= 0 && n.a < 2;
      std::string name = ok ? NameAt(p.records[n.a].fields, n.b, "field") : "?";
      parts.atom = fmt::format("(field {} {} {})", ok ? kRecordRole[n.a] : "?", n.b, name);
      return parts;
    }
    case Op::Let: parts.head += fmt::format(" {}", n.a); break;
    case Op::AccRead:
    case Op::AccYearTotal:
    case Op::AccRoom: parts.head += " " + NameAt(p.accumulators, n.a, "accumulator"); break;
    case Op::Brackets: parts.head += " " + NameAt(p.brackets, n.a, "brackets"); break;
    case Op::TableGet: {
      parts.head += " " + NameAt(p.tables, n.a, "table");
      if (n.b >= 0 && n.a >= 0 && static_cast<size_t>(n.a) < p.tables.size())
        parts.head += "." + NameAt(p.tables[n.a].columns, n.b, "column");
      break;
    }
    case Op::InSet: {
      int32_t e = n.kids.empty() ? -1 : n.kids[0]->type.enum_id;
      for (const NodePtr& k : n.kids) parts.kids.push_back(k.get());
      parts.leading.assign(parts.kids.size(), "");
      parts.kids.push_back(nullptr);  // the set itself, as a label only
      parts.leading.push_back("{" + Words(p, e, static_cast<uint64_t>(n.a)) + "}");
      return parts;
    }
    case Op::Match: {
      int32_t e = n.kids.empty() ? -1 : n.kids[0]->type.enum_id;
      for (size_t i = 0; i < n.kids.size(); ++i) {
        parts.kids.push_back(n.kids[i].get());
        if (i == 0) {
          parts.leading.push_back("");
          continue;
        }
        uint64_t mask = 0;
        for (size_t w = 0; w < n.arm_of_word.size() && w < 64; ++w)
          if (n.arm_of_word[w] == static_cast<int32_t>(i - 1)) mask |= uint64_t{1} << w;
        parts.leading.push_back("[" + Words(p, e, mask) + "] ");
      }
      return parts;
    }
    default: break;
  }
  for (const NodePtr& k : n.kids) parts.kids.push_back(k.get());
  parts.leading.assign(parts.kids.size(), "");
  return parts;
}

std::string Flat(const Program& p, const Node& n) {
  Parts parts = Split(p, n);
  if (!parts.atom.empty()) return parts.atom;
  std::string out = parts.head;
  for (size_t i = 0; i < parts.kids.size(); ++i)
    out += " " + parts.leading[i] + (parts.kids[i] ? Flat(p, *parts.kids[i]) : "");
  return out + ")";
}

// One line when it fits; otherwise each operand on its own line, indented under the head.
std::string Pretty(const Program& p, const Node& n, size_t indent) {
  std::string flat = Flat(p, n);
  if (indent + flat.size() <= kWidth) return flat;
  Parts parts = Split(p, n);
  if (!parts.atom.empty()) return parts.atom;
  std::string out = parts.head;
  for (size_t i = 0; i < parts.kids.size(); ++i) {
    const std::string& label = parts.leading[i];
    out += "\n" + std::string(indent + 2, ' ') + label;
    if (!parts.kids[i]) continue;
    // A match arm whose value does not fit after its words starts the value on a new line.
    if (!label.empty() && indent + 2 + label.size() + Flat(p, *parts.kids[i]).size() > kWidth) {
      out.pop_back();  // the space after the words
      out += "\n" + std::string(indent + 4, ' ') + Pretty(p, *parts.kids[i], indent + 4);
    } else {
      out += Pretty(p, *parts.kids[i], indent + 2 + label.size());
    }
  }
  return out + ")";
}

std::string Range(const SourceRange& r) {
  return r.Valid() ? fmt::format("  @{}:{}", r.begin_line, r.begin_col) : "";
}

std::string Cite(const Citation& c, size_t indent) {
  return c.text.empty() ? "" : std::string(indent, ' ') + "cite " + QuoteString(c.text) + "\n";
}

class Lister {
 public:
  explicit Lister(const Program& p) : p_(p) {}

  std::string Expr(const Node* n, size_t indent) { return n ? Pretty(p_, *n, indent) : "(none)"; }

  std::string Header() {
    const ir::Header& h = p_.header;
    std::string out = fmt::format("program {}\n", QuoteString(p_.file));
    out += fmt::format("header {} region {} year {}{}\n", QuoteString(h.title), QuoteString(h.region), h.year, Range(h.range));
    if (!h.source.empty()) out += "  source " + QuoteString(h.source) + "\n";
    return out;
  }

  std::string Enums() {
    std::string out;
    for (size_t i = 0; i < p_.enums.size(); ++i) {
      const Enum& e = p_.enums[i];
      out += fmt::format("\nenum {} {}{}\n", i, e.name, Range(e.range));
      for (size_t w = 0; w < e.words.size(); ++w)
        out += fmt::format("  {} {}{}\n", w, e.words[w].name, e.words[w].label.empty() ? "" : " " + QuoteString(e.words[w].label));
    }
    return out;
  }

  std::string Records() {
    std::string out;
    for (int r = 0; r < 2; ++r) {
      const Record& rec = p_.records[r];
      if (rec.name.empty() && rec.fields.empty()) continue;
      out += fmt::format("\nrecord {} {} key {}", kRecordRole[r], rec.name, NameAt(rec.fields, rec.key_field, "field"));
      if (rec.parent_field >= 0) out += " parent " + NameAt(rec.fields, rec.parent_field, "field");
      if (rec.order_field >= 0) out += " order " + NameAt(rec.fields, rec.order_field, "field");
      out += Frame(rec.frame_size) + Range(rec.range) + "\n";
      for (size_t f = 0; f < rec.fields.size(); ++f)
        out += fmt::format("  {} {}: {}\n", f, rec.fields[f].name, TypeName(p_, rec.fields[f].type));
      for (const Requirement& req : rec.requirements)
        out += "  require " + Expr(req.condition.get(), 10) + "\n    message " + QuoteString(req.message) + "\n";
    }
    return out;
  }

  std::string Params() {
    std::string out = p_.params.empty() ? "" : "\n";
    for (size_t i = 0; i < p_.params.size(); ++i) {
      const Param& par = p_.params[i];
      std::string head = fmt::format("param {} {}: {} = ", i, par.name, TypeName(p_, par.type));
      // A folded constant prints as its bare value here; the name is already on the line.
      std::string value = par.value && par.value->op == Op::Const ? FormatValue(p_, par.value->type, par.value->value)
                                                                   : Expr(par.value.get(), head.size());
      out += head + value + Range(par.range) + "\n" + Cite(par.cite, 2);
    }
    return out;
  }

  std::string Sets() {
    std::string out = p_.sets.empty() ? "" : "\n";
    for (size_t i = 0; i < p_.sets.size(); ++i) {
      const Set& s = p_.sets[i];
      out += fmt::format("set {} {}: {} = {{{}}}{}\n", i, s.name, NameAt(p_.enums, s.enum_id, "enum"),
                         Words(p_, s.enum_id, s.mask), Range(s.range));
      out += Cite(s.cite, 2);
    }
    return out;
  }

  std::string Tables() {
    std::string out;
    for (size_t i = 0; i < p_.tables.size(); ++i) {
      const Table& t = p_.tables[i];
      std::string columns;
      for (size_t c = 0; c < t.columns.size(); ++c)
        columns += fmt::format("{}{}: {}", c ? ", " : "", t.columns[c].name, TypeName(p_, t.columns[c].type));
      out += fmt::format("\ntable {} {}: {} -> {}{}{}{}\n", i, t.name, TypeName(p_, t.key_type),
                         t.record_valued ? "{ " + columns + " }" : TypeName(p_, t.columns.empty() ? Type{} : t.columns[0].type),
                         t.csv_path.empty() ? "" : " csv " + QuoteString(t.csv_path),
                         t.key_type.base == Base::Int ? fmt::format(" ({} rows)", t.rows.size()) : "",
                         Range(t.range));
      for (const TableRow& row : t.rows) {
        std::string key = t.key_type.base == Base::Enum ? FormatValue(p_, t.key_type, Value{row.key})
                                                        : std::to_string(row.key);
        std::string values;
        for (size_t c = 0; c < row.values.size(); ++c)
          values += (c ? ", " : "") + FormatValue(p_, c < t.columns.size() ? t.columns[c].type : Type{}, row.values[c]);
        out += "  " + key + " => " + values + "\n";
      }
      out += Cite(t.cite, 2);
    }
    return out;
  }

  std::string AllBrackets() {
    std::string out;
    for (size_t i = 0; i < p_.brackets.size(); ++i) {
      const Brackets& b = p_.brackets[i];
      out += fmt::format("\nbrackets {} {}{}\n", i, b.name, Range(b.range));
      for (const BracketRow& row : b.rows)
        out += fmt::format("  {} .. {}: {}\n", rt::FormatMoney(row.lower),
                           row.upper < 0 ? "" : rt::FormatMoney(row.upper), FormatRate(row.rate));
      out += Cite(b.cite, 2);
    }
    return out;
  }

  std::string Rules() {
    static const char* stages[] = {"const", "subject", "event", "year_end"};
    std::string out;
    for (size_t i = 0; i < p_.rules.size(); ++i) {
      const Rule& r = p_.rules[i];
      out += fmt::format("\nrule {} {}: {} stage {}{}{}\n", i, r.name, TypeName(p_, r.type),
                         stages[static_cast<int>(r.stage) % 4], Frame(r.frame_size), Range(r.range));
      out += "  default " + Expr(r.value.get(), 10) + "\n" + Cite(r.cite, 4);
      for (const Exception& ex : r.exceptions) {
        out += "  exception" + (ex.label.empty() ? "" : " " + ex.label) + Range(ex.range) + "\n";
        out += "    when " + Expr(ex.condition.get(), 9) + "\n";
        out += "    value " + Expr(ex.value.get(), 10) + "\n" + Cite(ex.cite, 4);
      }
    }
    return out;
  }

  std::string Accumulators() {
    std::string out;
    for (size_t i = 0; i < p_.accumulators.size(); ++i) {
      const Accumulator& a = p_.accumulators[i];
      std::string key = a.key_kind == AccKey::None ? ""
                        : a.key_kind == AccKey::Int ? " by int"
                                                    : " by " + NameAt(p_.enums, a.key_enum, "enum");
      out += fmt::format("\naccumulator {} {}: {} {}{}{}{}{}\n", i, a.name, TypeName(p_, a.type),
                         a.is_count ? "count" : "sum", key, a.key_optional ? "?" : "", Frame(a.frame_size),
                         Range(a.range));
      if (a.key) out += "  key " + Expr(a.key.get(), 6) + "\n";
      if (a.value) out += "  sum " + Expr(a.value.get(), 6) + "\n";
      if (a.condition) out += "  when " + Expr(a.condition.get(), 7) + "\n";
      if (a.cap) out += "  cap " + Expr(a.cap.get(), 6) + "\n";
      out += Cite(a.cite, 2);
    }
    return out;
  }

  std::string Outputs() {
    std::string out;
    for (size_t i = 0; i < p_.outputs.size(); ++i) {
      const Output& o = p_.outputs[i];
      bool ok = o.record >= 0 && o.record < 2;
      out += fmt::format("\noutput {} {} for {} {}{}{}{}\n", i, o.name, ok ? kRecordRole[o.record] : "?",
                         ok ? p_.records[o.record].name : "?", o.year_end ? " at year_end" : "",
                         Frame(o.frame_size), Range(o.range));
      for (const OutputColumn& c : o.columns) {
        std::string head = "  " + c.name + " = ";
        out += head + Expr(c.value.get(), head.size());
        if (!c.absent.empty()) out += " absent " + QuoteString(c.absent);
        if (c.role != ColumnRole::None)
          out += std::string(c.role == ColumnRole::Fund ? " fund " : " income ") + QuoteString(c.label);
        out += "\n";
      }
    }
    return out;
  }

 private:
  static std::string Frame(int32_t size) { return size > 0 ? fmt::format(" frame {}", size) : ""; }
  const Program& p_;
};

}  // namespace

std::string FormatValue(const Program& program, const Type& type, const Value& value) {
  if (!value.present) return "none";
  switch (type.base) {
    case Base::Bool: return value.a ? "true" : "false";
    case Base::Int: return std::to_string(value.a);
    case Base::Money: return rt::FormatMoney(value.a);
    case Base::Rate: return FormatRate(value.a);
    case Base::Date: return rt::FormatDate(static_cast<int32_t>(value.a));
    case Base::Duration: return FormatDuration(value.a, value.b);
    case Base::Period:
      return rt::FormatDate(static_cast<int32_t>(value.a)) + " .. " + rt::FormatDate(static_cast<int32_t>(value.b));
    case Base::Text: return fmt::format("text#{}", value.a);
    case Base::Enum: {
      bool known = type.enum_id >= 0 && static_cast<size_t>(type.enum_id) < program.enums.size() &&
                   value.a >= 0 && static_cast<size_t>(value.a) < program.enums[type.enum_id].words.size();
      return known ? program.enums[type.enum_id].words[value.a].name : fmt::format("#{}", value.a);
    }
    case Base::Record: return fmt::format("row#{}", value.a);
  }
  return std::to_string(value.a);
}

std::string PrintNode(const Program& program, const Node& node) { return Flat(program, node); }

std::string Print(const Program& program) {
  Lister l(program);
  return l.Header() + l.Enums() + l.Records() + l.Params() + l.Sets() + l.Tables() + l.AllBrackets() +
         l.Rules() + l.Accumulators() + l.Outputs();
}

}  // namespace polc::ir
