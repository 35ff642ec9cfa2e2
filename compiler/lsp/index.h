// The symbol index of one parsed policy, for the language server: every definition (top-level
// declarations, input fields, enumeration words, table columns) and every place a name is
// written, each with the key of what it names. Built from the AST alone, so it works on a
// file that parses but does not check yet.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"

namespace polc::lsp {

// What a definition is, for hover, completion and symbol kinds.
enum class DefKind { Header, Enum, Word, Input, Field, Param, Set, Table, Column, Brackets, Rule, Function, Accumulator, Output, Area, Local };

struct Definition {
  std::string key;   // "type:NAME", "value:NAME", "word:NAME", "column:NAME", "local:DECL:NAME"
  std::string name;
  DefKind kind;
  SourceRange name_range;       // the defining identifier
  SourceRange decl_range;       // the whole declaration (or field, word)
  const ast::Decl* decl = nullptr;  // the enclosing top-level declaration
  std::string type;             // the declared type, when there is one
  std::string label;            // an enumeration word's label; an area's label
  std::string container;        // the enumeration of a word, the input of a field, the table of a column
};

struct Occurrence {
  std::string key;
  SourceRange range;
  bool is_definition = false;
};

class Index {
 public:
  explicit Index(const ast::Module& module);

  // The occurrence whose range holds the 1-based line and code-point column, or null.
  const Occurrence* At(uint32_t line, uint32_t col) const;
  // The definitions with this key (an enumeration word may belong to several enumerations).
  std::vector<const Definition*> Find(const std::string& key) const;
  const std::vector<Definition>& Definitions() const { return defs_; }
  const std::vector<Occurrence>& Occurrences() const { return occurrences_; }

 private:
  void AddDef(Definition def);
  void Ref(const std::string& key, SourceRange range);
  void Type(const ast::TypeRef& t);
  void Expr(const ast::Expr& e, const std::string& scope, std::vector<std::string>& locals);
  std::string ValueKey(const std::string& name, const std::string& scope, const std::vector<std::string>& locals) const;

  std::vector<Definition> defs_;
  std::vector<Occurrence> occurrences_;
  std::multimap<std::string, size_t> by_key_;
};

// An identifier's range inside a larger one: `length` code points ending at `range`'s end
// (a field after a dot) or starting at its beginning (a callee).
SourceRange Suffix(const SourceRange& range, size_t length);
SourceRange Prefix(const SourceRange& range, size_t length);
size_t CodePoints(std::string_view s);

}  // namespace polc::lsp
