// The expression language of polc-gen profiles: lexer, parser, type checks. Every mistake is a
// ProfileError "FILE:LINE: what is wrong".
#include "tools/gen/parse.h"

#include <fmt/core.h>

#include <cctype>
#include <cstring>

namespace polc::gen {
namespace {

enum class Tok : uint8_t { kNumber, kDate, kYear, kMonthDay, kIdent, kDefine, kPunct, kEnd };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;
  int line = 0;
  int64_t a = 0, b = 0, c = 0;  // kDate: year offset, month, day (0: last); kYear: offset;
                                // kMonthDay: month, day
};

bool IsIdentChar(char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; }
bool IsDigit(char ch) { return std::isdigit(static_cast<unsigned char>(ch)) != 0; }

class Lexer {
 public:
  Lexer(const std::string& path, const Value& value) : path_(path) {
    for (const auto& [line, text] : value.lines) Scan(line, text);
    Token end;
    end.line = value.lines.back().first;
    tokens_.push_back(end);
  }
  std::vector<Token> Take() { return std::move(tokens_); }

 private:
  [[noreturn]] void Fail(int line, const std::string& what) const {
    throw ProfileError(fmt::format("{}:{}: {}", path_, line, what));
  }

  // "DD" or "end" at s[i], not followed by a name character; sets the day (0 for end) and length.
  static bool MonthDayTail(const std::string& s, size_t i, int64_t& d, size_t& len) {
    if (s.compare(i, 3, "end") == 0) {
      d = 0;
      len = 3;
    } else if (i + 2 <= s.size() && IsDigit(s[i]) && IsDigit(s[i + 1])) {
      d = (s[i] - '0') * 10 + (s[i + 1] - '0');
      len = 2;
    } else {
      return false;
    }
    return i + len >= s.size() || !IsIdentChar(s[i + len]);
  }

  // "-MM-DD" or "-MM-end" at s[i]; sets month and day (0 for end) and the length consumed.
  static bool MonthDayAt(const std::string& s, size_t i, int64_t& m, int64_t& d, size_t& len) {
    if (i + 4 > s.size() || s[i] != '-' || !IsDigit(s[i + 1]) || !IsDigit(s[i + 2]) || s[i + 3] != '-') return false;
    m = (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
    size_t tail = 0;
    if (!MonthDayTail(s, i + 4, d, tail)) return false;
    len = 4 + tail;
    return true;
  }

  void CheckMonthDay(int line, const std::string& text, int64_t m, int64_t d) const {
    if (m < 1 || m > 12 || d < 0 || d > 31) Fail(line, fmt::format("'{}' is not a valid month and day", text));
  }

  void Scan(int line, const std::string& s) {
    size_t i = 0;
    while (i < s.size()) {
      const char ch = s[i];
      if (ch == ' ' || ch == '\t' || ch == '\r') {
        ++i;
        continue;
      }
      Token t;
      t.line = line;
      const size_t start = i;
      int64_t m = 0, d = 0;
      size_t len = 0;
      if (ch == 'Y' && (i + 1 >= s.size() || !IsIdentChar(s[i + 1]))) {
        ++i;
        if (MonthDayAt(s, i, m, d, len) && (i + len >= s.size() || s[i + len] != '-')) {
          t.kind = Tok::kDate;
          i += len;
        } else {
          int64_t offset = 0;
          if (i < s.size() && (s[i] == '+' || s[i] == '-') && i + 1 < s.size() && IsDigit(s[i + 1])) {
            const bool minus = s[i] == '-';
            ++i;
            while (i < s.size() && IsDigit(s[i]) && offset < 100000) offset = offset * 10 + (s[i++] - '0');
            if (minus) offset = -offset;
          }
          t.a = offset;
          if (MonthDayAt(s, i, m, d, len)) {
            t.kind = Tok::kDate;
            i += len;
          } else {
            t.kind = Tok::kYear;
          }
        }
        t.b = m;
        t.c = d;
        t.text = s.substr(start, i - start);
        if (t.kind == Tok::kDate) CheckMonthDay(line, t.text, m, d);
      } else if (i + 5 <= s.size() && IsDigit(ch) && IsDigit(s[i + 1]) && s[i + 2] == '-' &&
                 MonthDayTail(s, i + 3, d, len)) {
        // "MM-DD" or "MM-end"
        t.kind = Tok::kMonthDay;
        t.b = (ch - '0') * 10 + (s[i + 1] - '0');
        t.c = d;
        i += 3 + len;
        t.text = s.substr(start, i - start);
        CheckMonthDay(line, t.text, t.b, t.c);
      } else if (IsDigit(ch)) {
        while (i < s.size() && (IsDigit(s[i]) || (s[i] == '.' && i + 1 < s.size() && IsDigit(s[i + 1])))) ++i;
        if (i < s.size() && s[i] == '%') ++i;
        t.kind = Tok::kNumber;
        t.text = s.substr(start, i - start);
        if (i < s.size() && IsIdentChar(s[i])) Fail(line, fmt::format("malformed number '{}{}'", t.text, s[i]));
      } else if (std::isalpha(static_cast<unsigned char>(ch)) || ch == '_' || ch == '@') {
        ++i;
        while (i < s.size() && IsIdentChar(s[i])) ++i;
        t.kind = ch == '@' ? Tok::kDefine : Tok::kIdent;
        t.text = s.substr(ch == '@' ? start + 1 : start, i - start - (ch == '@'));
        if (t.text.empty()) Fail(line, "'@' must be followed by the name of a [define] entry");
      } else {
        static const char* const kPuncts[] = {"..", "<=", ">=", "==", "(", ")", ",", ":", "+", "-", "*", "/", "<", ">"};
        for (const char* p : kPuncts) {
          if (s.compare(i, std::strlen(p), p) == 0) {
            t.kind = Tok::kPunct;
            t.text = p;
            break;
          }
        }
        if (t.kind != Tok::kPunct) Fail(line, fmt::format("unexpected character '{}'", ch));
        i += t.text.size();
      }
      tokens_.push_back(t);
    }
  }

  std::string path_;
  std::vector<Token> tokens_;
};

const std::map<std::string, Var>& VarNames() {
  static const std::map<std::string, Var> names = {
      {"birth", kBirth},   {"enrolled", kEnrolled}, {"event", kEvent},
      {"age", kAge},       {"lapsed", kLapsed},     {"repaired", kRepaired},
      {"prior_insured", kPriorInsured}, {"zero_claim", kZeroClaim},
      {"anchor", kAnchor}, {"mean", kMean}, {"employee_end", kEmployeeEnd}};
  return names;
}

class Parser {
 public:
  Parser(Profile& profile, std::map<std::string, Define>& defines, int year)
      : profile_(profile), defines_(defines), year_(year) {}

  Expr Parse(const Value& value, const KeySpec& spec) {
    spec_ = spec;
    Expr e = ParseAll(value);
    if (e.type != spec.type) {
      Fail(value.line(), fmt::format("expected {}, the expression gives {}", TypeName(spec.type), TypeName(e.type)));
    }
    return e;
  }

 private:
  static const char* TypeName(Type t) {
    switch (t) {
      case Type::kInt: return "a number";
      case Type::kDate: return "a date";
      case Type::kYear: return "a year";
      case Type::kMonthDay: return "a month and day";
      case Type::kWord: return "a word";
    }
    return "?";
  }
  [[noreturn]] void Fail(int line, const std::string& what) const {
    throw ProfileError(fmt::format("{}:{}: {}", profile_.path, line, what));
  }

  Expr ParseAll(const Value& value) {
    std::vector<Token> saved = std::move(tokens_);
    const size_t saved_pos = pos_;
    tokens_ = Expand(Lexer(profile_.path, value).Take());
    pos_ = 0;
    if (Peek().kind == Tok::kEnd) Fail(value.line(), "empty value");
    Expr e = ParseExpr();
    if (Peek().kind != Tok::kEnd) Fail(Peek().line, fmt::format("unexpected '{}'", Peek().text));
    tokens_ = std::move(saved);
    pos_ = saved_pos;
    return e;
  }

  const Token& Peek() const { return tokens_[pos_]; }
  bool IsPunct(const char* p) const { return Peek().kind == Tok::kPunct && Peek().text == p; }
  bool Accept(const char* p) {
    if (!IsPunct(p)) return false;
    ++pos_;
    return true;
  }
  void Expect(const char* p) {
    if (!Accept(p)) Fail(Peek().line, fmt::format("expected '{}', got '{}'", p, Peek().kind == Tok::kEnd ? "end of line" : Peek().text));
  }
  Expr Node(Op op, Type type, int line, std::vector<Expr> kids = {}) {
    Expr e;
    e.op = op;
    e.type = type;
    e.kids = std::move(kids);
    e.where = fmt::format("{}:{}", profile_.path, line);
    return e;
  }

  // A whole non-negative integer (a weight, a per-mille): no sign, no decimals, no '%'.
  uint64_t Count(const Token& t, uint64_t max) {
    uint64_t v = 0;
    if (t.kind != Tok::kNumber) Fail(t.line, fmt::format("expected a whole number, got '{}'", t.text.empty() ? "end of line" : t.text));
    for (char ch : t.text) {
      if (!IsDigit(ch) || v > max) Fail(t.line, fmt::format("malformed whole number '{}'", t.text));
      v = v * 10 + static_cast<uint64_t>(ch - '0');
    }
    if (v > max) Fail(t.line, fmt::format("{} is above the largest allowed, {}", t.text, max));
    return v;
  }

  // A literal in the key's unit: yuan (to fen), a percentage (to basis points), or an integer.
  int64_t Literal(const Token& t) {
    const std::string& s = t.text;
    const bool percent = s.back() == '%';
    const std::string body = percent ? s.substr(0, s.size() - 1) : s;
    const size_t dot = body.find('.');
    const int allowed = spec_.unit == Unit::kPlain ? 0 : 2;
    if (percent != (spec_.unit == Unit::kRate)) {
      Fail(t.line, spec_.unit == Unit::kRate ? fmt::format("'{}': a share is written as a percentage", s)
                                             : fmt::format("'{}': a percentage is not allowed here", s));
    }
    const std::string whole = body.substr(0, dot);
    const std::string frac = dot == std::string::npos ? "" : body.substr(dot + 1);
    if (whole.empty() || whole.size() > 12 || (dot != std::string::npos && frac.empty()) ||
        static_cast<int>(frac.size()) > allowed || frac.find('.') != std::string::npos) {
      Fail(t.line, fmt::format("malformed number '{}' (at most 12 digits{})", s,
                               allowed == 0 ? ", no decimals" : " and two decimals"));
    }
    int64_t v = std::stoll(whole);
    const int scale = spec_.unit == Unit::kPlain ? 0 : 2;
    for (int i = 0; i < scale; ++i) v = v * 10 + (i < static_cast<int>(frac.size()) ? frac[static_cast<size_t>(i)] - '0' : 0);
    return v;
  }

  Expr ParseExpr() {
    if (Peek().kind == Tok::kIdent && Peek().text == "pick") {
      Expr e = Node(Op::kPick, Type::kInt, Peek().line);
      ++pos_;
      do {
        const uint64_t w = Count(tokens_[pos_++], 0xffffffffu);
        Expect(":");
        Expr alt = ParseRange();
        if (!e.kids.empty() && alt.type != e.kids[0].type) {
          Fail(Peek().line, fmt::format("the alternatives of pick differ: {} and {}", TypeName(e.kids[0].type), TypeName(alt.type)));
        }
        e.weights.push_back(static_cast<uint32_t>(w));
        e.total += w;
        e.kids.push_back(std::move(alt));
      } while (Accept(","));
      if (e.total == 0) Fail(tokens_[pos_ - 1].line, "the weights of pick add up to 0");
      e.type = e.kids[0].type;
      return e;
    }
    return ParseRange();
  }

  Expr ParseRange() {
    Expr lo = ParseCompare();
    if (!IsPunct("..")) return lo;
    const int line = Peek().line;
    ++pos_;
    Expr hi = ParseCompare();
    if (lo.type != hi.type || (lo.type != Type::kInt && lo.type != Type::kDate && lo.type != Type::kYear)) {
      Fail(line, fmt::format("a range needs two numbers, dates or years, got {} .. {}", TypeName(lo.type), TypeName(hi.type)));
    }
    if (lo.op == Op::kConst && hi.op == Op::kConst && lo.value > hi.value) Fail(line, "empty range (low > high)");
    const Type type = lo.type;
    return Node(Op::kRange, type, line, {std::move(lo), std::move(hi)});
  }

  Expr ParseCompare() {
    Expr a = ParseSum();
    static const std::pair<const char*, Op> kOps[] = {{"<=", Op::kLessEq}, {">=", Op::kGreaterEq}, {"==", Op::kEqual},
                                                      {"<", Op::kLess},    {">", Op::kGreater}};
    for (const auto& [text, op] : kOps) {
      if (!IsPunct(text)) continue;
      const int line = Peek().line;
      ++pos_;
      Expr b = ParseSum();
      if (a.type != b.type || a.type == Type::kWord) Fail(line, "a comparison needs two values of one type");
      return Node(op, Type::kInt, line, {std::move(a), std::move(b)});
    }
    return a;
  }

  Expr ParseSum() {
    Expr a = ParseProduct();
    while (IsPunct("+") || IsPunct("-")) {
      const bool plus = Peek().text == "+";
      const int line = Peek().line;
      ++pos_;
      Expr b = ParseProduct();
      Type type = Type::kWord;  // invalid unless set below
      if (a.type == Type::kInt && b.type == Type::kInt) type = Type::kInt;
      if (a.type == Type::kDate && b.type == Type::kInt) type = Type::kDate;
      if (plus && a.type == Type::kInt && b.type == Type::kDate) type = Type::kDate;
      if (type == Type::kWord) Fail(line, fmt::format("cannot {} {} and {}", plus ? "add" : "subtract", TypeName(a.type), TypeName(b.type)));
      a = Node(plus ? Op::kAdd : Op::kSub, type, line, {std::move(a), std::move(b)});
    }
    return a;
  }

  Expr ParseProduct() {
    Expr a = ParseUnary();
    while (IsPunct("*") || IsPunct("/")) {
      const bool times = Peek().text == "*";
      const int line = Peek().line;
      ++pos_;
      Expr b = ParseUnary();
      if (a.type != Type::kInt || b.type != Type::kInt) Fail(line, "'*' and '/' need numbers");
      if (!times && b.op == Op::kConst && b.value == 0) Fail(line, "division by zero");
      a = Node(times ? Op::kMul : Op::kDiv, Type::kInt, line, {std::move(a), std::move(b)});
    }
    return a;
  }

  Expr ParseUnary() {
    if (IsPunct("-")) {
      const int line = Peek().line;
      ++pos_;
      Expr x = ParseUnary();
      if (x.type != Type::kInt) Fail(line, "only a number can be negated");
      if (x.op == Op::kConst) {
        x.value = -x.value;
        return x;
      }
      Expr zero = Node(Op::kConst, Type::kInt, line);
      return Node(Op::kSub, Type::kInt, line, {std::move(zero), std::move(x)});
    }
    return ParsePrimary();
  }

  bool StartsPrimary() const {
    const Tok k = Peek().kind;
    return k == Tok::kNumber || k == Tok::kDate || k == Tok::kYear || k == Tok::kMonthDay ||
           k == Tok::kIdent || IsPunct("(");
  }

  Expr Const(Type type, int64_t value, int line) {
    Expr e = Node(Op::kConst, type, line);
    e.value = value;
    return e;
  }

  Expr ParsePrimary() {
    const Token t = Peek();
    if (t.kind == Tok::kEnd) Fail(t.line, "unexpected end of value");
    if (t.kind == Tok::kPunct && t.text != "(") Fail(t.line, fmt::format("unexpected '{}'", t.text));
    ++pos_;
    switch (t.kind) {
      case Tok::kNumber: return Const(Type::kInt, Literal(t), t.line);
      case Tok::kDate: {
        const int y = year_ + static_cast<int>(t.a);
        const unsigned m = static_cast<unsigned>(t.b);
        const unsigned last = LastDayOfMonth(y, m);
        const unsigned d = t.c == 0 ? last : std::min(static_cast<unsigned>(t.c), last);
        return Const(Type::kDate, DaysFromCivil(y, m, d), t.line);
      }
      case Tok::kYear: return Const(Type::kYear, year_ + t.a, t.line);
      case Tok::kMonthDay: return Const(Type::kMonthDay, t.b * 100 + t.c, t.line);
      case Tok::kPunct: {  // "("
        Expr e = ParseExpr();
        Expect(")");
        return e;
      }
      default: break;
    }
    if (t.text == "oneof") {
      Expr e = Node(Op::kOneOf, Type::kInt, t.line);
      while (StartsPrimary()) {
        Expr item = ParsePrimary();
        if (!e.kids.empty() && item.type != e.kids[0].type) Fail(t.line, "the items of oneof differ in type");
        e.kids.push_back(std::move(item));
      }
      if (e.kids.empty()) Fail(t.line, "oneof needs at least one item");
      e.type = e.kids[0].type;
      return e;
    }
    if (t.text == "pick") Fail(t.line, "a pick inside an expression must be in parentheses");
    if (spec_.type == Type::kWord) return Const(Type::kWord, Intern(t.text), t.line);
    if (IsPunct("(")) return ParseCall(t);
    const auto var = VarNames().find(t.text);
    if (var == VarNames().end()) Fail(t.line, fmt::format("unknown name '{}'", t.text));
    if ((spec_.vars & Bit(var->second)) == 0) Fail(t.line, fmt::format("'{}' cannot be used in this key", t.text));
    Expr e = Node(Op::kVar, var->second == kBirth || var->second == kEnrolled || var->second == kEvent || var->second == kEmployeeEnd ||
                                    var->second == kAnchor ? Type::kDate : Type::kInt, t.line);
    e.value = var->second;
    return e;
  }

  Expr ParseCall(const Token& name) {
    Expect("(");
    std::vector<Expr> args;
    int64_t per_mille = 0;
    if (name.text == "not_before") {
      args.push_back(ParseExpr());
      Expect(",");
      args.push_back(ParseExpr());
      Expect(",");
      per_mille = static_cast<int64_t>(Count(tokens_[pos_++], 1000));
      Expect(",");
      args.push_back(ParseExpr());
    } else {
      do args.push_back(ParseExpr());
      while (Accept(","));
    }
    Expect(")");
    auto want = [&](std::initializer_list<Type> types) {
      if (args.size() != types.size()) Fail(name.line, fmt::format("{} takes {} arguments", name.text, types.size()));
      size_t i = 0;
      for (Type type : types) {
        if (args[i].type != type) Fail(name.line, fmt::format("argument {} of {} must be {}", i + 1, name.text, TypeName(type)));
        ++i;
      }
    };
    Op op;
    Type type;
    if (name.text == "max" || name.text == "min") {
      if (args.size() < 2) Fail(name.line, fmt::format("{} takes at least 2 arguments", name.text));
      for (const Expr& a : args) {
        if (a.type != args[0].type || a.type == Type::kWord || a.type == Type::kMonthDay) Fail(name.line, fmt::format("the arguments of {} must be numbers, dates or years of one type", name.text));
      }
      op = name.text == "max" ? Op::kMax : Op::kMin;
      type = args[0].type;
    } else if (name.text == "add_months") {
      want({Type::kDate, Type::kInt});
      op = Op::kAddMonths, type = Type::kDate;
    } else if (name.text == "on") {
      want({Type::kYear, Type::kMonthDay});
      op = Op::kOn, type = Type::kDate;
    } else if (name.text == "loguniform") {
      want({Type::kInt, Type::kInt});
      op = Op::kLogUniform, type = Type::kInt;
    } else if (name.text == "round_milli") {
      want({Type::kInt});
      op = Op::kRoundMilli, type = Type::kInt;
    } else if (name.text == "not_before") {
      want({Type::kDate, Type::kDate, Type::kDate});
      op = Op::kNotBefore, type = Type::kDate;
    } else {
      Fail(name.line, fmt::format("unknown function '{}'", name.text));
    }
    Expr e = Node(op, type, name.line, std::move(args));
    e.value = per_mille;
    return e;
  }

  // Splices the tokens of each "@name" in place (keeping the define's own line numbers).
  std::vector<Token> Expand(std::vector<Token> tokens) {
    std::vector<Token> out;
    for (Token& t : tokens) {
      if (t.kind != Tok::kDefine) {
        out.push_back(std::move(t));
        continue;
      }
      const auto it = defines_.find(t.text);
      if (it == defines_.end()) Fail(t.line, fmt::format("no [define] entry named '{}'", t.text));
      Define& d = it->second;
      if (d.expanding) Fail(t.line, fmt::format("'@{}' refers to itself", t.text));
      d.expanding = true;
      std::vector<Token> inner = Expand(Lexer(profile_.path, d.value).Take());
      d.expanding = false;
      inner.pop_back();  // its end token
      for (Token& i : inner) out.push_back(std::move(i));
    }
    return out;
  }

  int64_t Intern(const std::string& word) {
    for (size_t i = 0; i < profile_.words.size(); ++i) {
      if (profile_.words[i] == word) return static_cast<int64_t>(i);
    }
    profile_.words.push_back(word);
    return static_cast<int64_t>(profile_.words.size() - 1);
  }

  Profile& profile_;
  std::map<std::string, Define>& defines_;
  int year_;
  KeySpec spec_{};
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

}  // namespace

Expr ParseValue(Profile& profile, std::map<std::string, Define>& defines, int year, const Value& value,
                const KeySpec& spec) {
  return Parser(profile, defines, year).Parse(value, spec);
}

}  // namespace polc::gen
