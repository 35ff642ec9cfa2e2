// Internal to compiler/diff: the state of one comparison, shared by the files that compare
// each kind of declaration (compare.cpp, rules.cpp, data.cpp).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compiler/diff/diff.h"
#include "compiler/diff/expr.h"

namespace polc::diff {

class Differ {
 public:
  Differ(const PolicySide& old_side, const PolicySide& new_side);
  PolicyDiff Run();

 private:
  // ---- compare.cpp
  void CompareDecl(const ast::Decl& a, const ast::Decl& b);
  void Header(const ast::HeaderDecl& a, const ast::HeaderDecl& b);
  void Enum(const ast::EnumDecl& a, const ast::EnumDecl& b);
  void Input(const ast::InputDecl& a, const ast::InputDecl& b);
  void Set(const ast::SetDecl& a, const ast::SetDecl& b);
  void Output(const ast::OutputDecl& a, const ast::OutputDecl& b);
  // ---- rules.cpp
  void Param(const ast::ParamDecl& a, const ast::ParamDecl& b);
  void Rule(const ast::RuleDecl& a, const ast::RuleDecl& b);
  void Function(const ast::FunctionDecl& a, const ast::FunctionDecl& b);
  void Accumulator(const ast::AccumulatorDecl& a, const ast::AccumulatorDecl& b);
  // ---- data.cpp
  void Table(const ast::TableDecl& a, const ast::TableDecl& b);
  void Brackets(const ast::BracketsDecl& a, const ast::BracketsDecl& b);

  // One clause of a definition (its value with its cite, an exception, ...): its changes
  // carry both cites; when nothing else changed but the cite, the cite is the change.
  void BeginClause();
  void EndClause(const std::string& cite_part, const std::optional<ast::Cite>& a,
                 const std::optional<ast::Cite>& b, uint32_t old_line, uint32_t new_line);
  // Records a change of the declaration being compared.
  void Add(ChangeKind kind, const std::string& part, Side before, Side after);
  // The change of two expressions (nothing when they are the same), as their smallest differing
  // sub-expressions.
  void ExprChange(const std::string& part, const ast::Expr& a, const ast::Expr& b, Locals& locals);
  // An optional part (an accumulator's cap, an output column's expression): added, removed or changed.
  void OptExprChange(const std::string& part, const ast::ExprPtr& a, const ast::ExprPtr& b,
                     uint32_t old_line, uint32_t new_line, Locals& locals);
  void TextChange(const std::string& part, const std::string& a, const std::string& b,
                  uint32_t old_line, uint32_t new_line);

  static Side Present(std::string text, uint32_t line, const std::optional<ast::Cite>& cite = std::nullopt);
  static Side PresentExpr(const ast::Expr& e);

  PolicySide old_, new_;
  std::vector<Change> changes_;
  // The declarations being compared, their areas and positions.
  const ast::Decl* old_decl_ = nullptr;
  const ast::Decl* new_decl_ = nullptr;
  std::map<const ast::Decl*, std::pair<std::string, int>> place_;  // area, position
  std::map<std::string, std::string> area_label_;
  std::vector<std::string> area_order_;
  size_t clause_start_ = 0;
};

// The declaration keyword of a kind: param, rule, ...
const char* DeclWord(ast::DeclKind kind);
inline uint32_t LineOf(const SourceRange& r) { return r.begin_line; }
inline std::string CiteText(const std::optional<ast::Cite>& c) { return c ? c->text : std::string(); }

}  // namespace polc::diff
