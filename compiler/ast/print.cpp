// PrintSource: the canonical formatter. Everything that is not forced onto several lines is
// kept on one line when it fits in kWidth display columns; otherwise it is broken at fixed
// places (a body moves to the next line, an operator chain breaks before each operator,
// if/then/else and match arms take a line each). The choice depends only on the AST, so
// printing is idempotent.
#include "compiler/ast/print.h"

#include <algorithm>

namespace polc::ast {
namespace {

constexpr size_t kWidth = 100;

// Display columns of one line of UTF-8: CJK and other 3- and 4-byte characters take two.
size_t Width(std::string_view s) {
  size_t width = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    width += len >= 3 ? 2 : 1;
    i += len;
  }
  return width;
}

bool MultiLine(const std::string& s) { return s.find('\n') != std::string::npos; }

// The column after `s` when it starts at `column`.
size_t EndColumn(size_t column, const std::string& s) {
  size_t nl = s.rfind('\n');
  return nl == std::string::npos ? column + Width(s) : Width(std::string_view(s).substr(nl + 1));
}

std::string Spaces(size_t n) { return std::string(n, ' '); }

std::string Type(const TypeRef& t) { return t.name.name + (t.optional ? "?" : ""); }

std::string CiteText(const std::optional<Cite>& cite) {
  return cite ? "cite " + QuoteString(cite->text) : "";
}

// Grammar levels, loosest first; a child below the level its position needs gets parentheses.
enum Prec { kExpr = 1, kOr, kAnd, kNot, kCompare, kAdd, kMul, kUnary, kPostfix, kPrimary };

int PrecOf(const Expr& e) {
  switch (e.kind) {
    case ExprKind::Let:
    case ExprKind::If: return kExpr;
    case ExprKind::In: return kCompare;
    case ExprKind::Unary: return e.text == "not" ? kNot : kUnary;
    case ExprKind::Field:
    case ExprKind::Index:
    case ExprKind::Unit: return kPostfix;
    case ExprKind::Binary:
      if (e.text == "or") return kOr;
      if (e.text == "and") return kAnd;
      if (e.text == "+" || e.text == "-") return kAdd;
      if (e.text == "*") return kMul;
      return kCompare;
    default: return kPrimary;
  }
}

bool ContainsMatch(const Expr& e) {
  if (e.kind == ExprKind::Match) return true;
  for (const auto& a : e.args)
    if (a && ContainsMatch(*a)) return true;
  return false;
}

class Printer {
 public:
  // ---------------------------------------------------------------- expressions
  // One line, no matter how long (only for expressions without `match`).
  std::string Flat(const Expr& e, int min_prec) {
    if (PrecOf(e) < min_prec) return "(" + Flat(e, kExpr) + ")";
    switch (e.kind) {
      case ExprKind::Let:
        return "let " + e.text + " = " + Flat(*e.args[0], kExpr) + "; " + Flat(*e.args[1], kExpr);
      case ExprKind::If:
        return "if " + Flat(*e.args[0], kExpr) + " then " + Flat(*e.args[1], kExpr) + " else " +
               Flat(*e.args[2], kExpr);
      case ExprKind::Binary: {
        int p = PrecOf(e);
        // Comparisons do not chain: both sides sit one level up.
        int left = p == kCompare ? kAdd : p;
        return Flat(*e.args[0], left) + " " + e.text + " " + Flat(*e.args[1], p == kCompare ? kAdd : p + 1);
      }
      case ExprKind::In:
        return Flat(*e.args[0], kAdd) + (e.negated ? " not in " : " in ") + Flat(*e.args[1], kAdd);
      case ExprKind::Unary:
        return e.text == "not" ? "not " + Flat(*e.args[0], kNot) : "-" + Flat(*e.args[0], kUnary);
      case ExprKind::Field: return Flat(*e.args[0], kPostfix) + "." + e.text;
      case ExprKind::Index: return Flat(*e.args[0], kPostfix) + "[" + Flat(*e.args[1], kExpr) + "]";
      case ExprKind::Unit: return Flat(*e.args[0], kPostfix) + " " + e.text;
      case ExprKind::Call: {
        std::string out = e.text + "(";
        for (size_t i = 0; i < e.args.size(); ++i)
          out += (i ? ", " : "") + Flat(*e.args[i], kExpr);
        return out + ")";
      }
      case ExprKind::Set: return SetLiteral(e.words);
      case ExprKind::String: return QuoteString(e.text);
      case ExprKind::Period: return e.text + " .. " + e.text2;
      case ExprKind::Match: return Layout(e, kExpr, 0, 0);  // not reached: callers check
      default: return e.text;  // literals and names keep their spelling
    }
  }

  // The expression starting at `column`, continuation lines indented by `indent`.
  std::string Layout(const Expr& e, int min_prec, size_t indent, size_t column) {
    if (!ContainsMatch(e)) {
      std::string flat = Flat(e, min_prec);
      if (column + Width(flat) <= kWidth) return flat;
    }
    if (PrecOf(e) < min_prec) return "(" + Layout(e, kExpr, indent, column + 1) + ")";
    std::string out;
    auto add = [&](const std::string& piece) {
      out += piece;
      column = EndColumn(column, piece);
    };
    auto newline = [&](size_t at) {
      out += "\n" + Spaces(at);
      column = at;
    };
    switch (e.kind) {
      case ExprKind::If:
        add("if ");
        add(Layout(*e.args[0], kExpr, indent + 2, column));
        newline(indent);
        add("then ");
        // A match branch closes its brace at the indentation of `then`/`else`, and `else if`
        // chains stay at one indentation.
        add(Layout(*e.args[1], kExpr, e.args[1]->kind == ExprKind::Match ? indent : indent + 2, column));
        newline(indent);
        add("else ");
        add(Layout(*e.args[2], kExpr,
                   e.args[2]->kind == ExprKind::If || e.args[2]->kind == ExprKind::Match ? indent : indent + 2,
                   column));
        return out;
      case ExprKind::Let:
        add("let " + e.text + " = ");
        add(Layout(*e.args[0], kExpr, indent + 2, column));
        add(";");
        newline(indent);
        add(Layout(*e.args[1], kExpr, indent, column));
        return out;
      case ExprKind::Match:
        add("match ");
        add(Layout(*e.args[0], kExpr, indent + 2, column));
        add(" {");
        for (const MatchArm& arm : e.arms) {
          newline(indent + 2);
          add((arm.words.empty() ? std::string("else") : IdentList(arm.words)) + " => ");
          // A nested match closes its brace under the arm it belongs to.
          add(Layout(*arm.value, kExpr, arm.value->kind == ExprKind::Match ? indent + 2 : indent + 4, column));
        }
        newline(indent);
        add("}");
        return out;
      case ExprKind::Binary:
        if (PrecOf(e) != kCompare) return Chain(e, indent, column);
        add(Layout(*e.args[0], kAdd, indent, column));
        add(" " + e.text + " ");
        add(Layout(*e.args[1], kAdd, indent, column));
        return out;
      case ExprKind::In:
        add(Layout(*e.args[0], kAdd, indent, column));
        add(e.negated ? " not in " : " in ");
        add(Layout(*e.args[1], kAdd, indent, column));
        return out;
      case ExprKind::Unary:
        add(e.text == "not" ? "not " : "-");
        add(Layout(*e.args[0], e.text == "not" ? kNot : kUnary, indent, column));
        return out;
      case ExprKind::Field:
      case ExprKind::Unit:
        add(Layout(*e.args[0], kPostfix, indent, column));
        add((e.kind == ExprKind::Field ? "." : " ") + e.text);
        return out;
      case ExprKind::Index:
        add(Layout(*e.args[0], kPostfix, indent, column));
        add("[");
        add(Layout(*e.args[1], kExpr, indent + 2, column));
        add("]");
        return out;
      case ExprKind::Call:
        // Too long for one line: the first argument stays, the rest take a line each.
        add(e.text + "(");
        for (size_t i = 0; i < e.args.size(); ++i) {
          if (i > 0) {
            add(",");
            newline(indent + 4);
          }
          add(Layout(*e.args[i], kExpr, indent + 4, column));
        }
        add(")");
        return out;
      default:
        return Flat(e, min_prec);
    }
  }

  // A left-nested run of one associative level (a + b - c), broken before each operator.
  std::string Chain(const Expr& e, size_t indent, size_t column) {
    int p = PrecOf(e);
    std::vector<const Expr*> operands;
    std::vector<std::string> ops;
    const Expr* cur = &e;
    while (cur->kind == ExprKind::Binary && PrecOf(*cur) == p) {
      operands.push_back(cur->args[1].get());
      ops.push_back(cur->text);
      cur = cur->args[0].get();
    }
    std::string out = Layout(*cur, p, indent, column);
    for (size_t i = operands.size(); i-- > 0;) {
      std::string lead = "\n" + Spaces(indent + 2) + ops[i] + " ";
      out += lead + Layout(*operands[i], p + 1, indent + 4, indent + 2 + Width(ops[i]) + 1);
    }
    return out;
  }

  static std::string IdentList(const std::vector<Ident>& words) {
    std::string out;
    for (size_t i = 0; i < words.size(); ++i) out += (i ? ", " : "") + words[i].name;
    return out;
  }

  static std::string SetLiteral(const std::vector<Ident>& words) {
    return "{ " + IdentList(words) + " }";
  }

  // `header expr`, or the expression on the next line at indent + 4 when it does not fit.
  std::string Body(const std::string& header, const Expr& e, size_t indent) {
    size_t column = EndColumn(0, header) + 1;
    if (!ContainsMatch(e)) {
      std::string flat = Flat(e, kExpr);
      if (column + Width(flat) <= kWidth) return header + " " + flat;
    }
    return header + "\n" + Spaces(indent + 4) + Layout(e, kExpr, indent + 4, indent + 4);
  }

  // `prefix { a, b }` on one line when it fits, else one item a line with trailing commas.
  static std::string Braced(const std::string& prefix, const std::vector<std::string>& items) {
    std::string one = prefix + " { ";
    for (size_t i = 0; i < items.size(); ++i) one += (i ? ", " : "") + items[i];
    one += " }";
    if (Width(one) <= kWidth && !MultiLine(one)) return one;
    std::string out = prefix + " {\n";
    for (const std::string& item : items) out += "  " + item + ",\n";
    return out + "}";
  }

  // A cite follows a closing brace on its line, otherwise it takes a line of its own.
  static std::string WithCite(std::string decl, const std::optional<Cite>& cite, size_t indent = 0) {
    if (!cite) return decl;
    size_t nl = decl.rfind('\n');
    if (nl != std::string::npos && decl.substr(nl + 1) == Spaces(indent) + "}")
      return decl + " " + CiteText(cite);
    return decl + "\n" + Spaces(indent + 2) + CiteText(cite);
  }

  // ---------------------------------------------------------------- declarations
  std::string Decl(const ast::Decl& d) {
    switch (d.kind) {
      case DeclKind::Header: return Header(static_cast<const HeaderDecl&>(d));
      case DeclKind::Enum: return Enum(static_cast<const EnumDecl&>(d));
      case DeclKind::Input: return Input(static_cast<const InputDecl&>(d));
      case DeclKind::Param: {
        auto& p = static_cast<const ParamDecl&>(d);
        return WithCite(Body("param " + p.name.name + ": " + Type(p.type) + " =", *p.value, 0), p.cite);
      }
      case DeclKind::Set: {
        auto& s = static_cast<const SetDecl&>(d);
        std::vector<std::string> words;
        for (const Ident& w : s.words) words.push_back(w.name);
        return WithCite(Braced("set " + s.name.name + ": " + Type(s.type) + " =", words), s.cite);
      }
      case DeclKind::Table: return Table(static_cast<const TableDecl&>(d));
      case DeclKind::Brackets: return Brackets(static_cast<const BracketsDecl&>(d));
      case DeclKind::Rule: return Rule(static_cast<const RuleDecl&>(d));
      case DeclKind::Function: {
        auto& f = static_cast<const FunctionDecl&>(d);
        std::string head = "function " + f.name.name + "(";
        for (size_t i = 0; i < f.params.size(); ++i)
          head += (i ? ", " : "") + f.params[i].name.name + ": " + Type(f.params[i].type);
        head += "): " + Type(f.result) + " =";
        return WithCite(Body(head, *f.body, 0), f.cite);
      }
      case DeclKind::Accumulator: return Accumulator(static_cast<const AccumulatorDecl&>(d));
      case DeclKind::Output: return Output(static_cast<const OutputDecl&>(d));
      case DeclKind::Area: return "area " + d.name.name + " " + QuoteString(static_cast<const AreaDecl&>(d).label);
    }
    return {};
  }

  std::string Header(const HeaderDecl& h) {
    std::string out = "policy " + QuoteString(h.title) + " {\n";
    for (const HeaderField& f : h.fields)
      out += "  " + f.name.name + ": " + (f.is_number ? f.value : QuoteString(f.value)) + "\n";
    return out + "}";
  }

  std::string Enum(const EnumDecl& e) {
    std::vector<std::string> words;
    for (const EnumWord& w : e.words) words.push_back(w.name.name + (w.label ? " " + QuoteString(*w.label) : ""));
    return WithCite(Braced("enum " + e.name.name, words), e.cite);
  }

  std::string Input(const InputDecl& in) {
    std::string out = "input " + in.name.name + " key " + in.key.name;
    if (in.parent) out += " of " + in.parent->name + " by " + in.parent_field->name;
    if (in.order) out += " order by " + in.order->name;
    out += " {\n";
    for (const FieldDecl& f : in.fields) out += "  " + f.name.name + ": " + Type(f.type) + "\n";
    for (const Requirement& r : in.requirements) {
      std::string message = "message " + QuoteString(r.message);
      std::string cond = Layout(*r.condition, kExpr, 4, 10);
      std::string one = "  require " + cond + " " + message;
      out += (MultiLine(one) || Width(one) > kWidth) ? "  require " + cond + "\n    " + message : one;
      out += "\n";
    }
    return out + "}";
  }

  std::string Table(const TableDecl& t) {
    std::string head = "table " + t.name.name + ": " + Type(t.key_type) + " -> ";
    if (t.value_type) {
      head += Type(*t.value_type);
    } else {
      head += "{ ";
      for (size_t i = 0; i < t.columns.size(); ++i)
        head += (i ? ", " : "") + t.columns[i].name.name + ": " + Type(t.columns[i].type);
      head += " }";
    }
    if (t.csv_path) {
      head += " = csv " + QuoteString(*t.csv_path) + " key " + t.csv_key.name + " value " + t.csv_value.name;
      return WithCite(head, t.cite);
    }
    // Rows aligned: keys padded to the widest key list, each value but the last padded to
    // the widest value of its column.
    std::vector<std::string> keys;
    std::vector<std::vector<std::string>> values;
    size_t key_width = 0;
    std::vector<size_t> value_width;
    for (const TableRow& row : t.rows) {
      keys.push_back(row.keys.empty() ? "else" : IdentList(row.keys));
      key_width = std::max(key_width, Width(keys.back()));
      values.emplace_back();
      for (size_t i = 0; i < row.values.size(); ++i) {
        values.back().push_back(Layout(*row.values[i], kExpr, 4, 0));
        if (value_width.size() <= i) value_width.push_back(0);
        if (!MultiLine(values.back().back()))
          value_width[i] = std::max(value_width[i], Width(values.back().back()));
      }
    }
    std::string out = head + " {\n";
    for (size_t r = 0; r < keys.size(); ++r) {
      std::string line = "  " + keys[r] + Spaces(key_width - Width(keys[r])) + " => ";
      for (size_t i = 0; i < values[r].size(); ++i) {
        const std::string& v = values[r][i];
        line += v;
        if (i + 1 < values[r].size())
          line += "," + Spaces(MultiLine(v) ? 1 : value_width[i] - Width(v) + 1);
      }
      if (t.rows[r].cite) line += " " + CiteText(t.rows[r].cite);
      out += line + "\n";
    }
    return WithCite(out + "}", t.cite);
  }

  std::string Brackets(const BracketsDecl& b) {
    std::vector<std::string> ranges;
    size_t width = 0;
    for (const BracketRow& row : b.rows) {
      ranges.push_back(row.lower + " .." + (row.upper.empty() ? "" : " " + row.upper) + ":");
      width = std::max(width, Width(ranges.back()));
    }
    std::string out = "brackets " + b.name.name + " {\n";
    for (size_t i = 0; i < ranges.size(); ++i)
      out += "  " + ranges[i] + Spaces(width - Width(ranges[i]) + 1) + b.rows[i].rate + "\n";
    return WithCite(out + "}", b.cite);
  }

  std::string Rule(const RuleDecl& r) {
    std::string out = WithCite(Body("rule " + r.name.name + ": " + Type(r.type) + " =", *r.value, 0), r.cite);
    for (const ExceptionClause& ex : r.exceptions) {
      std::string head = "  exception" + (ex.label ? " " + ex.label->name : "") + " when ";
      head += Layout(*ex.condition, kExpr, 6, Width(head)) + " =";
      out += "\n" + WithCite(Body(head, *ex.value, 2), ex.cite, 2);
    }
    return out;
  }

  std::string Accumulator(const AccumulatorDecl& a) {
    std::string head = "accumulator " + a.name.name + ": " + Type(a.type);
    if (a.key) head += " by " + Layout(*a.key, kExpr, 4, Width(head) + 4);
    head += " =";
    std::vector<std::string> parts;
    parts.push_back(a.is_count ? "count" : "sum " + Layout(*a.value, kExpr, 4, 6));
    if (a.condition) parts.push_back("when " + Layout(*a.condition, kExpr, 4, 7));
    if (a.cap) parts.push_back("cap " + Layout(*a.cap, kExpr, 4, 6));
    std::string one = head;
    for (const std::string& p : parts) one += " " + p;
    if (MultiLine(one) || Width(one) > kWidth) {
      one = head;
      for (const std::string& p : parts) one += "\n  " + p;
    }
    return WithCite(one, a.cite);
  }

  std::string Output(const OutputDecl& o) {
    std::vector<std::string> columns;
    for (const OutputColumn& c : o.columns) {
      std::string col = c.name.name;
      if (c.value) col += " = " + Layout(*c.value, kExpr, c.value->kind == ExprKind::Match ? 2 : 4, Width(col) + 5);
      if (c.absent) col += " absent " + QuoteString(*c.absent);
      if (!c.role.empty()) col += " " + c.role + " " + QuoteString(c.label);
      columns.push_back(col);
    }
    return Braced("output " + o.name.name + " for " + o.record.name + (o.stage ? " at " + o.stage->name : ""),
                  columns);
  }
};

}  // namespace

std::string PrintDecl(const ast::Decl& decl) { return Printer().Decl(decl); }

std::string PrintExpr(const Expr& expr, size_t indent) {
  return Printer().Layout(expr, kExpr, indent, indent);
}

std::string PrintSource(const Module& module) {
  Printer printer;
  std::string out;
  for (size_t i = 0; i < module.decls.size(); ++i) {
    if (i > 0) out += "\n";
    out += printer.Decl(*module.decls[i]) + "\n";
  }
  return out;
}

}  // namespace polc::ast
