// Evaluation of profile expressions. Operands are evaluated left to right, so the order of the
// random draws is the order in which the profile writes them.
#include <cstdint>

#include <fmt/core.h>

#include "tools/gen/profile.h"

namespace polc::gen {
namespace {

[[noreturn]] void Fail(const Expr& e, const std::string& what) {
  throw ProfileError(fmt::format("{}: {}", e.where, what));
}

// Log-uniform-ish in [lo, hi]: a uniform power-of-two octave, then uniform inside it.
int64_t LogUniform(const Expr& e, int64_t lo, int64_t hi, Rng& rng) {
  if (lo < 1 || hi < lo || hi > (int64_t{1} << 50)) {
    Fail(e, fmt::format("loguniform needs 0 < low <= high <= 2^50 fen, got {} .. {}", lo, hi));
  }
  int octaves = 0;
  while ((lo << (octaves + 1)) <= hi) ++octaves;
  const int o = static_cast<int>(rng.Range(0, octaves));
  const int64_t from = lo << o;
  return rng.Range(from, std::min(hi, (from << 1) - 1));
}

}  // namespace

int64_t Eval(const Expr& e, const Scope& scope, Rng& rng) {
  switch (e.op) {
    case Op::kConst: return e.value;
    case Op::kVar:
      if (e.value == kAnchor) {
        if (scope.anchor_count == 0) Fail(e, "this person has no anchor dates");
        return scope.anchors[rng.Below(scope.anchor_count)];
      }
      return scope.vars[e.value];
    case Op::kPick: return Eval(e.kids[rng.Pick(e.weights, e.total)], scope, rng);
    case Op::kOneOf: return Eval(e.kids[rng.Below(e.kids.size())], scope, rng);
    case Op::kRange: {
      const int64_t lo = Eval(e.kids[0], scope, rng);
      const int64_t hi = Eval(e.kids[1], scope, rng);
      if (lo > hi) Fail(e, fmt::format("empty range {} .. {}", lo, hi));
      return rng.Range(lo, hi);
    }
    default: break;
  }
  if (e.op == Op::kNotBefore) {
    const int64_t d = Eval(e.kids[0], scope, rng);
    const int64_t ref = Eval(e.kids[1], scope, rng);
    if (d < ref && rng.Chance(static_cast<unsigned>(e.value))) return Eval(e.kids[2], scope, rng);
    return d;
  }
  if (e.op == Op::kLogUniform) {
    const int64_t lo = Eval(e.kids[0], scope, rng);
    const int64_t hi = Eval(e.kids[1], scope, rng);
    return LogUniform(e, lo, hi, rng);
  }
  if (e.op == Op::kRoundMilli) {
    const int64_t x = Eval(e.kids[0], scope, rng);
    if (x < 0) Fail(e, fmt::format("round_milli of a negative number ({})", x));
    return x / 1000 + (rng.Below(1000) < static_cast<uint64_t>(x % 1000));
  }
  if (e.op == Op::kMax || e.op == Op::kMin) {
    int64_t best = Eval(e.kids[0], scope, rng);
    for (size_t i = 1; i < e.kids.size(); ++i) {
      const int64_t v = Eval(e.kids[i], scope, rng);
      best = e.op == Op::kMax ? std::max(best, v) : std::min(best, v);
    }
    return best;
  }
  const int64_t a = Eval(e.kids[0], scope, rng);
  const int64_t b = Eval(e.kids[1], scope, rng);
  int64_t r = 0;
  auto overflow = [&] { Fail(e, fmt::format("arithmetic overflow with {} and {}", a, b)); };
  switch (e.op) {
    case Op::kAdd:
      if (__builtin_add_overflow(a, b, &r)) overflow();
      return r;
    case Op::kSub:
      if (__builtin_sub_overflow(a, b, &r)) overflow();
      return r;
    case Op::kMul:
      if (__builtin_mul_overflow(a, b, &r)) overflow();
      return r;
    case Op::kDiv:
      if (b == 0) Fail(e, "division by zero");
      if (b == -1 && a == INT64_MIN) overflow();
      return a / b;
    case Op::kLess: return a < b;
    case Op::kLessEq: return a <= b;
    case Op::kGreater: return a > b;
    case Op::kGreaterEq: return a >= b;
    case Op::kEqual: return a == b;
    case Op::kAddMonths:
      if (b < -120000 || b > 120000) Fail(e, fmt::format("add_months by {} months", b));
      return AddMonths(static_cast<Days>(a), static_cast<int>(b));
    case Op::kOn: {
      if (a < 1 || a > 9999) Fail(e, fmt::format("year {} outside 1 .. 9999", a));
      const int y = static_cast<int>(a);
      const unsigned m = static_cast<unsigned>(b / 100);
      const unsigned last = LastDayOfMonth(y, m);
      const unsigned d = b % 100 == 0 ? last : std::min(static_cast<unsigned>(b % 100), last);
      return DaysFromCivil(y, m, d);
    }
    default: Fail(e, "internal error: unknown operation");
  }
}

}  // namespace polc::gen
