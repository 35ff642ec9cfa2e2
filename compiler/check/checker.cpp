// The checker's entry: the passes in order, then dependency cycles, stages and unused
// definitions over the whole policy.
#include "compiler/check/checker.h"
#include "compiler/check/check.h"

#include <algorithm>
#include <functional>

namespace polc::check {

void Checker::CheckCyclesAndStages() {
  // Graph nodes: rules, then accumulator reads (their key and cap). Functions are inlined,
  // so their reads are already merged into their callers' deps.
  size_t n_rules = p_.rules.size();
  auto deps_of = [&](size_t node) -> const Deps& {
    return node < n_rules ? rule_deps_[node] : acc_read_deps_[node - n_rules];
  };
  auto name_of = [&](size_t node) {
    return node < n_rules ? "rule " + p_.rules[node].name
                          : "accumulator " + p_.accumulators[node - n_rules].name;
  };
  size_t total = n_rules + p_.accumulators.size();
  std::vector<int> color(total, 0);  // 0 new, 1 on the stack, 2 done
  std::vector<ir::Stage> stage(total, ir::Stage::Const);
  std::vector<uint8_t> year_end(total, 0);  // reads a year total, directly or through others
  std::vector<size_t> stack;
  std::function<void(size_t)> visit = [&](size_t node) {
    color[node] = 1;
    stack.push_back(node);
    const Deps& deps = deps_of(node);
    ir::Stage s = deps.stage;
    bool ye = deps.year_total;
    std::vector<size_t> next(deps.rules.begin(), deps.rules.end());
    for (int a : deps.acc_reads) next.push_back(n_rules + a);
    for (size_t m : next) {
      if (color[m] == 1) {
        std::string chain;
        auto it = std::find(stack.begin(), stack.end(), m);
        for (; it != stack.end(); ++it) chain += name_of(*it) + " -> ";
        chain += name_of(m);
        SourceRange r = m < n_rules ? p_.rules[m].range : p_.accumulators[m - n_rules].range;
        Error(DiagKind::Cycle, r, "definitions depend on each other in a cycle: {}", chain);
        continue;
      }
      if (color[m] == 0) visit(m);
      s = std::max(s, stage[m]);
      ye = ye || year_end[m];
    }
    stage[node] = s;
    year_end[node] = ye ? 1 : 0;
    color[node] = 2;
    stack.pop_back();
  };
  for (size_t i = 0; i < total; ++i)
    if (color[i] == 0) visit(i);
  for (size_t i = 0; i < n_rules; ++i) {
    p_.rules[i].stage = stage[i];
    if (year_end[i]) {
      // A year total is known only after the subject's last event: no event value can read it.
      if (stage[i] == ir::Stage::Event)
        Error(DiagKind::StageMismatch, p_.rules[i].range,
              "rule '{}' reads a year total (year_total) and a {} value; a year-end value is "
              "computed after the {}'s last {}",
              p_.rules[i].name, p_.records[1].name, p_.records[0].name, p_.records[1].name);
      p_.rules[i].stage = ir::Stage::YearEnd;
    }
    p_.rules[i].rule_deps.assign(rule_deps_[i].rules.begin(), rule_deps_[i].rules.end());
  }
  for (size_t i = 0; i < acc_update_deps_.size() && i < p_.accumulators.size(); ++i) {
    const Deps& update = acc_update_deps_[i];
    ir::Stage s = std::max(update.stage, acc_read_deps_[i].stage);
    bool ye = update.year_total;
    for (int r : update.rules) {
      s = std::max(s, stage[r]);
      ye = ye || year_end[r];
    }
    const ir::Accumulator& acc = p_.accumulators[i];
    if (ye)
      Error(DiagKind::StageMismatch, acc.range, "accumulator '{}' adds a year-end value, known only after the last {}",
            acc.name, p_.records[1].name);
    else if (s != ir::Stage::Event && acc.value)
      Error(DiagKind::BadAccumulator, acc.range,
            "accumulator '{}' does not depend on the {} it accumulates", acc.name, p_.records[1].name);
  }
  for (const OutputCheck& check : output_rule_checks_) {
    ir::Stage s = check.deps.stage;
    bool ye = check.deps.year_total;
    for (int r : check.deps.rules) {
      s = std::max(s, stage[r]);
      ye = ye || year_end[r];
    }
    if (s == ir::Stage::Event)
      Error(DiagKind::StageMismatch, check.range, "a per-{} column cannot depend on a {}",
            p_.records[0].name, p_.records[1].name);
    else if (ye && !check.year_end)
      Error(DiagKind::StageMismatch, check.range,
            "this column reads a year total; only an output `for {} at year_end` can", p_.records[0].name);
  }
  // Parameters may refer to parameters only: a cycle among them is reported here too.
  std::vector<int> pcolor(p_.params.size(), 0);
  std::function<void(size_t)> pvisit = [&](size_t i) {
    pcolor[i] = 1;
    for (int m : param_deps_[i].params) {
      if (pcolor[m] == 1)
        Error(DiagKind::Cycle, p_.params[m].range, "parameter '{}' depends on itself", p_.params[m].name);
      else if (pcolor[m] == 0)
        pvisit(m);
    }
    pcolor[i] = 2;
  };
  for (size_t i = 0; i < p_.params.size(); ++i)
    if (pcolor[i] == 0) pvisit(i);
}

void Checker::ReportUnused() {
  for (const auto& [name, s] : symbols_) {
    if (s.used || s.kind == SymKind::Record) continue;
    static const char* what[] = {"parameter", "set", "table", "brackets", "rule",
                                 "function", "accumulator", "record"};
    sink_.Report(DiagKind::UnusedDefinition, file_, s.range,
                 fmt::format("{} '{}' is never used", what[static_cast<int>(s.kind)], name));
  }
}

bool Checker::Run() {
  size_t errors_before = sink_.ErrorCount();
  CollectHeader();
  CollectEnums();
  CollectRecords();
  CollectSymbols();
  CheckParams();
  CheckSets();
  CheckTables();
  CheckBrackets();
  for (size_t i = 0; i < functions_.size(); ++i) CheckFunction(static_cast<int>(i));
  CheckAccumulators();
  CheckRules();
  CheckRequirements();
  CheckOutputs();
  CheckCyclesAndStages();
  CheckDurationUnits();
  ReportUnused();
  return sink_.ErrorCount() == errors_before;
}

}  // namespace polc::check

namespace polc {

bool Check(const ast::Module& module, const std::string& base_dir, DiagnosticSink& sink,
           ir::Program& program) {
  program.file = module.file;
  check::Checker checker(module, base_dir, sink, program);
  bool ok = checker.Run();
  std::string source = CiteSourceFile(program.header.source, base_dir);
  std::string text, error;
  if (!source.empty() && ReadFile(source, text, error)) CheckCites(module, program.header.source, text, sink);
  return ok;
}

}  // namespace polc
