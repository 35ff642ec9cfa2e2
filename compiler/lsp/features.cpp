// The language server's answers on one document, from its symbol index and the printer.
#include "compiler/lsp/features.h"

#include <set>

#include "compiler/ast/print.h"
#include "compiler/diag/diagnostics.h"
#include "compiler/diag/stack.h"
#include "compiler/parse/format.h"

namespace polc::lsp {

namespace {

size_t Utf8Length(unsigned char c) { return c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4; }

// UTF-16 units of the first `code_points` code points of `line`.
uint32_t Utf16Units(std::string_view line, uint32_t code_points) {
  uint32_t units = 0;
  size_t i = 0;
  for (uint32_t n = 0; n < code_points && i < line.size(); ++n) {
    size_t len = Utf8Length(static_cast<unsigned char>(line[i]));
    units += len == 4 ? 2 : 1;
    i += len;
  }
  // Past the end of the line (an end-exclusive column): one unit per missing code point.
  return units;
}

Json Position(const SourceFile& file, uint32_t line, uint32_t col) {
  if (line == 0) return {{"line", 0}, {"character", 0}};
  uint32_t code_points = col > 0 ? col - 1 : 0;
  std::string_view text = file.Line(line);
  uint32_t units = Utf16Units(text, code_points);
  uint32_t have = static_cast<uint32_t>(CodePoints(text));
  if (code_points > have) units += code_points - have;
  return {{"line", line - 1}, {"character", units}};
}

Json Location(const Document& doc, const SourceRange& range) {
  return {{"uri", doc.uri}, {"range", ToLsp(*doc.parsed, range)}};
}

const Occurrence* OccurrenceAt(const Document& doc, const Json& params) {
  if (!doc.index) return nullptr;
  auto [line, col] = FromLsp(*doc.parsed, params.at("position"));
  return doc.index->At(line, col);
}

const ast::Cite* CiteOf(const ast::Decl& d) { return d.cite ? &*d.cite : nullptr; }

// The first lines of a declaration as the formatter prints it.
std::string Excerpt(const ast::Decl& d, size_t max_lines = 12) {
  std::string text = ast::PrintDecl(d);
  size_t at = 0;
  for (size_t n = 0; n < max_lines && at != std::string::npos; ++n) {
    at = text.find('\n', at);
    if (at != std::string::npos) ++at;
  }
  if (at != std::string::npos && at < text.size()) text = text.substr(0, at) + "...";
  return text;
}

std::string HoverText(const Definition& def) {
  std::string out;
  switch (def.kind) {
    case DefKind::Word:
      out = "```polc\n" + def.name + (def.label.empty() ? "" : " " + QuoteString(def.label)) + "\n```\n" +
            (def.label.empty() ? "" : "**" + def.label + "**: ") + "a word of the enumeration `" + def.container + "`";
      break;
    case DefKind::Field:
      out = "```polc\n" + def.name + ": " + def.type + "\n```\na field of the input record `" + def.container + "`";
      break;
    case DefKind::Column:
      out = "```polc\n" + def.name + ": " + def.type + "\n```\na column of the table `" + def.container + "`";
      break;
    case DefKind::Local:
      out = "```polc\n" + def.name + ": " + def.type + "\n```\na parameter of the function `" + def.container + "`";
      break;
    case DefKind::Area:
      out = "area `" + def.name + "`: " + def.label;
      break;
    default:
      out = "```polc\n" + Excerpt(*def.decl) + "\n```";
      if (!def.type.empty()) out += "\ntype: `" + def.type + "`";
      break;
  }
  if (def.kind != DefKind::Word && def.kind != DefKind::Field && def.kind != DefKind::Column &&
      def.kind != DefKind::Local && def.decl)
    if (const ast::Cite* c = CiteOf(*def.decl)) out += "\n\ncite: \xE2\x80\x9C" + c->text + "\xE2\x80\x9D";
  return out;
}

int SymbolKind(DefKind k) {
  switch (k) {
    case DefKind::Header: return 2;       // Module
    case DefKind::Enum: return 10;        // Enum
    case DefKind::Word: return 22;        // EnumMember
    case DefKind::Input: return 23;       // Struct
    case DefKind::Field: return 8;        // Field
    case DefKind::Param: return 14;       // Constant
    case DefKind::Set: return 18;         // Array
    case DefKind::Table: return 18;       // Array
    case DefKind::Column: return 8;       // Field
    case DefKind::Brackets: return 18;    // Array
    case DefKind::Rule: return 13;        // Variable
    case DefKind::Function: return 12;    // Function
    case DefKind::Accumulator: return 7;  // Property
    case DefKind::Output: return 11;      // Interface
    case DefKind::Area: return 3;         // Namespace
    case DefKind::Local: return 13;       // Variable
  }
  return 13;
}

int CompletionKind(DefKind k) {
  switch (k) {
    case DefKind::Word: return 20;  // EnumMember
    case DefKind::Field:
    case DefKind::Column: return 5;  // Field
    case DefKind::Function:
    case DefKind::Brackets: return 3;  // Function
    case DefKind::Param: return 21;    // Constant
    case DefKind::Enum: return 13;     // Enum
    default: return 6;                 // Variable
  }
}

bool IsIdentifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

}  // namespace

Json ToLsp(const SourceFile& file, const SourceRange& range) {
  return {{"start", Position(file, range.begin_line, range.begin_col)},
          {"end", Position(file, range.end_line ? range.end_line : range.begin_line, range.end_col)}};
}

std::pair<uint32_t, uint32_t> FromLsp(const SourceFile& file, const Json& position) {
  uint32_t line = position.at("line").get<uint32_t>() + 1;
  uint32_t units = position.at("character").get<uint32_t>();
  std::string_view text = file.Line(line);
  uint32_t col = 1, seen = 0;
  for (size_t i = 0; i < text.size() && seen < units;) {
    size_t len = Utf8Length(static_cast<unsigned char>(text[i]));
    seen += len == 4 ? 2 : 1;
    i += len;
    ++col;
  }
  return {line, col};
}

Json Hover(const Document& doc, const Json& params) {
  const Occurrence* o = OccurrenceAt(doc, params);
  if (!o) return nullptr;
  std::vector<const Definition*> defs = doc.index->Find(o->key);
  if (defs.empty()) return nullptr;
  std::string text;
  for (const Definition* d : defs) text += (text.empty() ? "" : "\n\n---\n\n") + HoverText(*d);
  return {{"contents", {{"kind", "markdown"}, {"value", text}}}, {"range", ToLsp(*doc.parsed, o->range)}};
}

Json GoToDefinition(const Document& doc, const Json& params) {
  const Occurrence* o = OccurrenceAt(doc, params);
  Json out = Json::array();
  if (!o) return out;
  for (const Definition* d : doc.index->Find(o->key)) out.push_back(Location(doc, d->name_range));
  return out;
}

Json References(const Document& doc, const Json& params) {
  const Occurrence* o = OccurrenceAt(doc, params);
  Json out = Json::array();
  if (!o) return out;
  bool with_declaration = params.value("/context/includeDeclaration"_json_pointer, true);
  for (const Occurrence& r : doc.index->Occurrences())
    if (r.key == o->key && (with_declaration || !r.is_definition)) out.push_back(Location(doc, r.range));
  return out;
}

Json Completion(const Document& doc, const Json& params) {
  Json items = Json::array();
  if (!doc.index) return items;
  // After a dot: the columns of tables and a period's start and end.
  auto [line, col] = FromLsp(*doc.parsed, params.at("position"));
  std::string_view text = doc.parsed->Line(line);
  size_t byte = 0;
  for (uint32_t n = 1; n < col && byte < text.size(); ++n) byte += Utf8Length(static_cast<unsigned char>(text[byte]));
  size_t start = byte;
  while (start > 0 && (std::isalnum(static_cast<unsigned char>(text[start - 1])) || text[start - 1] == '_')) --start;
  bool after_dot = start > 0 && text[start - 1] == '.';
  std::set<std::string> seen;
  auto add = [&](const std::string& label, int kind, const std::string& detail) {
    if (!seen.insert(label + "\x1f" + std::to_string(kind)).second) return;
    items.push_back({{"label", label}, {"kind", kind}, {"detail", detail}});
  };
  for (const Definition& d : doc.index->Definitions()) {
    if (after_dot != (d.kind == DefKind::Column)) continue;
    if (d.kind == DefKind::Area || d.kind == DefKind::Input || d.kind == DefKind::Output || d.kind == DefKind::Local)
      continue;
    std::string detail = d.kind == DefKind::Word ? d.container + (d.label.empty() ? "" : " " + d.label)
                         : d.kind == DefKind::Column || d.kind == DefKind::Field ? d.container + "." + d.name + ": " + d.type
                                                                               : d.type;
    add(d.name, CompletionKind(d.kind), detail);
  }
  if (after_dot) {
    add("start", 5, "period: its first day");
    add("end", 5, "period: its last day");
  }
  return items;
}

Json DocumentSymbols(const Document& doc) {
  Json out = Json::array();
  if (!doc.index) return out;
  Json* area = nullptr;
  auto symbol = [&](const Definition& d) {
    Json s = {{"name", d.name},
              {"kind", SymbolKind(d.kind)},
              {"range", ToLsp(*doc.parsed, d.decl_range)},
              {"selectionRange", ToLsp(*doc.parsed, d.name_range)}};
    if (!d.type.empty()) s["detail"] = d.type;
    if (d.kind == DefKind::Area) s["detail"] = d.label;
    return s;
  };
  for (const Definition& d : doc.index->Definitions()) {
    if (d.kind == DefKind::Word || d.kind == DefKind::Field || d.kind == DefKind::Column || d.kind == DefKind::Local)
      continue;
    if (d.kind == DefKind::Area) {
      out.push_back(symbol(d));
      out.back()["children"] = Json::array();
      area = &out.back();
      continue;
    }
    Json s = symbol(d);
    // The words, fields and columns of a declaration are its children.
    Json children = Json::array();
    for (const Definition& c : doc.index->Definitions())
      if (c.decl == d.decl && &c != &d && c.kind != DefKind::Local) children.push_back(symbol(c));
    if (!children.empty()) s["children"] = children;
    if (area) {
      (*area)["children"].push_back(s);
      // The area's range runs to the end of its last declaration.
      (*area)["range"]["end"] = s["range"]["end"];
    } else {
      out.push_back(s);
    }
  }
  return out;
}

Json Formatting(const Document& doc) {
  SourceFile file(doc.path, doc.text);
  DiagnosticSink sink;
  std::optional<std::string> formatted;
  RunOnLargeStack([&] { formatted = FormatSource(file, sink); });
  Json edits = Json::array();
  if (!formatted || *formatted == doc.text) return edits;
  uint32_t lines = file.LineCount();
  Json end = Position(file, lines, static_cast<uint32_t>(CodePoints(file.Line(lines))) + 1);
  edits.push_back({{"range", {{"start", {{"line", 0}, {"character", 0}}}, {"end", end}}}, {"newText", *formatted}});
  return edits;
}

Json Rename(const Document& doc, const Json& params) {
  const Occurrence* o = OccurrenceAt(doc, params);
  if (!o) return "there is no name here";
  if (doc.index->Find(o->key).empty()) return "a built-in name cannot be renamed";
  std::string name = params.at("newName").get<std::string>();
  if (!IsIdentifier(name)) return "'" + name + "' is not a name (letters, digits and _, not starting with a digit)";
  Json edits = Json::array();
  for (const Occurrence& r : doc.index->Occurrences())
    if (r.key == o->key) edits.push_back({{"range", ToLsp(*doc.parsed, r.range)}, {"newText", name}});
  return {{"changes", {{doc.uri, edits}}}};
}

}  // namespace polc::lsp
