// `polc explain POLICY --persons P --claims C (--claim ID | --person ID) [--json]`: the
// derivation of one claim, rule by rule, with source locations, citations, inputs, table rows,
// scale segments, accumulators and the output row; or, with --person, of one person's own
// values (contribution, benefit start, caps, year-end values). --json emits the trace of
// docs/trace.md.
#include <iostream>

#include "compiler/diag/stack.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/session.h"
#include "compiler/interp/explain.h"

namespace polc::driver {

namespace {

struct ExplainOptions {
  std::string policy, persons, claims, claim, person;
  bool json = false;
};

int RunExplain(const ExplainOptions& options) {
  if (options.claim.empty() == options.person.empty()) {
    std::cerr << "polc: explain needs exactly one of --claim ID and --person ID\n";
    return 1;
  }
  std::unique_ptr<Compilation> c = LoadPolicy(options.policy, std::cerr);
  if (c == nullptr) return 1;
  int exit_code = 1;
  RunOnLargeStack([&] {
    try {
      interp::Interpreter interp(c->program);
      settle::Inputs inputs;
      if (!LoadInputs(interp, options.persons, options.claims, inputs, std::cerr)) return;
      uint32_t subject = 0;
      int64_t event = -1;
      if (!options.person.empty()) {
        if (!interp::FindSubject(inputs, options.person, subject)) {
          std::cerr << fmt::format("polc: no {} '{}' in {}\n", c->program.records[0].name, options.person,
                                   options.persons);
          return;
        }
      } else {
        uint32_t row = 0;
        if (!interp::FindEvent(inputs, options.claim, row)) {
          std::cerr << fmt::format("polc: no {} '{}' in {}\n", c->program.records[1].name, options.claim,
                                   options.claims);
          return;
        }
        subject = inputs.event_subject[row];
        event = row;
      }
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
  CLI::App* cmd = app.add_subcommand("explain", "show how one claim (or one person's own values) is settled, step by step");
  cmd->add_option("policy", options->policy, "policy file")->required();
  cmd->add_option("--persons", options->persons, "subject CSV")->required();
  cmd->add_option("--claims", options->claims, "event CSV")->required();
  cmd->add_option("--claim", options->claim, "key of the claim to explain");
  cmd->add_option("--person", options->person,
                  "key of the person whose own values (contribution, benefit start, caps, year end) to explain");
  cmd->add_flag("--json", options->json, "print the trace as JSON (docs/trace.md)");
  cmd->callback([options, &exit_code] { exit_code = RunExplain(*options); });
}

}  // namespace polc::driver
