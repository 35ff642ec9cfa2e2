// Durations compared or chosen between (`==`, `<`, ..., `min`, `max`) must be in one unit:
// months (`n months`, and `n years`, which is 12 n months) or days. A month is not a fixed
// number of days, so `1 months < 30 days` has no answer that holds for every date. Every
// duration value is made by `n months`, `n years` or `n days` and added up from those, so its
// unit is known from the expression (through parameters, rules, tables, `let` and the
// branches of `if` and `match`); the unit check runs once every rule is checked.
#include <functional>
#include <map>
#include <set>
#include <utility>

#include "compiler/check/checker.h"
#include "compiler/check/nodes.h"

namespace polc::check {

namespace {

// The units a duration may carry, as bits: a zero duration (0) fits either unit.
using Units = unsigned;
constexpr Units kMonths = 1, kDays = 2, kBoth = kMonths | kDays;

std::string Describe(Units u) {
  switch (u) {
    case kMonths: return "a duration in months";
    case kDays: return "a duration in days";
    case kBoth: return "a duration in months and days";
    default: return "a zero duration";
  }
}

const char* Short(Units u) {
  switch (u) {
    case kMonths: return "months";
    case kDays: return "days";
    case kBoth: return "months and days";
    default: return "zero";
  }
}

using LocalUnits = std::map<int64_t, Units>;

class DurationUnits {
 public:
  explicit DurationUnits(const ir::Program& p)
      : p_(p), rule_state_(p.rules.size(), 0), rule_units_(p.rules.size(), 0),
        param_state_(p.params.size(), 0), param_units_(p.params.size(), 0) {}

  // The units `n` may carry (0 when it is not a duration).
  Units Of(const Node& n, const LocalUnits& locals) {
    if (n.type.base != Base::Duration) return 0;
    switch (n.op) {
      case Op::Const:
        return n.value.present ? (n.value.a != 0 ? kMonths : 0) | (n.value.b != 0 ? kDays : 0) : 0;
      case Op::Months: return kMonths;
      case Op::Days: return kDays;
      case Op::Param: return OfParam(static_cast<size_t>(n.a));
      case Op::Rule: return OfRule(static_cast<size_t>(n.a));
      case Op::Local: {
        auto it = locals.find(n.a);
        return it == locals.end() ? 0 : it->second;
      }
      case Op::Let: {
        LocalUnits inner = locals;
        inner[n.a] = Of(*n.kids[0], locals);
        return Of(*n.kids[1], inner);
      }
      case Op::If: return Of(*n.kids[1], locals) | Of(*n.kids[2], locals);
      case Op::Match: {
        Units u = 0;
        for (size_t i = 1; i < n.kids.size(); ++i) u |= Of(*n.kids[i], locals);
        return u;
      }
      case Op::TableGet: {
        const ir::Table& t = p_.tables[static_cast<size_t>(n.a)];
        Units u = 0;
        for (const ir::TableRow& row : t.rows)
          if (static_cast<size_t>(n.b) < row.values.size()) {
            const ir::Value& v = row.values[static_cast<size_t>(n.b)];
            if (v.present) u |= (v.a != 0 ? kMonths : 0) | (v.b != 0 ? kDays : 0);
          }
        return u;
      }
      default: {  // Add, Sub, Neg, Min, Max, ValueOr: whatever their operands carry
        Units u = 0;
        for (const auto& k : n.kids) u |= Of(*k, locals);
        return u;
      }
    }
  }

 private:
  Units OfParam(size_t id) {
    if (id >= p_.params.size() || param_state_[id] == 1 || !p_.params[id].value) return 0;
    if (param_state_[id] == 0) {
      param_state_[id] = 1;
      param_units_[id] = Of(*p_.params[id].value, {});
      param_state_[id] = 2;
    }
    return param_units_[id];
  }

  Units OfRule(size_t id) {
    // A rule in a cycle (already an error) counts as zero while it is being worked out.
    if (id >= p_.rules.size() || rule_state_[id] == 1) return 0;
    if (rule_state_[id] == 0) {
      rule_state_[id] = 1;
      const ir::Rule& r = p_.rules[id];
      Units u = r.value ? Of(*r.value, {}) : 0;
      for (const ir::Exception& ex : r.exceptions)
        if (ex.value) u |= Of(*ex.value, {});
      rule_units_[id] = u;
      rule_state_[id] = 2;
    }
    return rule_units_[id];
  }

  const ir::Program& p_;
  std::vector<uint8_t> rule_state_;
  std::vector<Units> rule_units_;
  std::vector<uint8_t> param_state_;
  std::vector<Units> param_units_;
};

}  // namespace

void Checker::CheckDurationUnits() {
  DurationUnits units(p_);
  // A function body is inlined at every call: report each place once.
  std::set<std::pair<int, int>> reported;
  auto once = [&](SourceRange r) { return reported.insert({r.begin_line, r.begin_col}).second; };
  std::function<void(const Node&, const LocalUnits&)> walk = [&](const Node& n, const LocalUnits& locals) {
    if (n.op == Op::Let) {
      walk(*n.kids[0], locals);
      LocalUnits inner = locals;
      inner[n.a] = units.Of(*n.kids[0], locals);
      walk(*n.kids[1], inner);
      return;
    }
    for (const auto& k : n.kids) walk(*k, locals);
    const bool compare = n.op == Op::Eq || n.op == Op::Ne || n.op == Op::Lt || n.op == Op::Le ||
                         n.op == Op::Gt || n.op == Op::Ge;
    if (compare && n.kids.size() == 2 && n.kids[0]->type.base == Base::Duration) {
      const Units l = units.Of(*n.kids[0], locals), r = units.Of(*n.kids[1], locals);
      if ((l | r) == kBoth && once(n.range)) {
        Diagnostic& d = Error(DiagKind::UnitMismatch, n.range,
                              "cannot compare {} with {}: a month is not a fixed number of days", Describe(l),
                              Describe(r));
        d.notes.push_back({n.kids[0]->range, fmt::format("the left side is {}", Describe(l))});
        d.notes.push_back({n.kids[1]->range, fmt::format("the right side is {}", Describe(r))});
      }
    }
    if ((n.op == Op::Min || n.op == Op::Max) && n.type.base == Base::Duration) {
      Units all = 0;
      std::vector<Units> each;
      for (const auto& k : n.kids) {
        each.push_back(units.Of(*k, locals));
        all |= each.back();
      }
      if (all == kBoth && once(n.range)) {
        std::string list;
        for (Units u : each) list += (list.empty() ? "" : ", ") + std::string(Short(u));
        Diagnostic& d = Error(DiagKind::UnitMismatch, n.range,
                              "{} of durations in different units ({}): a month is not a fixed number of days",
                              n.op == Op::Min ? "min" : "max", list);
        for (size_t i = 0; i < n.kids.size(); ++i)
          d.notes.push_back({n.kids[i]->range, fmt::format("this argument is {}", Describe(each[i]))});
      }
    }
  };
  auto check = [&](const ir::NodePtr& n) {
    if (n) walk(*n, {});
  };
  for (const ir::Param& p : p_.params) check(p.value);
  for (const ir::Rule& r : p_.rules) {
    check(r.value);
    for (const ir::Exception& ex : r.exceptions) {
      check(ex.condition);
      check(ex.value);
    }
  }
  for (const ir::Accumulator& a : p_.accumulators) {
    check(a.key);
    check(a.value);
    check(a.condition);
    check(a.cap);
  }
  for (const ir::Record& record : p_.records)
    for (const ir::Requirement& req : record.requirements) check(req.condition);
  for (const ir::Output& out : p_.outputs)
    for (const ir::OutputColumn& col : out.columns) check(col.value);
}

}  // namespace polc::check
