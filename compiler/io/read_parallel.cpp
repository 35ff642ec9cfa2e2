// Reading one large input file with several threads: the rows after the header are split into
// parts at row boundaries, each part is read by its own FileReader (own table, text pool,
// errors and requirement checker), and the parts are joined in file order, so the result is the one
// FileReader::ReadRows gives, row for row, string for string and error for error.
//
// Boundaries: a line feed ends a row unless it is inside a quoted field, and in the CSV the
// reader accepts, a quote count from a row boundary is odd exactly inside a quoted field (RFC
// 4180 doubles quotes inside one). The file is first counted in parallel (quotes and line
// feeds per part); then each planned boundary is the first line feed at even quote parity
// after an evenly spaced offset, and its line is 1 + the line feeds before it, as CsvReader
// counts lines. The plan is only a guess for a malformed file, so it is checked: part k
// must have stopped exactly at part k + 1's start and line. If not, the parts after k are
// dropped and the rest of the file is read by one reader from where part k stopped; a part
// that ends with a malformed row (which ends the reading) drops the parts after it. Part 0 is
// read straight into the file's storage; the later parts are appended to it in order, their
// own text indices moved by the pool's size before them.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <exception>
#include <thread>

#include "compiler/diag/stack.h"
#include "compiler/io/file_reader.h"

namespace polc::io::detail {
namespace {

constexpr size_t kBlockBytes = size_t{1} << 20;

struct Count {
  uint64_t quotes = 0, newlines = 0;
  bool ok = true;
};

// Quotes and line feeds in [begin, end) of the file.
Count CountRange(int fd, uint64_t begin, uint64_t end) {
  Count count;
  std::vector<char> buf(kBlockBytes);
  for (uint64_t at = begin; at < end;) {
    const ssize_t got = ::pread(fd, buf.data(), std::min<uint64_t>(buf.size(), end - at), static_cast<off_t>(at));
    if (got <= 0) {
      count.ok = false;
      return count;
    }
    count.quotes += static_cast<uint64_t>(std::count(buf.data(), buf.data() + got, '"'));
    count.newlines += static_cast<uint64_t>(std::count(buf.data(), buf.data() + got, '\n'));
    at += static_cast<uint64_t>(got);
  }
  return count;
}

// The first row boundary at or after `from` (quote parity `odd` there, `line` its line), or
// the file's end: sets `at` and `line`.
bool FindBoundary(int fd, uint64_t from, bool odd, uint64_t file_bytes, uint64_t& at, uint64_t& line) {
  std::vector<char> buf(size_t{64} << 10);
  for (uint64_t pos = from; pos < file_bytes;) {
    const ssize_t got = ::pread(fd, buf.data(), std::min<uint64_t>(buf.size(), file_bytes - pos), static_cast<off_t>(pos));
    if (got <= 0) return false;
    for (ssize_t i = 0; i < got; ++i) {
      if (buf[static_cast<size_t>(i)] == '"') {
        odd = !odd;
      } else if (buf[static_cast<size_t>(i)] == '\n') {
        ++line;
        if (!odd) {
          at = pos + static_cast<uint64_t>(i) + 1;
          return true;
        }
      }
    }
    pos += static_cast<uint64_t>(got);
  }
  at = file_bytes;
  return true;
}

struct Part {
  uint64_t begin = 0, end = 0, line = 0;
  bool last = false;
  // Part 0 is read straight into the file's storage, sized for the whole file, so only the
  // later parts are copied.
  bool into_main = false;
  uint64_t reserve_bytes = 0;  // the bytes the storage is sized for
  RecordTable table;
  TextPool pool;
  std::vector<uint32_t> event_subject;
  InputErrors errors;
  std::vector<std::pair<std::string, uint64_t>> bad_keys;
  bool opened = false;
  std::string open_error;
  bool reader_error = false;
  uint64_t stop = 0, stop_line = 0;  // where the reader stopped
  std::exception_ptr failure;
};

// What every part's reader shares with `main`, copied before the parts start.
struct Shared {
  const ir::Record* decl;
  int32_t kind;
  std::vector<int64_t> text_pools;  // per field
};

// Reads one part as `main` would read those rows; runs on its own (large-stack) thread. Only
// part 0 writes to `main` (its table, pool, event_subject and errors); the others only read
// the other kind's pool and the subject index, which no longer change.
void ReadPart(FileReader& main, const Shared& shared, Part& part) {
  try {
    std::unique_ptr<settle::RowChecker> checker = main.checker.Clone();
    RecordTable& table = part.into_main ? main.table : part.table;
    TextPool& pool = part.into_main ? main.pool : part.pool;
    if (!part.into_main) {
      part.table.Init(*shared.decl, shared.kind);
      for (size_t f = 0; f < shared.text_pools.size(); ++f) {
        part.table.SetTextPool(static_cast<int32_t>(f), shared.text_pools[f]);
      }
    }
    checker->AttachPools(main.file_index == 0 ? pool : main.inputs.texts[0],
                       main.file_index == 1 ? pool : main.inputs.texts[1]);
    FileReader reader{*checker, main.inputs, part.into_main ? main.errors : part.errors, main.file_index,
                      main.path, table, pool, part.into_main ? main.event_subject : part.event_subject, main.origin};
    reader.subject_of = main.subject_of;
    reader.year_shift = main.year_shift;
    reader.header_size = main.header_size;
    reader.column_of = main.column_of;
    rt::CsvReader csv;
    if (!csv.OpenRange(main.path, part.begin, part.line, part.last ? SIZE_MAX : part.end, part.open_error)) return;
    part.opened = true;
    reader.ReadRows(csv, part.reserve_bytes);
    part.reader_error = csv.HasError();
    part.stop = csv.Position();
    part.stop_line = csv.NextLine();
    part.bad_keys = std::move(reader.bad_keys);
  } catch (...) {
    part.failure = std::current_exception();
  }
}

}  // namespace

void ReadRowsParallel(FileReader& main, rt::CsvReader& header_reader, uint64_t file_bytes, int threads) {
  const uint64_t rows_at = header_reader.Position();
  const size_t n = static_cast<size_t>(threads);
  const int fd = ::open(main.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    main.ReadRows(header_reader, file_bytes);
    return;
  }
  // Counting, one thread per evenly spaced range.
  std::vector<uint64_t> cut(n + 1);
  for (size_t k = 0; k <= n; ++k) cut[k] = rows_at + (file_bytes - rows_at) * k / n;
  std::vector<Count> counts(n);
  {
    std::vector<std::thread> counters;
    for (size_t k = 0; k < n; ++k) {
      counters.emplace_back([&, k] { counts[k] = CountRange(fd, cut[k], cut[k + 1]); });
    }
    for (std::thread& t : counters) t.join();
  }
  std::vector<Part> parts(n);
  bool planned = true;
  uint64_t quotes = 0, newlines = 0;
  for (size_t k = 0; k < n && planned; ++k) {
    Part& part = parts[k];
    part.last = k + 1 == n;
    part.end = file_bytes;
    if (k == 0) {
      part.begin = rows_at;
      part.line = header_reader.NextLine();
    } else {
      uint64_t line = header_reader.NextLine() + newlines;
      planned = FindBoundary(fd, cut[k], quotes % 2 != 0, file_bytes, part.begin, line);
      part.line = line;
      if (part.begin < parts[k - 1].begin) {
        part.begin = parts[k - 1].begin;
        part.line = parts[k - 1].line;
      }
      parts[k - 1].end = part.begin;
    }
    planned = planned && counts[k].ok;
    quotes += counts[k].quotes;
    newlines += counts[k].newlines;
  }
  ::close(fd);
  if (!planned) {
    main.ReadRows(header_reader, file_bytes);
    return;
  }

  const Shared shared{&main.table.Decl(), main.table.Kind(), [&] {
                         std::vector<int64_t> pools;
                         for (size_t f = 0; f < main.table.Decl().fields.size(); ++f) {
                           pools.push_back(main.table.TextPoolOf(static_cast<int32_t>(f)));
                         }
                         return pools;
                       }()};
  parts[0].into_main = true;
  for (Part& part : parts) part.reserve_bytes = part.into_main ? file_bytes : part.end - part.begin;
  {
    std::vector<std::thread> readers;
    for (size_t k = 0; k < n; ++k) {
      // The interpreter recurses once per nesting level of the policy.
      readers.emplace_back([&main, &shared, &parts, k] { RunOnLargeStack([&] { ReadPart(main, shared, parts[k]); }); });
    }
    for (std::thread& t : readers) t.join();
  }
  for (Part& part : parts) {
    if (part.failure) std::rethrow_exception(part.failure);
  }
  if (!parts[0].opened) {
    // Nothing was read: one reader for the whole file after all.
    parts.clear();
    main.ReadRows(header_reader, file_bytes);
    return;
  }
  // The parts that read what one reader would have; then, if the plan was wrong somewhere, the
  // rest of the file read by one reader from where the last good part stopped.
  size_t used = 1;
  for (; used < n; ++used) {
    const Part& previous = parts[used - 1];
    if (previous.reader_error) break;
    Part& part = parts[used];
    if (!part.opened || previous.stop != part.begin || previous.stop_line != part.line) {
      part = Part{};
      part.begin = previous.stop;
      part.line = previous.stop_line;
      part.end = file_bytes;
      part.reserve_bytes = file_bytes - part.begin;
      part.last = true;
      RunOnLargeStack([&] { ReadPart(main, shared, part); });
      if (part.failure) std::rethrow_exception(part.failure);
      if (!part.opened) main.errors.Add(main.file_index, 0, part.open_error);
      ++used;
      break;
    }
  }

  size_t rows = 0, strings = 0, chars = 0;
  for (size_t k = 1; k < used; ++k) {
    rows += parts[k].table.Size();
    strings += static_cast<size_t>(parts[k].pool.Size());
    chars += parts[k].pool.CharBytes();
  }
  main.table.Reserve(main.table.Size() + rows);
  main.pool.Reserve(static_cast<size_t>(main.pool.Size()) + strings, main.pool.CharBytes() + chars);
  main.event_subject.reserve(main.event_subject.size() + (main.file_index == 1 ? rows : 0));
  main.bad_keys = std::move(parts[0].bad_keys);
  for (size_t k = 1; k < used; ++k) {
    Part& part = parts[k];
    const int64_t offset = main.pool.Size();
    main.pool.AppendPool(part.pool);
    main.table.AppendTable(part.table, offset);
    main.event_subject.insert(main.event_subject.end(), part.event_subject.begin(), part.event_subject.end());
    main.errors.Merge(part.errors);
    for (auto& key : part.bad_keys) main.bad_keys.push_back(std::move(key));
    part = Part{};  // frees the part's storage before the next is copied
  }
}

}  // namespace polc::io::detail
