// `polc explain POLICY --persons P --claims C --claim ID [--json]`: the derivation of one
// claim, rule by rule, with source locations, citations, inputs, accumulators and the output
// row; --json emits the trace of docs/trace.md.
#include <iostream>

#include "compiler/diag/stack.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/session.h"
#include "compiler/interp/explain.h"

namespace polc::driver {

namespace {

struct ExplainOptions {
  std::string policy, persons, claims, claim;
  bool json = false;
};

int RunExplain(const ExplainOptions& options) {
  std::unique_ptr<Compilation> c = LoadPolicy(options.policy, std::cerr);
  if (c == nullptr) return 1;
  int exit_code = 1;
  RunOnLargeStack([&] {
    try {
      interp::Interpreter interp(c->program);
      settle::Inputs inputs;
      if (!LoadInputs(interp, options.persons, options.claims, inputs, std::cerr)) return;
      uint32_t event = 0;
      if (!interp::FindEvent(inputs, options.claim, event)) {
        std::cerr << fmt::format("polc: no {} '{}' in {}\n", c->program.records[1].name, options.claim,
                                 options.claims);
        return;
      }
      const uint32_t subject = inputs.event_subject[event];
      interp::Trace trace = interp::TraceSettlement(interp, inputs, subject, event);
      std::cout << (options.json ? interp::ExplainJson(c->program, inputs, subject, trace)
                                 : interp::ExplainText(c->program, c->source.get(), inputs, subject, trace));
      exit_code = 0;
    } catch (const settle::EvalError& e) {
      std::cerr << "polc: " << e.what() << "\n";
    }
  });
  return exit_code;
}

}  // namespace

void AddExplainCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ExplainOptions>();
  CLI::App* cmd = app.add_subcommand("explain", "show how one claim is settled, step by step");
  cmd->add_option("policy", options->policy, "policy file")->required();
  cmd->add_option("--persons", options->persons, "subject CSV")->required();
  cmd->add_option("--claims", options->claims, "event CSV")->required();
  cmd->add_option("--claim", options->claim, "key of the claim to explain")->required();
  cmd->add_flag("--json", options->json, "print the trace as JSON (docs/trace.md)");
  cmd->callback([options, &exit_code] { exit_code = RunExplain(*options); });
}

}  // namespace polc::driver
