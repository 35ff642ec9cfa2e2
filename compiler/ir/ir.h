// The checked IR: what `check` produces from the AST and what both engines run (the
// interpreter and the LLVM JIT). Names are resolved to ids and slots, enumeration
// words to small integers, literals to exact integers (fen, basis points, days): nothing
// on the evaluation path looks up a string.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/diag/source.h"

namespace polc::ir {

// ---------------------------------------------------------------- types and values
enum class Base : uint8_t {
  Bool,      // 0 or 1
  Int,       // whole number
  Money,     // fen
  Rate,      // basis points
  Date,      // days since 1970-01-01
  Duration,  // a = months, b = days
  Period,    // a = first day, b = last day (both included)
  Text,      // index into the record's text fields (inputs only)
  Enum,      // word index within enum `enum_id`
  Record,    // a table row with named columns (only as the value of a table lookup)
};

struct Type {
  Base base = Base::Int;
  int32_t enum_id = -1;   // Enum: which enumeration; Record: which table
  bool optional = false;  // may be absent (`T?`)
  bool operator==(const Type& o) const {
    return base == o.base && enum_id == o.enum_id && optional == o.optional;
  }
  bool operator!=(const Type& o) const { return !(*this == o); }
  Type Required() const { return {base, enum_id, false}; }
  Type Optional() const { return {base, enum_id, true}; }
};

// A runtime value. Every type fits in one or two int64s; `present` is false for an absent
// optional value.
struct Value {
  int64_t a = 0;
  int64_t b = 0;
  bool present = true;
  static Value Absent() { return {0, 0, false}; }
  bool operator==(const Value& o) const {
    return present == o.present && (!present || (a == o.a && b == o.b));
  }
};

// When a definition can be computed: once, once per person, once per claim, or once per
// person after the person's last claim (YearEnd: it reads accumulators' year totals).
enum class Stage : uint8_t { Const, Subject, Event, YearEnd };

// ---------------------------------------------------------------- expressions
enum class Op : uint8_t {
  Const,        // value; a = param id + 1 when it stands for a parameter (for traces), else 0
  Param,        // a = param id (the parameter's value, computed once)
  Field,        // a = record (0 subject, 1 event), b = field slot
  Rule,         // a = rule id
  Local,        // a = local slot in the current frame
  Let,          // a = local slot; kids: value, body
  AccRead,      // a = accumulator id; kids: [key] (absent: the current event's key)
  AccRoom,      // a = accumulator id: cap - so far for the current event's key (absent when uncapped)
  AccYearTotal, // a = accumulator id (unkeyed): the total over all the subject's events (YearEnd)
  TableGet,     // a = table id, b = column; kids: key. Int-keyed tables give an optional.
  Brackets,     // a = brackets id; kids: amount [, rate shift]
  Add, Sub,     // same base (money, int, rate, duration) or date +/- duration; date - date -> int
  MulRate,      // money * rate -> money, exact, rounded half up once
  Mul,          // int * int, money * int (kids[0] money or int, kids[1] int)
  Neg,
  Not, And, Or,  // And/Or evaluate the right side only when needed
  Eq, Ne, Lt, Le, Gt, Ge,
  InSet,        // kids: enum value; a = bit mask of the words in the set
  InPeriod,     // kids: date, period
  PeriodStart, PeriodEnd,
  Months, Days,  // int -> duration
  If,           // kids: cond, then, else
  Match,        // kids[0] enum scrutinee, kids[1..] arms; arm_of_word[word] = arm index (into kids[1..])
  Min, Max,     // n-ary; absent arguments are skipped
  Present,      // kids: optional value -> bool
  ValueOr,      // kids: optional value, fallback
};

struct Node;
using NodePtr = std::unique_ptr<Node>;

struct Node {
  Op op = Op::Const;
  Type type;
  SourceRange range;
  Value value;        // Const
  int64_t a = 0, b = 0;
  std::vector<NodePtr> kids;
  std::vector<int32_t> arm_of_word;  // Match
};

NodePtr Clone(const Node& node);

// ---------------------------------------------------------------- declarations
struct Citation {
  std::string text;  // empty when the definition cites nothing
  SourceRange range;
};

struct Header {
  std::string title, region, source;
  int64_t year = 0;
  SourceRange range;
};

struct EnumWord {
  std::string name, label;
  SourceRange range;
};

struct Enum {
  std::string name;
  std::vector<EnumWord> words;
  SourceRange range;
};

struct Field {
  std::string name;
  Type type;
  SourceRange range;
};

struct Requirement {
  NodePtr condition;  // over this record's fields only
  std::string message;
  SourceRange range;
};

// An input record read from CSV: the subject (one row per person) or the event (one row per
// claim, belonging to a subject through `parent_field`, processed in order of (order_field, key)).
struct Record {
  std::string name;
  std::vector<Field> fields;
  int32_t key_field = -1;
  int32_t parent_field = -1;  // event only: the field holding the subject's key
  int32_t order_field = -1;   // event only: a date field
  std::vector<Requirement> requirements;
  int32_t frame_size = 0;     // locals used by the requirements
  SourceRange range;
};

struct Param {
  std::string name;
  Type type;
  NodePtr value;  // constant
  Citation cite;
  SourceRange range;
};

struct Set {
  std::string name;
  int32_t enum_id = -1;
  uint64_t mask = 0;
  std::vector<std::string> words;
  Citation cite;
  SourceRange range;
};

struct TableColumn {
  std::string name;
  Type type;
};

struct TableRow {
  int64_t key = 0;            // enum word index or integer key
  std::vector<Value> values;  // one per column
  Citation cite;              // the row's own cite (empty: the table's applies)
  SourceRange range;
};

struct Table {
  std::string name;
  Type key_type;                     // Enum or Int
  std::vector<TableColumn> columns;  // a single-valued table has one column named "value"
  bool record_valued = false;        // declared with named columns: lookups need `.column`
  // Enum-keyed: rows[word] for every word (the `else` row expanded). Int-keyed: sorted by key.
  std::vector<TableRow> rows;
  std::string csv_path;  // when loaded from CSV (resolved path)
  Citation cite;
  SourceRange range;
};

struct BracketRow {
  int64_t lower = 0;  // fen
  int64_t upper = -1; // fen; -1 for the open top row
  int64_t rate = 0;   // bp
  SourceRange range;
};

struct Brackets {
  std::string name;
  std::vector<BracketRow> rows;
  std::vector<int64_t> lowers, rates;  // the same rows, as arrays for the runtime helper
  Citation cite;
  SourceRange range;
};

struct Exception {
  std::string label;  // may be empty
  NodePtr condition;
  NodePtr value;
  Citation cite;
  SourceRange range;
};

// A rule: the default value, overridden by the first exception whose condition holds.
struct Rule {
  std::string name;
  Type type;
  Stage stage = Stage::Const;
  NodePtr value;
  std::vector<Exception> exceptions;
  int32_t frame_size = 0;  // local slots used by the default and the exceptions
  Citation cite;
  SourceRange range;
  std::vector<int32_t> rule_deps;  // rules read directly (for traces)
};

enum class AccKey : uint8_t { None, Enum, Int };

// A per-subject, per-year running total over the subject's events, in event order. Reading
// it in an event gives the total over the earlier events whose condition held.
struct Accumulator {
  std::string name;
  Type type;            // Money or Int
  bool is_count = false;
  AccKey key_kind = AccKey::None;
  int32_t key_enum = -1;  // AccKey::Enum: the enumeration (its size bounds the key)
  bool key_optional = false;
  NodePtr key;          // event stage; null for AccKey::None
  NodePtr value;        // event stage; null for count
  NodePtr condition;    // event stage; null: every event
  NodePtr cap;          // event stage; null: no cap
  int32_t frame_size = 0;
  Citation cite;
  SourceRange range;
};

// What a money column is to the funds (`fund "label"`, `income "label"` in the output
// declaration): reports total the funds' payouts and incomes and balance them.
enum class ColumnRole { None, Fund, Income };

struct OutputColumn {
  std::string name;
  NodePtr value;
  std::string absent;  // written for an absent value
  ColumnRole role = ColumnRole::None;
  std::string label;   // the role's label, e.g. "基本医保统筹基金"
  SourceRange range;
};

struct Output {
  std::string name;
  int32_t record = 0;  // 0: one row per subject, 1: one row per event
  bool year_end = false;  // a subject output computed after the subject's last event
  std::vector<OutputColumn> columns;
  int32_t frame_size = 0;
  SourceRange range;
};

struct Program {
  std::string file;
  Header header;
  std::vector<Enum> enums;
  Record records[2];  // [0] subject, [1] event
  std::vector<Param> params;
  std::vector<Set> sets;
  std::vector<Table> tables;
  std::vector<Brackets> brackets;
  std::vector<Rule> rules;
  std::vector<Accumulator> accumulators;
  std::vector<Output> outputs;  // one per record at most: outputs_of[record]
  // [0] subject, [1] event, [2] the subject output `at year_end` (the roll-over, --next-out).
  int32_t output_of[3] = {-1, -1, -1};
};

// How the language spells a built-in type ("bool" ... "text"); "enum" and "row" for the two
// kinds whose values are named by a declaration (each printer names that declaration itself).
const char* BaseName(Base base);

// Writes a readable listing of the program (`polc --emit=ir`).
std::string Print(const Program& program);
std::string PrintNode(const Program& program, const Node& node);
std::string FormatValue(const Program& program, const Type& type, const Value& value);

}  // namespace polc::ir
