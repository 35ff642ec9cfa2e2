// `polc run POLICY --persons P --claims C --out R [--persons-out S] [--next-out N] [--engine jit|interp]
// [--shard K/N] [--format csv|nhsa] [--memory-limit SIZE]`, or with `--db URI --persons-table T --claims-table T
// --out-table T [--persons-out-table T] [--replace] [--format csv|nhsa]` PostgreSQL tables instead of files: settles a population (or one shard of it, docs/scale.md)
// and writes the result files (spec section 12), the claim results optionally under the national
// platform's field names (docs/nhsa.md). Nothing on stdout; on any error no output file is left
// behind.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <unistd.h>

#include "compiler/diag/stack.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/progress.h"
#include "compiler/driver/session.h"
#include "compiler/io/nhsa.h"
#include "compiler/io/pg.h"
#include "compiler/io/results.h"
#include "compiler/io/spill.h"
#include "compiler/settle/shard.h"
#include "runtime/output_file.h"

namespace polc::driver {

namespace {

struct RunOptions {
  std::string policy, persons, claims, out, persons_out, next_out;
  std::string engine = "jit";
  std::string shard;
  std::string format = "csv";
  std::string mapping = POLC_NHSA_MAPPING;
  std::string db;
  io::PgTables tables;
  int threads = 1;
  bool no_cache = false;
  ProgressOptions progress;
  std::string memory_limit;  // empty: io::DefaultMemoryLimit()
  uint32_t partitions = 0;   // tests: this many partitions whatever the sizes
};

// Files or tables: the options of exactly one of them, complete.
bool CheckSources(const RunOptions& o, std::string& error) {
  const bool files = !o.persons.empty() || !o.claims.empty() || !o.out.empty() || !o.persons_out.empty() ||
                     !o.next_out.empty();
  const bool tables = !o.db.empty() || !o.tables.persons.empty() || !o.tables.claims.empty() ||
                      !o.tables.out.empty() || !o.tables.persons_out.empty() || o.tables.replace;
  if (files && tables) {
    error = "give either files (--persons, --claims, --out) or tables (--db, --persons-table, --claims-table, --out-table), not both";
  } else if (tables) {
    if (o.db.empty() || o.tables.persons.empty() || o.tables.claims.empty() || o.tables.out.empty()) {
      error = "with --db: --persons-table, --claims-table and --out-table are required";
    }
  } else if (o.persons.empty() || o.claims.empty() || o.out.empty()) {
    error = "--persons, --claims and --out are required (or --db and its tables)";
  }
  return error.empty();
}

// The --db path: tables in, tables out.
bool RunOnDatabase(const RunOptions& options, const ir::Program& program, Settlers& engine, const settle::Shard& shard,
                   const std::vector<io::NhsaField>& nhsa) {
  io::PgSession session;
  std::string error;
  io::ReadOptions read;
  read.threads = options.threads;
  settle::Inputs inputs;
  const bool ok = session.Connect(options.db, error) && session.CheckOutputs(options.tables, error) &&
                  session.ReadInputs(*engine.interp, options.tables, inputs, read, error);
  if (ok) settle::KeepShard(inputs, shard);
  if (!ok || !session.WriteResults(program, engine.settlers, inputs, options.tables, error, nhsa, options.mapping)) {
    // Bad rows come as lines of their own, as LoadInputs prints them for files.
    std::cerr << (error.ends_with('\n') ? error : "polc: " + error + "\n");
    return false;
  }
  return true;
}

int RunRun(const RunOptions& options) {
  settle::Shard shard;
  std::string shard_error;
  if (!CheckSources(options, shard_error)) {
    std::cerr << "polc: " << shard_error << "\n";
    return 2;
  }
  if (!options.shard.empty() && !settle::ParseShard(options.shard, shard, shard_error)) {
    std::cerr << "polc: " << shard_error << "\n";
    return 2;
  }
  uint64_t memory_limit = io::DefaultMemoryLimit();
  if (!options.memory_limit.empty() || options.partitions > 0) {
    if (!options.memory_limit.empty() && !io::ParseMemorySize(options.memory_limit, memory_limit, shard_error)) {
      std::cerr << "polc: " << shard_error << "\n";
      return 2;
    }
    if (!options.db.empty()) {
      std::cerr << "polc: --memory-limit settles files in partitions; it does not apply to --db\n";
      return 2;
    }
  }
  std::vector<io::NhsaField> nhsa;
  if (options.format == "nhsa" && !io::ReadNhsaMapping(options.mapping, nhsa, shard_error)) {
    std::cerr << "polc: " << shard_error << "\n";
    return 2;
  }
  std::unique_ptr<Compilation> c = LoadPolicy(options.policy, std::cerr);
  if (c == nullptr) return 1;
  if (options.db.empty()) {
    // An output never replaces an input or the other output (docs/readings.md).
    std::vector<rt::NamedPath> inputs = {{"policy", options.policy},
                                         {"--persons", options.persons},
                                         {"--claims", options.claims}};
    for (const ir::Table& t : c->program.tables) {
      if (!t.csv_path.empty()) inputs.push_back({"table file", t.csv_path});
    }
    std::vector<rt::NamedPath> outputs = {{"--out", options.out}};
    if (!options.persons_out.empty()) outputs.push_back({"--persons-out", options.persons_out});
    if (!options.next_out.empty()) outputs.push_back({"--next-out", options.next_out});
    std::string error;
    if (!rt::CheckOutputsApart(outputs, inputs, error)) {
      std::cerr << "polc: " << error << "\n";
      return 1;
    }
  }
  int exit_code = 1;
  // The interpreter recurses once per nesting level of the policy.
  RunOnLargeStack([&] {
    try {
      Progress progress(options.progress);
      EngineConfig config = SpeedConfig(options.engine, options.threads, options.no_cache);
      if (!options.db.empty()) {
        progress.Phase("compiling");
        std::unique_ptr<Settlers> engine = MakeSettlers(c->program, config, std::cerr);
        progress.Finish(0, "");
        if (RunOnDatabase(options, c->program, *engine, shard, nhsa)) exit_code = 0;
        return;
      }
      const uint64_t input_bytes = io::InputBytes(options.persons, options.claims);
      config.optimize_only_if_cached = !OptimizeFor(input_bytes);
      // Inputs that would not fit under the memory limit are settled in partitions (spill.h).
      const uint32_t partitions =
          options.partitions > 0 ? std::min(options.partitions, io::kMaxPartitions)
                                 : io::PartitionsFor(input_bytes, memory_limit, io::ResidentBytes());
      if (partitions > 1) {
        progress.Phase("compiling");
        std::unique_ptr<Settlers> engine = MakeSettlers(c->program, config, std::cerr);
        io::PartitionedRun run;
        run.program = &c->program;
        run.checker = engine->interp.get();
        run.settlers = &engine->settlers;
        run.persons = options.persons;
        run.claims = options.claims;
        run.out = options.out;
        run.persons_out = options.persons_out;
        run.next_out = options.next_out;
        run.partitions = partitions;
        run.nhsa = &nhsa;
        run.mapping = options.mapping;
        run.threads = options.threads;
        run.shard = shard;
        run.phase = [&](const std::string& phase) { progress.Phase(phase); };
        std::string message;
        const io::PartitionedOutcome outcome = io::RunPartitioned(run, message);
        progress.Finish(0, "");
        if (outcome == io::PartitionedOutcome::kInputErrors) std::cerr << message;
        if (outcome == io::PartitionedOutcome::kFailed) std::cerr << "polc: " << message << "\n";
        if (outcome == io::PartitionedOutcome::kOk) exit_code = 0;
        return;
      }
      // The policy compiles while the inputs are read.
      BackgroundSettlers compiling(c->program, config);
      progress.Phase("reading " + options.claims);
      settle::Inputs inputs;
      std::ostringstream input_errors;  // printed once the progress line is cleared
      if (!LoadInputs(compiling.Checker(), options.persons, options.claims, inputs, input_errors, options.threads)) {
        progress.Finish(0, "");
        std::cerr << input_errors.str();
        return;
      }
      progress.Phase("compiling");  // what is left of it
      std::ostringstream jit_note;
      Settlers* engine = &compiling.Wait(jit_note);
      if (!jit_note.str().empty()) {
        progress.Finish(0, "");
        std::cerr << jit_note.str();
      }
      // Every row is read and checked, so each shard reports the whole input's errors.
      settle::KeepShard(inputs, shard);
      const std::string what = c->program.records[1].name + "s";
      progress.Phase("settling", inputs.events.Size(), what);
      std::string error;
      // Events settled so far: those of the subjects before the first unsettled one.
      auto settled = [&](uint32_t subjects) { progress.Update(inputs.subject_begin[subjects]); };
      // nhsa: the CSV results go to a temporary file beside --out, rewritten under the mapping.
      const std::string csv_out =
          nhsa.empty() ? options.out : options.out + ".polc-results.tmp." + std::to_string(::getpid());
      if (!io::WriteResults(c->program, engine->settlers, inputs, csv_out, options.persons_out, error,
                            progress.Shown() ? std::function<void(uint32_t)>(settled) : nullptr,
                            options.next_out)) {
        progress.Finish(0, what);
        std::cerr << "polc: " << error << "\n";
        return;
      }
      if (!nhsa.empty()) {
        const bool written = io::WriteNhsa(c->program, inputs, nhsa, options.mapping, csv_out, options.out, error);
        std::remove(csv_out.c_str());
        if (!written) {
          // All the files or none.
          if (!options.persons_out.empty()) std::remove(options.persons_out.c_str());
          if (!options.next_out.empty()) std::remove(options.next_out.c_str());
          progress.Finish(0, what);
          std::cerr << "polc: " << error << "\n";
          return;
        }
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
  cmd->add_option("--persons", options->persons, "subject CSV (one row per person)");
  cmd->add_option("--claims", options->claims, "event CSV (one row per claim)");
  cmd->add_option("--out", options->out, "event results CSV to write");
  cmd->add_option("--persons-out", options->persons_out, "subject results CSV to write");
  cmd->add_option("--db", options->db, "PostgreSQL connection URI or key=value string: read and write tables instead of files");
  cmd->add_option("--persons-table", options->tables.persons, "with --db: the subject table");
  cmd->add_option("--claims-table", options->tables.claims, "with --db: the event table");
  cmd->add_option("--out-table", options->tables.out, "with --db: the event results table to create");
  cmd->add_option("--persons-out-table", options->tables.persons_out, "with --db: the subject results table to create");
  cmd->add_flag("--replace", options->tables.replace, "with --db: drop existing result tables (in the same transaction)");
  cmd->add_option("--shard", options->shard,
                  "K/N: settle only the persons whose id hashes to shard K of N (0 <= K < N); polc merge joins the shards");
  cmd->add_option("--format", options->format,
                  "csv (default): the policy's output columns; nhsa: the claim results under the national platform's field names")
      ->check(CLI::IsMember({"csv", "nhsa"}));
  cmd->add_option("--mapping", options->mapping, "with --format nhsa: the field mapping (default formats/nhsa.csv)");
  cmd->add_option("--next-out", options->next_out,
                  "the policy's `at year_end` subject output (next year's counters) CSV to write");
  cmd->add_option("--memory-limit", options->memory_limit,
                  "SIZE (512M, 2G, 1.5GiB; default half the physical memory): inputs that would not fit are settled in "
                  "person-hash partitions spilled to temporary files in $TMPDIR, with the same results (--format nhsa too; not with --db)");
  cmd->add_option("--partitions", options->partitions, "tests: settle in this many partitions")->group("");
  AddEngineOption(*cmd, options->engine);
  AddSpeedOptions(*cmd, options->threads, options->no_cache);
  AddProgressOptions(*cmd, options->progress);
  cmd->callback([options, &exit_code] { exit_code = RunRun(*options); });
}

}  // namespace polc::driver
