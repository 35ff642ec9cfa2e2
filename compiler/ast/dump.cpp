// DumpAst (the tree behind `polc --emit=ast`) and SameAst (structural equality for the
// formatter's round trip). Both walk every field of every node, so a field added to ast.h
// needs a line in each.
#include <fmt/format.h>

#include "compiler/ast/print.h"

namespace polc::ast {
namespace {

std::string Range(const SourceRange& r) {
  return fmt::format("[{}:{}-{}:{}]", r.begin_line, r.begin_col, r.end_line, r.end_col);
}

std::string TypeText(const TypeRef& t) { return t.name.name + (t.optional ? "?" : ""); }

std::string Words(const std::vector<Ident>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) out += (i ? ", " : "") + words[i].name;
  return out;
}

const char* KindName(ExprKind k) {
  switch (k) {
    case ExprKind::Int: return "int";
    case ExprKind::Decimal: return "decimal";
    case ExprKind::Wan: return "wan";
    case ExprKind::Percent: return "percent";
    case ExprKind::Date: return "date";
    case ExprKind::Period: return "period";
    case ExprKind::String: return "string";
    case ExprKind::Bool: return "bool";
    case ExprKind::Name: return "name";
    case ExprKind::Call: return "call";
    case ExprKind::Field: return "field";
    case ExprKind::Index: return "index";
    case ExprKind::Unit: return "unit";
    case ExprKind::Unary: return "unary";
    case ExprKind::Binary: return "binary";
    case ExprKind::In: return "in";
    case ExprKind::Let: return "let";
    case ExprKind::If: return "if";
    case ExprKind::Match: return "match";
    case ExprKind::Set: return "set";
  }
  return "?";
}

const char* DeclName(DeclKind k) {
  switch (k) {
    case DeclKind::Header: return "header";
    case DeclKind::Enum: return "enum";
    case DeclKind::Input: return "input";
    case DeclKind::Param: return "param";
    case DeclKind::Set: return "set";
    case DeclKind::Table: return "table";
    case DeclKind::Brackets: return "brackets";
    case DeclKind::Rule: return "rule";
    case DeclKind::Function: return "function";
    case DeclKind::Accumulator: return "accumulator";
    case DeclKind::Output: return "output";
    case DeclKind::Area: return "area";
  }
  return "?";
}

class Dumper {
 public:
  std::string out;

  void Line(int depth, const std::string& text, const SourceRange& r) {
    out += std::string(2 * depth, ' ') + text + " " + Range(r) + "\n";
  }
  void Line(int depth, const std::string& text) { out += std::string(2 * depth, ' ') + text + "\n"; }

  void Expr(int depth, const ast::Expr& e, const std::string& role = "") {
    std::string text = role.empty() ? "" : role + ": ";
    text += KindName(e.kind);
    switch (e.kind) {
      case ExprKind::String: text += " " + QuoteString(e.text); break;
      case ExprKind::Period: text += " " + e.text + " .. " + e.text2; break;
      case ExprKind::In: text += e.negated ? " not" : ""; break;
      case ExprKind::Set: text += " { " + Words(e.words) + " }"; break;
      case ExprKind::If:
      case ExprKind::Match:
      case ExprKind::Index: break;
      default: text += " " + e.text;
    }
    Line(depth, text, e.range);
    for (const auto& a : e.args) Expr(depth + 1, *a);
    for (const MatchArm& arm : e.arms) {
      Line(depth + 1, "arm " + (arm.words.empty() ? std::string("else") : Words(arm.words)), arm.range);
      Expr(depth + 2, *arm.value);
    }
  }

  void Cite(int depth, const std::optional<ast::Cite>& c) {
    if (c) Line(depth, "cite " + QuoteString(c->text), c->range);
  }

  void Decl(const ast::Decl& d) {
    std::string head = std::string(DeclName(d.kind)) + " " +
                       (d.kind == DeclKind::Header ? QuoteString(d.name.name) : d.name.name);
    switch (d.kind) {
      case DeclKind::Header: {
        Line(1, head, d.range);
        for (const HeaderField& f : static_cast<const HeaderDecl&>(d).fields)
          Line(2, "field " + f.name.name + " = " + (f.is_number ? f.value : QuoteString(f.value)), f.range);
        break;
      }
      case DeclKind::Enum: {
        Line(1, head, d.range);
        for (const EnumWord& w : static_cast<const EnumDecl&>(d).words)
          Line(2, "word " + w.name.name + (w.label ? " " + QuoteString(*w.label) : ""), w.name.range);
        break;
      }
      case DeclKind::Input: {
        auto& in = static_cast<const InputDecl&>(d);
        head += " key " + in.key.name;
        if (in.parent) head += " of " + in.parent->name + " by " + in.parent_field->name;
        if (in.order) head += " order by " + in.order->name;
        Line(1, head, d.range);
        for (const FieldDecl& f : in.fields) Line(2, "field " + f.name.name + ": " + TypeText(f.type), f.name.range);
        for (const Requirement& r : in.requirements) {
          Line(2, "require message " + QuoteString(r.message), r.range);
          Expr(3, *r.condition);
        }
        break;
      }
      case DeclKind::Param: {
        auto& p = static_cast<const ParamDecl&>(d);
        Line(1, head + ": " + TypeText(p.type), d.range);
        Expr(2, *p.value);
        break;
      }
      case DeclKind::Set: {
        auto& s = static_cast<const SetDecl&>(d);
        Line(1, head + ": " + TypeText(s.type) + " = { " + Words(s.words) + " }", d.range);
        break;
      }
      case DeclKind::Table: Table(static_cast<const TableDecl&>(d), head); break;
      case DeclKind::Brackets: {
        Line(1, head, d.range);
        for (const BracketRow& r : static_cast<const BracketsDecl&>(d).rows)
          Line(2, "row " + r.lower + " .. " + (r.upper.empty() ? "(open)" : r.upper) + ": " + r.rate, r.range);
        break;
      }
      case DeclKind::Rule: {
        auto& r = static_cast<const RuleDecl&>(d);
        Line(1, head + ": " + TypeText(r.type), d.range);
        Expr(2, *r.value, "default");
        for (const ExceptionClause& ex : r.exceptions) {
          Line(2, "exception" + (ex.label ? " " + ex.label->name : ""), ex.range);
          Expr(3, *ex.condition, "when");
          Expr(3, *ex.value, "value");
          Cite(3, ex.cite);
        }
        break;
      }
      case DeclKind::Function: {
        auto& f = static_cast<const FunctionDecl&>(d);
        head += "(";
        for (size_t i = 0; i < f.params.size(); ++i)
          head += (i ? ", " : "") + f.params[i].name.name + ": " + TypeText(f.params[i].type);
        Line(1, head + "): " + TypeText(f.result), d.range);
        Expr(2, *f.body);
        break;
      }
      case DeclKind::Accumulator: {
        auto& a = static_cast<const AccumulatorDecl&>(d);
        Line(1, head + ": " + TypeText(a.type) + (a.is_count ? " count" : " sum"), d.range);
        if (a.key) Expr(2, *a.key, "by");
        if (a.value) Expr(2, *a.value, "sum");
        if (a.condition) Expr(2, *a.condition, "when");
        if (a.cap) Expr(2, *a.cap, "cap");
        break;
      }
      case DeclKind::Output: {
        auto& o = static_cast<const OutputDecl&>(d);
        Line(1, head + " for " + o.record.name + (o.stage ? " at " + o.stage->name : ""), d.range);
        for (const OutputColumn& c : o.columns) {
          Line(2, "column " + c.name.name + (c.absent ? " absent " + QuoteString(*c.absent) : "") +
                      (c.role.empty() ? "" : " " + c.role + " " + QuoteString(c.label)), c.range);
          if (c.value) Expr(3, *c.value);
        }
        break;
      }
      case DeclKind::Area:
        Line(1, head + " " + QuoteString(static_cast<const AreaDecl&>(d).label), d.range);
        break;
    }
    Cite(2, d.cite);
  }

  void Table(const TableDecl& t, std::string head) {
    head += ": " + TypeText(t.key_type) + " -> ";
    if (t.value_type) {
      head += TypeText(*t.value_type);
    } else {
      head += "{ ";
      for (size_t i = 0; i < t.columns.size(); ++i)
        head += (i ? ", " : "") + t.columns[i].name.name + ": " + TypeText(t.columns[i].type);
      head += " }";
    }
    if (t.csv_path) head += " = csv " + QuoteString(*t.csv_path) + " key " + t.csv_key.name + " value " + t.csv_value.name;
    Line(1, head, t.range);
    for (const TableRow& row : t.rows) {
      Line(2, "row " + (row.keys.empty() ? std::string("else") : Words(row.keys)), row.range);
      for (const auto& v : row.values) Expr(3, *v);
      Cite(3, row.cite);
    }
  }
};

// Compares two modules field by field and remembers where the first difference is.
class Comparer {
 public:
  std::string difference;

  bool Fail(const std::string& what, const std::string& a, const std::string& b) {
    if (difference.empty()) difference = fmt::format("{}{}: '{}' vs '{}'", Path(), what, a, b);
    return false;
  }

  bool Str(const std::string& what, const std::string& a, const std::string& b) {
    return a == b || Fail(what, a, b);
  }
  bool Num(const std::string& what, size_t a, size_t b) {
    return a == b || Fail(what, std::to_string(a), std::to_string(b));
  }
  bool Flag(const std::string& what, bool a, bool b) {
    return a == b || Fail(what, a ? "true" : "false", b ? "true" : "false");
  }
  bool Type(const std::string& what, const TypeRef& a, const TypeRef& b) {
    return Str(what, TypeText(a), TypeText(b));
  }
  bool Idents(const std::string& what, const std::vector<Ident>& a, const std::vector<Ident>& b) {
    return Str(what, Words(a), Words(b));
  }
  bool OptText(const std::string& what, const std::optional<std::string>& a,
               const std::optional<std::string>& b) {
    return Str(what, a ? QuoteString(*a) : "(none)", b ? QuoteString(*b) : "(none)");
  }
  bool OptCite(const std::optional<ast::Cite>& a, const std::optional<ast::Cite>& b) {
    return OptText("cite", a ? std::optional(a->text) : std::nullopt, b ? std::optional(b->text) : std::nullopt);
  }
  bool OptExpr(const std::string& what, const ExprPtr& a, const ExprPtr& b) {
    if (!a || !b) return Flag(what + " present", a != nullptr, b != nullptr);
    Push(what);
    bool same = Expr(*a, *b);
    Pop();
    return same;
  }

  bool Expr(const ast::Expr& a, const ast::Expr& b) {
    if (!Str("kind", KindName(a.kind), KindName(b.kind)) || !Str("text", a.text, b.text) ||
        !Str("end date", a.text2, b.text2) || !Flag("not in", a.negated, b.negated) ||
        !Idents("words", a.words, b.words) || !Num("operands", a.args.size(), b.args.size()) ||
        !Num("arms", a.arms.size(), b.arms.size()))
      return false;
    for (size_t i = 0; i < a.args.size(); ++i)
      if (!OptExpr(fmt::format("{} operand {}", KindName(a.kind), i), a.args[i], b.args[i])) return false;
    for (size_t i = 0; i < a.arms.size(); ++i) {
      if (!Idents("arm words", a.arms[i].words, b.arms[i].words) ||
          !OptExpr(fmt::format("arm {}", i), a.arms[i].value, b.arms[i].value))
        return false;
    }
    return true;
  }

  bool Decl(const ast::Decl& a, const ast::Decl& b) {
    if (!Str("declaration kind", DeclName(a.kind), DeclName(b.kind)) ||
        !Str("name", a.name.name, b.name.name) || !OptCite(a.cite, b.cite))
      return false;
    switch (a.kind) {
      case DeclKind::Header: {
        auto &x = static_cast<const HeaderDecl&>(a), &y = static_cast<const HeaderDecl&>(b);
        if (!Str("title", x.title, y.title) || !Num("fields", x.fields.size(), y.fields.size())) return false;
        for (size_t i = 0; i < x.fields.size(); ++i)
          if (!Str("field", x.fields[i].name.name, y.fields[i].name.name) ||
              !Str("value", x.fields[i].value, y.fields[i].value) ||
              !Flag("is number", x.fields[i].is_number, y.fields[i].is_number))
            return false;
        return true;
      }
      case DeclKind::Enum: {
        auto &x = static_cast<const EnumDecl&>(a), &y = static_cast<const EnumDecl&>(b);
        if (!Num("words", x.words.size(), y.words.size())) return false;
        for (size_t i = 0; i < x.words.size(); ++i)
          if (!Str("word", x.words[i].name.name, y.words[i].name.name) ||
              !OptText("label", x.words[i].label, y.words[i].label))
            return false;
        return true;
      }
      case DeclKind::Input: {
        auto &x = static_cast<const InputDecl&>(a), &y = static_cast<const InputDecl&>(b);
        auto opt = [](const std::optional<Ident>& i) { return i ? i->name : std::string("(none)"); };
        if (!Str("key", x.key.name, y.key.name) || !Str("of", opt(x.parent), opt(y.parent)) ||
            !Str("by", opt(x.parent_field), opt(y.parent_field)) ||
            !Str("order by", opt(x.order), opt(y.order)) ||
            !Num("fields", x.fields.size(), y.fields.size()) ||
            !Num("requirements", x.requirements.size(), y.requirements.size()))
          return false;
        for (size_t i = 0; i < x.fields.size(); ++i)
          if (!Str("field", x.fields[i].name.name, y.fields[i].name.name) ||
              !Type("field type", x.fields[i].type, y.fields[i].type))
            return false;
        for (size_t i = 0; i < x.requirements.size(); ++i)
          if (!Str("message", x.requirements[i].message, y.requirements[i].message) ||
              !OptExpr(fmt::format("require {}", i), x.requirements[i].condition, y.requirements[i].condition))
            return false;
        return true;
      }
      case DeclKind::Param: {
        auto &x = static_cast<const ParamDecl&>(a), &y = static_cast<const ParamDecl&>(b);
        return Type("type", x.type, y.type) && OptExpr("value", x.value, y.value);
      }
      case DeclKind::Set: {
        auto &x = static_cast<const SetDecl&>(a), &y = static_cast<const SetDecl&>(b);
        return Type("type", x.type, y.type) && Idents("words", x.words, y.words);
      }
      case DeclKind::Table: return Table(static_cast<const TableDecl&>(a), static_cast<const TableDecl&>(b));
      case DeclKind::Brackets: {
        auto &x = static_cast<const BracketsDecl&>(a), &y = static_cast<const BracketsDecl&>(b);
        if (!Num("rows", x.rows.size(), y.rows.size())) return false;
        for (size_t i = 0; i < x.rows.size(); ++i)
          if (!Str("lower", x.rows[i].lower, y.rows[i].lower) || !Str("upper", x.rows[i].upper, y.rows[i].upper) ||
              !Str("rate", x.rows[i].rate, y.rows[i].rate))
            return false;
        return true;
      }
      case DeclKind::Rule: {
        auto &x = static_cast<const RuleDecl&>(a), &y = static_cast<const RuleDecl&>(b);
        if (!Type("type", x.type, y.type) || !OptExpr("default", x.value, y.value) ||
            !Num("exceptions", x.exceptions.size(), y.exceptions.size()))
          return false;
        for (size_t i = 0; i < x.exceptions.size(); ++i) {
          const ExceptionClause &p = x.exceptions[i], &q = y.exceptions[i];
          Push(fmt::format("exception {}", i));
          bool same = Str("label", p.label ? p.label->name : "", q.label ? q.label->name : "") &&
                      OptExpr("when", p.condition, q.condition) && OptExpr("value", p.value, q.value) &&
                      OptCite(p.cite, q.cite);
          Pop();
          if (!same) return false;
        }
        return true;
      }
      case DeclKind::Function: {
        auto &x = static_cast<const FunctionDecl&>(a), &y = static_cast<const FunctionDecl&>(b);
        if (!Type("result", x.result, y.result) || !Num("parameters", x.params.size(), y.params.size()))
          return false;
        for (size_t i = 0; i < x.params.size(); ++i)
          if (!Str("parameter", x.params[i].name.name, y.params[i].name.name) ||
              !Type("parameter type", x.params[i].type, y.params[i].type))
            return false;
        return OptExpr("body", x.body, y.body);
      }
      case DeclKind::Accumulator: {
        auto &x = static_cast<const AccumulatorDecl&>(a), &y = static_cast<const AccumulatorDecl&>(b);
        return Type("type", x.type, y.type) && Flag("count", x.is_count, y.is_count) &&
               OptExpr("by", x.key, y.key) && OptExpr("sum", x.value, y.value) &&
               OptExpr("when", x.condition, y.condition) && OptExpr("cap", x.cap, y.cap);
      }
      case DeclKind::Output: {
        auto &x = static_cast<const OutputDecl&>(a), &y = static_cast<const OutputDecl&>(b);
        if (!Str("record", x.record.name, y.record.name) || !Num("columns", x.columns.size(), y.columns.size()))
          return false;
        for (size_t i = 0; i < x.columns.size(); ++i)
          if (!Str("column", x.columns[i].name.name, y.columns[i].name.name) ||
              !OptText("absent", x.columns[i].absent, y.columns[i].absent) ||
              !Str("role", x.columns[i].role + " " + x.columns[i].label, y.columns[i].role + " " + y.columns[i].label) ||
              !OptExpr(fmt::format("column {}", i), x.columns[i].value, y.columns[i].value))
            return false;
        return true;
      }
      case DeclKind::Area:
        return Str("label", static_cast<const AreaDecl&>(a).label, static_cast<const AreaDecl&>(b).label);
    }
    return true;
  }

  bool Table(const TableDecl& x, const TableDecl& y) {
    auto value = [](const TableDecl& t) {
      if (t.value_type) return TypeText(*t.value_type);
      std::string out;
      for (const TableColumn& c : t.columns) out += c.name.name + ": " + TypeText(c.type) + ", ";
      return out;
    };
    if (!Type("key type", x.key_type, y.key_type) || !Str("value type", value(x), value(y)) ||
        !OptText("csv", x.csv_path, y.csv_path) || !Str("csv key", x.csv_key.name, y.csv_key.name) ||
        !Str("csv value", x.csv_value.name, y.csv_value.name) || !Num("rows", x.rows.size(), y.rows.size()))
      return false;
    for (size_t r = 0; r < x.rows.size(); ++r) {
      if (!Idents("row keys", x.rows[r].keys, y.rows[r].keys) ||
          !Num("row values", x.rows[r].values.size(), y.rows[r].values.size()) ||
          !OptCite(x.rows[r].cite, y.rows[r].cite))
        return false;
      for (size_t i = 0; i < x.rows[r].values.size(); ++i)
        if (!OptExpr(fmt::format("row {} value {}", r, i), x.rows[r].values[i], y.rows[r].values[i]))
          return false;
    }
    return true;
  }

  void Push(const std::string& step) { path_.push_back(step); }
  void Pop() { path_.pop_back(); }

 private:
  std::string Path() const {
    std::string out;
    for (const std::string& step : path_) out += step + ": ";
    return out;
  }
  std::vector<std::string> path_;
};

}  // namespace

std::string DumpAst(const Module& module) {
  Dumper dumper;
  dumper.out = "module " + QuoteString(module.file) + "\n";
  for (const auto& d : module.decls) dumper.Decl(*d);
  return dumper.out;
}

bool SameAst(const Module& a, const Module& b, std::string* first_difference) {
  Comparer comparer;
  bool same = comparer.Num("declarations", a.decls.size(), b.decls.size());
  for (size_t i = 0; same && i < a.decls.size(); ++i) {
    comparer.Push(fmt::format("declaration {} ({} {})", i, DeclName(a.decls[i]->kind), a.decls[i]->name.name));
    same = comparer.Decl(*a.decls[i], *b.decls[i]);
    comparer.Pop();
  }
  if (!same && first_difference) *first_difference = comparer.difference;
  return same;
}

}  // namespace polc::ast
