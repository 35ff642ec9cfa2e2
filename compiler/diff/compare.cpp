// Matching the two policies' declarations, grouping the changes by area, and comparing the
// declarations that describe words and records: header, enumerations, inputs, sets, outputs.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "compiler/ast/print.h"
#include "compiler/diff/differ.h"

namespace polc::diff {

const char* KindName(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::Added: return "added";
    case ChangeKind::Removed: return "removed";
    case ChangeKind::Changed: return "changed";
  }
  return "?";
}

const char* DeclWord(ast::DeclKind kind) {
  switch (kind) {
    case ast::DeclKind::Header: return "policy";
    case ast::DeclKind::Enum: return "enum";
    case ast::DeclKind::Input: return "input";
    case ast::DeclKind::Param: return "param";
    case ast::DeclKind::Set: return "set";
    case ast::DeclKind::Table: return "table";
    case ast::DeclKind::Brackets: return "brackets";
    case ast::DeclKind::Rule: return "rule";
    case ast::DeclKind::Function: return "function";
    case ast::DeclKind::Accumulator: return "accumulator";
    case ast::DeclKind::Output: return "output";
    case ast::DeclKind::Area: return "area";
  }
  return "?";
}

namespace {

using Key = std::pair<int, std::string>;  // declaration kind, name (empty for the header)

Key KeyOf(const ast::Decl& d) {
  return {static_cast<int>(d.kind), d.kind == ast::DeclKind::Header ? std::string() : d.name.name};
}

std::map<Key, const ast::Decl*> Definitions(const ast::Module& m) {
  std::map<Key, const ast::Decl*> out;
  for (const auto& d : m.decls)
    if (d->kind != ast::DeclKind::Area) out.emplace(KeyOf(*d), d.get());
  return out;
}

std::string TypeText(const ast::TypeRef& t) { return t.name.name + (t.optional ? "?" : ""); }

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

Differ::Differ(const PolicySide& old_side, const PolicySide& new_side) : old_(old_side), new_(new_side) {
  // Each declaration belongs to the last area declared above it.
  int offset = 0;
  for (const ast::Module* m : {new_.module, old_.module}) {
    std::string area;
    int position = offset;
    for (const auto& d : m->decls) {
      if (d->kind == ast::DeclKind::Area) {
        area = d->name.name;
        if (!area_label_.count(area)) {
          area_label_[area] = static_cast<const ast::AreaDecl&>(*d).label;
          area_order_.push_back(area);
        }
      }
      place_[d.get()] = {area, position++};
    }
    offset = 1 << 20;  // old-only definitions sort after the new policy's
  }
}

Side Differ::Present(std::string text, uint32_t line, const std::optional<ast::Cite>& cite) {
  return Side{true, std::move(text), line, CiteText(cite)};
}

Side Differ::PresentExpr(const ast::Expr& e) { return Side{true, ast::PrintExpr(e), LineOf(e.range), ""}; }

void Differ::Add(ChangeKind kind, const std::string& part, Side before, Side after) {
  Change c;
  c.kind = kind;
  const ast::Decl* d = new_decl_ ? new_decl_ : old_decl_;
  c.decl = DeclWord(d->kind);
  c.name = d->kind == ast::DeclKind::Header ? "" : d->name.name;
  c.part = part;
  c.before = std::move(before);
  c.after = std::move(after);
  c.area = place_[d].first;
  c.order = place_[d].second;
  changes_.push_back(std::move(c));
}

void Differ::BeginClause() { clause_start_ = changes_.size(); }

void Differ::EndClause(const std::string& cite_part, const std::optional<ast::Cite>& a,
                       const std::optional<ast::Cite>& b, uint32_t old_line, uint32_t new_line) {
  const std::string ca = CiteText(a), cb = CiteText(b);
  for (size_t i = clause_start_; i < changes_.size(); ++i) {
    if (changes_[i].before.present) changes_[i].before.cite = ca;
    if (changes_[i].after.present) changes_[i].after.cite = cb;
  }
  if (clause_start_ == changes_.size() && ca != cb) {
    Side before = Present(ca.empty() ? "(no cite)" : ca, a ? LineOf(a->range) : old_line);
    Side after = Present(cb.empty() ? "(no cite)" : cb, b ? LineOf(b->range) : new_line);
    Add(ChangeKind::Changed, cite_part, before, after);
  }
}

void Differ::ExprChange(const std::string& part, const ast::Expr& a, const ast::Expr& b, Locals& locals) {
  if (auto delta = SmallestDifference(a, b, locals))
    Add(ChangeKind::Changed, part, PresentExpr(*delta->old_expr), PresentExpr(*delta->new_expr));
}

void Differ::OptExprChange(const std::string& part, const ast::ExprPtr& a, const ast::ExprPtr& b,
                           uint32_t old_line, uint32_t new_line, Locals& locals) {
  if (a && b) return ExprChange(part, *a, *b, locals);
  if (a) Add(ChangeKind::Removed, part, PresentExpr(*a), Side{false, "", new_line, ""});
  if (b) Add(ChangeKind::Added, part, Side{false, "", old_line, ""}, PresentExpr(*b));
}

void Differ::TextChange(const std::string& part, const std::string& a, const std::string& b,
                        uint32_t old_line, uint32_t new_line) {
  if (a != b) Add(ChangeKind::Changed, part, Present(a, old_line), Present(b, new_line));
}

PolicyDiff Differ::Run() {
  const auto olds = Definitions(*old_.module), news = Definitions(*new_.module);
  for (const auto& [key, od] : olds) {
    auto it = news.find(key);
    old_decl_ = od;
    new_decl_ = it == news.end() ? nullptr : it->second;
    if (new_decl_) {
      CompareDecl(*od, *new_decl_);
    } else {
      Add(ChangeKind::Removed, "", Present(ast::PrintDecl(*od), LineOf(od->range), od->cite),
          Side{false, "", 0, ""});
    }
  }
  for (const auto& [key, nd] : news) {
    if (olds.count(key)) continue;
    old_decl_ = nullptr;
    new_decl_ = nd;
    Add(ChangeKind::Added, "", Side{false, "", 0, ""}, Present(ast::PrintDecl(*nd), LineOf(nd->range), nd->cite));
  }
  std::stable_sort(changes_.begin(), changes_.end(),
                   [](const Change& a, const Change& b) { return a.order < b.order; });
  PolicyDiff out;
  out.changes = std::move(changes_);
  std::vector<std::string> names = {""};
  names.insert(names.end(), area_order_.begin(), area_order_.end());
  for (const std::string& name : names) {
    Area area{name, name.empty() ? "" : area_label_[name], {}};
    for (const Change& c : out.changes)
      if (c.area == name) area.changes.push_back(&c);
    if (!area.changes.empty()) out.areas.push_back(std::move(area));
  }
  return out;
}

PolicyDiff Compare(const PolicySide& old_side, const PolicySide& new_side) {
  return Differ(old_side, new_side).Run();
}

void Differ::CompareDecl(const ast::Decl& a, const ast::Decl& b) {
  switch (a.kind) {
    case ast::DeclKind::Header: return Header(static_cast<const ast::HeaderDecl&>(a), static_cast<const ast::HeaderDecl&>(b));
    case ast::DeclKind::Enum: return Enum(static_cast<const ast::EnumDecl&>(a), static_cast<const ast::EnumDecl&>(b));
    case ast::DeclKind::Input: return Input(static_cast<const ast::InputDecl&>(a), static_cast<const ast::InputDecl&>(b));
    case ast::DeclKind::Param: return Param(static_cast<const ast::ParamDecl&>(a), static_cast<const ast::ParamDecl&>(b));
    case ast::DeclKind::Set: return Set(static_cast<const ast::SetDecl&>(a), static_cast<const ast::SetDecl&>(b));
    case ast::DeclKind::Table: return Table(static_cast<const ast::TableDecl&>(a), static_cast<const ast::TableDecl&>(b));
    case ast::DeclKind::Brackets: return Brackets(static_cast<const ast::BracketsDecl&>(a), static_cast<const ast::BracketsDecl&>(b));
    case ast::DeclKind::Rule: return Rule(static_cast<const ast::RuleDecl&>(a), static_cast<const ast::RuleDecl&>(b));
    case ast::DeclKind::Function: return Function(static_cast<const ast::FunctionDecl&>(a), static_cast<const ast::FunctionDecl&>(b));
    case ast::DeclKind::Accumulator: return Accumulator(static_cast<const ast::AccumulatorDecl&>(a), static_cast<const ast::AccumulatorDecl&>(b));
    case ast::DeclKind::Output: return Output(static_cast<const ast::OutputDecl&>(a), static_cast<const ast::OutputDecl&>(b));
    case ast::DeclKind::Area: return;
  }
}

void Differ::Header(const ast::HeaderDecl& a, const ast::HeaderDecl& b) {
  TextChange("title", a.title, b.title, LineOf(a.range), LineOf(b.range));
  std::vector<std::string> names;
  for (const auto* h : {&a, &b})
    for (const ast::HeaderField& f : h->fields)
      if (std::find(names.begin(), names.end(), f.name.name) == names.end()) names.push_back(f.name.name);
  auto find = [](const ast::HeaderDecl& h, const std::string& name) -> const ast::HeaderField* {
    for (const ast::HeaderField& f : h.fields)
      if (f.name.name == name) return &f;
    return nullptr;
  };
  for (const std::string& name : names) {
    const ast::HeaderField *fa = find(a, name), *fb = find(b, name);
    if (fa && fb) TextChange(name, fa->value, fb->value, LineOf(fa->range), LineOf(fb->range));
    else if (fa) Add(ChangeKind::Removed, name, Present(fa->value, LineOf(fa->range)), {});
    else Add(ChangeKind::Added, name, {}, Present(fb->value, LineOf(fb->range)));
  }
}

void Differ::Enum(const ast::EnumDecl& a, const ast::EnumDecl& b) {
  BeginClause();
  auto find = [](const ast::EnumDecl& e, const std::string& name) -> const ast::EnumWord* {
    for (const ast::EnumWord& w : e.words)
      if (w.name.name == name) return &w;
    return nullptr;
  };
  auto show = [](const ast::EnumWord& w) { return w.name.name + (w.label ? " \"" + *w.label + "\"" : ""); };
  for (const ast::EnumWord& w : a.words)
    if (!find(b, w.name.name)) Add(ChangeKind::Removed, "word " + w.name.name, Present(show(w), LineOf(w.name.range)), {});
  for (const ast::EnumWord& w : b.words) {
    const ast::EnumWord* old = find(a, w.name.name);
    if (!old) Add(ChangeKind::Added, "word " + w.name.name, {}, Present(show(w), LineOf(w.name.range)));
    else if (old->label != w.label)
      Add(ChangeKind::Changed, "word " + w.name.name + " label", Present(show(*old), LineOf(old->name.range)),
          Present(show(w), LineOf(w.name.range)));
  }
  EndClause("cite", a.cite, b.cite, LineOf(a.range), LineOf(b.range));
}

void Differ::Input(const ast::InputDecl& a, const ast::InputDecl& b) {
  const uint32_t la = LineOf(a.range), lb = LineOf(b.range);
  auto opt = [](const std::optional<ast::Ident>& i) { return i ? i->name : std::string("(none)"); };
  TextChange("key", a.key.name, b.key.name, la, lb);
  TextChange("of", opt(a.parent), opt(b.parent), la, lb);
  TextChange("by", opt(a.parent_field), opt(b.parent_field), la, lb);
  TextChange("order by", opt(a.order), opt(b.order), la, lb);
  auto field = [](const ast::InputDecl& in, const std::string& name) -> const ast::FieldDecl* {
    for (const ast::FieldDecl& f : in.fields)
      if (f.name.name == name) return &f;
    return nullptr;
  };
  auto show = [](const ast::FieldDecl& f) { return f.name.name + ": " + TypeText(f.type); };
  for (const ast::FieldDecl& f : a.fields)
    if (!field(b, f.name.name)) Add(ChangeKind::Removed, "field " + f.name.name, Present(show(f), LineOf(f.name.range)), {});
  for (const ast::FieldDecl& f : b.fields) {
    const ast::FieldDecl* old = field(a, f.name.name);
    if (!old) Add(ChangeKind::Added, "field " + f.name.name, {}, Present(show(f), LineOf(f.name.range)));
    else TextChange("field " + f.name.name, show(*old), show(f), LineOf(old->name.range), LineOf(f.name.range));
  }
  // Requirements are matched by their message.
  auto req = [](const ast::InputDecl& in, const std::string& message) -> const ast::Requirement* {
    for (const ast::Requirement& r : in.requirements)
      if (r.message == message) return &r;
    return nullptr;
  };
  auto show_req = [](const ast::Requirement& r) {
    return "require " + ast::PrintExpr(*r.condition) + " message \"" + r.message + "\"";
  };
  for (const ast::Requirement& r : a.requirements)
    if (!req(b, r.message)) Add(ChangeKind::Removed, "require \"" + r.message + "\"", Present(show_req(r), LineOf(r.range)), {});
  for (const ast::Requirement& r : b.requirements) {
    const ast::Requirement* old = req(a, r.message);
    Locals locals;
    if (!old) Add(ChangeKind::Added, "require \"" + r.message + "\"", {}, Present(show_req(r), LineOf(r.range)));
    else ExprChange("require \"" + r.message + "\"", *old->condition, *r.condition, locals);
  }
}

void Differ::Set(const ast::SetDecl& a, const ast::SetDecl& b) {
  BeginClause();
  TextChange("type", TypeText(a.type), TypeText(b.type), LineOf(a.type.range), LineOf(b.type.range));
  std::set<std::string> wa, wb;
  for (const ast::Ident& w : a.words) wa.insert(w.name);
  for (const ast::Ident& w : b.words) wb.insert(w.name);
  for (const ast::Ident& w : a.words)
    if (!wb.count(w.name)) Add(ChangeKind::Removed, "word " + w.name, Present(w.name, LineOf(w.range)), {});
  for (const ast::Ident& w : b.words)
    if (!wa.count(w.name)) Add(ChangeKind::Added, "word " + w.name, {}, Present(w.name, LineOf(w.range)));
  EndClause("cite", a.cite, b.cite, LineOf(a.range), LineOf(b.range));
}

void Differ::Output(const ast::OutputDecl& a, const ast::OutputDecl& b) {
  TextChange("for", a.record.name, b.record.name, LineOf(a.range), LineOf(b.range));
  auto column = [](const ast::OutputDecl& o, const std::string& name) -> const ast::OutputColumn* {
    for (const ast::OutputColumn& c : o.columns)
      if (c.name.name == name) return &c;
    return nullptr;
  };
  auto show = [](const ast::OutputColumn& c) {
    return c.name.name + (c.value ? " = " + ast::PrintExpr(*c.value) : "") +
           (c.absent ? " absent \"" + *c.absent + "\"" : "") + (c.role.empty() ? "" : " " + c.role + " \"" + c.label + "\"");
  };
  std::vector<std::string> order_a, order_b;
  for (const ast::OutputColumn& c : a.columns) {
    if (!column(b, c.name.name)) Add(ChangeKind::Removed, "column " + c.name.name, Present(show(c), LineOf(c.range)), {});
    else order_a.push_back(c.name.name);
  }
  for (const ast::OutputColumn& c : b.columns) {
    const ast::OutputColumn* old = column(a, c.name.name);
    if (!old) {
      Add(ChangeKind::Added, "column " + c.name.name, {}, Present(show(c), LineOf(c.range)));
      continue;
    }
    order_b.push_back(c.name.name);
    Locals locals;
    OptExprChange("column " + c.name.name, old->value, c.value, LineOf(old->range), LineOf(c.range), locals);
    TextChange("column " + c.name.name + " absent", old->absent.value_or("(empty)"), c.absent.value_or("(empty)"),
               LineOf(old->range), LineOf(c.range));
    auto role = [](const ast::OutputColumn& x) { return x.role.empty() ? std::string("(none)") : x.role + " \"" + x.label + "\""; };
    TextChange("column " + c.name.name + " role", role(*old), role(c), LineOf(old->range), LineOf(c.range));
  }
  if (order_a != order_b) TextChange("column order", Join(order_a), Join(order_b), LineOf(a.range), LineOf(b.range));
}

}  // namespace polc::diff
