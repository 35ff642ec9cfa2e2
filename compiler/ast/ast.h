// The AST of a policy file: what the parser builds and the checker reads. Every node
// carries its source range. No ANTLR type appears here.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/diag/source.h"

namespace polc::ast {

struct Ident {
  std::string name;
  SourceRange range;
};

struct TypeRef {
  Ident name;  // a built-in type (money, rate, date, ...) or an enumeration
  bool optional = false;
  SourceRange range;
};

struct Cite {
  std::string text;  // the clause of the source document, unquoted
  SourceRange range;
};

enum class ExprKind {
  Int, Decimal, Wan, Percent, Date, Period, String, Bool,  // literals, spelled in `text`
  Name,    // text = name
  Call,    // text = callee, args
  Field,   // args[0] . text
  Index,   // args[0] [ args[1] ]
  Unit,    // args[0] days|months|years (text)
  Unary,   // text = "-" | "not", args[0]
  Binary,  // text = operator, args[0], args[1]
  In,      // args[0] (not) in args[1]
  Let,     // let text = args[0]; args[1]
  If,      // if args[0] then args[1] else args[2]
  Match,   // match args[0] { arms }
  Set,     // { words }
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct MatchArm {
  std::vector<Ident> words;  // empty: the `else` arm
  ExprPtr value;
  SourceRange range;
};

struct Expr {
  ExprKind kind;
  SourceRange range;
  std::string text;   // literal spelling, name, operator, field or unit
  std::string text2;  // Period: the end date
  bool negated = false;  // In: `not in`
  std::vector<ExprPtr> args;
  std::vector<Ident> words;   // Set
  std::vector<MatchArm> arms;  // Match
};

enum class DeclKind { Header, Enum, Input, Param, Set, Table, Brackets, Rule, Function, Accumulator, Output, Area };

struct Decl {
  explicit Decl(DeclKind k) : kind(k) {}
  virtual ~Decl() = default;
  DeclKind kind;
  Ident name;
  SourceRange range;
  std::optional<Cite> cite;
};

struct HeaderField {
  Ident name;
  std::string value;  // unquoted string or digits
  bool is_number = false;
  SourceRange range;
};

struct HeaderDecl : Decl {
  HeaderDecl() : Decl(DeclKind::Header) {}
  std::string title;  // name.name holds the title as well
  std::vector<HeaderField> fields;
};

struct EnumWord {
  Ident name;
  std::optional<std::string> label;
};

struct EnumDecl : Decl {
  EnumDecl() : Decl(DeclKind::Enum) {}
  std::vector<EnumWord> words;
};

struct FieldDecl {
  Ident name;
  TypeRef type;
};

struct Requirement {
  ExprPtr condition;
  std::string message;
  SourceRange range;
};

struct InputDecl : Decl {
  InputDecl() : Decl(DeclKind::Input) {}
  Ident key;
  std::optional<Ident> parent, parent_field;  // `of person by person_id`
  std::optional<Ident> order;                 // `order by date`
  std::vector<FieldDecl> fields;
  std::vector<Requirement> requirements;
};

struct ParamDecl : Decl {
  ParamDecl() : Decl(DeclKind::Param) {}
  TypeRef type;
  ExprPtr value;
};

struct SetDecl : Decl {
  SetDecl() : Decl(DeclKind::Set) {}
  TypeRef type;
  std::vector<Ident> words;
};

struct TableRow {
  std::vector<Ident> keys;  // enumeration words or integer spellings; empty: `else`
  std::vector<ExprPtr> values;
  std::optional<Cite> cite;  // the row's own clause (`... => 500, 82% cite "..."`)
  SourceRange range;
};

struct TableColumn {
  Ident name;
  TypeRef type;
};

struct TableDecl : Decl {
  TableDecl() : Decl(DeclKind::Table) {}
  TypeRef key_type;
  std::optional<TypeRef> value_type;   // a single value ...
  std::vector<TableColumn> columns;    // ... or named columns
  std::vector<TableRow> rows;
  // Loaded from a CSV file beside the policy instead of rows.
  std::optional<std::string> csv_path;
  Ident csv_key, csv_value;
};

struct BracketRow {
  std::string lower, upper;  // spellings (a literal or a parameter's name); upper empty for the open top row
  std::string rate;
  SourceRange range;
  SourceRange lower_range, upper_range, rate_range;
};

// A bracket figure spelled as a name (a parameter) rather than a literal.
inline bool IsFigureName(const std::string& spelling) {
  return !spelling.empty() && !(spelling[0] >= '0' && spelling[0] <= '9');
}

struct BracketsDecl : Decl {
  BracketsDecl() : Decl(DeclKind::Brackets) {}
  std::vector<BracketRow> rows;
};

struct ExceptionClause {
  std::optional<Ident> label;
  ExprPtr condition;
  ExprPtr value;
  std::optional<Cite> cite;
  SourceRange range;
};

struct RuleDecl : Decl {
  RuleDecl() : Decl(DeclKind::Rule) {}
  TypeRef type;
  ExprPtr value;  // the default
  std::vector<ExceptionClause> exceptions;
};

struct FunctionParam {
  Ident name;
  TypeRef type;
};

struct FunctionDecl : Decl {
  FunctionDecl() : Decl(DeclKind::Function) {}
  std::vector<FunctionParam> params;
  TypeRef result;
  ExprPtr body;
};

struct AccumulatorDecl : Decl {
  AccumulatorDecl() : Decl(DeclKind::Accumulator) {}
  TypeRef type;
  ExprPtr key;        // `by` expression, optional
  bool is_count = false;
  ExprPtr value;      // `sum` expression (null for count)
  ExprPtr condition;  // `when`, optional
  ExprPtr cap;        // optional
};

struct OutputColumn {
  Ident name;
  ExprPtr value;  // null: the column is the value of the same name
  std::optional<std::string> absent;
  std::string role;   // "fund", "income" or empty (see ir::ColumnRole)
  std::string label;  // the role's label
  SourceRange range;
};

struct OutputDecl : Decl {
  OutputDecl() : Decl(DeclKind::Output) {}
  Ident record;
  std::optional<Ident> stage;  // `at year_end`
  std::vector<OutputColumn> columns;
};

// `area NAME "label"`: the declarations after it, up to the next area, are that part of the
// notice. Only grouping (polc diff); the checker gives it no meaning.
struct AreaDecl : Decl {
  AreaDecl() : Decl(DeclKind::Area) {}
  std::string label;
};

struct Module {
  std::string file;  // the policy file's path
  std::vector<std::unique_ptr<Decl>> decls;
};

}  // namespace polc::ast
