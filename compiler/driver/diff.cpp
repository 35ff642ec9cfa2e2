// `polc diff OLD NEW [--json] [--color auto|always|never] [--persons P --claims C [--top N]
// [--by FIELD] [--engine jit|interp]]`: what changed between two checked policies, grouped by
// area, and optionally what it does to a population. Exit codes as diff(1): 0 no differences,
// 1 differences, 2 trouble (a policy that does not compile, bad input).
#include <unistd.h>

#include <iostream>

#include "compiler/diag/stack.h"
#include "compiler/diff/diff.h"
#include "compiler/diff/impact.h"
#include "compiler/diff/report.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/progress.h"
#include "compiler/driver/session.h"

namespace polc::driver {

namespace {

struct DiffOptions {
  std::string old_file, new_file;
  bool json = false;
  std::string color = "auto";
  diff::ImpactOptions impact;
  ProgressOptions progress;
};

int RunDiff(const DiffOptions& options) {
  std::unique_ptr<Compilation> a = LoadPolicy(options.old_file, std::cerr);
  std::unique_ptr<Compilation> b = LoadPolicy(options.new_file, std::cerr);
  if (a == nullptr || b == nullptr) return 2;
  if (options.impact.persons.empty() != options.impact.claims.empty()) {
    std::cerr << "polc diff: --persons and --claims go together\n";
    return 2;
  }
  int exit_code = 2;
  // The comparison and the interpreter recurse once per nesting level of a policy.
  RunOnLargeStack([&] {
    try {
      const diff::PolicyDiff d = diff::Compare({a->module.get(), &a->program}, {b->module.get(), &b->program});
      const diff::Sides sides{options.old_file, options.new_file, &a->program, &b->program};
      diff::Style style;
      style.color = options.color == "always" || (options.color == "auto" && !options.json && isatty(1));
      diff::Impact impact;
      const bool with_impact = !options.impact.persons.empty();
      if (with_impact) {
        // The fastest engine: -O2 and the object cache, as `polc run` has them.
        Progress progress(options.progress);
        progress.Phase("compiling");
        const EngineConfig config = SpeedConfig(options.impact.engine, 1, false);
        std::unique_ptr<Settlers> ea = MakeSettlers(a->program, config, std::cerr);
        std::unique_ptr<Settlers> eb = MakeSettlers(b->program, config, std::cerr);
        progress.Phase("reading " + options.impact.claims);
        diff::ImpactOptions impact_options = options.impact;
        const std::string what = b->program.records[1].name + "s";
        bool settling = false;
        if (progress.Shown()) {
          impact_options.progress = [&](uint64_t done, uint64_t total) {
            if (!settling) progress.Phase("settling under both policies", total, what);
            settling = true;
            progress.Update(done);
          };
        }
        std::string error;
        if (!diff::ComputeImpact({&a->program, a->module.get(), ea->interp.get(), ea->settle},
                                 {&b->program, b->module.get(), eb->interp.get(), eb->settle}, d, impact_options,
                                 impact, error)) {
          progress.Finish(0, "");
          std::cerr << error << (error.empty() || error.back() == '\n' ? "" : "\n");
          return;
        }
        progress.Finish(impact.events.rows, what);
      }
      if (options.json) {
        std::cout << "{" << diff::DiffJsonMembers(sides, d)
                  << ",\"impact\":" << (with_impact ? diff::ImpactJson(impact) : "null") << "}\n";
      } else {
        std::cout << diff::DiffText(sides, d, style);
        if (with_impact) std::cout << diff::ImpactText(impact, style);
      }
      exit_code = d.Empty() ? 0 : 1;
    } catch (const settle::EvalError& e) {
      std::cerr << "polc: " << e.what() << "\n";
    }
  });
  return exit_code;
}

}  // namespace

void AddDiffCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<DiffOptions>();
  CLI::App* cmd = app.add_subcommand("diff", "compare two policies (and their impact on a population); exit 0 same, 1 different, 2 trouble");
  cmd->add_option("old", options->old_file, "the old policy file")->required();
  cmd->add_option("new", options->new_file, "the new policy file")->required();
  cmd->add_flag("--json", options->json, "print JSON (docs/diff.md)");
  cmd->add_option("--color", options->color, "auto (on a terminal), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_option("--persons", options->impact.persons, "subject CSV: settle it under both policies");
  cmd->add_option("--claims", options->impact.claims, "event CSV: settle it under both policies");
  cmd->add_option("--top", options->impact.top, "how many of the most changed claims to explain (default 10)");
  cmd->add_option("--by", options->impact.by, "the event field to total by (default: its first enumeration field)");
  AddEngineOption(*cmd, options->impact.engine);
  AddProgressOptions(*cmd, options->progress);
  cmd->callback([options, &exit_code] { exit_code = RunDiff(*options); });
}

}  // namespace polc::driver
