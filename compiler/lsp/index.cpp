// The language server's symbol index: two walks over the AST, one for the definitions, one
// for the names written in declarations and expressions.
#include "compiler/lsp/index.h"

#include <algorithm>
#include <set>

namespace polc::lsp {

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

SourceRange Suffix(const SourceRange& range, size_t length) {
  SourceRange r = range;
  r.begin_line = r.end_line;
  r.begin_col = r.end_col > length ? r.end_col - static_cast<uint32_t>(length) : 1;
  return r;
}

SourceRange Prefix(const SourceRange& range, size_t length) {
  SourceRange r = range;
  r.end_line = r.begin_line;
  r.end_col = r.begin_col + static_cast<uint32_t>(length);
  return r;
}

namespace {

std::string TypeText(const ast::TypeRef& t) { return t.name.name + (t.optional ? "?" : ""); }

bool Contains(const SourceRange& r, uint32_t line, uint32_t col) {
  if (!r.Valid()) return false;
  if (line < r.begin_line || line > r.end_line) return false;
  if (line == r.begin_line && col < r.begin_col) return false;
  if (line == r.end_line && col > r.end_col) return false;  // the end counts: a cursor after a name
  return true;
}

}  // namespace

void Index::AddDef(Definition def) {
  by_key_.emplace(def.key, defs_.size());
  occurrences_.push_back({def.key, def.name_range, true});
  defs_.push_back(std::move(def));
}

void Index::Ref(const std::string& key, SourceRange range) {
  if (range.Valid()) occurrences_.push_back({key, range, false});
}

void Index::Type(const ast::TypeRef& t) { Ref("type:" + t.name.name, t.name.range); }

std::string Index::ValueKey(const std::string& name, const std::string& scope,
                            const std::vector<std::string>& locals) const {
  if (std::find(locals.begin(), locals.end(), name) != locals.end()) return "local:" + scope + ":" + name;
  if (by_key_.count("value:" + name)) return "value:" + name;
  if (by_key_.count("word:" + name)) return "word:" + name;
  return "value:" + name;
}

void Index::Expr(const ast::Expr& e, const std::string& scope, std::vector<std::string>& locals) {
  using K = ast::ExprKind;
  switch (e.kind) {
    case K::Name: Ref(ValueKey(e.text, scope, locals), e.range); return;
    case K::Call:
      Ref("value:" + e.text, Prefix(e.range, CodePoints(e.text)));
      break;
    case K::Field:
      Expr(*e.args[0], scope, locals);
      Ref("column:" + e.text, Suffix(e.range, CodePoints(e.text)));
      return;
    case K::Set:
      for (const ast::Ident& w : e.words) Ref("word:" + w.name, w.range);
      return;
    case K::Let: {
      Expr(*e.args[0], scope, locals);
      locals.push_back(e.text);
      Expr(*e.args[1], scope, locals);
      locals.pop_back();
      return;
    }
    case K::Match:
      Expr(*e.args[0], scope, locals);
      for (const ast::MatchArm& arm : e.arms) {
        for (const ast::Ident& w : arm.words) Ref("word:" + w.name, w.range);
        Expr(*arm.value, scope, locals);
      }
      return;
    default: break;
  }
  for (const auto& a : e.args)
    if (a) Expr(*a, scope, locals);
}

Index::Index(const ast::Module& module) {
  using D = ast::DeclKind;
  // Definitions first, so a name in an expression resolves to a value before a word.
  for (const auto& dp : module.decls) {
    const ast::Decl& d = *dp;
    Definition def{"", d.name.name, DefKind::Param, d.name.range, d.range, &d, "", "", ""};
    switch (d.kind) {
      case D::Header: continue;
      case D::Area:
        def.key = "area:" + d.name.name;
        def.kind = DefKind::Area;
        def.label = static_cast<const ast::AreaDecl&>(d).label;
        break;
      case D::Enum: {
        auto& en = static_cast<const ast::EnumDecl&>(d);
        for (const ast::EnumWord& w : en.words)
          AddDef({"word:" + w.name.name, w.name.name, DefKind::Word, w.name.range, w.name.range, &d, en.name.name,
                  w.label.value_or(""), en.name.name});
        def.key = "type:" + d.name.name;
        def.kind = DefKind::Enum;
        break;
      }
      case D::Input: {
        auto& in = static_cast<const ast::InputDecl&>(d);
        for (const ast::FieldDecl& f : in.fields)
          AddDef({"value:" + f.name.name, f.name.name, DefKind::Field, f.name.range, f.name.range, &d,
                  TypeText(f.type), "", in.name.name});
        def.key = "input:" + d.name.name;
        def.kind = DefKind::Input;
        break;
      }
      case D::Param:
        def.key = "value:" + d.name.name;
        def.type = TypeText(static_cast<const ast::ParamDecl&>(d).type);
        break;
      case D::Set:
        def.key = "value:" + d.name.name;
        def.kind = DefKind::Set;
        def.type = "set of " + TypeText(static_cast<const ast::SetDecl&>(d).type);
        break;
      case D::Table: {
        auto& t = static_cast<const ast::TableDecl&>(d);
        for (const ast::TableColumn& c : t.columns)
          AddDef({"column:" + c.name.name, c.name.name, DefKind::Column, c.name.range, c.name.range, &d,
                  TypeText(c.type), "", t.name.name});
        def.key = "value:" + d.name.name;
        def.kind = DefKind::Table;
        def.type = TypeText(t.key_type) + " -> " + (t.value_type ? TypeText(*t.value_type) : "{ ... }");
        break;
      }
      case D::Brackets:
        def.key = "value:" + d.name.name;
        def.kind = DefKind::Brackets;
        def.type = "brackets";
        break;
      case D::Rule:
        def.key = "value:" + d.name.name;
        def.kind = DefKind::Rule;
        def.type = TypeText(static_cast<const ast::RuleDecl&>(d).type);
        break;
      case D::Function: {
        auto& f = static_cast<const ast::FunctionDecl&>(d);
        for (const ast::FunctionParam& p : f.params)
          AddDef({"local:" + d.name.name + ":" + p.name.name, p.name.name, DefKind::Local, p.name.range, p.name.range,
                  &d, TypeText(p.type), "", d.name.name});
        def.key = "value:" + d.name.name;
        def.kind = DefKind::Function;
        def.type = TypeText(f.result);
        break;
      }
      case D::Accumulator:
        def.key = "value:" + d.name.name;
        def.kind = DefKind::Accumulator;
        def.type = TypeText(static_cast<const ast::AccumulatorDecl&>(d).type);
        break;
      case D::Output:
        def.key = "output:" + d.name.name;
        def.kind = DefKind::Output;
        break;
    }
    AddDef(std::move(def));
  }

  // Then every name written.
  for (const auto& dp : module.decls) {
    const ast::Decl& d = *dp;
    std::vector<std::string> locals;
    const std::string& scope = d.name.name;
    switch (d.kind) {
      case D::Header:
      case D::Area:
      case D::Enum: break;
      case D::Brackets:
        // A bound or a rate may name a parameter.
        for (const ast::BracketRow& row : static_cast<const ast::BracketsDecl&>(d).rows) {
          if (ast::IsFigureName(row.lower)) Ref("value:" + row.lower, row.lower_range);
          if (ast::IsFigureName(row.upper)) Ref("value:" + row.upper, row.upper_range);
          if (ast::IsFigureName(row.rate)) Ref("value:" + row.rate, row.rate_range);
        }
        break;
      case D::Input: {
        auto& in = static_cast<const ast::InputDecl&>(d);
        for (const ast::FieldDecl& f : in.fields) Type(f.type);
        Ref("value:" + in.key.name, in.key.range);
        if (in.parent) Ref("input:" + in.parent->name, in.parent->range);
        if (in.parent_field) Ref("value:" + in.parent_field->name, in.parent_field->range);
        if (in.order) Ref("value:" + in.order->name, in.order->range);
        for (const ast::Requirement& r : in.requirements) Expr(*r.condition, scope, locals);
        break;
      }
      case D::Param: {
        auto& p = static_cast<const ast::ParamDecl&>(d);
        Type(p.type);
        Expr(*p.value, scope, locals);
        break;
      }
      case D::Set: {
        auto& s = static_cast<const ast::SetDecl&>(d);
        Type(s.type);
        for (const ast::Ident& w : s.words) Ref("word:" + w.name, w.range);
        break;
      }
      case D::Table: {
        auto& t = static_cast<const ast::TableDecl&>(d);
        Type(t.key_type);
        if (t.value_type) Type(*t.value_type);
        for (const ast::TableColumn& c : t.columns) Type(c.type);
        for (const ast::TableRow& row : t.rows) {
          for (const ast::Ident& k : row.keys)
            if (!k.name.empty() && !std::isdigit(static_cast<unsigned char>(k.name[0]))) Ref("word:" + k.name, k.range);
          for (const auto& v : row.values) Expr(*v, scope, locals);
        }
        break;
      }
      case D::Rule: {
        auto& r = static_cast<const ast::RuleDecl&>(d);
        Type(r.type);
        Expr(*r.value, scope, locals);
        for (const ast::ExceptionClause& ex : r.exceptions) {
          Expr(*ex.condition, scope, locals);
          Expr(*ex.value, scope, locals);
        }
        break;
      }
      case D::Function: {
        auto& f = static_cast<const ast::FunctionDecl&>(d);
        for (const ast::FunctionParam& p : f.params) {
          Type(p.type);
          locals.push_back(p.name.name);
        }
        Type(f.result);
        Expr(*f.body, scope, locals);
        break;
      }
      case D::Accumulator: {
        auto& a = static_cast<const ast::AccumulatorDecl&>(d);
        Type(a.type);
        for (const ast::Expr* e : {a.key.get(), a.value.get(), a.condition.get(), a.cap.get()})
          if (e) Expr(*e, scope, locals);
        break;
      }
      case D::Output: {
        auto& o = static_cast<const ast::OutputDecl&>(d);
        Ref("input:" + o.record.name, o.record.range);
        for (const ast::OutputColumn& c : o.columns) {
          if (c.value) Expr(*c.value, scope, locals);
          else Ref("value:" + c.name.name, c.name.range);
        }
        break;
      }
    }
  }
}

const Occurrence* Index::At(uint32_t line, uint32_t col) const {
  const Occurrence* best = nullptr;
  for (const Occurrence& o : occurrences_)
    if (Contains(o.range, line, col) && (!best || best->range < o.range)) best = &o;
  return best;
}

std::vector<const Definition*> Index::Find(const std::string& key) const {
  std::vector<const Definition*> out;
  auto [lo, hi] = by_key_.equal_range(key);
  for (auto it = lo; it != hi; ++it) out.push_back(&defs_[it->second]);
  return out;
}

}  // namespace polc::lsp
