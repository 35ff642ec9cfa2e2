// The checker's shared state: symbol tables, scopes and dependency tracking, used by the
// declaration passes (checker.cpp, collect.cpp, declarations.cpp, outputs.cpp, tables.cpp) and
// the expression checker (expr.cpp, literals.cpp, names.cpp, operators.cpp, calls.cpp,
// types.cpp).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostics.h"
#include "compiler/ir/ir.h"

namespace polc::check {

enum class SymKind { Param, Set, Table, Brackets, Rule, Function, Accumulator, Record };

struct Symbol {
  SymKind kind;
  int id;
  SourceRange range;
  bool used = false;
};

// What an expression reads; becomes the edges of the dependency graph and the stage.
struct Deps {
  std::set<int> rules, params, functions, acc_reads;
  ir::Stage stage = ir::Stage::Const;  // Const, Subject or Event; never YearEnd
  bool year_total = false;             // reads year_total(): the value is a year-end one
  void Raise(ir::Stage s) { if (s > stage) stage = s; }
  void Merge(const Deps& o);
};

struct Local {
  std::string name;
  int slot;
  ir::Type type;
};

// Where an expression is checked: which records' fields it may read, its locals, its frame.
struct Scope {
  bool subject_fields = true;
  bool event_fields = true;
  bool const_only = false;  // parameters and table cells
  std::vector<Local> locals;
  int* frame_size = nullptr;
  Deps* deps = nullptr;
};

struct FunctionInfo {
  const ast::FunctionDecl* decl = nullptr;
  std::vector<ir::Type> params;
  ir::Type result;
  ir::NodePtr body;
  int frame_size = 0;
  Deps deps;
  enum { kUnchecked, kInProgress, kDone, kFailed } state = kUnchecked;
};

class Checker {
 public:
  Checker(const ast::Module& module, std::string base_dir, DiagnosticSink& sink,
          ir::Program& program)
      : module_(module), file_(module.file), base_dir_(std::move(base_dir)), sink_(sink),
        p_(program) {}
  bool Run();

  // ---- expressions (expr.cpp and the files it dispatches to)
  ir::NodePtr Expr(const ast::Expr& e, Scope& scope, const ir::Type* expected);
  ir::NodePtr ExpectType(const ast::Expr& e, Scope& scope, const ir::Type& type);
  ir::NodePtr Condition(const ast::Expr& e, Scope& scope);

 private:
  friend class ExprChecker;
  template <typename... Args>
  Diagnostic& Error(DiagKind kind, SourceRange range, fmt::format_string<Args...> format, Args&&... args) {
    return sink_.Report(kind, file_, range, fmt::format(format, std::forward<Args>(args)...));
  }
  // `'w' is not a word of enumeration E` (+ tail), with the closest word as a did-you-mean and
  // fix-it, and the enumeration's words when there are few (suggest.cpp).
  Diagnostic& UnknownWordError(int enum_id, SourceRange range, const std::string& word, const char* tail = "");
  // An UnknownName `message` about `name`, with the closest of `candidates` as a did-you-mean.
  // `name_at_end`: the name is the end of `range` (`base.name`), which the fix-it replaces.
  Diagnostic& UnknownNameError(SourceRange range, const std::string& message, const std::string& name,
                               const std::vector<std::string>& candidates, bool name_at_end = false);
  // A unit error's words about each operand of `e`, and notes at both (operators.cpp).
  std::string SidesText(const ast::Expr& e, const ir::Type& left, const ir::Type& right) const;
  void Sides(Diagnostic& d, const ast::Expr& e, const ir::Type& left, const ir::Type& right) const;
  // Every name an expression in `scope` could mean: definitions, fields, locals, words.
  std::vector<std::string> NamesInScope(const Scope& scope) const;

  // ---- declarations (collect.cpp, declarations.cpp, outputs.cpp, checker.cpp)
  void CollectHeader();
  void CollectEnums();
  void CollectRecords();
  void CollectSymbols();
  bool ResolveType(const ast::TypeRef& ref, ir::Type& out);
  void CheckParams();
  void CheckSets();
  void CheckBrackets();
  void CheckRules();
  void CheckAccumulators();
  void CheckRequirements();
  void CheckOutputs();
  void CheckCyclesAndStages();
  void ReportUnused();
  bool CheckFunction(int id);

  // Durations compared or chosen between must be in one unit (durations.cpp).
  void CheckDurationUnits();

  // ---- constants of tables and brackets (constants.cpp)
  // The value of a constant expression: literals, parameters and + - * and units. False with
  // `why` set (empty when the error is already reported elsewhere).
  bool FoldConstant(const ir::Node& n, ir::Value& out, std::string& why, size_t depth = 0);
  // A table cell or bracket figure checked as `n`: a literal or a parameter, folded; reports
  // NotConstant at `range` otherwise. `what` names the place ("a table cell").
  bool ConstantCell(const ir::Node& n, SourceRange range, const char* what, ir::Value& out);
  // A bracket bound (money) or rate spelled as a parameter's name.
  bool ParamFigure(const std::string& name, SourceRange range, const ir::Type& type, const char* what,
                   int64_t& out);

  // ---- tables (tables.cpp)
  void CheckTables();
  void LoadCsvTable(const ast::TableDecl& d, ir::Table& t);

  // ---- parts of expressions (literals.cpp, names.cpp, operators.cpp, calls.cpp, types.cpp)
  ir::NodePtr Name(const ast::Expr& e, Scope& scope, const ir::Type* expected);
  ir::NodePtr Call(const ast::Expr& e, Scope& scope, const ir::Type* expected);
  ir::NodePtr Binary(const ast::Expr& e, Scope& scope, const ir::Type* expected);
  ir::NodePtr Index(const ast::Expr& e, Scope& scope);
  ir::NodePtr FieldAccess(const ast::Expr& e, Scope& scope);
  ir::NodePtr In(const ast::Expr& e, Scope& scope);
  ir::NodePtr Match(const ast::Expr& e, Scope& scope, const ir::Type* expected);
  ir::NodePtr Literal(const ast::Expr& e, const ir::Type* expected);
  bool Unify(ir::NodePtr& a, ir::NodePtr& b, SourceRange range, const char* what, ir::Type& out);
  bool Coerce(ir::NodePtr& n, const ir::Type& target, SourceRange range, const char* what);
  int FindWord(int enum_id, const std::string& word) const;
  Symbol* Lookup(const std::string& name);
  ir::NodePtr AccessField(int record, int field, SourceRange range, Scope& scope);

 public:
  std::string TypeName(const ir::Type& t) const;

 private:
  const ast::Module& module_;
  std::string file_;
  std::string base_dir_;
  DiagnosticSink& sink_;
  ir::Program& p_;

  std::map<std::string, int> enum_ids_;
  std::map<std::string, std::vector<std::pair<int, int>>> words_;  // word -> (enum, index)
  std::map<std::string, Symbol> symbols_;
  std::map<std::string, int> fields_[2];
  const ast::InputDecl* input_decls_[2] = {nullptr, nullptr};
  std::vector<FunctionInfo> functions_;
  std::vector<const ast::RuleDecl*> rule_decls_;
  std::vector<const ast::ParamDecl*> param_decls_;
  std::vector<const ast::AccumulatorDecl*> acc_decls_;
  std::vector<const ast::TableDecl*> table_decls_;
  std::vector<const ast::SetDecl*> set_decls_;
  std::vector<const ast::BracketsDecl*> bracket_decls_;
  std::vector<const ast::OutputDecl*> output_decls_;
  std::vector<Deps> rule_deps_, param_deps_, acc_read_deps_;
  std::vector<Deps> acc_update_deps_;  // each accumulator's value and condition
  std::vector<bool> rule_ok_;
  // Subject-output columns: range, what they read, and whether the output is `at year_end`.
  struct OutputCheck {
    SourceRange range;
    Deps deps;
    bool year_end = false;
  };
  std::vector<OutputCheck> output_rule_checks_;
};

// The candidate closest to `name` by edit distance (a did-you-mean), or "" when none is close.
std::string Closest(const std::string& name, const std::vector<std::string>& candidates);

// Literal spellings -> exact integers. False with a message when malformed.
bool ParseDecimal(const std::string& digits, int scale, int64_t& out, std::string& error);

}  // namespace polc::check
