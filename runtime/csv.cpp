// Streaming RFC 4180 CSV input and output, and output files that appear only when complete.
#include "runtime/csv.h"

#include <fcntl.h>
#include <unistd.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "runtime/errno_text.h"
#include "runtime/input_file.h"
#include "runtime/output_file.h"

namespace polc::rt {
namespace {

// Bytes that end an unquoted field; a table keeps the hot scanning loop to one load per byte.
constexpr std::array<bool, 256> kStopsUnquoted = [] {
  std::array<bool, 256> table{};
  table[static_cast<unsigned char>(',')] = true;
  table[static_cast<unsigned char>('"')] = true;
  table[static_cast<unsigned char>('\r')] = true;
  table[static_cast<unsigned char>('\n')] = true;
  return table;
}();

// The first byte in [p, end) that ends an unquoted field (or end), sixteen bytes at a time.
size_t SkipUnquoted(const char* b, size_t p, size_t end) {
#if defined(__SSE2__)
  const __m128i comma = _mm_set1_epi8(','), quote = _mm_set1_epi8('"');
  const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
  for (; p + 16 <= end; p += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + p));
    const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, quote)),
                                     _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
    const int mask = _mm_movemask_epi8(hit);
    if (mask != 0) return p + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#endif
  while (p < end && !kStopsUnquoted[static_cast<unsigned char>(b[p])]) ++p;
  return p;
}

}  // namespace

// ---------------------------------------------------------------- CsvReader

CsvReader::CsvReader(size_t chunk_bytes) : chunk_bytes_(std::max<size_t>(chunk_bytes, 4)) {}

CsvReader::~CsvReader() { Close(); }

void CsvReader::Close() {
  if (file_ != nullptr) std::fclose(file_);
  file_ = nullptr;
}

bool CsvReader::OpenFile(const std::string& path, std::string& error) {
  Close();
  buf_.assign(chunk_bytes_, '\0');
  begin_ = end_ = 0;
  base_ = 0;
  limit_ = SIZE_MAX;
  eof_ = false;
  next_line_ = 1;
  row_line_ = 0;
  error_.clear();
  // Only a regular file within the limit is opened: a FIFO or a device would hang or never end.
  InputOptions options;
  options.max_bytes = max_bytes_;
  const int fd = OpenInput(path, options, error);
  if (fd < 0) return false;
  file_ = ::fdopen(fd, "rb");
  if (file_ == nullptr) {
    error = fmt::format("cannot open '{}': {}", path, ErrnoText(errno));
    ::close(fd);
    return false;
  }
  path_ = path;
  // Reads are already chunk-sized; stdio buffering would only add a copy.
  std::setvbuf(file_, nullptr, _IONBF, 0);
  return true;
}

bool CsvReader::Open(const std::string& path, std::string& error) {
  if (!OpenFile(path, error)) return false;
  if (!Refill()) {
    error = error_;
    return false;
  }
  if (end_ >= 3 && std::memcmp(buf_.data(), "\xEF\xBB\xBF", 3) == 0) begin_ = 3;
  return true;
}

bool CsvReader::OpenRange(const std::string& path, size_t offset, size_t first_line,
                          size_t limit, std::string& error) {
  if (!OpenFile(path, error)) return false;
  if (::fseeko(file_, static_cast<off_t>(offset), SEEK_SET) != 0) {
    error = fmt::format("cannot read '{}': {}", path, ErrnoText(errno));
    return false;
  }
  base_ = offset;
  limit_ = limit;
  next_line_ = first_line;
  if (!Refill()) {
    error = error_;
    return false;
  }
  return true;
}

void CsvReader::Fail(size_t line, std::string_view what) {
  if (error_.empty()) error_ = fmt::format("line {}: {}", line, what);
}

bool CsvReader::Refill() {
  // Keep the unfinished row, moved to the front so the free space is contiguous.
  const size_t keep = end_ - begin_;
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, keep);
    base_ += begin_;
    begin_ = 0;
    end_ = keep;
  }
  if (end_ == buf_.size()) {
    if (buf_.size() >= kMaxRowBytes) {
      Fail(row_line_, fmt::format("row is longer than {} MiB (unterminated quoted field?)",
                                  kMaxRowBytes >> 20));
      return false;
    }
    buf_.resize(std::min(buf_.size() * 2, kMaxRowBytes));
  }
  const size_t want = buf_.size() - end_;
  const size_t got = std::fread(buf_.data() + end_, 1, want, file_);
  end_ += got;
  if (got < want) {
    if (std::ferror(file_)) {
      Fail(row_line_, fmt::format("read error in '{}': {}", path_, ErrnoText(errno)));
      return false;
    }
    eof_ = true;
  }
  // The limit checked by fstat holds for a file that grows while it is read, too.
  if (base_ + end_ > max_bytes_) {
    Fail(row_line_, fmt::format("'{}' grew past {} bytes while it was read", path_, max_bytes_));
    return false;
  }
  return true;
}

bool CsvReader::Next(std::vector<std::string_view>& fields) {
  fields.clear();
  if (file_ == nullptr || HasError()) return false;
  for (;;) {
    if (base_ + begin_ >= limit_) return false;
    if (begin_ == end_) {
      if (eof_) return false;
      if (!Refill()) return false;
      continue;
    }
    row_line_ = next_line_;
    size_t row_end = 0;
    size_t newlines = 0;
    const Parse result = ParseRow(row_end, newlines);
    if (result == Parse::kError) return false;
    if (result == Parse::kMore) {
      // The row is parsed again from its start: it is cheaper than resumable state and only
      // happens once per chunk.
      if (!Refill()) return false;
      continue;
    }
    next_line_ += newlines + 1;
    begin_ = row_end;
    if (result == Parse::kBlank) continue;
    for (const Span& span : spans_) {
      const char* base = span.in_scratch ? scratch_.data() : buf_.data();
      fields.emplace_back(base + span.offset, span.length);
    }
    return true;
  }
}

// Parses the row at begin_. Returns kMore when the buffer ends before the row does (and more
// input exists), so the caller can refill and retry; nothing here changes the buffer.
CsvReader::Parse CsvReader::ParseRow(size_t& row_end, size_t& newlines) {
  const char* b = buf_.data();
  const size_t end = end_;
  size_t p = begin_;
  spans_.clear();
  scratch_.clear();
  newlines = 0;
  bool any_quoted = false;
  for (;;) {
    bool quoted = false;
    if (p < end && b[p] == '"') {
      quoted = any_quoted = true;
      const size_t open_line = row_line_ + newlines;
      const size_t field_begin = ++p;
      size_t copied_up_to = p;  // start of raw text not yet appended to scratch_
      size_t scratch_begin = std::string::npos;
      for (;;) {
        const auto* quote = static_cast<const char*>(std::memchr(b + p, '"', end - p));
        if (quote == nullptr) {
          if (!eof_) return Parse::kMore;
          Fail(open_line, "unterminated quoted field");
          return Parse::kError;
        }
        const auto q = static_cast<size_t>(quote - b);
        newlines += static_cast<size_t>(std::count(b + p, quote, '\n'));
        if (q + 1 == end && !eof_) return Parse::kMore;
        if (q + 1 < end && b[q + 1] == '"') {
          if (scratch_begin == std::string::npos) scratch_begin = scratch_.size();
          scratch_.append(b + copied_up_to, q + 1 - copied_up_to);  // keeps one quote
          p = copied_up_to = q + 2;
          continue;
        }
        if (scratch_begin == std::string::npos) {
          spans_.push_back({field_begin, q - field_begin, false});
        } else {
          scratch_.append(b + copied_up_to, q - copied_up_to);
          spans_.push_back({scratch_begin, scratch_.size() - scratch_begin, true});
        }
        p = q + 1;
        break;
      }
    } else {
      const size_t field_begin = p;
      p = SkipUnquoted(b, p, end);
      spans_.push_back({field_begin, p - field_begin, false});
    }

    // p now sits on the byte after the field: a separator, a line end, or the end of data.
    if (p == end) {
      if (!eof_) return Parse::kMore;
      row_end = p;
      return Parse::kRow;
    }
    const char c = b[p];
    if (c == ',') {
      ++p;
      continue;
    }
    size_t line_end = 0;
    if (c == '\n') {
      line_end = p + 1;
    } else if (c == '\r') {
      if (p + 1 == end && !eof_) return Parse::kMore;
      if (p + 1 < end && b[p + 1] != '\n') {
        Fail(row_line_ + newlines, "carriage return not followed by a line feed");
        return Parse::kError;
      }
      line_end = std::min(p + 2, end);
    } else {
      Fail(row_line_ + newlines, quoted ? "unexpected character after a closing quote"
                                        : "quote inside an unquoted field");
      return Parse::kError;
    }
    row_end = line_end;
    const bool blank = spans_.size() == 1 && spans_[0].length == 0 && !any_quoted;
    return blank ? Parse::kBlank : Parse::kRow;
  }
}

// ---------------------------------------------------------------- AtomicOutputFile

AtomicOutputFile::~AtomicOutputFile() { Discard(); }

void AtomicOutputFile::DetachWriter() {
  if (writer_ != nullptr) {
    writer_->out_ = nullptr;
    writer_->file_ = nullptr;
  }
  writer_ = nullptr;
}

bool AtomicOutputFile::force_named_ = false;

void AtomicOutputFile::Discard() {
  DetachWriter();
  if (file_ != nullptr) std::fclose(file_);
  file_ = nullptr;
  if (!temp_path_.empty()) std::remove(temp_path_.c_str());
  temp_path_.clear();
  UnregisterTemp(temp_slot_);
  temp_slot_ = -1;
}

// A name beside the target for the temporary file, registered so a kill removes it.
bool AtomicOutputFile::NameTemp() {
  static std::atomic<uint64_t> serial{0};
  temp_path_ = fmt::format("{}.tmp.{}.{}", target_path_, ::getpid(), serial++);
  temp_slot_ = RegisterTemp(temp_path_);
  return true;
}

bool AtomicOutputFile::Open(const std::string& final_path, std::string& error) {
  Discard();
  final_path_ = final_path;
  // A device, FIFO, socket or directory is never replaced; a symlink is written through.
  if (!ResolveOutputTarget(final_path, target_path_, error)) return false;
  InstallTempCleanup();
  const std::string dir = [&] {
    const std::string parent = std::filesystem::path(target_path_).parent_path().string();
    return parent.empty() ? std::string(".") : parent;
  }();
  // O_TMPFILE: a file with no name until Commit links it, so no one sees a partial output
  // and a killed run leaves nothing. Named temporaries where the file system lacks it.
  int fd = force_named_ ? -1 : ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0 && !force_named_ && errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
    error = fmt::format("cannot create '{}': {}", final_path, ErrnoText(errno));
    return false;
  }
  if (fd < 0) {
    NameTemp();
    fd = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd < 0) {
      error = fmt::format("cannot create '{}': {}", temp_path_, ErrnoText(errno));
      temp_path_.clear();
      Discard();
      return false;
    }
  }
  file_ = ::fdopen(fd, "wb");
  if (file_ == nullptr) {
    error = fmt::format("cannot create '{}': {}", final_path, ErrnoText(errno));
    ::close(fd);
    Discard();
    return false;
  }
  return true;
}

bool AtomicOutputFile::Commit(std::string& error) {
  if (file_ == nullptr) {
    error = fmt::format("'{}' is not open for writing", final_path_);
    return false;
  }
  if (writer_ != nullptr && !writer_->Flush(error)) {
    Discard();
    return false;
  }
  DetachWriter();
  // fsync before rename: otherwise a crash could leave the final name on an empty file.
  bool ok = std::fflush(file_) == 0 && !std::ferror(file_) && ::fsync(::fileno(file_)) == 0;
  int saved_errno = ok ? 0 : errno;
  if (ok && temp_path_.empty()) {
    // The anonymous file gets a name beside the target (rename cannot overwrite with linkat).
    const std::string fd_path = fmt::format("/proc/self/fd/{}", ::fileno(file_));
    NameTemp();
    if (::linkat(AT_FDCWD, fd_path.c_str(), AT_FDCWD, temp_path_.c_str(), AT_SYMLINK_FOLLOW) != 0) {
      ok = false;
      saved_errno = errno;
      UnregisterTemp(temp_slot_);
      temp_slot_ = -1;
      temp_path_.clear();
    }
  }
  if (std::fclose(file_) != 0 && ok) {
    ok = false;
    saved_errno = errno;
  }
  file_ = nullptr;
  if (!ok) {
    error = fmt::format("cannot write '{}': {}", final_path_, ErrnoText(saved_errno));
    Discard();
    return false;
  }
  // Checked again: the target may have been replaced by a device since Open.
  std::string ignored;
  if (!ResolveOutputTarget(final_path_, ignored, error)) {
    Discard();
    return false;
  }
  if (std::rename(temp_path_.c_str(), target_path_.c_str()) != 0) {
    error = fmt::format("cannot rename '{}' to '{}': {}", temp_path_, target_path_, ErrnoText(errno));
    Discard();
    return false;
  }
  temp_path_.clear();
  UnregisterTemp(temp_slot_);
  temp_slot_ = -1;
  return true;
}

// ---------------------------------------------------------------- CsvWriter

CsvWriter::CsvWriter() : out_(nullptr), memory_(true) {}

CsvWriter::CsvWriter(std::FILE* out) : out_(out) { buffer_.reserve(kFlushBytes + 4096); }

CsvWriter::CsvWriter(AtomicOutputFile& out) : CsvWriter(out.Stream()) {
  out.DetachWriter();
  out.writer_ = this;
  file_ = &out;
}

CsvWriter::~CsvWriter() {
  std::string ignored;
  Flush(ignored);
  if (file_ != nullptr) file_->writer_ = nullptr;
}

void CsvWriter::Field(std::string_view value) {
  if (fields_in_row_++ > 0) buffer_.push_back(',');
  last_field_empty_ = value.empty();
  // A table lookup per byte (find_first_of calls memchr on the four bytes once per byte).
  bool plain = true;
  for (char c : value) {
    if (kStopsUnquoted[static_cast<unsigned char>(c)]) {
      plain = false;
      break;
    }
  }
  if (plain) {
    buffer_.append(value);
    return;
  }
  buffer_.push_back('"');
  for (char c : value) {
    if (c == '"') buffer_.push_back('"');
    buffer_.push_back(c);
  }
  buffer_.push_back('"');
}

void CsvWriter::PlainField(std::string_view value) {
  if (fields_in_row_++ > 0) buffer_.push_back(',');
  last_field_empty_ = value.empty();
  buffer_.append(value);
}

void CsvWriter::EndRow() {
  // A lone empty field would be an empty line, which readers skip; quoting keeps the row.
  if (fields_in_row_ == 1 && last_field_empty_) buffer_.append("\"\"");
  buffer_.push_back('\n');
  fields_in_row_ = 0;
  if (!memory_ && buffer_.size() >= kFlushBytes) Drain();
}

void CsvWriter::AppendRows(std::string_view rows) {
  buffer_.append(rows);
  if (!memory_ && buffer_.size() >= kFlushBytes) Drain();
}

void CsvWriter::Row(std::initializer_list<std::string_view> values) {
  for (std::string_view value : values) Field(value);
  EndRow();
}

// Names the file when the writer has one, so "File too large" says which.
std::string CsvWriter::WriteError(int error_number) const {
  if (file_ != nullptr) return fmt::format("cannot write '{}': {}", file_->FinalPath(), ErrnoText(error_number));
  return fmt::format("write error: {}", ErrnoText(error_number));
}

void CsvWriter::Drain() {
  if (buffer_.empty() || memory_) return;
  if (out_ == nullptr) {
    if (error_.empty()) error_ = "CSV output is not open";
  } else if (std::fwrite(buffer_.data(), 1, buffer_.size(), out_) != buffer_.size()) {
    if (error_.empty()) error_ = WriteError(errno);
  }
  buffer_.clear();
}

bool CsvWriter::Flush(std::string& error) {
  Drain();
  if (error_.empty() && out_ != nullptr && std::fflush(out_) != 0) error_ = WriteError(errno);
  if (!error_.empty()) error = error_;
  return error_.empty();
}

}  // namespace polc::rt
