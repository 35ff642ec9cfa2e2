// `polc summary POLICY... --persons P --claims C [--format text|json|csv|html]`: settles one
// population under each policy and prints a short table per policy: rows per output, counts per
// word of each enumeration column, totals of each money column, the funds (columns declared
// `fund`), incomes (`income`) and their balance, and the settlement speed. Everything comes
// from the policy's output declarations.
#include <chrono>
#include <iostream>

#include "compiler/diag/stack.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/session.h"
#include "compiler/diff/report.h"
#include "compiler/io/results.h"
#include "compiler/settle/shard.h"
#include "compiler/settle/population.h"
#include "runtime/money.h"

namespace polc::driver {

namespace {

struct SummaryOptions {
  std::vector<std::string> policies;
  std::string persons, claims;
  std::string engine = "jit";
  settle::Shard shard;  // --shard K/N: the persons of one shard (docs/scale.md)
  std::string format = "text";
};

// One policy's figures, for every format.
struct PolicySummary {
  std::string file;
  const ir::Program* program = nullptr;
  int64_t rows[2] = {0, 0};
  struct Column {
    std::string record, name, label, role;  // role: fund, income or ""
    bool money = false;
    int64_t total = 0, absent = 0;
    std::vector<std::pair<std::string, int64_t>> counts;  // enumeration words
  };
  std::vector<Column> columns;
  int64_t payouts = 0, income = 0;
  double seconds = 0;
  uint32_t events = 0;
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

  void Collect(PolicySummary& out) const {
    for (int kind = 0; kind < 2; ++kind) {
      out.rows[kind] = rows_[kind];
      if (program_.output_of[kind] < 0) continue;
      const ir::Output& output = program_.outputs[static_cast<size_t>(program_.output_of[kind])];
      for (size_t c = 0; c < output.columns.size(); ++c) {
        const ir::OutputColumn& oc = output.columns[c];
        const Column& column = columns_[kind][c];
        PolicySummary::Column col;
        col.record = program_.records[kind].name;
        col.name = oc.name;
        col.label = oc.label;
        col.role = oc.role == ir::ColumnRole::Fund ? "fund" : oc.role == ir::ColumnRole::Income ? "income" : "";
        if (oc.value->type.base == ir::Base::Enum) {
          const auto& words = program_.enums[static_cast<size_t>(oc.value->type.enum_id)].words;
          for (size_t w = 0; w < words.size(); ++w) col.counts.push_back({words[w].name, column.counts[w]});
          if (column.counts.back() > 0) col.counts.push_back({oc.absent, column.counts.back()});
        } else if (oc.value->type.base == ir::Base::Money) {
          col.money = true;
          col.total = column.total;
          col.absent = column.absent;
          if (oc.role == ir::ColumnRole::Fund) out.payouts += column.total;
          if (oc.role == ir::ColumnRole::Income) out.income += column.total;
        } else {
          continue;
        }
        out.columns.push_back(std::move(col));
      }
    }
  }

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

bool Summarize(const std::string& path, const SummaryOptions& options, std::vector<std::unique_ptr<Compilation>>& keep,
               std::vector<PolicySummary>& out) {
  std::unique_ptr<Compilation> c = LoadPolicy(path, std::cerr);
  if (c == nullptr) return false;
  bool ok = false;
  RunOnLargeStack([&] {
    try {
      const ir::Program& program = c->program;
      // The optimized engine from the object cache, whatever the input size: the figure printed
      // is settlement speed. It compiles while the inputs are read.
      BackgroundSettlers compiling(program, SpeedConfig(options.engine, 1, false));
      settle::Inputs inputs;
      if (!LoadInputs(compiling.Checker(), options.persons, options.claims, inputs, std::cerr)) return;
      Settlers* engine = &compiling.Wait(std::cerr);
      settle::KeepShard(inputs, options.shard);
      SummarySink sink(program);
      const auto start = std::chrono::steady_clock::now();
      settle::Population population;
      population.subjects = inputs.subjects.Size();
      population.settle = [&](size_t, uint32_t s) { engine->settle(inputs, s, sink, settle::SettleOptions{}); };
      std::string error;
      if (!settle::SettlePopulation(population, error)) throw settle::EvalError(error);
      PolicySummary summary;
      summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      summary.file = path;
      summary.program = &program;
      summary.events = inputs.events.Size();
      sink.Collect(summary);
      if (options.format == "text") {
        if (!out.empty()) std::cout << "\n";
        std::cout << fmt::format("{}: {} ({}, {})\n", path, program.header.title, program.header.region,
                                 program.header.year);
        sink.Print(std::cout, inputs);
        if (summary.payouts != 0 || summary.income != 0) {
          const int64_t persons = summary.rows[0];
          std::cout << fmt::format("    {:<16} {:>18}\n    {:<16} {:>18}\n    {:<16} {:>18}  ({} per insured person)\n",
                                   "all funds", diff::Grouped(summary.payouts), "income", diff::Grouped(summary.income),
                                   "balance", diff::Grouped(summary.income - summary.payouts),
                                   diff::Grouped(diff::PerHead(summary.income - summary.payouts, persons)));
        }
        std::cout << fmt::format("  settled {} {} records in {:.3f} s: {:.0f} per second (--engine {})\n", summary.events,
                                 program.records[1].name, summary.seconds,
                                 summary.seconds > 0 ? summary.events / summary.seconds : 0.0, options.engine);
      }
      out.push_back(std::move(summary));
      ok = true;
    } catch (const settle::EvalError& e) {
      std::cerr << "polc: " << e.what() << "\n";
    }
  });
  if (ok) keep.push_back(std::move(c));
  return ok;
}

std::string SummaryJson(const std::vector<PolicySummary>& all) {
  std::string out = "{\"schema\":\"polc-summary\",\"version\":1,\"policies\":[";
  for (size_t i = 0; i < all.size(); ++i) {
    const PolicySummary& p = all[i];
    const ir::Header& h = p.program->header;
    out += fmt::format("{}{{\"file\":{},\"title\":{},\"region\":{},\"year\":{},\"subjects\":{},\"events\":{},\"columns\":[",
                       i ? "," : "", diff::JsonQuote(p.file), diff::JsonQuote(h.title), diff::JsonQuote(h.region), h.year,
                       p.rows[0], p.rows[1]);
    for (size_t c = 0; c < p.columns.size(); ++c) {
      const PolicySummary::Column& col = p.columns[c];
      out += fmt::format("{}{{\"record\":{},\"column\":{},\"role\":{},\"label\":{}", c ? "," : "",
                         diff::JsonQuote(col.record), diff::JsonQuote(col.name),
                         col.role.empty() ? "null" : diff::JsonQuote(col.role), diff::JsonQuote(col.label));
      if (col.money) {
        out += fmt::format(",\"total\":{},\"absent\":{}}}", diff::JsonQuote(rt::FormatMoney(col.total)), col.absent);
      } else {
        out += ",\"counts\":{";
        for (size_t w = 0; w < col.counts.size(); ++w)
          out += fmt::format("{}{}:{}", w ? "," : "", diff::JsonQuote(col.counts[w].first), col.counts[w].second);
        out += "}}";
      }
    }
    out += fmt::format("],\"payouts\":{},\"income\":{},\"balance\":{},\"balance_per_person\":{}}}",
                       diff::JsonQuote(rt::FormatMoney(p.payouts)), diff::JsonQuote(rt::FormatMoney(p.income)),
                       diff::JsonQuote(rt::FormatMoney(p.income - p.payouts)),
                       diff::JsonQuote(rt::FormatMoney(diff::PerHead(p.income - p.payouts, p.rows[0]))));
  }
  return out + "]}\n";
}

std::string SummaryCsv(const std::vector<PolicySummary>& all) {
  std::string out = "policy,year,record,column,role,word,value\n";
  auto cell = [](const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  for (const PolicySummary& p : all) {
    const std::string lead = cell(p.file) + "," + std::to_string(p.program->header.year) + ",";
    out += lead + fmt::format("{},,,rows,{}\n", cell(p.program->records[0].name), p.rows[0]);
    out += lead + fmt::format("{},,,rows,{}\n", cell(p.program->records[1].name), p.rows[1]);
    for (const PolicySummary::Column& c : p.columns) {
      if (c.money) out += lead + fmt::format("{},{},{},,{}\n", cell(c.record), cell(c.name), c.role, rt::FormatMoney(c.total));
      for (const auto& [word, n] : c.counts) out += lead + fmt::format("{},{},,{},{}\n", cell(c.record), cell(c.name), cell(word), n);
    }
    out += lead + fmt::format(",all funds,fund,,{}\n", rt::FormatMoney(p.payouts));
    out += lead + fmt::format(",income,income,,{}\n", rt::FormatMoney(p.income));
    out += lead + fmt::format(",balance,,,{}\n", rt::FormatMoney(p.income - p.payouts));
  }
  return out;
}

std::string Html(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : c == '"' ? "&quot;" : std::string(1, c);
  return out;
}

// One page: a table per policy, the funds side by side in 元 and 万元.
std::string SummaryHtml(const std::vector<PolicySummary>& all) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>polc summary</title>\n"
                    "<style>body{font-family:sans-serif;margin:24px}td,th{padding:3px 8px;border-bottom:1px solid #eee}"
                    "td.n{text-align:right;font-variant-numeric:tabular-nums}</style></head><body>\n";
  for (const PolicySummary& p : all) {
    const ir::Header& h = p.program->header;
    out += fmt::format("<h2>{} ({}, {})</h2><div>{}: {} {}, {} {}</div>\n<table>\n", Html(h.title), Html(h.region), h.year,
                       Html(p.file), p.rows[0], Html(p.program->records[0].name), p.rows[1], Html(p.program->records[1].name));
    for (const PolicySummary::Column& c : p.columns) {
      if (c.money)
        out += fmt::format("<tr><td>{} {}</td><td class=\"n\" data-column=\"{}\" data-fen=\"{}\">{} 元</td><td class=\"n\">{} 万元</td></tr>\n",
                           Html(c.label), Html(c.name), Html(c.name), c.total, diff::Grouped(c.total), diff::Wan(c.total));
      else {
        std::string counts;
        for (const auto& [word, n] : c.counts) counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", Html(word), n);
        out += fmt::format("<tr><td>{}</td><td colspan=\"2\">{}</td></tr>\n", Html(c.name), counts);
      }
    }
    out += fmt::format("<tr><td><b>基金支出合计 all funds</b></td><td class=\"n\">{} 元</td><td class=\"n\">{} 万元</td></tr>\n"
                       "<tr><td><b>收入合计 income</b></td><td class=\"n\">{} 元</td><td class=\"n\">{} 万元</td></tr>\n"
                       "<tr><td><b>结余 balance</b></td><td class=\"n\">{} 元</td><td class=\"n\">{} 万元</td></tr>\n</table>\n",
                       diff::Grouped(p.payouts), diff::Wan(p.payouts), diff::Grouped(p.income), diff::Wan(p.income),
                       diff::Grouped(p.income - p.payouts), diff::Wan(p.income - p.payouts));
  }
  return out + "</body></html>\n";
}

int RunSummary(const SummaryOptions& options) {
  bool ok = true;
  std::vector<std::unique_ptr<Compilation>> keep;
  std::vector<PolicySummary> all;
  for (const std::string& policy : options.policies) ok = Summarize(policy, options, keep, all) && ok;
  if (options.format == "json") std::cout << SummaryJson(all);
  if (options.format == "csv") std::cout << SummaryCsv(all);
  if (options.format == "html") std::cout << SummaryHtml(all);
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
  cmd->add_option_function<std::string>(
      "--shard",
      [options](const std::string& text) {
        std::string error;
        if (!settle::ParseShard(text, options->shard, error)) throw CLI::ValidationError(error);
      },
      "K/N: only the persons of shard K of N, as polc run --shard; polc merge --summaries adds shards up");
  cmd->add_option("--format", options->format, "text (default), json, csv or html")
      ->check(CLI::IsMember({"text", "json", "csv", "html"}));
  cmd->callback([options, &exit_code] { exit_code = RunSummary(*options); });
}

}  // namespace polc::driver
