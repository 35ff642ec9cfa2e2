// The input tables: the subject and event rows as the program's ir::Record declarations
// describe them, stored compactly for settlement, their texts, their settlement order, and the
// errors found while reading them (compiler/io/ reads the files into these).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ir/ir.h"

namespace polc::settle {

// Strings of one record kind, back to back. A Text value's `a` is an index here and its `b`
// says which record kind's pool (0 subject, 1 event), so a value alone finds its text.
class TextPool {
 public:
  int64_t Add(std::string_view text) {
    chars_.append(text);
    ends_.push_back(chars_.size());
    return static_cast<int64_t>(ends_.size()) - 1;
  }
  std::string_view Get(int64_t index) const {
    const size_t begin = index == 0 ? 0 : ends_[index - 1];
    return std::string_view(chars_).substr(begin, ends_[index] - begin);
  }
  size_t Bytes() const { return chars_.capacity() + ends_.capacity() * sizeof(uint64_t); }
  void Reserve(size_t strings, size_t bytes) {
    ends_.reserve(strings);
    chars_.reserve(bytes);
  }
  int64_t Size() const { return static_cast<int64_t>(ends_.size()); }
  size_t CharBytes() const { return chars_.size(); }
  // Appends every string of `other`; its index i becomes Size() (before the call) + i.
  void AppendPool(const TextPool& other);

 private:
  std::string chars_;
  std::vector<uint64_t> ends_;
};

// The rows of one record kind in input order: one int64 per field (the Value's `a`; no input
// type needs `b`) plus one presence bit per field, so a row costs 8 bytes per field and a bit.
class RecordTable {
 public:
  void Init(const ir::Record& decl, int32_t kind);
  const ir::Record& Decl() const { return *decl_; }
  int32_t Kind() const { return kind_; }
  uint32_t Size() const { return static_cast<uint32_t>(lines_.size()); }

  // Appends a row of `values` (one per field) read from CSV line `line`.
  void Append(const std::vector<ir::Value>& values, uint64_t line);
  // Room for `rows` rows, so a large file is not copied by repeated growth.
  void Reserve(size_t rows);
  // Appends the rows of `other` (same declaration and pools), adding `text_offset` to the
  // present values of the Text fields whose pool is this kind's own.
  void AppendTable(const RecordTable& other, int64_t text_offset);
  ir::Value Get(uint32_t row, int32_t field) const {
    const size_t cell = static_cast<size_t>(row) * field_count_ + field;
    const uint64_t bit = present_[static_cast<size_t>(row) * present_words_ + field / 64] >>
                         (field % 64);
    return {data_[cell], text_pool_of_[field], (bit & 1) != 0};
  }
  // Every field of a row, as Get gives them, into out[0 .. fields).
  void CopyRow(uint32_t row, ir::Value* out) const {
    const int64_t* cells = data_.data() + static_cast<size_t>(row) * field_count_;
    const uint64_t* bits = present_.data() + static_cast<size_t>(row) * present_words_;
    for (int32_t f = 0; f < field_count_; ++f) {
      out[f] = {cells[f], text_pool_of_[f], ((bits[f / 64] >> (f % 64)) & 1) != 0};
    }
  }
  uint64_t Line(uint32_t row) const { return lines_[row]; }
  // A row read from a copy of part of a file takes the original's line (polc run --memory-limit).
  void SetLine(uint32_t row, uint64_t line) { lines_[row] = line; }
  // Asks the CPU to start loading a row: rows are read in settlement order, which is not the
  // order they are stored in.
  void Prefetch(uint32_t row) const {
    const int64_t* cells = data_.data() + static_cast<size_t>(row) * field_count_;
    __builtin_prefetch(cells);
    __builtin_prefetch(cells + field_count_ - 1);  // a row may straddle two cache lines
    __builtin_prefetch(present_.data() + static_cast<size_t>(row) * present_words_);
  }
  // Which pool a Text field's strings live in (its values' `b`; 0 for other fields). The
  // event's parent field shares the subject's key strings instead of copying them.
  void SetTextPool(int32_t field, int64_t pool) { text_pool_of_[field] = pool; }
  int64_t TextPoolOf(int32_t field) const { return text_pool_of_[field]; }
  size_t Bytes() const;

 private:
  const ir::Record* decl_ = nullptr;
  int32_t kind_ = 0;
  int32_t field_count_ = 0;
  int32_t present_words_ = 1;
  std::vector<int64_t> data_;
  std::vector<uint64_t> present_;
  std::vector<uint64_t> lines_;
  std::vector<int64_t> text_pool_of_;  // per field: the Value.b of its values
  std::vector<int64_t> row_cells_;     // scratch for Append
  std::vector<uint64_t> row_bits_;
};

// Everything read from the two input files.
struct Inputs {
  std::string subject_file, event_file;  // paths as given, for messages
  // false: the rows are a database's (polc run --db; the files above are "table NAME"), whose
  // lines mean nothing to the user, so messages name the rows by their keys alone.
  bool file_lines = true;
  RecordTable subjects, events;
  TextPool texts[2];                     // [0] subject strings, [1] event strings
  std::vector<uint32_t> event_subject;   // per event (input order): its subject's row
  // Event rows grouped by subject in settlement order, (order field, key); the events of
  // subject s are event_order[subject_begin[s] .. subject_begin[s + 1]).
  std::vector<uint32_t> event_order;
  std::vector<uint32_t> subject_begin;

  std::string_view Text(const ir::Value& value) const { return texts[value.b].Get(value.a); }
  std::string SubjectKey(uint32_t subject) const;
  std::string EventKey(uint32_t event) const;
  // Where a run-time error happened, for its message (both engines): "claim C1 at
  // claims.csv:5, person P1 at persons.csv:2" ("claim C1 in table claims, ..." without
  // file_lines); `event` -1 for the subject stage.
  std::string Where(uint32_t subject, int64_t event) const;
  size_t Bytes() const;
};

// How messages name the rows of an input that is not a file: in place of "PATH:LINE" at a
// message's head and of "on line N" for an earlier row (polc run --db names a table's rows,
// io/pg.cpp). The parallel reader's threads call it at once.
class LineNames {
 public:
  virtual ~LineNames() = default;
  virtual std::string At(uint64_t line) const = 0;
  virtual std::string Earlier(uint64_t line) const = 0;
};

// Bad rows, kept as the first `kShown` by position plus a count of the rest, so a file full
// of errors needs no memory per error.
class InputErrors {
 public:
  static constexpr size_t kShown = 20;
  void Add(int file, uint64_t line, std::string message);
  size_t Count() const { return count_; }
  bool Empty() const { return count_ == 0; }
  // `file:line: what is wrong` lines, sorted, then `... and N more errors`.
  std::string Render() const;
  std::vector<std::string> Messages() const;
  // Adds the errors of `other`, as if each had been added here in its order: for errors of
  // later lines than any here (a later part of the same file), the first kShown stay exact.
  void Merge(const InputErrors& other);

 private:
  struct Entry {
    int file;
    uint64_t line;
    uint64_t seq;
    std::string message;  // already `file:line: ...`
    bool operator<(const Entry& o) const;
  };
  std::vector<Entry> kept_;  // a max-heap of the best kShown
  size_t count_ = 0;
};

}  // namespace polc::settle
