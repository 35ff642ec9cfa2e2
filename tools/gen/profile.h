// polc-gen's profile: the data file that holds every word, weight, amount and date of the
// synthetic population (format: docs/generator.md, "The profile"). The C++ knows only the
// columns of the interchange files and a small expression language of weighted picks, ranges
// and date arithmetic; the profile says what each column is drawn from.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "tools/gen/random.h"

namespace polc::gen {

// A profile problem, already formatted as "FILE:LINE: what is wrong".
class ProfileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Type : uint8_t { kInt, kDate, kYear, kMonthDay, kWord };

// The variables an expression may read; which ones a key allows is fixed by the key.
enum Var : uint8_t {
  kBirth, kEnrolled, kEvent, kAge, kLapsed, kRepaired, kPriorInsured, kZeroClaim,
  kAnchor, kMean, kEmployeeEnd, kVarCount
};

enum class Op : uint8_t {
  kConst, kVar, kPick, kOneOf, kRange, kAdd, kSub, kMul, kDiv, kLess, kLessEq, kGreater,
  kGreaterEq, kEqual, kMax, kMin, kAddMonths, kOn, kLogUniform, kRoundMilli, kNotBefore
};

struct Expr {
  Op op = Op::kConst;
  Type type = Type::kInt;
  int64_t value = 0;              // kConst: the number, date (days), year, month*100+day
                                  // (day 0: the month's last), or word id; kVar: the Var
  std::vector<uint32_t> weights;  // kPick
  uint64_t total = 0;             // kPick: sum of weights
  std::vector<Expr> kids;
  std::string where;              // "FILE:LINE" for run-time errors
};

// What an expression reads while it is evaluated.
struct Scope {
  int64_t vars[kVarCount] = {};
  const Days* anchors = nullptr;
  size_t anchor_count = 0;
};

int64_t Eval(const Expr& e, const Scope& scope, Rng& rng);

// Per value of the `category` column.
struct CategoryRule {
  Expr birth, enrolled, event, claim_date;
  bool has_event = false, has_claim_date = false, history = true;
  bool employee = false;  // may have left employee insurance ([employee])
  std::vector<Expr> anchors;
};

// Per value of the `kind` column; unset entries fall back to [claims].
struct KindRule {
  Expr level, disease, total;
  bool has_level = false, has_disease = false, has_total = false;
};

struct RegionRule {
  Expr referral;
  bool has_referral = false;
};

struct Profile {
  std::string path;
  std::vector<std::string> words;  // word id -> text

  Expr category, hardship;
  std::vector<CategoryRule> categories;  // indexed by word id (only drawn words are set)
  std::vector<bool> is_category;

  unsigned unbroken_per_mille = 0;
  Expr lapsed, repaired, prior_insured, zero_claim;

  // [employee] (optional): the employee-insurance columns of persons whose category allows it.
  bool has_employee = false;
  unsigned employee_per_mille = 0;
  Expr employee_end, employee_enrolled, employee_months_prev, employee_months_cur, employee_gap;

  Expr claim_count, claim_date, kind, level, region, referral, decimals, total, eligible_share;
  unsigned eligible_same_per_mille = 0;
  std::vector<KindRule> kinds;      // indexed by word id
  std::vector<RegionRule> regions;  // indexed by word id
};

// Reads and checks a profile; dates are resolved against the policy year. Throws ProfileError.
Profile LoadProfile(const std::string& path, int year);

}  // namespace polc::gen
