// HandwrittenHuaihua: the Huaihua 2026 rules written out by hand (see the header).
#include "bench/handwritten_huaihua.h"

#include <algorithm>
#include <cstring>

#include "runtime/abi.h"
#include "runtime/date.h"

namespace polc::bench {

namespace {

// Word indices, in the policy's declaration order.
enum Category { kResident, kNewStudent, kNewborn, kWelfareChild, kSpecialEntry };
enum Hardship { kNone, kExtremelyPoor, kSevereDisability, kOrphan, kUnsupportedChild,
                kMinimumLiving, kMarginalLowIncome, kPovertyMonitoring, kReturnedToPoverty };
enum Kind { kInpatient, kGeneral, kHypertension, kDiabetes, kChronic, kDualChannel, kPrenatal,
            kNormal, kCesarean };
enum Status { kOk, kWaiting, kOutside, kNotCovered };

constexpr const char* kPersonFields[] = {"person_id", "birth_date", "enrolled_on", "category",
    "hardship", "prior_insured_years", "lapsed_years", "repaired_years", "zero_claim_years",
    "event_date", "employee_end", "employee_months_prev", "employee_months_cur", "employee_gap"};
constexpr const char* kClaimFields[] = {"claim_id", "person_id", "date", "kind", "level",
    "region", "referral", "disease", "total", "eligible"};

const int32_t kWindowFirst = rt::MakeDate(2025, 9, 1), kWindowLast = rt::MakeDate(2025, 12, 31);
const int32_t kPeriodFirst = rt::MakeDate(2026, 1, 1), kPeriodLast = rt::MakeDate(2026, 12, 31);
const int32_t kStudentFrom = rt::MakeDate(2025, 9, 1);

constexpr int64_t kDeductible[5] = {20000, 50000, 80000, 120000, 200000};
constexpr int64_t kInpatientRate[5] = {8500, 8200, 8000, 6500, 6000};
constexpr int64_t kOutpatientRate[9] = {0, 7000, 7000, 7000, 7000, 6000, 0, 0, 0};
constexpr int64_t kOutpatientCap[9] = {-1, 42000, 36000, 60000, -1, -1, -1, -1, -1};
constexpr int64_t kAllowance[9] = {0, 0, 0, 0, 0, 0, 60000, 200000, 300000};
constexpr int64_t kLowers[4] = {0, 3000000, 8000000, 15000000};
constexpr int64_t kRates[4] = {6000, 6500, 7500, 8500};

inline int64_t MulRate(int64_t fen, int64_t bp) {
  int64_t p;
  if (!__builtin_mul_overflow(fen, bp, &p) && p < INT64_MAX - 5000) {
    const int64_t s = p + 5000;
    return s / 10000 - (s % 10000 < 0 ? 1 : 0);
  }
  return polc_rt_mul_rate(fen, bp);
}

inline ir::Value Money(int64_t a) { return {a, 0, true}; }

}  // namespace

bool HandwrittenHuaihua::Init(const ir::Program& program, std::string& error) {
  for (int r = 0; r < 2; ++r) {
    const auto& fields = program.records[r].fields;
    const auto* names = r == 0 ? kPersonFields : kClaimFields;
    const size_t count = r == 0 ? std::size(kPersonFields) : std::size(kClaimFields);
    if (fields.size() != count) {
      error = "unexpected record layout";
      return false;
    }
    for (size_t f = 0; f < count; ++f) {
      if (fields[f].name != names[f]) {
        error = "unexpected field " + fields[f].name;
        return false;
      }
    }
  }
  std::fill(std::begin(chronic_cap_), std::end(chronic_cap_), -1);
  for (const ir::Table& table : program.tables) {
    if (table.name != "chronic_caps") continue;
    for (const ir::TableRow& row : table.rows) {
      if (row.key < 0 || row.key > kMaxDisease) {
        error = "disease number out of range";
        return false;
      }
      chronic_cap_[row.key] = row.values[0].a;
    }
    return true;
  }
  error = "no chronic_caps table";
  return false;
}

void HandwrittenHuaihua::SetChronicCaps(const int64_t* caps, int n) {
  std::fill(std::begin(chronic_cap_), std::end(chronic_cap_), -1);
  for (int d = 0; d < n && d <= kMaxDisease; ++d) chronic_cap_[d] = caps[d];
}

void HandwrittenHuaihua::Subject(const ir::Value* p, ir::Value* out) {
  const int32_t birth = static_cast<int32_t>(p[1].a), enrolled = static_cast<int32_t>(p[2].a);
  const int64_t category = p[3].a, hardship = p[4].a, prior = p[5].a, lapsed = p[6].a,
                repaired = p[7].a, zero_claim = p[8].a;
  const bool in_window = enrolled >= kWindowFirst && enrolled <= kWindowLast;
  const int64_t subsidy_rate = hardship >= kExtremelyPoor && hardship <= kUnsupportedChild ? 10000
                               : hardship >= kMinimumLiving && hardship <= kPovertyMonitoring ? 5000 : 0;
  const int64_t subsidy = MulRate(40000, subsidy_rate);
  // A newborn of an earlier year is a resident (spec section 14).
  const bool newborn_of_year = category == kNewborn && birth >= kPeriodFirst;
  const bool late = (category == kResident || category == kSpecialEntry || (category == kNewborn && !newborn_of_year)) &&
                    !in_window;
  const int64_t contribution = late ? 40000 + 70000 - subsidy : 40000 - subsidy;
  period_start_ = category == kNewStudent ? kStudentFrom : kPeriodFirst;
  if (newborn_of_year) {
    benefit_start_ = birth;
  } else if (category == kWelfareChild) {
    benefit_start_ = std::max(kPeriodFirst, enrolled);
  } else if (!in_window || lapsed >= 1) {
    const int64_t variable = std::max<int64_t>(lapsed - 1 - repaired, lapsed >= 4 ? 3 : 0);
    benefit_start_ = polc_rt_add_months(std::max(enrolled, period_start_), 3 + variable);
  } else {
    benefit_start_ = period_start_;
  }
  const bool preferential = hardship == kExtremelyPoor || hardship == kMinimumLiving || hardship == kReturnedToPoverty;
  cat_deductible_ = preferential ? 800000 : 1600000;
  cat_shift_ = preferential ? 500 : 0;
  cat_capped_ = !preferential;
  cat_cap_ = 40000000 + 500000 * zero_claim + 500000 * std::max<int64_t>(prior + 1 - 4, 0);
  out[0] = p[0];
  out[1] = Money(contribution);
  out[2] = Money(subsidy);
  out[3] = Money(benefit_start_);
  out[4] = cat_capped_ ? Money(cat_cap_) : ir::Value::Absent();
  std::memset(outpatient_paid_, 0, sizeof(outpatient_paid_));
  std::memset(chronic_paid_, 0, sizeof(chronic_paid_));
  std::memset(admissions_, 0, sizeof(admissions_));
  deductible_applied_ = inpatient_paid_ = catastrophic_base_ = 0;
  // The placeholder classes of the policy's assistance_class table.
  assisted_ = hardship == kExtremelyPoor || hardship == kOrphan || hardship == kUnsupportedChild ||
              hardship == kMinimumLiving || hardship == kReturnedToPoverty || hardship == kMarginalLowIncome ||
              hardship == kPovertyMonitoring;
  assist_rate_ = hardship == kMinimumLiving || hardship == kReturnedToPoverty       ? 7000
                 : hardship == kMarginalLowIncome || hardship == kPovertyMonitoring ? 6000
                                                                                    : 10000;
  assist_threshold_ = hardship == kMarginalLowIncome || hardship == kPovertyMonitoring ? 200000 : 0;
  inpatient_self_paid_ = outpatient_assistance_paid_ = serious_inpatient_base_ = serious_outpatient_base_ = 0;
}

void HandwrittenHuaihua::Events(const ir::Value* p, const ir::Value* claims, int64_t n, ir::Value* out) {
  (void)p;
  for (int64_t i = 0; i < n; ++i, claims += 10, out += 7) {
    const ir::Value* c = claims;
    const int32_t date = static_cast<int32_t>(c[2].a);
    const int64_t kind = c[3].a, level = c[4].a, total = c[8].a, eligible = c[9].a;
    const bool has_disease = c[7].present;
    const int64_t disease = c[7].a;
    const bool disease_known = has_disease && disease >= 0 && disease <= kMaxDisease;
    const int64_t chronic_cap = disease_known ? chronic_cap_[disease] : -1;
    bool offered = true;
    if (kind >= kGeneral && kind <= kDiabetes) offered = level == 0;
    else if (kind == kChronic) offered = chronic_cap >= 0;
    int64_t status = kOk;
    if (!(date >= period_start_ && date <= kPeriodLast)) status = kOutside;
    else if (date < benefit_start_) status = kWaiting;
    else if (!offered) status = kNotCovered;
    const bool paid = status == kOk;
    int64_t basic = 0, applied = 0, catastrophic = 0;
    if (paid) {
      if (kind == kInpatient) {
        const int64_t nominal = admissions_[level] >= 1 ? MulRate(kDeductible[level], 5000) : kDeductible[level];
        applied = std::min({nominal, std::max<int64_t>(300000 - deductible_applied_, 0), eligible});
        basic = std::min(MulRate(eligible - applied, kInpatientRate[level]),
                         std::max<int64_t>(15000000 - inpatient_paid_, 0));
      } else if (kind >= kPrenatal) {
        basic = std::min(kAllowance[kind], total);
      } else {
        basic = MulRate(eligible, kOutpatientRate[kind]);
        if (kind == kChronic) {
          const int64_t slot = has_disease ? disease : kMaxDisease + 1;
          if (chronic_cap >= 0) basic = std::min(basic, std::max<int64_t>(chronic_cap - chronic_paid_[slot], 0));
        } else if (kOutpatientCap[kind] >= 0) {
          basic = std::min(basic, std::max<int64_t>(kOutpatientCap[kind] - outpatient_paid_[kind], 0));
        }
      }
      if (kind == kInpatient) {
        auto due = [&](int64_t base) {
          const int64_t k = polc_rt_bracket_sum(std::max<int64_t>(base - cat_deductible_, 0), kLowers, kRates, 4, cat_shift_);
          return cat_capped_ ? std::min(k, cat_cap_) : k;
        };
        catastrophic = due(catastrophic_base_ + eligible - basic) - due(catastrophic_base_);
      }
    }
    // Medical assistance: inpatient (A), chronic outpatient (8000 a year), serious illness (B).
    int64_t inpatient_assistance = 0, outpatient_assistance = 0, serious_in = 0, serious_out = 0;
    const bool assisted = paid && assisted_;
    const bool serious_kind = kind >= kGeneral && kind <= kDualChannel;
    if (assisted && kind == kInpatient) {
      auto a = [&](int64_t s) {
        return std::min(MulRate(std::min(std::max<int64_t>(s - assist_threshold_, 0), 10000000 - assist_threshold_),
                                assist_rate_),
                        int64_t{9000000});
      };
      auto b = [&](int64_t r) { return MulRate(std::max<int64_t>(r - 1000000, 0), 6000); };
      const int64_t self_paid = eligible - basic - catastrophic;
      inpatient_assistance = a(inpatient_self_paid_ + self_paid) - a(inpatient_self_paid_);
      serious_in = b(serious_inpatient_base_ + self_paid - inpatient_assistance) - b(serious_inpatient_base_);
    }
    if (assisted && kind == kChronic) {
      outpatient_assistance = std::min(MulRate(eligible - basic, assist_rate_),
                                       std::max<int64_t>(800000 - outpatient_assistance_paid_, 0));
    }
    if (assisted && serious_kind) {
      auto bo = [&](int64_t q) { return std::min(MulRate(std::max<int64_t>(q - 1000000, 0), 6000), int64_t{10000000}); };
      serious_out = bo(serious_outpatient_base_ + eligible - basic - outpatient_assistance) - bo(serious_outpatient_base_);
    }
    const int64_t assistance = inpatient_assistance + outpatient_assistance + serious_in + serious_out;
    out[0] = c[0];
    out[1] = c[1];
    out[2] = Money(status);
    out[3] = Money(basic);
    out[4] = Money(catastrophic);
    out[5] = Money(assistance);
    out[6] = Money(total - basic - catastrophic - assistance);
    if (!paid) continue;
    if (assisted && kind == kInpatient) {
      inpatient_self_paid_ += eligible - basic - catastrophic;
      serious_inpatient_base_ += eligible - basic - catastrophic - inpatient_assistance;
    }
    if (assisted && kind == kChronic) outpatient_assistance_paid_ += outpatient_assistance;
    if (assisted && serious_kind) serious_outpatient_base_ += eligible - basic - outpatient_assistance;
    if (kind >= kGeneral && kind <= kDiabetes) outpatient_paid_[kind] += basic;
    if (kind == kChronic) chronic_paid_[has_disease ? disease : kMaxDisease + 1] += basic;
    if (kind == kInpatient) {
      admissions_[level] += 1;
      deductible_applied_ += applied;
      inpatient_paid_ += basic;
      catastrophic_base_ += eligible - basic;
    }
  }
}

}  // namespace polc::bench
