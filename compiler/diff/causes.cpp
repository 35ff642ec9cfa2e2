// Why one claim changed: the changed definitions its derivation went through. Both
// interpreters trace the claim. A rule is live when it was evaluated on both sides with
// different values, or exists in one policy only and a live rule read it there. A live rule's
// own changes count when they are in a clause the derivation went through (the default when
// it applied, an exception when it applied on either side); a parameter or
// accumulator counts when a live rule read it, a table, set, brackets or function when the
// clause a live rule applied refers to it. Cite changes never count: they change no value.
#include <map>
#include <set>

#include "compiler/diff/expr.h"
#include "compiler/diff/impact.h"
#include "compiler/interp/explain.h"

namespace polc::diff {

namespace {

bool CiteOnly(const Change& c) { return c.part == "cite" || c.part.ends_with(": cite"); }

// One side: the rules and functions of its AST, and the trace of the event.
class SideTrace {
 public:
  SideTrace(const ImpactInputs& side, const settle::Inputs& inputs, uint32_t event) : side_(side) {
    for (const auto& d : side.module->decls) {
      if (d->kind == ast::DeclKind::Rule) rules_[d->name.name] = static_cast<const ast::RuleDecl*>(d.get());
      if (d->kind == ast::DeclKind::Function) functions_[d->name.name] = static_cast<const ast::FunctionDecl*>(d.get());
    }
    const ir::Program& p = *side.program;
    trace_ = interp::TraceSettlement(*side.interp, inputs, inputs.event_subject[event], event);
    auto add = [&](const interp::RuleStep& step) {
      const ir::Rule& rule = p.rules[static_cast<size_t>(step.rule)];
      values[rule.name] = interp::ShowValue(p, inputs, rule.type, step.value);
      steps[rule.name] = &step;
      raw[rule.name] = {rule.type, step.value};
    };
    for (const interp::RuleStep& step : trace_.event_rules) add(step);
    for (const interp::RuleStep* step : interp::RelevantSubjectSteps(p, trace_)) add(*step);
    for (const interp::AccStep& acc : trace_.accumulators) {
      const ir::Accumulator& a = p.accumulators[static_cast<size_t>(acc.acc)];
      accumulators[a.name] = interp::ShowValue(p, inputs, a.type, acc.before);
    }
  }

  bool Has(const std::string& rule) const { return values.count(rule) > 0; }
  bool Defines(const std::string& rule) const { return rules_.count(rule) > 0; }

  // The names one evaluated rule read: rules, parameters and accumulators as traced; tables,
  // sets, brackets and functions from the clauses it went through.
  void Reads(const std::string& rule, std::set<std::string>& out) const {
    const interp::RuleStep& step = *steps.at(rule);
    const ir::Program& p = *side_.program;
    for (int32_t r : step.reads) out.insert(p.rules[static_cast<size_t>(r)].name);
    for (int32_t id : step.params) out.insert(p.params[static_cast<size_t>(id)].name);
    for (const interp::TraceAccRead& a : step.acc_reads) out.insert(p.accumulators[static_cast<size_t>(a.acc)].name);
    auto it = rules_.find(rule);
    if (it == rules_.end()) return;
    const ast::RuleDecl& r = *it->second;
    for (size_t i = 0; i < step.conditions.size() && i < r.exceptions.size(); ++i) Static(*r.exceptions[i].condition, out);
    if (step.branch < 0) Static(*r.value, out);
    else if (static_cast<size_t>(step.branch) < r.exceptions.size()) Static(*r.exceptions[static_cast<size_t>(step.branch)].value, out);
  }

  // Whether a part of a rule's diff lies on this side's path: the default or an exception
  // when it applied.
  bool OnPath(const std::string& rule, const std::string& part) const {
    auto it = rules_.find(rule);
    auto st = steps.find(rule);
    if (it == rules_.end() || st == steps.end()) return false;
    const ast::RuleDecl& r = *it->second;
    const interp::RuleStep& step = *st->second;
    if (part == "default") return step.branch < 0;
    if (part == "type" || part == "exception order") return true;
    if (!part.starts_with("exception ")) return false;
    // An exception's change (added, removed, its condition or its value) shows only where
    // the exception applied: one that held on neither side gave neither value.
    std::string key = part.substr(10);
    if (key.find(':') != std::string::npos) key = key.substr(0, key.find(':'));
    for (size_t i = 0; i < r.exceptions.size(); ++i) {
      const std::string k = r.exceptions[i].label ? r.exceptions[i].label->name : "#" + std::to_string(i + 1);
      if (k == key) return step.branch == static_cast<int32_t>(i);
    }
    return false;
  }

  std::map<std::string, std::string> values;             // rule -> value as text
  std::map<std::string, const interp::RuleStep*> steps;  // rule -> its step
  std::map<std::string, std::string> accumulators;       // accumulator -> total before the event
  std::map<std::string, std::pair<ir::Type, ir::Value>> raw;  // rule -> its type and value

 private:
  void Static(const ast::Expr& e, std::set<std::string>& out) const {
    std::vector<std::string> locals, names;
    ReferencedNames(e, locals, names);
    for (const std::string& n : names) {
      if (!out.insert(n).second) continue;
      auto f = functions_.find(n);
      if (f != functions_.end()) Static(*f->second->body, out);
    }
  }
  const ImpactInputs& side_;
  interp::Trace trace_;
  std::map<std::string, const ast::RuleDecl*> rules_;
  std::map<std::string, const ast::FunctionDecl*> functions_;
};

std::string Describe(const Change& c) {
  std::string out = std::string(KindName(c.kind)) + (c.part.empty() ? "" : " " + c.part);
  if (c.kind == ChangeKind::Changed && c.before.text.size() + c.after.text.size() < 80 &&
      c.before.text.find('\n') == std::string::npos && c.after.text.find('\n') == std::string::npos)
    out += ": " + c.before.text + " → " + c.after.text;
  return out;
}

}  // namespace

std::vector<Cause> FindCauses(const PolicyDiff& diff, const ImpactInputs& old_side, const settle::Inputs& old_inputs,
                              const ImpactInputs& new_side, const settle::Inputs& new_inputs, uint32_t event,
                              int64_t old_to_new) {
  const SideTrace a(old_side, old_inputs, event), b(new_side, new_inputs, event);
  // Live rules, and what they read on each side.
  std::set<std::string> live, read_a, read_b;
  for (const auto& [rule, value] : a.raw) {
    auto other = b.raw.find(rule);
    if (other == b.raw.end()) continue;
    const bool same_type = value.first.base == other->second.first.base;
    if (!same_type || !SameValue(value.first, value.second, other->second.second, old_to_new)) live.insert(rule);
  }
  for (const std::string& rule : live) {
    a.Reads(rule, read_a);
    b.Reads(rule, read_b);
  }
  // Rules of one policy only, read by a live rule (or by such a rule, one level further).
  for (int round = 0; round < 2; ++round) {
    for (const auto& [rule, value] : a.values)
      if (!b.Defines(rule) && read_a.count(rule) && live.insert(rule).second) a.Reads(rule, read_a);
    for (const auto& [rule, value] : b.values)
      if (!a.Defines(rule) && read_b.count(rule) && live.insert(rule).second) b.Reads(rule, read_b);
  }

  std::vector<Cause> out;
  std::map<std::pair<std::string, std::string>, size_t> index;
  for (const Change& c : diff.changes) {
    if (CiteOnly(c)) continue;
    bool cause = false;
    if (c.decl == "rule") {
      cause = live.count(c.name) > 0 &&
              (c.part.empty() || a.OnPath(c.name, c.part) || b.OnPath(c.name, c.part));
    } else if (c.decl == "param" || c.decl == "table" || c.decl == "set" || c.decl == "brackets" ||
               c.decl == "function" || c.decl == "accumulator") {
      cause = read_a.count(c.name) > 0 || read_b.count(c.name) > 0;
    }
    if (!cause) continue;
    auto key = std::make_pair(c.decl, c.name);
    auto it = index.find(key);
    if (it == index.end()) {
      Cause entry{c.decl, c.name, c.area, {}, "", ""};
      if (c.decl == "rule") {
        entry.before = a.Has(c.name) ? a.values.at(c.name) : a.Defines(c.name) ? "(not evaluated)" : "(not in this policy)";
        entry.after = b.Has(c.name) ? b.values.at(c.name) : b.Defines(c.name) ? "(not evaluated)" : "(not in this policy)";
      }
      it = index.emplace(key, out.size()).first;
      out.push_back(std::move(entry));
    }
    out[it->second].parts.push_back(Describe(c));
  }
  // Earlier claims that settled differently leave different totals for this one.
  for (const auto& [name, before] : b.accumulators) {
    auto other = a.accumulators.find(name);
    if (other == a.accumulators.end() || other->second == before || index.count({"accumulator", name})) continue;
    if (!read_a.count(name) && !read_b.count(name)) continue;
    out.push_back({"accumulator", name, "", {"total of earlier claims differs"}, other->second, before});
  }
  return out;
}

}  // namespace polc::diff
