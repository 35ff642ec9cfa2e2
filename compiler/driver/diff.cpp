// `polc diff OLD NEW [--format text|json|csv|html] [--color auto|always|never] [--persons P
// --claims C [--top N] [--by FIELD] [--population-year Y] [--engine jit|interp] [--shard K/N]]`: what changed between two checked policies, grouped by
// area, and optionally what it does to a population. Exit codes as diff(1): 0 no differences,
// 1 differences, 2 trouble (a policy that does not compile, bad input).
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <thread>

#include "compiler/diag/stack.h"
#include "compiler/diff/diff.h"
#include "compiler/diff/impact.h"
#include "compiler/diff/report.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/progress.h"
#include "compiler/driver/session.h"
#include "compiler/io/spill.h"

namespace polc::driver {

namespace {

struct DiffOptions {
  std::string old_file, new_file;
  bool json = false;
  std::string format = "text";
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
  if (options.impact.sharded && (options.impact.persons.empty() || (options.format != "json" && options.format != "text"))) {
    std::cerr << "polc diff: --shard needs --persons and --claims and --format json (to merge) or text\n";
    return 2;
  }
  int exit_code = 2;
  // The comparison and the interpreter recurse once per nesting level of a policy.
  RunOnLargeStack([&] {
    try {
      const diff::PolicyDiff d = diff::Compare({a->module.get(), &a->program}, {b->module.get(), &b->program});
      const diff::Sides sides{options.old_file, options.new_file, &a->program, &b->program};
      diff::Style style;
      style.color = options.color == "always" || (options.color == "auto" && options.format == "text" && isatty(1));
      diff::Impact impact;
      const bool with_impact = !options.impact.persons.empty();
      if (with_impact) {
        // The engine of `polc run`: -O2 and the object cache, and for a population under 16 MiB
        // the unoptimized compile unless the -O2 object is cached (OptimizeFor): both policies
        // and every waterfall variant are compiled, which would cost more than settling.
        Progress progress(options.progress);
        progress.Phase("compiling");
        EngineConfig config = SpeedConfig(options.impact.engine, 1, false);
        config.optimize_only_if_cached = !OptimizeFor(io::InputBytes(options.impact.persons, options.impact.claims));
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
        // The waterfall's variants and the --by rule settle with the same engine (each a
        // program of its own, compiled once into the object cache).
        diff::MakeSettler make = [config](const ir::Program& program) {
          std::shared_ptr<Settlers> engine = MakeSettlers(program, config, std::cerr);
          return diff::Settler{engine->interp.get(), engine->settle, engine};
        };
        std::string error;
        if (!diff::ComputeImpact({&a->program, a->module.get(), ea->interp.get(), ea->settle, a->source.get(), make},
                                 {&b->program, b->module.get(), eb->interp.get(), eb->settle, b->source.get(), make},
                                 d, impact_options, impact, error)) {
          progress.Finish(0, "");
          std::cerr << error << (error.empty() || error.back() == '\n' ? "" : "\n");
          return;
        }
        progress.Finish(impact.events.rows, what);
      }
      const diff::Impact* shown = with_impact ? &impact : nullptr;
      if (options.format == "json") {
        std::cout << "{" << diff::DiffJsonMembers(sides, d)
                  << ",\"impact\":" << (with_impact ? diff::ImpactJson(impact) : "null") << "}\n";
      } else if (options.format == "csv") {
        std::cout << diff::DiffCsv(sides, d, shown);
      } else if (options.format == "html") {
        std::cout << diff::DiffHtml(sides, d, shown);
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
  cmd->add_flag("--json", options->json, "print JSON (docs/diff.md); the same as --format json");
  cmd->add_option("--format", options->format, "text (default), json, csv or html (one self-contained page)")
      ->check(CLI::IsMember({"text", "json", "csv", "html"}));
  cmd->add_option("--population-year", options->impact.population_year,
                  "the year the persons and claims belong to (default: the year most claim dates fall in)")
      ->check(CLI::Range(1000, 9999));
  cmd->add_option("--color", options->color, "auto (on a terminal), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_option("--persons", options->impact.persons, "subject CSV: settle it under both policies");
  cmd->add_option("--claims", options->impact.claims, "event CSV: settle it under both policies");
  cmd->add_option("--top", options->impact.top, "how many of the most changed claims to explain (default 10)");
  cmd->add_option_function<std::string>(
      "--shard",
      [options](const std::string& text) {
        std::string error;
        if (!settle::ParseShard(text, options->impact.shard, error)) throw CLI::ValidationError(error);
        options->impact.sharded = true;
      },
      "K/N: the impact on the persons of shard K of N only, as polc run --shard (--format json or text); "
      "polc merge --summaries adds up the shards' JSON");
  cmd->add_option("--by", options->impact.by,
                  "a claim or person field or a rule of the new policy to total by (default: the claim's first enumeration field)");
  AddEngineOption(*cmd, options->impact.engine);
  AddProgressOptions(*cmd, options->progress);
  options->impact.threads = static_cast<int>(std::max(std::thread::hardware_concurrency(), 1u));
  cmd->add_option("--threads", options->impact.threads,
                  "threads settling the waterfall's policy variants (default: every core); the same figures for any number")
      ->check(CLI::Range(1, 256));
  cmd->callback([options, &exit_code] {
    if (options->json) options->format = "json";
    exit_code = RunDiff(*options);
  });
}

}  // namespace polc::driver
