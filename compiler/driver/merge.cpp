// `polc merge POLICY --persons P --claims C --out R PART0 PART1 ... [--persons-out S
// --persons-parts S0 S1 ...]`: joins the outputs of `polc run --shard K/N` (part K being shard
// K, N the number of parts) back into the single run's input order. The inputs are read as run
// reads them, so each row's shard is computed exactly as the shards computed it; every part
// must hold exactly its shard's rows, with the same header (docs/scale.md).
// `polc merge --summaries A.json B.json ... [--out F]` adds up shard summaries instead
// (merge_summaries.cpp).
#include <cstdio>
#include <iostream>

#include <fmt/format.h>

#include "compiler/driver/commands.h"
#include "compiler/driver/merge_summaries.h"
#include "compiler/driver/session.h"
#include "compiler/settle/shard.h"
#include "runtime/csv.h"

namespace polc::driver {

namespace {

struct MergeOptions {
  std::string policy, persons, claims, out, persons_out;
  std::vector<std::string> parts, persons_parts;
  bool summaries = false;
};

// Writes `out` from `parts`: its header (the same in every part), then for each input row in
// order the next row of the part `shard_of[row]`.
bool MergeParts(const std::vector<std::string>& parts, const std::vector<uint32_t>& shard_of,
                const std::string& out_path, std::string& error) {
  const size_t n = parts.size();
  std::vector<std::unique_ptr<rt::CsvReader>> readers;
  std::vector<std::vector<std::string_view>> fields(n);
  std::vector<std::string> header;
  for (size_t k = 0; k < n; ++k) {
    readers.push_back(std::make_unique<rt::CsvReader>());
    if (!readers[k]->Open(parts[k], error)) return false;
    if (!readers[k]->Next(fields[k])) {
      error = readers[k]->HasError() ? fmt::format("{}:{}", parts[k], readers[k]->Error())
                                     : fmt::format("{}: empty file, expected a header", parts[k]);
      return false;
    }
    std::vector<std::string> this_header(fields[k].begin(), fields[k].end());
    if (k == 0) {
      header = this_header;
    } else if (this_header != header) {
      error = fmt::format("{}: its header differs from {}'s: parts of one merge come from one policy and format",
                          parts[k], parts[0]);
      return false;
    }
  }
  rt::AtomicOutputFile file;
  if (!file.Open(out_path, error)) return false;
  rt::CsvWriter writer(file);
  for (const std::string& h : header) writer.Field(h);
  writer.EndRow();
  auto short_part = [&](size_t k) {
    if (readers[k]->HasError()) return fmt::format("{}:{}", parts[k], readers[k]->Error());
    return fmt::format("{}: fewer rows than shard {}/{} of the inputs (was it written by polc run --shard {}/{} from these inputs?)",
                       parts[k], k, n, k, n);
  };
  for (const uint32_t k : shard_of) {
    if (!readers[k]->Next(fields[k])) {
      error = short_part(k);
      return false;
    }
    if (fields[k].size() != header.size()) {
      error = fmt::format("{}:{}: {} fields, the header has {}", parts[k], readers[k]->LineNumber(),
                          fields[k].size(), header.size());
      return false;
    }
    for (const std::string_view cell : fields[k]) writer.Field(cell);
    writer.EndRow();
  }
  for (size_t k = 0; k < n; ++k) {
    if (readers[k]->Next(fields[k])) {
      error = fmt::format("{}:{}: more rows than shard {}/{} of the inputs (was it written by polc run --shard {}/{} from these inputs?)",
                          parts[k], readers[k]->LineNumber(), k, n, k, n);
      return false;
    }
    if (readers[k]->HasError()) {
      error = fmt::format("{}:{}", parts[k], readers[k]->Error());
      return false;
    }
  }
  return file.Commit(error);
}

int RunMergeSummaries(const MergeOptions& options) {
  if (!options.persons.empty() || !options.claims.empty() || !options.persons_out.empty() || !options.persons_parts.empty()) {
    std::cerr << "polc: merge --summaries takes only summary JSON files and --out\n";
    return 2;
  }
  std::string merged, error;
  if (!MergeSummaries(options.parts, merged, error)) {
    std::cerr << "polc: " << error << "\n";
    return 1;
  }
  if (options.out.empty()) {
    std::cout << merged;
    return 0;
  }
  rt::AtomicOutputFile file;
  if (!file.Open(options.out, error) || std::fwrite(merged.data(), 1, merged.size(), file.Stream()) != merged.size() ||
      !file.Commit(error)) {
    std::cerr << "polc: " << (error.empty() ? "cannot write " + options.out : error) << "\n";
    return 1;
  }
  return 0;
}

int RunMerge(MergeOptions options) {
  if (options.summaries) return RunMergeSummaries(options);
  if (options.parts.size() < 2 || options.persons.empty() || options.claims.empty() || options.out.empty()) {
    std::cerr << "polc: merge POLICY PART... --persons P --claims C --out R (or merge --summaries JSON...)\n";
    return 2;
  }
  options.policy = options.parts.front();
  options.parts.erase(options.parts.begin());
  if (options.persons_out.empty() != options.persons_parts.empty() ||
      (!options.persons_parts.empty() && options.persons_parts.size() != options.parts.size())) {
    std::cerr << "polc: --persons-out and --persons-parts go together, with as many persons parts as claim parts\n";
    return 2;
  }
  if (options.parts.size() > 65536) {
    std::cerr << "polc: at most 65536 parts\n";
    return 2;
  }
  std::unique_ptr<Compilation> c = LoadPolicy(options.policy, std::cerr);
  if (c == nullptr) return 1;
  interp::Interpreter checker(c->program);
  settle::Inputs inputs;
  if (!LoadInputs(checker, options.persons, options.claims, inputs, std::cerr)) return 1;
  const auto n = static_cast<uint32_t>(options.parts.size());
  const std::vector<uint32_t> subject_shard = settle::SubjectShards(inputs, n);
  std::vector<uint32_t> event_shard(inputs.events.Size());
  for (uint32_t e = 0; e < inputs.events.Size(); ++e) event_shard[e] = subject_shard[inputs.event_subject[e]];
  std::string error;
  if (!MergeParts(options.parts, event_shard, options.out, error)) {
    std::cerr << "polc: " << error << "\n";
    return 1;
  }
  if (!options.persons_out.empty() && !MergeParts(options.persons_parts, subject_shard, options.persons_out, error)) {
    std::remove(options.out.c_str());  // both files or neither
    std::cerr << "polc: " << error << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

void AddMergeCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<MergeOptions>();
  CLI::App* cmd = app.add_subcommand("merge", "join the outputs of polc run --shard K/N back into input order");
  cmd->add_option("policy-and-parts", options->parts,
                  "the policy the shards ran, then the claim results of shard 0, 1, ..., N-1 (N = their number); "
                  "with --summaries: the shards' summary JSON files")
      ->required();
  cmd->add_flag("--summaries", options->summaries,
                "add up the polc summary --format json (or polc diff --format json) outputs of shards (to stdout, or --out)");
  cmd->add_option("--persons", options->persons, "the subject CSV the shards read");
  cmd->add_option("--claims", options->claims, "the event CSV the shards read");
  cmd->add_option("--out", options->out, "merged claim results to write (--summaries: the merged JSON)");
  cmd->add_option("--persons-out", options->persons_out, "merged person results to write");
  cmd->add_option("--persons-parts", options->persons_parts, "person results of shard 0, 1, ..., N-1");
  cmd->callback([options, &exit_code] { exit_code = RunMerge(*options); });
}

}  // namespace polc::driver
