// Settling in person-hash partitions spilled to temporary files (see spill.h): the split,
// settle and merge steps (the sizes are in spill_size.cpp, the temporary files in
// spill_files.h).
//
// The split pass reads each input file with the reader ReadInputs uses (same rows, same
// malformed-row error) and writes every row, as CSV, to its partition's file, the file's own
// header first. Beside each partition file a lines file keeps, per row, its input line and the
// line feeds inside it, from which the partition's read gets its line map (partition line ->
// input line) in one pass over its own rows. A route file per input keeps, for each row in
// input order, its partition and whether the shard keeps it: the merge knows from it which
// partition's next result row comes next. Claim ids must be unique across the whole file, not
// per partition: the split pass also writes each claim's id and line to a bucket by the id's
// hash, and the buckets are checked with the same duplicate check the reader uses (the
// partitions' reads skip it).
//
// A partition is read with ReadInputs from its files, told the inputs' paths and its line
// maps: its messages, its tables' lines and its Inputs' file names are the inputs' own, so its
// errors join the run's, which keep the first errors in input order exactly as one read
// would, and run-time errors name the inputs too. The first run-time error in person order
// wins across partitions, and none is reported while any input error exists. With --format
// nhsa each partition's claim results are rewritten under the mapping before the merge; the
// first claim in input order whose amount does not fit is the one reported.
#include "compiler/io/spill.h"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <mutex>

#include <fmt/format.h>

#include "compiler/io/file_reader.h"
#include "compiler/io/nhsa.h"
#include "compiler/io/read_inputs.h"
#include "compiler/io/results.h"
#include "compiler/io/spill_files.h"
#include "compiler/settle/keys.h"
#include "runtime/csv.h"
#include "runtime/errno_text.h"
#include "runtime/output_file.h"

namespace polc::io {

using settle::InputErrors;
using settle::Inputs;

using spill::ByteReader;
using spill::PutVarint;
using spill::TempFile;

namespace {

// Which partition a person key (or a claim id, for the duplicate buckets) goes to: the
// shards' FNV-1a, mixed, so that partitions split each shard again.
uint32_t PartitionOf(std::string_view key, uint32_t partitions) {
  uint64_t h = settle::Fnv1a64(key);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return static_cast<uint32_t>(h % partitions);
}

// ---------------------------------------------------------------- the split pass

// One input file split into partitions.
struct SplitFile {
  std::vector<std::unique_ptr<TempFile>> parts;
  // Per partition, per row: varint(input line - the partition's previous row's), varint(line feeds inside).
  std::vector<std::unique_ptr<TempFile>> lines;
  TempFile route;  // per row in input order: varint(partition * 2 + kept)
  uint64_t first_local_line = 2;  // the line of a partition file's first row
};

// Splits `path` (file index `kind`: 0 persons, 1 claims), whose header FileReader accepted
// (`reader` is past it, `header` its fields). Claims also write their ids to `buckets`.
bool Split(const PartitionedRun& run, int kind, const std::string& path, rt::CsvReader& reader,
           const std::vector<std::string>& header, const detail::FileReader& checked, SplitFile& split,
           std::vector<std::unique_ptr<TempFile>>* buckets, InputErrors& errors, const std::string& dir,
           std::string& error) {
  const ir::Record& decl = run.program->records[static_cast<size_t>(kind)];
  const size_t key_column = checked.column_of[static_cast<size_t>(kind == 0 ? decl.key_field : decl.parent_field)];
  const size_t id_column = kind == 1 ? checked.column_of[static_cast<size_t>(decl.key_field)] : 0;
  const uint32_t n = run.partitions;
  rt::CsvWriter row;
  for (const std::string& h : header) row.Field(h);
  row.EndRow();
  split.first_local_line = 1 + static_cast<uint64_t>(std::count(row.Rows().begin(), row.Rows().end(), '\n'));
  if (!split.route.Create(dir, error)) return false;
  for (uint32_t p = 0; p < n; ++p) {
    split.parts.push_back(std::make_unique<TempFile>());
    split.lines.push_back(std::make_unique<TempFile>());
    if (!split.parts.back()->Create(dir, error) || !split.lines.back()->Create(dir, error)) return false;
    std::fwrite(row.Rows().data(), 1, row.Rows().size(), split.parts.back()->Stream());
  }
  std::vector<std::string_view> fields;
  std::vector<uint64_t> previous_line(n, 0);  // per partition, its last row's input line
  while (reader.Next(fields)) {
    const uint64_t line = reader.LineNumber();
    const bool whole = fields.size() == checked.header_size;
    // A row of the wrong width is an error wherever it goes.
    const std::string_view key = whole ? fields[key_column] : std::string_view();
    const uint32_t p = whole ? PartitionOf(key, n) : 0;
    const bool kept = run.shard.All() || settle::ShardOfKey(key, run.shard.n) == run.shard.k;
    row.Clear();
    uint64_t feeds = 0;
    for (const std::string_view f : fields) {
      row.Field(f);
      feeds += static_cast<uint64_t>(std::count(f.begin(), f.end(), '\n'));
    }
    row.EndRow();
    std::fwrite(row.Rows().data(), 1, row.Rows().size(), split.parts[p]->Stream());
    PutVarint(split.route.Stream(), uint64_t{p} * 2 + (kept ? 1 : 0));
    PutVarint(split.lines[p]->Stream(), line - previous_line[p]);
    PutVarint(split.lines[p]->Stream(), feeds);
    previous_line[p] = line;
    // The reader's duplicate check sees every claim of the right width with an id.
    if (kind == 1 && whole && !fields[id_column].empty()) {
      std::FILE* bucket = (*buckets)[PartitionOf(fields[id_column], n)]->Stream();
      PutVarint(bucket, line);
      PutVarint(bucket, fields[id_column].size());
      std::fwrite(fields[id_column].data(), 1, fields[id_column].size(), bucket);
    }
  }
  if (reader.HasError()) {
    const uint64_t line = reader.LineNumber();
    errors.Add(kind, line, fmt::format("{}:{}: {}", path, line, detail::FileReader::ReaderError(reader)));
  }
  for (uint32_t p = 0; p < n; ++p) {
    if (!split.parts[p]->Finish(error) || !split.lines[p]->Finish(error)) return false;
  }
  return split.route.Finish(error);
}

// Partition `p`'s line map, from its lines file (which is closed): its rows' lines in its
// file (the header's lines, then each row's 1 + line feeds) and their input lines.
LineMap MapLines(SplitFile& split, uint32_t p) {
  LineMap map;
  ByteReader lines(split.lines[p]->Fd());
  uint64_t delta = 0, feeds = 0, line = 0, local = split.first_local_line;
  while (lines.Varint(delta) && lines.Varint(feeds)) {
    line += delta;
    map.local.push_back(local);
    map.input.push_back(line);
    local += 1 + feeds;
  }
  split.lines[p]->Close();
  return map;
}

// The results of one partition, one file per output (null when not written).
struct PartResults {
  std::unique_ptr<TempFile> files[3];  // events, subjects, year_end
};

// Writes `path` from the partitions' `kind` results: the header of partition 0's file, then
// for each input row that was kept, in input order, the next row of its partition's file.
bool MergeKind(const std::vector<PartResults>& parts, int kind, const SplitFile& split, rt::AtomicOutputFile& file,
               const std::string& path, std::string& error) {
  if (!file.Open(path, error)) return false;
  std::vector<std::unique_ptr<ByteReader>> readers;
  for (const PartResults& part : parts) readers.push_back(std::make_unique<ByteReader>(part.files[kind]->Fd()));
  std::string bytes;
  const auto fail = [&] {
    error = fmt::format("internal error: the partitions' results for '{}' do not match their inputs", path);
    return false;
  };
  for (size_t p = 0; p < readers.size(); ++p) {
    std::string header;
    if (!readers[p]->Row(header)) return fail();
    if (p == 0) bytes = header;
  }
  ByteReader route(split.route.Fd());
  uint64_t tag = 0;
  std::FILE* out = file.Stream();
  while (route.Varint(tag)) {
    if ((tag & 1) == 0) continue;
    if (!readers[tag / 2]->Row(bytes)) return fail();
    if (bytes.size() >= (size_t{1} << 16)) {
      std::fwrite(bytes.data(), 1, bytes.size(), out);
      bytes.clear();
    }
  }
  std::fwrite(bytes.data(), 1, bytes.size(), out);
  std::string rest;
  for (auto& reader : readers) {
    if (reader->Row(rest)) return fail();
  }
  if (std::ferror(out)) {
    error = fmt::format("cannot write '{}': {}", path, rt::ErrnoText(errno));
    return false;
  }
  return true;
}

}  // namespace

PartitionedOutcome RunPartitioned(const PartitionedRun& run, std::string& message) {
  const ir::Program& program = *run.program;
  const std::string dir = spill::TempDir(run.temp_dir);
  const uint32_t n = std::max<uint32_t>(run.partitions, 1);
  spill::RaiseFileLimit(uint64_t{n} * 10 + 64);
  if (run.phase) run.phase("splitting the inputs");

  // The headers, checked as ReadInputs checks them; a file that cannot be read at all is
  // reported by the ordinary read, which then has nothing to split.
  Inputs scratch;
  scratch.subject_file = run.persons;
  scratch.event_file = run.claims;
  scratch.subjects.Init(program.records[0], 0);
  scratch.events.Init(program.records[1], 1);
  InputErrors errors;
  const std::string paths[2] = {run.persons, run.claims};
  std::unique_ptr<detail::FileReader> checked[2];
  rt::CsvReader readers[2];
  std::vector<std::string> headers[2];
  bool usable = true;
  for (int kind = 0; kind < 2; ++kind) {
    checked[kind] = std::make_unique<detail::FileReader>(*run.checker, scratch, errors, kind, paths[kind],
                                                          kind == 0 ? scratch.subjects : scratch.events,
                                                          scratch.texts[kind], scratch.event_subject);
    rt::CsvReader header_reader;
    std::vector<std::string_view> fields;
    std::string ignored;
    if (header_reader.Open(paths[kind], ignored) && header_reader.Next(fields)) headers[kind].assign(fields.begin(), fields.end());
    usable = checked[kind]->OpenHeader(readers[kind]) && usable;
  }
  if (!usable || program.records[0].key_field < 0 || program.records[1].parent_field < 0) {
    Inputs inputs;
    InputErrors whole;
    ReadOptions options;
    options.threads = run.threads;
    ReadInputs(*run.checker, run.persons, run.claims, inputs, whole, options);
    message = whole.Render();
    return PartitionedOutcome::kInputErrors;
  }

  std::string error;
  auto failed = [&](const std::string& what) {
    message = what;
    return PartitionedOutcome::kFailed;
  };
  SplitFile splits[2];
  std::vector<std::unique_ptr<TempFile>> buckets;
  for (uint32_t p = 0; p < n; ++p) {
    buckets.push_back(std::make_unique<TempFile>());
    if (!buckets.back()->Create(dir, error)) return failed(error);
  }
  for (int kind = 0; kind < 2; ++kind) {
    if (!Split(run, kind, paths[kind], readers[kind], headers[kind], *checked[kind], splits[kind], &buckets, errors, dir, error)) {
      return failed(error);
    }
  }
  for (auto& bucket : buckets) {
    if (!bucket->Finish(error)) return failed(error);
  }

  // Claim ids repeated anywhere in the file: the reader's own check, bucket by bucket (a
  // repeat and its first are in one bucket), with the ids as rejected rows' keys.
  InputErrors repeats;
  for (uint32_t q = 0; q < n; ++q) {
    std::vector<std::pair<std::string, uint64_t>> ids;
    ByteReader in(buckets[q]->Fd());
    uint64_t line = 0, size = 0;
    std::string id;
    while (in.Varint(line) && in.Varint(size) && in.Bytes(size, id)) ids.emplace_back(id, line);
    buckets[q]->Close();
    settle::RecordTable none;
    none.Init(program.records[1], 1);
    settle::CheckDuplicates(none, scratch, run.claims, 1, ids, repeats);
  }

  // Each partition: read, checked, settled, its results kept in temporary files.
  std::vector<PartResults> results(n);
  std::mutex failure_mutex;
  uint64_t failure_line = UINT64_MAX;  // the first failing person's input line
  std::string failure, fatal;
  const bool outputs[3] = {true, !run.persons_out.empty(), !run.next_out.empty()};
  static uint64_t serial = 0;
  const bool nhsa = run.nhsa != nullptr && !run.nhsa->empty();
  uint64_t nhsa_failure_line = UINT64_MAX;  // the first claim (in input order) the mapping fails for; 0: before any
  std::string nhsa_failure;
  bool nhsa_before_rows = false;  // the mapping fails whatever the claims: no partition needs it again
  for (uint32_t p = 0; p < n; ++p) {
    if (run.phase) run.phase(fmt::format("settling part {} of {}", p + 1, n));
    const std::string temp[2] = {splits[0].parts[p]->Path(), splits[1].parts[p]->Path()};
    const LineMap maps[2] = {MapLines(splits[0], p), MapLines(splits[1], p)};
    Inputs inputs;
    InputErrors part_errors;
    ReadOptions options;
    options.threads = run.threads;
    options.check_event_keys = false;
    for (int kind = 0; kind < 2; ++kind) options.origin[kind] = {paths[kind], &maps[kind]};
    const bool read = ReadInputs(*run.checker, temp[0], temp[1], inputs, part_errors, options);
    splits[0].parts[p]->Close();
    splits[1].parts[p]->Close();
    if (!read) {
      errors.Merge(part_errors);
      continue;
    }
    if (!errors.Empty() || !repeats.Empty() || !fatal.empty()) continue;  // the run fails: nothing more to settle
    settle::KeepShard(inputs, run.shard);
    // Settlers that note the first failing person before the failure goes on.
    uint64_t part_failure = UINT64_MAX;
    std::vector<settle::SettleFn> settlers;
    for (const settle::SettleFn& settle : *run.settlers) {
      settlers.push_back([&settle, &part_failure, &failure_mutex](const Inputs& in, uint32_t s, settle::RowSink& sink,
                                                                  const settle::SettleOptions& o) {
        try {
          settle(in, s, sink, o);
        } catch (...) {
          std::lock_guard lock(failure_mutex);
          part_failure = std::min(part_failure, in.subjects.Line(s));
          throw;
        }
      });
    }
    std::string names[3];
    for (int k = 0; k < 3; ++k) {
      if (outputs[k]) names[k] = fmt::format("{}/polc-part-{}-{}.csv", dir, ::getpid(), serial++);
    }
    int slots[3] = {-1, -1, -1};
    for (int k = 0; k < 3; ++k) {
      if (outputs[k]) slots[k] = rt::RegisterTemp(names[k]);
    }
    std::string part_error;
    bool written = WriteResults(program, settlers, inputs, names[0], names[1], part_error, {}, names[2]);
    bool mapping_failed = false;
    if (written && nhsa && failure_line == UINT64_MAX && !nhsa_before_rows) {
      // The claim results under the mapping, in place of the CSV ones (as the in-memory run).
      const std::string csv = names[0];
      names[0] = fmt::format("{}/polc-part-{}-{}.csv", dir, ::getpid(), serial++);
      const int slot = rt::RegisterTemp(names[0]);
      std::string nhsa_error;
      uint64_t nhsa_line = 0;
      const bool rewritten = WriteNhsa(program, inputs, *run.nhsa, run.mapping, csv, names[0], nhsa_error, nullptr, &nhsa_line);
      ::unlink(csv.c_str());
      rt::UnregisterTemp(slots[0]);
      slots[0] = slot;
      if (!rewritten) {
        written = false;
        mapping_failed = true;
        if (nhsa_line < nhsa_failure_line) {
          nhsa_failure_line = nhsa_line;
          nhsa_failure = nhsa_error;
        }
        nhsa_before_rows = nhsa_line == 0;
      }
    }
    bool adopted = true;
    for (int k = 0; k < 3; ++k) {
      if (!outputs[k]) continue;
      if (written) {
        results[p].files[k] = std::make_unique<TempFile>();
        adopted = results[p].files[k]->Adopt(names[k], error) && adopted;
      } else {
        ::unlink(names[k].c_str());
      }
      rt::UnregisterTemp(slots[k]);
    }
    if (!adopted) return failed(error);
    // The partition's tables are freed; hand their pages back so the next one starts low.
    inputs = Inputs{};
    ::malloc_trim(0);
    if (!written && !mapping_failed) {
      // Not a person's failure (a file, an output the policy lacks): it stops the settling, but
      // input errors in later partitions still come first, as in one read.
      if (part_failure == UINT64_MAX) {
        fatal = part_error;
      } else if (part_failure < failure_line) {
        failure_line = part_failure;
        failure = part_error;
      }
    }
  }
  errors.Merge(repeats);
  if (!errors.Empty()) {
    message = errors.Render();
    return PartitionedOutcome::kInputErrors;
  }
  if (!fatal.empty()) return failed(fatal);
  if (failure_line != UINT64_MAX) return failed(failure);
  if (!nhsa_failure.empty()) return failed(nhsa_failure);

  if (run.phase) run.phase("merging the results");
  rt::AtomicOutputFile files[3];
  const std::string out_paths[3] = {run.out, run.persons_out, run.next_out};
  const int route_of[3] = {1, 0, 0};
  // As WriteResults: the person files, then the claims file; all of them or none.
  for (const int k : {1, 2, 0}) {
    if (outputs[k] && !MergeKind(results, k, splits[route_of[k]], files[k], out_paths[k], error)) return failed(error);
  }
  std::vector<int> committed;
  for (const int k : {1, 2, 0}) {
    if (!outputs[k]) continue;
    if (!files[k].Commit(error)) {
      for (const int done : committed) std::remove(out_paths[done].c_str());
      return failed(error);
    }
    committed.push_back(k);
  }
  return PartitionedOutcome::kOk;
}

}  // namespace polc::io
