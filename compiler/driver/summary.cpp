// `polc summary POLICY... --persons P --claims C`: settles one population under each policy and
// prints a short table per policy: rows per output, counts per word of each enumeration column,
// totals of each money column, and the settlement speed. Everything comes from the policy's
// output declarations.
#include <chrono>
#include <iostream>

#include "compiler/diag/stack.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/session.h"
#include "compiler/io/results.h"
#include "compiler/settle/population.h"

namespace polc::driver {

namespace {

struct SummaryOptions {
  std::vector<std::string> policies;
  std::string persons, claims;
  std::string engine = "jit";
};

// Per output column: word counts (enumerations), a total (money), nothing otherwise.
class SummarySink : public settle::RowSink {
 public:
  explicit SummarySink(const ir::Program& program) : program_(program) {
    for (int kind = 0; kind < 2; ++kind) {
      if (program.output_of[kind] < 0) continue;
      const ir::Output& output = program.outputs[static_cast<size_t>(program.output_of[kind])];
      columns_[kind].resize(output.columns.size());
      for (size_t c = 0; c < output.columns.size(); ++c) {
        const ir::Type& type = output.columns[c].value->type;
        if (type.base == ir::Base::Enum) columns_[kind][c].counts.assign(program.enums[static_cast<size_t>(type.enum_id)].words.size() + 1, 0);
      }
    }
  }
  void SubjectRow(uint32_t, std::span<const ir::Value> values) override { Add(0, values); }
  void EventRow(uint32_t, std::span<const ir::Value> values) override { Add(1, values); }

  void Print(std::ostream& out, const settle::Inputs& inputs) const {
    for (int kind = 0; kind < 2; ++kind) {
      if (program_.output_of[kind] < 0) continue;
      const ir::Output& output = program_.outputs[static_cast<size_t>(program_.output_of[kind])];
      out << fmt::format("  {} rows: {} (output {})\n", program_.records[kind].name, rows_[kind], output.name);
      for (size_t c = 0; c < output.columns.size(); ++c) {
        const ir::Type& type = output.columns[c].value->type;
        const Column& column = columns_[kind][c];
        if (type.base == ir::Base::Enum) {
          const auto& words = program_.enums[static_cast<size_t>(type.enum_id)].words;
          std::string counts;
          for (size_t w = 0; w < words.size(); ++w) {
            counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", words[w].name, column.counts[w]);
          }
          if (column.counts.back() > 0) counts += fmt::format(", {} {}", output.columns[c].absent, column.counts.back());
          out << fmt::format("    {:<16} {}\n", output.columns[c].name, counts);
        } else if (type.base == ir::Base::Money) {
          out << fmt::format("    {:<16} {:>18}{}\n", output.columns[c].name,
                             io::FormatCell(program_, inputs, type, {column.total, 0, true}),
                             column.absent > 0 ? fmt::format("  ({} absent)", column.absent) : "");
        }
      }
    }
  }

 private:
  struct Column {
    std::vector<int64_t> counts;  // per word, then absent
    int64_t total = 0;
    int64_t absent = 0;
  };
  void Add(int kind, std::span<const ir::Value> values) {
    ++rows_[kind];
    const ir::Output& output = program_.outputs[static_cast<size_t>(program_.output_of[kind])];
    for (size_t c = 0; c < values.size(); ++c) {
      Column& column = columns_[kind][c];
      const ir::Base base = output.columns[c].value->type.base;
      if (base == ir::Base::Enum) {
        ++column.counts[values[c].present ? static_cast<size_t>(values[c].a) : column.counts.size() - 1];
      } else if (base == ir::Base::Money) {
        if (!values[c].present) {
          ++column.absent;
        } else if (__builtin_add_overflow(column.total, values[c].a, &column.total)) {
          throw settle::EvalError(fmt::format("the total of {} overflows", output.columns[c].name));
        }
      }
    }
  }
  const ir::Program& program_;
  std::vector<Column> columns_[2];
  int64_t rows_[2] = {0, 0};
};

bool Summarize(const std::string& path, const SummaryOptions& options) {
  std::unique_ptr<Compilation> c = LoadPolicy(path, std::cerr);
  if (c == nullptr) return false;
  bool ok = false;
  RunOnLargeStack([&] {
    try {
      const ir::Program& program = c->program;
      // The optimized engine from the object cache: the figure printed is settlement speed.
      std::unique_ptr<Settlers> engine = MakeSettlers(program, SpeedConfig(options.engine, 1, false), std::cerr);
      settle::Inputs inputs;
      if (!LoadInputs(*engine->interp, options.persons, options.claims, inputs, std::cerr)) return;
      SummarySink sink(program);
      const auto start = std::chrono::steady_clock::now();
      settle::Population population;
      population.subjects = inputs.subjects.Size();
      population.settle = [&](size_t, uint32_t s) { engine->settle(inputs, s, sink, settle::SettleOptions{}); };
      std::string error;
      if (!settle::SettlePopulation(population, error)) throw settle::EvalError(error);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::cout << fmt::format("{}: {} ({}, {})\n", path, program.header.title, program.header.region,
                               program.header.year);
      sink.Print(std::cout, inputs);
      const uint32_t events = inputs.events.Size();
      std::cout << fmt::format("  settled {} {} records in {:.3f} s: {:.0f} per second (--engine {})\n", events,
                               program.records[1].name, seconds, seconds > 0 ? events / seconds : 0.0,
                               options.engine);
      ok = true;
    } catch (const settle::EvalError& e) {
      std::cerr << "polc: " << e.what() << "\n";
    }
  });
  return ok;
}

int RunSummary(const SummaryOptions& options) {
  bool ok = true;
  for (size_t i = 0; i < options.policies.size(); ++i) {
    if (i > 0) std::cout << "\n";
    ok = Summarize(options.policies[i], options) && ok;
  }
  return ok ? 0 : 1;
}

}  // namespace

void AddSummaryCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<SummaryOptions>();
  CLI::App* cmd = app.add_subcommand("summary", "settle a population under each policy and print totals");
  cmd->add_option("policies", options->policies, "policy files")->required();
  cmd->add_option("--persons", options->persons, "subject CSV")->required();
  cmd->add_option("--claims", options->claims, "event CSV")->required();
  AddEngineOption(*cmd, options->engine);
  cmd->callback([options, &exit_code] { exit_code = RunSummary(*options); });
}

}  // namespace polc::driver
