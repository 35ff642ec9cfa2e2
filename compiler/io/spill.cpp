// Settling in person-hash partitions spilled to temporary files (see spill.h).
//
// The split pass reads each input file with the reader ReadInputs uses (same rows, same
// malformed-row error) and writes every row, as CSV, to its partition's file, the file's own
// header first. A route file per input keeps, for each row in input order, its partition, its
// line and the line feeds inside it: from it each partition's local lines map back to the input's, and the
// merge knows which partition's next result row comes next. Claim ids must be unique across
// the whole file, not per partition: the split pass also writes each claim's id and line to a
// bucket by the id's hash, and the buckets are checked with the same duplicate check the
// reader uses (the partitions' reads skip it).
//
// A partition is read with ReadInputs from its files; its messages name the temporary files
// and their lines, so they are told again as the input's (file, line, the duplicate's "first on
// line", the missing person's file) before they join the run's errors, which keep the first
// errors in input order exactly as one read would. Its tables get the input's lines and file
// names, so run-time errors name them too. The first run-time error in person order wins
// across partitions, and none is reported while any input error exists.
#include "compiler/io/spill.h"

#include <fcntl.h>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <mutex>
#include <system_error>

#include <fmt/format.h>

#include "compiler/io/file_reader.h"
#include "compiler/io/read_inputs.h"
#include "compiler/io/results.h"
#include "compiler/settle/keys.h"
#include "runtime/csv.h"
#include "runtime/errno_text.h"
#include "runtime/output_file.h"

namespace polc::io {

using settle::InputErrors;
using settle::Inputs;

// ---------------------------------------------------------------- sizes

bool ParseMemorySize(std::string_view text, uint64_t& bytes, std::string& error) {
  auto fail = [&] {
    error = fmt::format("--memory-limit {}: expected a size such as 512M, 2G or 1.5GiB (a number and an optional unit B, K, M, G or T, powers of 1024)", text);
    return false;
  };
  size_t digits = 0;
  while (digits < text.size() && (std::isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.')) ++digits;
  const std::string_view number = text.substr(0, digits);
  if (number.empty() || number.front() == '.' || number.back() == '.' || std::count(number.begin(), number.end(), '.') > 1) return fail();
  double value = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc{} || end != number.data() + number.size()) return fail();
  std::string unit;
  for (const char c : text.substr(digits)) unit.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  double scale = 0;
  const std::pair<const char*, int> units[] = {{"", 0}, {"B", 0}, {"K", 1}, {"KB", 1}, {"KIB", 1}, {"M", 2}, {"MB", 2}, {"MIB", 2},
                                               {"G", 3}, {"GB", 3}, {"GIB", 3}, {"T", 4}, {"TB", 4}, {"TIB", 4}};
  for (const auto& [name, power] : units) {
    if (unit == name) scale = std::ldexp(1.0, 10 * power);
  }
  if (scale == 0) return fail();
  const double total = std::floor(value * scale);
  if (!(total >= 1) || total >= 0x1p63) {
    error = fmt::format("--memory-limit {}: {}", text, total < 1 ? "the size must be at least one byte" : "too large");
    return false;
  }
  bytes = static_cast<uint64_t>(total);
  return true;
}

uint64_t DefaultMemoryLimit() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return uint64_t{4} << 30;
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) / 2;
}

uint64_t InputBytes(const std::string& persons, const std::string& claims) {
  return detail::FileBytes(persons) + detail::FileBytes(claims);
}

uint64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

uint32_t PartitionsFor(uint64_t input_bytes, uint64_t limit, uint64_t resident) {
  // Measured (docs/performance.md): a run holds about this many bytes per input byte at its
  // peak (the tables, their texts and the formatted claim results kept for input order).
  constexpr uint64_t kBytesPerInputByte = 5;
  // What settling adds whatever the partition's size (measured: the JIT compiling the policy's
  // functions on their first call, and the allocator's pages not handed back between partitions).
  constexpr uint64_t kSettlingBytes = uint64_t{48} << 20;
  // Below this much room the limit cannot be held; the run then uses the most partitions.
  constexpr uint64_t kLeastRoom = uint64_t{4} << 20;
  const uint64_t used = resident + kSettlingBytes;
  const uint64_t room = std::max(limit > used ? limit - used : 0, kLeastRoom);
  const uint64_t need = input_bytes * kBytesPerInputByte;
  if (need <= room) return 1;
  return static_cast<uint32_t>(std::min<uint64_t>(kMaxPartitions, (need + room - 1) / room));
}

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

// ---------------------------------------------------------------- temporary files

// A file with no name in the temporary directory (O_TMPFILE, or a name removed at once), so
// nothing is left behind however the run ends. Written through a buffered stream, read back
// with pread or by path (/proc/self/fd/N).
class TempFile {
 public:
  TempFile() = default;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() { Close(); }

  bool Create(const std::string& dir, std::string& error) {
    fd_ = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      std::string name = dir + "/polc-spill-XXXXXX";
      fd_ = ::mkostemp(name.data(), O_CLOEXEC);
      if (fd_ >= 0) ::unlink(name.c_str());
    }
    if (fd_ < 0) {
      error = fmt::format("cannot create a temporary file in '{}' (set TMPDIR to another directory): {}", dir, rt::ErrnoText(errno));
      return false;
    }
    return Attach(error);
  }
  // Takes a named file (a committed result), removing its name.
  bool Adopt(const std::string& path, std::string& error) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    const int open_errno = errno;
    ::unlink(path.c_str());
    if (fd_ < 0) {
      error = fmt::format("cannot read the temporary file '{}': {}", path, rt::ErrnoText(open_errno));
      return false;
    }
    return true;
  }
  std::FILE* Stream() const { return stream_; }
  int Fd() const { return fd_; }
  std::string Path() const { return fmt::format("/proc/self/fd/{}", fd_); }
  bool Finish(std::string& error) {
    if (stream_ != nullptr && (std::fflush(stream_) != 0 || std::ferror(stream_))) {
      error = fmt::format("cannot write a temporary file: {}", rt::ErrnoText(errno));
      return false;
    }
    return true;
  }
  void Close() {
    if (stream_ != nullptr) std::fclose(stream_);  // closes fd_ too
    else if (fd_ >= 0) ::close(fd_);
    stream_ = nullptr;
    fd_ = -1;
  }

 private:
  bool Attach(std::string& error) {
    const int copy = ::dup(fd_);  // the stream owns a copy; fd_ stays for reading
    stream_ = copy >= 0 ? ::fdopen(copy, "w") : nullptr;
    if (stream_ == nullptr) {
      if (copy >= 0) ::close(copy);
      error = fmt::format("cannot open a temporary file: {}", rt::ErrnoText(errno));
      return false;
    }
    std::setvbuf(stream_, nullptr, _IOFBF, size_t{16} << 10);
    return true;
  }
  int fd_ = -1;
  std::FILE* stream_ = nullptr;
};

void PutVarint(std::FILE* f, uint64_t n) {
  while (n >= 0x80) {
    std::putc(static_cast<int>(0x80 | (n & 0x7f)), f);
    n >>= 7;
  }
  std::putc(static_cast<int>(n), f);
}

// Reads a temporary file from its start with pread, through a small buffer.
class ByteReader {
 public:
  explicit ByteReader(int fd, size_t buffer = size_t{16} << 10) : fd_(fd), buf_(buffer) {}
  bool Byte(unsigned char& c) {
    if (at_ == end_ && !Fill()) return false;
    c = static_cast<unsigned char>(buf_[at_++]);
    return true;
  }
  bool Varint(uint64_t& n) {
    n = 0;
    unsigned char c = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!Byte(c)) return false;
      n |= static_cast<uint64_t>(c & 0x7f) << shift;
      if ((c & 0x80) == 0) return true;
    }
    return false;
  }
  bool Bytes(size_t n, std::string& out) {
    out.clear();
    while (out.size() < n) {
      if (at_ == end_ && !Fill()) return false;
      const size_t take = std::min(n - out.size(), end_ - at_);
      out.append(buf_.data() + at_, take);
      at_ += take;
    }
    return true;
  }
  // One CSV row as written by rt::CsvWriter (quotes balanced, ends with a line feed), raw,
  // appended to `out`. False at the end.
  bool Row(std::string& out) {
    bool quoted = false, any = false;
    for (;;) {
      if (at_ == end_ && !Fill()) return false;
      const char* b = buf_.data();
      size_t p = at_;
      for (; p < end_; ++p) {
        if (b[p] == '"') quoted = !quoted;
        else if (b[p] == '\n' && !quoted) break;
      }
      const bool done = p < end_;
      out.append(b + at_, (done ? p + 1 : p) - at_);
      at_ = done ? p + 1 : p;
      any = true;
      if (done) return any;
    }
  }

 private:
  bool Fill() {
    const ssize_t n = ::pread(fd_, buf_.data(), buf_.size(), static_cast<off_t>(offset_));
    if (n <= 0) return false;
    offset_ += static_cast<uint64_t>(n);
    at_ = 0;
    end_ = static_cast<size_t>(n);
    return true;
  }
  int fd_;
  std::vector<char> buf_;
  size_t at_ = 0, end_ = 0;
  uint64_t offset_ = 0;
};

std::string TempDir(const std::string& given) {
  if (!given.empty()) return given;
  const char* env = std::getenv("TMPDIR");
  return env != nullptr && *env != '\0' ? std::string(env) : std::string("/tmp");
}

// ---------------------------------------------------------------- the split pass

// One input file split into partitions.
struct SplitFile {
  std::vector<std::unique_ptr<TempFile>> parts;
  TempFile route;       // per row in input order: varint(partition * 2 + kept), varint(line - previous line), varint(line feeds inside)
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
    if (!split.parts.back()->Create(dir, error)) return false;
    std::fwrite(row.Rows().data(), 1, row.Rows().size(), split.parts.back()->Stream());
  }
  std::vector<std::string_view> fields;
  uint64_t previous_line = 1;
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
    PutVarint(split.route.Stream(), line - previous_line);
    PutVarint(split.route.Stream(), feeds);
    previous_line = line;
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
  for (auto& part : split.parts) {
    if (!part->Finish(error)) return false;
  }
  return split.route.Finish(error);
}

// Partition `p`'s local row lines and the input lines they stand for, from a route file.
struct LineMap {
  std::vector<uint64_t> local, input;
  uint64_t operator()(uint64_t line) const {
    const auto it = std::lower_bound(local.begin(), local.end(), line);
    return it != local.end() && *it == line ? input[static_cast<size_t>(it - local.begin())] : line;
  }
};

LineMap MapLines(const SplitFile& split, uint32_t p) {
  LineMap map;
  ByteReader route(split.route.Fd());
  uint64_t tag = 0, delta = 0, feeds = 0, line = 1, local = split.first_local_line;
  while (route.Varint(tag) && route.Varint(delta) && route.Varint(feeds)) {
    line += delta;
    if (tag / 2 != p) continue;
    map.local.push_back(local);
    map.input.push_back(line);
    local += 1 + feeds;
  }
  return map;
}

// Tells a partition's message as the input's: `temp:L: ...` becomes `input:line: ...`, a
// duplicate's "(first on line F)" and a missing person's "in temp" likewise.
void Relocate(int& file, uint64_t& line, std::string& message, const std::string temp[2],
              const std::string input[2], const LineMap maps[2]) {
  if (file != 0 && file != 1) return;
  const LineMap& map = maps[file];
  const std::string prefix = fmt::format("{}:{}: ", temp[file], line);
  if (!message.starts_with(prefix)) return;
  line = map(line);
  std::string body = message.substr(prefix.size());
  static constexpr std::string_view kFirst = " (first on line ";
  const size_t first = body.rfind(kFirst);
  if (body.starts_with("duplicate ") && first != std::string::npos && body.ends_with(")")) {
    const std::string_view digits = std::string_view(body).substr(first + kFirst.size(), body.size() - 1 - first - kFirst.size());
    uint64_t f = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), f);
    if (ec == std::errc{} && end == digits.data() + digits.size()) body = fmt::format("{}{})", body.substr(0, first + kFirst.size()), map(f));
  }
  const std::string in_temp = " in " + temp[0];
  if (body.ends_with(in_temp)) body = body.substr(0, body.size() - in_temp.size()) + " in " + input[0];
  message = fmt::format("{}:{}: {}", input[file], line, body);
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
  uint64_t tag = 0, delta = 0, feeds = 0;
  std::FILE* out = file.Stream();
  while (route.Varint(tag) && route.Varint(delta) && route.Varint(feeds)) {
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

// Enough descriptors for the temporary files (about six per partition).
void RaiseFileLimit(uint64_t wanted) {
  struct rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= wanted) return;
  limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, static_cast<rlim_t>(wanted));
  ::setrlimit(RLIMIT_NOFILE, &limit);
}

}  // namespace

PartitionedOutcome RunPartitioned(const PartitionedRun& run, std::string& message) {
  const ir::Program& program = *run.program;
  const std::string dir = TempDir(run.temp_dir);
  const uint32_t n = std::max<uint32_t>(run.partitions, 1);
  RaiseFileLimit(uint64_t{n} * 8 + 64);
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
  for (uint32_t p = 0; p < n; ++p) {
    if (run.phase) run.phase(fmt::format("settling part {} of {}", p + 1, n));
    const std::string temp[2] = {splits[0].parts[p]->Path(), splits[1].parts[p]->Path()};
    Inputs inputs;
    InputErrors part_errors;
    ReadOptions options;
    options.threads = run.threads;
    options.check_event_keys = false;
    const bool read = ReadInputs(*run.checker, temp[0], temp[1], inputs, part_errors, options);
    const LineMap maps[2] = {MapLines(splits[0], p), MapLines(splits[1], p)};
    splits[0].parts[p]->Close();
    splits[1].parts[p]->Close();
    if (!read) {
      errors.Merge(part_errors, [&](int& file, uint64_t& line, std::string& text) { Relocate(file, line, text, temp, paths, maps); });
      continue;
    }
    if (!errors.Empty() || !repeats.Empty() || !fatal.empty()) continue;  // the run fails: nothing more to settle
    inputs.subject_file = run.persons;
    inputs.event_file = run.claims;
    for (uint32_t r = 0; r < inputs.subjects.Size(); ++r) inputs.subjects.SetLine(r, maps[0](inputs.subjects.Line(r)));
    for (uint32_t r = 0; r < inputs.events.Size(); ++r) inputs.events.SetLine(r, maps[1](inputs.events.Line(r)));
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
    const bool written = WriteResults(program, settlers, inputs, names[0], names[1], part_error, {}, names[2]);
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
    if (!written) {
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
