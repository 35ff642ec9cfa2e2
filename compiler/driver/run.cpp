// `polc run POLICY --persons P --claims C --out R [--persons-out S] [--next-out N] [--engine jit|interp]`:
// settles a population and writes the result files (spec section 12). Nothing on stdout;
// on any error no output file is left behind.
#include <iostream>
#include <sstream>

#include "compiler/diag/stack.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/progress.h"
#include "compiler/driver/session.h"
#include "compiler/io/results.h"

namespace polc::driver {

namespace {

struct RunOptions {
  std::string policy, persons, claims, out, persons_out, next_out;
  std::string engine = "jit";
  int threads = 1;
  bool no_cache = false;
  ProgressOptions progress;
};

int RunRun(const RunOptions& options) {
  std::unique_ptr<Compilation> c = LoadPolicy(options.policy, std::cerr);
  if (c == nullptr) return 1;
  int exit_code = 1;
  // The interpreter recurses once per nesting level of the policy.
  RunOnLargeStack([&] {
    try {
      Progress progress(options.progress);
      progress.Phase("compiling");
      std::unique_ptr<Settlers> engine = MakeSettlers(c->program, SpeedConfig(options.engine, options.threads, options.no_cache), std::cerr);
      progress.Phase("reading " + options.claims);
      settle::Inputs inputs;
      std::ostringstream input_errors;  // printed once the progress line is cleared
      if (!LoadInputs(*engine->interp, options.persons, options.claims, inputs, input_errors, options.threads)) {
        progress.Finish(0, "");
        std::cerr << input_errors.str();
        return;
      }
      const std::string what = c->program.records[1].name + "s";
      progress.Phase("settling", inputs.events.Size(), what);
      std::string error;
      // Events settled so far: those of the subjects before the first unsettled one.
      auto settled = [&](uint32_t subjects) { progress.Update(inputs.subject_begin[subjects]); };
      if (!io::WriteResults(c->program, engine->settlers, inputs, options.out, options.persons_out, error,
                            progress.Shown() ? std::function<void(uint32_t)>(settled) : nullptr,
                            options.next_out)) {
        progress.Finish(0, what);
        std::cerr << "polc: " << error << "\n";
        return;
      }
      progress.Finish(inputs.events.Size(), what);
      exit_code = 0;
    } catch (const settle::EvalError& e) {
      std::cerr << "polc: " << e.what() << "\n";
    }
  });
  return exit_code;
}

}  // namespace

void AddRunCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand("run", "settle a population: write the result files");
  cmd->add_option("policy", options->policy, "policy file")->required();
  cmd->add_option("--persons", options->persons, "subject CSV (one row per person)")->required();
  cmd->add_option("--claims", options->claims, "event CSV (one row per claim)")->required();
  cmd->add_option("--out", options->out, "event results CSV to write")->required();
  cmd->add_option("--persons-out", options->persons_out, "subject results CSV to write");
  cmd->add_option("--next-out", options->next_out,
                  "the policy's `at year_end` subject output (next year's counters) CSV to write");
  AddEngineOption(*cmd, options->engine);
  AddSpeedOptions(*cmd, options->threads, options->no_cache);
  AddProgressOptions(*cmd, options->progress);
  cmd->callback([options, &exit_code] { exit_code = RunRun(*options); });
}

}  // namespace polc::driver
