// `polc run POLICY --persons P --claims C --out R [--persons-out S] [--engine jit|interp]
// [--shard K/N] [--format csv|nhsa]`: settles a population (or one shard of it, docs/scale.md)
// and writes the result files (spec section 12), the claim results optionally under the national
// platform's field names (docs/nhsa.md). Nothing on stdout; on any error no output file is left
// behind.
#include <cstdio>
#include <iostream>
#include <unistd.h>

#include "compiler/diag/stack.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/session.h"
#include "compiler/io/nhsa.h"
#include "compiler/io/results.h"
#include "compiler/settle/shard.h"

namespace polc::driver {

namespace {

struct RunOptions {
  std::string policy, persons, claims, out, persons_out;
  std::string engine = "jit";
  std::string shard;
  std::string format = "csv";
  std::string mapping = POLC_NHSA_MAPPING;
  int threads = 1;
  bool no_cache = false;
};

int RunRun(const RunOptions& options) {
  settle::Shard shard;
  std::string shard_error;
  if (!options.shard.empty() && !settle::ParseShard(options.shard, shard, shard_error)) {
    std::cerr << "polc: " << shard_error << "\n";
    return 2;
  }
  std::vector<io::NhsaField> nhsa;
  if (options.format == "nhsa" && !io::ReadNhsaMapping(options.mapping, nhsa, shard_error)) {
    std::cerr << "polc: " << shard_error << "\n";
    return 2;
  }
  std::unique_ptr<Compilation> c = LoadPolicy(options.policy, std::cerr);
  if (c == nullptr) return 1;
  int exit_code = 1;
  // The interpreter recurses once per nesting level of the policy.
  RunOnLargeStack([&] {
    try {
      std::unique_ptr<Settlers> engine = MakeSettlers(c->program, SpeedConfig(options.engine, options.threads, options.no_cache), std::cerr);
      settle::Inputs inputs;
      if (!LoadInputs(*engine->interp, options.persons, options.claims, inputs, std::cerr, options.threads)) return;
      // Every row is read and checked, so each shard reports the whole input's errors.
      settle::KeepShard(inputs, shard);
      std::string error;
      // nhsa: the CSV results go to a temporary file beside --out, rewritten under the mapping.
      const std::string csv_out =
          nhsa.empty() ? options.out : options.out + ".polc-results.tmp." + std::to_string(::getpid());
      if (!io::WriteResults(c->program, engine->settlers, inputs, csv_out, options.persons_out, error)) {
        std::cerr << "polc: " << error << "\n";
        return;
      }
      if (!nhsa.empty()) {
        const bool written = io::WriteNhsa(c->program, inputs, nhsa, options.mapping, csv_out, options.out, error);
        std::remove(csv_out.c_str());
        if (!written) {
          if (!options.persons_out.empty()) std::remove(options.persons_out.c_str());  // both files or neither
          std::cerr << "polc: " << error << "\n";
          return;
        }
      }
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
  cmd->add_option("--shard", options->shard,
                  "K/N: settle only the persons whose id hashes to shard K of N (0 <= K < N); polc merge joins the shards");
  cmd->add_option("--format", options->format,
                  "csv (default): the policy's output columns; nhsa: the claim results under the national platform's field names")
      ->check(CLI::IsMember({"csv", "nhsa"}));
  cmd->add_option("--mapping", options->mapping, "with --format nhsa: the field mapping (default formats/nhsa.csv)");
  AddEngineOption(*cmd, options->engine);
  AddSpeedOptions(*cmd, options->threads, options->no_cache);
  cmd->callback([options, &exit_code] { exit_code = RunRun(*options); });
}

}  // namespace polc::driver
