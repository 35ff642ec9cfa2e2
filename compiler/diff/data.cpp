// Comparing the declarations that hold figures: table cells by key (the `else` row expanded, as
// the checker does) and bracket rows by position, both as values, so `3万` and `30000` agree.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "compiler/diff/differ.h"

namespace polc::diff {

namespace {

std::string TypeText(const ast::TypeRef& t) { return t.name.name + (t.optional ? "?" : ""); }

const ir::Table* FindTable(const ir::Program& p, const std::string& name) {
  for (const ir::Table& t : p.tables)
    if (t.name == name) return &t;
  return nullptr;
}

const ir::Brackets* FindBrackets(const ir::Program& p, const std::string& name) {
  for (const ir::Brackets& b : p.brackets)
    if (b.name == name) return &b;
  return nullptr;
}

// A table's rows by the spelling of their key (an enumeration word or a number), in key order.
struct Cells {
  std::vector<std::string> keys;
  std::map<std::string, const ir::TableRow*> rows;
};

Cells CellsOf(const ir::Program& p, const ir::Table& t) {
  Cells out;
  for (const ir::TableRow& row : t.rows) {
    std::string key = t.key_type.base == ir::Base::Enum
                          ? p.enums[static_cast<size_t>(t.key_type.enum_id)].words[static_cast<size_t>(row.key)].name
                          : std::to_string(row.key);
    out.keys.push_back(key);
    out.rows[key] = &row;
  }
  return out;
}

std::string ColumnsText(const ast::TableDecl& t) {
  if (t.value_type) return TypeText(*t.value_type);
  std::string out = "{ ";
  for (size_t i = 0; i < t.columns.size(); ++i)
    out += (i ? ", " : "") + t.columns[i].name.name + ": " + TypeText(t.columns[i].type);
  return out + " }";
}

std::string RowText(const ir::Program& p, const ir::Table& t, const ir::TableRow& row) {
  std::string out;
  for (size_t c = 0; c < t.columns.size(); ++c)
    out += (c ? ", " : "") + ir::FormatValue(p, t.columns[c].type, row.values[c]);
  return out;
}

}  // namespace

void Differ::Table(const ast::TableDecl& a, const ast::TableDecl& b) {
  const ir::Table* ta = FindTable(*old_.program, a.name.name);
  const ir::Table* tb = FindTable(*new_.program, b.name.name);
  BeginClause();
  TextChange("key type", TypeText(a.key_type), TypeText(b.key_type), LineOf(a.key_type.range), LineOf(b.key_type.range));
  TextChange("value type", ColumnsText(a), ColumnsText(b), LineOf(a.range), LineOf(b.range));
  TextChange("csv", a.csv_path ? "csv \"" + *a.csv_path + "\" key " + a.csv_key.name + " value " + a.csv_value.name : "(inline rows)",
             b.csv_path ? "csv \"" + *b.csv_path + "\" key " + b.csv_key.name + " value " + b.csv_value.name : "(inline rows)",
             LineOf(a.range), LineOf(b.range));
  if (ta && tb) {
    const Cells ca = CellsOf(*old_.program, *ta), cb = CellsOf(*new_.program, *tb);
    // Cells that changed alike (one column, same old and new value) are reported together.
    struct Group {
      std::vector<std::string> keys;
      std::string column, before, after;
      uint32_t old_line, new_line;
    };
    std::vector<Group> groups;
    for (const std::string& key : ca.keys)
      if (!cb.rows.count(key))
        Add(ChangeKind::Removed, "[" + key + "]", Present(RowText(*old_.program, *ta, *ca.rows.at(key)), LineOf(ca.rows.at(key)->range)), {});
    for (const std::string& key : cb.keys) {
      const ir::TableRow& nb = *cb.rows.at(key);
      auto it = ca.rows.find(key);
      if (it == ca.rows.end()) {
        Add(ChangeKind::Added, "[" + key + "]", {}, Present(RowText(*new_.program, *tb, nb), LineOf(nb.range)));
        continue;
      }
      const ir::TableRow& na = *it->second;
      for (size_t c = 0; c < tb->columns.size(); ++c) {
        size_t oc = 0;
        while (oc < ta->columns.size() && ta->columns[oc].name != tb->columns[c].name) ++oc;
        if (oc == ta->columns.size()) continue;  // a new column: reported as the value type
        std::string before = ir::FormatValue(*old_.program, ta->columns[oc].type, na.values[oc]);
        std::string after = ir::FormatValue(*new_.program, tb->columns[c].type, nb.values[c]);
        if (before == after) continue;
        const std::string column = tb->record_valued ? "." + tb->columns[c].name : "";
        auto g = std::find_if(groups.begin(), groups.end(), [&](const Group& x) {
          return x.column == column && x.before == before && x.after == after;
        });
        if (g == groups.end()) {
          groups.push_back({{key}, column, before, after, LineOf(na.range), LineOf(nb.range)});
        } else {
          g->keys.push_back(key);
        }
      }
    }
    for (const Group& g : groups) {
      std::string keys;
      for (const std::string& k : g.keys) keys += (keys.empty() ? "" : ", ") + k;
      Add(ChangeKind::Changed, "[" + keys + "]" + g.column, Present(g.before, g.old_line), Present(g.after, g.new_line));
    }
  }
  EndClause("cite", a.cite, b.cite, LineOf(a.range), LineOf(b.range));
}

void Differ::Brackets(const ast::BracketsDecl& a, const ast::BracketsDecl& b) {
  const ir::Brackets* ba = FindBrackets(*old_.program, a.name.name);
  const ir::Brackets* bb = FindBrackets(*new_.program, b.name.name);
  BeginClause();
  // A figure named by a parameter shows its value too: `band (30000.00)`.
  auto figure = [](const ir::Program* p, const std::string& spelling, ir::Base base, int64_t value) {
    if (!p || !ast::IsFigureName(spelling)) return spelling;
    return spelling + " (" + ir::FormatValue(*p, ir::Type{base}, ir::Value{value}) + ")";
  };
  auto show_in = [&](const ir::Brackets* in, const ir::Program* p, const ast::BracketRow& r, size_t i) {
    const ir::BracketRow* v = in && i < in->rows.size() ? &in->rows[i] : nullptr;
    if (!v) p = nullptr;
    return figure(p, r.lower, ir::Base::Money, v ? v->lower : 0) + " .." +
           (r.upper.empty() ? "" : " " + figure(p, r.upper, ir::Base::Money, v ? v->upper : 0)) + ": " +
           figure(p, r.rate, ir::Base::Rate, v ? v->rate : 0);
  };
  auto show_old = [&](const ast::BracketRow& r, size_t i) { return show_in(ba, old_.program, r, i); };
  auto show_new = [&](const ast::BracketRow& r, size_t i) { return show_in(bb, new_.program, r, i); };
  const size_t n = std::max(a.rows.size(), b.rows.size());
  for (size_t i = 0; ba && bb && i < n; ++i) {
    const std::string part = fmt::format("row {}", i + 1);
    if (i >= a.rows.size()) {
      Add(ChangeKind::Added, part, {}, Present(show_new(b.rows[i], i), LineOf(b.rows[i].range)));
    } else if (i >= b.rows.size()) {
      Add(ChangeKind::Removed, part, Present(show_old(a.rows[i], i), LineOf(a.rows[i].range)), {});
    } else {
      const ir::BracketRow &ra = ba->rows[i], &rb = bb->rows[i];
      if (ra.lower != rb.lower || ra.upper != rb.upper || ra.rate != rb.rate)
        Add(ChangeKind::Changed, part, Present(show_old(a.rows[i], i), LineOf(a.rows[i].range)),
            Present(show_new(b.rows[i], i), LineOf(b.rows[i].range)));
    }
  }
  EndClause("cite", a.cite, b.cite, LineOf(a.range), LineOf(b.range));
}

}  // namespace polc::diff
