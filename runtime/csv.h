// Streaming RFC 4180 CSV input and output, and output files that appear only when complete.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace polc::rt {

class CsvWriter;

// Reads one row at a time through a fixed-size chunk buffer, so file size does not matter.
class CsvReader {
 public:
  static constexpr size_t kDefaultChunkBytes = size_t{1} << 20;
  // A row must fit in memory; the cap turns a stray opening quote into an error instead of
  // buffering the rest of a huge file.
  static constexpr size_t kMaxRowBytes = size_t{64} << 20;

  // Small chunk sizes exist so tests can force rows across chunk boundaries.
  explicit CsvReader(size_t chunk_bytes = kDefaultChunkBytes);
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Files larger than this are refused before reading (and while reading): for tables.
  void SetMaxBytes(uint64_t max_bytes) { max_bytes_ = max_bytes; }
  // Opens a regular file (rt::OpenInput: a FIFO, device or directory is an error naming it).
  bool Open(const std::string& path, std::string& error);
  // Reads the rows of `path` that start in [offset, limit): `offset` must be a row boundary
  // (line `first_line`), and a row starting before `limit` is read to its end. No byte order
  // mark is looked for. Parallel readers each take a range of one file.
  bool OpenRange(const std::string& path, size_t offset, size_t first_line, size_t limit,
                 std::string& error);
  // False at end of file or on malformed input (see HasError). The views stay valid until the
  // next call. Completely empty lines are skipped.
  bool Next(std::vector<std::string_view>& fields);
  // 1-based line where the current (or failing) row started; the header is line 1.
  size_t LineNumber() const { return row_line_; }
  bool HasError() const { return !error_.empty(); }
  // "line N: what went wrong", N being the physical line of the problem.
  const std::string& Error() const { return error_; }
  // File offset of the first byte not yet consumed (the next row's start, between rows).
  size_t Position() const { return base_ + begin_; }
  // The line the next row starts on.
  size_t NextLine() const { return next_line_; }

 private:
  enum class Parse { kRow, kBlank, kMore, kError };
  struct Span {
    size_t offset;
    size_t length;
    bool in_scratch;
  };

  Parse ParseRow(size_t& row_end, size_t& newlines);
  bool Refill();
  bool OpenFile(const std::string& path, std::string& error);
  void Fail(size_t line, std::string_view what);
  void Close();

  std::FILE* file_ = nullptr;
  size_t chunk_bytes_;
  std::vector<char> buf_;
  size_t begin_ = 0;  // first byte not yet consumed
  size_t end_ = 0;    // one past the last byte read from the file
  bool eof_ = false;
  size_t base_ = 0;              // file offset of buf_[0]
  size_t limit_ = SIZE_MAX;      // no row starting at or after this offset is read
  size_t next_line_ = 1;
  size_t row_line_ = 0;
  // Offsets rather than views: a refill moves the buffer and scratch_ may reallocate mid-row.
  std::vector<Span> spans_;
  std::string scratch_;  // unescaped quoted fields that contained ""
  std::string error_;
  std::string path_;
  uint64_t max_bytes_ = UINT64_MAX;
};

// Writes into a temporary file that replaces final_path only on Commit, so a failed run never
// leaves a partial output behind.
class AtomicOutputFile {
 public:
  AtomicOutputFile() = default;
  ~AtomicOutputFile();  // removes the temporary file unless committed
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;

  // Refuses a target that is not a regular file or a new name (a symlink is written through
  // to the regular file it points to), then opens an unnamed temporary file (O_TMPFILE) in
  // the target's directory, or, where the file system has none, "<target>.tmp.<pid>.<n>",
  // removed if the run is killed (output_file.h). The same directory: rename cannot cross devices.
  bool Open(const std::string& final_path, std::string& error);
  std::FILE* Stream() const { return file_; }
  const std::string& FinalPath() const { return final_path_; }
  // The named temporary file; empty while the temporary file has no name.
  const std::string& TempPath() const { return temp_path_; }
  // Tests: named temporaries even where O_TMPFILE works (the fallback and its cleanup).
  static void UseNamedTemps(bool named) { force_named_ = named; }
  // Flushes the CsvWriter built on this file, if any, then syncs, closes and renames.
  bool Commit(std::string& error);

 private:
  friend class CsvWriter;
  void Discard();
  void DetachWriter();
  bool NameTemp();
  static bool force_named_;

  std::FILE* file_ = nullptr;
  // Known so Commit can flush it first and then stop it from touching the closed stream.
  CsvWriter* writer_ = nullptr;
  std::string final_path_;
  std::string target_path_;  // final_path_, or the file its symlink points to
  std::string temp_path_;
  int temp_slot_ = -1;
};

// Buffers output in a large string and quotes a field only when it contains , " \r or \n.
class CsvWriter {
 public:
  static constexpr size_t kFlushBytes = size_t{1} << 20;

  CsvWriter();  // into memory only: Take() hands out what was written
  explicit CsvWriter(std::FILE* out);  // not owned
  explicit CsvWriter(AtomicOutputFile& out);  // one writer per file
  ~CsvWriter();  // flushes, but only Flush (or Commit) can report a failure
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;

  void Field(std::string_view value);
  // A field the caller knows needs no quotes (no , " \r or \n in it): not scanned.
  void PlainField(std::string_view value);
  // A field the caller appends itself to Buffer() between BeginPlainField and EndPlainField,
  // one that needs no quotes (as PlainField): formatting straight into the output buffer.
  size_t BeginPlainField() {
    if (fields_in_row_++ > 0) buffer_.push_back(',');
    return buffer_.size();
  }
  std::string& Buffer() { return buffer_; }
  void EndPlainField(size_t begin) { last_field_empty_ = buffer_.size() == begin; }
  void EndRow();
  void Row(std::initializer_list<std::string_view> values);
  // Whole rows already written as CSV (by a memory writer), at a row boundary.
  void AppendRows(std::string_view rows);
  // A memory writer's rows so far, leaving it empty.
  std::string Take() { return std::exchange(buffer_, {}); }
  // A memory writer's rows so far, and forgetting them (keeping the buffer's capacity).
  std::string_view Rows() const { return buffer_; }
  void Clear() { buffer_.clear(); }
  // Room for `bytes` in a memory writer's buffer (after Take, it has none).
  void Reserve(size_t bytes) { buffer_.reserve(bytes); }
  bool Flush(std::string& error);

 private:
  friend class AtomicOutputFile;
  void Drain();
  std::string WriteError(int error_number) const;

  std::FILE* out_;
  AtomicOutputFile* file_ = nullptr;
  std::string buffer_;
  bool memory_ = false;
  size_t fields_in_row_ = 0;
  bool last_field_empty_ = false;
  std::string error_;
};

}  // namespace polc::rt
