// Literals: number, money, rate, date and period spellings turned into exact integers.
#include <algorithm>

#include "compiler/check/checker.h"
#include "compiler/check/nodes.h"
#include "runtime/date.h"

namespace polc::check {

bool ParseDecimal(const std::string& text, int scale, int64_t& out, std::string& error) {
  int64_t value = 0;
  int decimals = -1;
  if (text.empty()) { error = "no digits"; return false; }
  for (char c : text) {
    if (c == '.') {
      if (decimals >= 0) { error = "two decimal points"; return false; }
      decimals = 0;
      continue;
    }
    if (c < '0' || c > '9') { error = "not a number"; return false; }
    if (decimals >= 0 && ++decimals > scale) {
      error = scale == 0 ? "a whole number is needed here"
                         : fmt::format("at most {} decimals", scale == 6 ? 6 : scale);
      return false;
    }
    if (value > (INT64_MAX - 9) / 10) { error = "the number is too large"; return false; }
    value = value * 10 + (c - '0');
  }
  for (int d = std::max(decimals, 0); d < scale; ++d) {
    if (value > INT64_MAX / 10) { error = "the number is too large"; return false; }
    value *= 10;
  }
  out = value;
  return true;
}

NodePtr Checker::Literal(const ast::Expr& e, const Type* expected) {
  std::string error;
  int64_t v = 0;
  switch (e.kind) {
    case ast::ExprKind::Int:
      if (!ParseDecimal(e.text, 0, v, error)) break;
      if (expected && expected->base == Base::Money) {
        if (v > INT64_MAX / 100) { error = "the amount is too large"; break; }
        return Const(Type{Base::Money}, {v * 100}, e.range);
      }
      {
        auto n = Const(Type{Base::Int}, {v}, e.range);
        n->b = 1;  // a plain number: may still become money next to money
        return n;
      }
    case ast::ExprKind::Decimal:
      if (!ParseDecimal(e.text, 2, v, error)) break;
      return Const(Type{Base::Money}, {v}, e.range);
    case ast::ExprKind::Wan:  // 2.5万 = 25000 yuan = 2,500,000 fen (万: ten thousand)
      if (!ParseDecimal(e.text.substr(0, e.text.size() - std::string("万").size()), 6, v, error))
        break;
      return Const(Type{Base::Money}, {v}, e.range);
    case ast::ExprKind::Percent:
      if (!ParseDecimal(e.text.substr(0, e.text.size() - 1), 2, v, error)) break;
      return Const(Type{Base::Rate}, {v}, e.range);
    case ast::ExprKind::Date: {
      int32_t d;
      if (!rt::ParseDate(e.text, d, error)) break;
      return Const(Type{Base::Date}, {d}, e.range);
    }
    case ast::ExprKind::Period: {
      int32_t a, b;
      if (!rt::ParseDate(e.text, a, error) || !rt::ParseDate(e.text2, b, error)) break;
      if (b < a) { error = "the period ends before it starts"; break; }
      return Const(Type{Base::Period}, {a, b}, e.range);
    }
    case ast::ExprKind::String:
      return Const(Type{Base::Text}, {0}, e.range);
    case ast::ExprKind::Bool:
      return Const(Type{Base::Bool}, {e.text == "true"}, e.range);
    default:
      break;
  }
  Error(DiagKind::InvalidLiteral, e.range, "invalid literal '{}': {}", e.text, error);
  return nullptr;
}

}  // namespace polc::check
