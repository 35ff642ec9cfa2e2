// Reading one input file into a RecordTable (records.cpp), shared with the parallel reader
// (read_parallel.cpp), which runs one FileReader per part of a large file.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "compiler/diag/source.h"
#include "compiler/io/read_inputs.h"
#include "compiler/settle/inputs.h"
#include "compiler/settle/keys.h"
#include "compiler/settle/seam.h"
#include "runtime/csv.h"
#include "runtime/date.h"
#include "runtime/money.h"

namespace polc::io::detail {

using ir::Base;
using ir::Value;
using settle::InputErrors;
using settle::Inputs;
using settle::KeyIndex;
using settle::RecordTable;
using settle::TextPool;

// Text parent fields point at the subject's key string (pool 0) instead of a copy.
inline bool SharesSubjectKey(const ir::Program& program) {
  const ir::Record& subject = program.records[0];
  const ir::Record& event = program.records[1];
  return event.fields[static_cast<size_t>(event.parent_field)].type.base == Base::Text &&
         subject.fields[static_cast<size_t>(subject.key_field)].type.base == Base::Text;
}

inline uint64_t FileBytes(const std::string& path) {
  std::error_code error;
  const uintmax_t size = std::filesystem::file_size(path, error);
  return error ? 0 : static_cast<uint64_t>(size);
}

struct FileReader;
// Reads the rows after the header of `reader` (positioned there) with `threads` threads, into
// `reader.table` etc. exactly as FileReader::ReadRows would (read_parallel.cpp).
void ReadRowsParallel(FileReader& main, rt::CsvReader& header_reader, uint64_t file_bytes, int threads);

struct FileReader {
  static constexpr uint64_t kSampleRows = 4096;

  FileReader(settle::RowChecker& checker, const Inputs& inputs, InputErrors& errors, int file_index,
             const std::string& path, RecordTable& table, TextPool& pool,
             std::vector<uint32_t>& event_subject, const InputOrigin& origin = {})
        : checker(checker), inputs(inputs), errors(errors), file_index(file_index), path(path),
        table(table), pool(pool), event_subject(event_subject), origin(origin),
        shown(this->origin.Name(path)) {}

  settle::RowChecker& checker;
  const Inputs& inputs;  // read only: the subjects (and their pool) while events are read
  InputErrors& errors;
  int file_index;  // 0 subject, 1 event
  const std::string& path;  // the file read
  RecordTable& table;
  TextPool& pool;
  std::vector<uint32_t>& event_subject;  // events only: per appended row, its subject's row
  // The real input the file stands for (a partition of it): its path is the one messages
  // name (`shown`), its lines the ones messages and the table's rows carry.
  InputOrigin origin;
  const std::string& shown;
  // Looks up origin.lines, when given, for the rows in the order they are read (InputLine).
  std::optional<LineMap::Cursor> input_lines =
      origin.lines != nullptr ? std::optional<LineMap::Cursor>(*origin.lines) : std::nullopt;
  // Events only: subject keys -> subject rows; null when the subject file was unusable.
  const KeyIndex* subject_of = nullptr;
  int64_t year_shift = 0;  // years every date cell moves (see ReadInputs)

  // `line` is the input's (InputLine).
  void Error(uint64_t line, const std::string& what) {
    errors.Add(file_index, line, origin.names != nullptr ? fmt::format("{}: {}", origin.names->At(line), what)
                                                          : fmt::format("{}:{}: {}", shown, line, what));
  }
  // The input's line of the row starting on line `line` of the file read.
  uint64_t InputLine(uint64_t line) { return input_lines ? (*input_lines)(line) : line; }

  bool ParseCell(const ir::Field& field, std::string_view text, Value& out, uint64_t line) {
    out = Value{0, 0, true};
    if (text.empty()) {
      if (field.type.optional) {
        out = Value::Absent();
        return true;
      }
      Error(line, fmt::format("{}: empty value", field.name));
      return false;
    }
    std::string error;
    bool ok = true;
    switch (field.type.base) {
      case Base::Text: {
        // The spec's CSV is UTF-8; a NUL or an invalid sequence would be copied to the output.
        const size_t bad = FindInvalidUtf8(text);
        const size_t nul = text.find('\0');
        if (bad != std::string_view::npos || nul != std::string_view::npos) {
          Error(line, nul < bad ? fmt::format("{}: a NUL byte at byte {} of the value", field.name, nul + 1)
                                : fmt::format("{}: invalid UTF-8 (byte 0x{:02x} at byte {} of the value)", field.name,
                                              static_cast<unsigned char>(text[bad]), bad + 1));
          return false;
        }
        out.a = pool.Add(text);
        out.b = table.Kind();
        return true;
      }
      case Base::Date: {
        int32_t days = 0;
        ok = rt::ParseDate(text, days, error);
        out.a = ok && year_shift != 0 ? rt::ShiftYears(days, year_shift) : days;
        break;
      }
      case Base::Money:
        ok = rt::ParseMoney(text, out.a, error);
        break;
      case Base::Int:
        ok = rt::ParseCount(text, out.a, error);
        break;
      case Base::Bool:
        ok = text == "true" || text == "false";
        out.a = text == "true";
        if (!ok) error = fmt::format("expected true or false, got '{}'", text);
        break;
      case Base::Enum: {
        const int64_t word = FindWord(field.type.enum_id, text);
        ok = word >= 0;
        out.a = word;
        if (!ok) {
          error = fmt::format("unknown {} word '{}'",
                              checker.Program().enums[static_cast<size_t>(field.type.enum_id)].name, text);
        }
        break;
      }
      default:
        ok = false;
        error = "this field type cannot be read from CSV";
        break;
    }
    if (!ok) Error(line, fmt::format("{}: {}", field.name, error));
    return ok;
  }

  // The word of enumeration `enum_id` spelled `text`, or -1: words are compared by length and
  // first eight bytes before their bytes.
  struct Word {
    uint64_t head;
    std::string_view name;
  };
  static uint64_t Head(std::string_view text) {
    uint64_t head = 0;
    std::memcpy(&head, text.data(), std::min<size_t>(text.size(), 8));
    return head;
  }
  int64_t FindWord(int32_t enum_id, std::string_view text) {
    const auto e = static_cast<size_t>(enum_id);
    if (words_.size() <= e) words_.resize(checker.Program().enums.size());
    std::vector<Word>& words = words_[e];
    if (words.empty()) {
      for (const auto& w : checker.Program().enums[e].words) words.push_back({Head(w.name), w.name});
    }
    const uint64_t head = Head(text);
    for (size_t w = 0; w < words.size(); ++w) {
      const Word& word = words[w];
      if (word.head == head && word.name.size() == text.size() &&
          (text.size() <= 8 || std::memcmp(word.name.data() + 8, text.data() + 8, text.size() - 8) == 0)) {
        return static_cast<int64_t>(w);
      }
    }
    return -1;
  }
  std::vector<std::vector<Word>> words_;  // per enumeration, filled at its first use

  // Opens the file and maps its header; false when the file cannot be read at all (missing,
  // no header, a declared column missing).
  bool OpenHeader(rt::CsvReader& reader) {
    const ir::Record& decl = table.Decl();
    std::string error;
    if (!reader.Open(path, error)) {
      errors.Add(file_index, 0, error);
      return false;
    }
    std::vector<std::string_view> fields;
    if (!reader.Next(fields)) {
      Error(1, reader.HasError() ? ReaderError(reader) : "empty file: expected a header row");
      return false;
    }
    header_size = fields.size();
    bool usable = true;
    column_of.assign(decl.fields.size(), SIZE_MAX);
    for (size_t c = 0; c < fields.size(); ++c) {
      for (size_t f = 0; f < decl.fields.size(); ++f) {
        if (decl.fields[f].name != fields[c]) continue;
        if (column_of[f] != SIZE_MAX) {
          Error(1, fmt::format("column '{}' appears twice", fields[c]));
          usable = false;
        }
        column_of[f] = c;
      }
    }
    for (size_t f = 0; f < decl.fields.size(); ++f) {
      if (column_of[f] == SIZE_MAX) {
        Error(1, fmt::format("missing column '{}'", decl.fields[f].name));
        usable = false;
      }
    }
    return usable;
  }

  // Reads the rows after the header (all of them, or the reader's range, about `bytes` long)
  // and reports a malformed row, which ends the reading.
  void ReadRows(rt::CsvReader& reader, uint64_t bytes) {
    const ir::Record& decl = table.Decl();
    std::vector<std::string_view> fields;
    std::vector<Value> values(decl.fields.size());
    shares_subject_key_ = SharesSubjectKey(checker.Program());
    const uint64_t file_bytes = bytes;
    uint64_t rows_seen = 0, bytes_seen = 0, text_bytes_seen = 0;
    size_t text_fields = 0;
    for (const ir::Field& field : decl.fields) text_fields += field.type.base == Base::Text ? 1 : 0;
    while (reader.Next(fields)) {
      const uint64_t line = InputLine(reader.LineNumber());
      // Sizes the storage once from the first rows and the file size: growing by doubling
      // would copy (and page in) the whole table several times.
      if (rows_seen < kSampleRows) {
        for (std::string_view field : fields) bytes_seen += field.size() + 1;
        for (size_t f = 0; f < decl.fields.size() && fields.size() == header_size; ++f) {
          if (decl.fields[f].type.base == Base::Text) text_bytes_seen += fields[column_of[f]].size();
        }
        if (++rows_seen == kSampleRows && bytes_seen > 0) {
          const uint64_t rows = file_bytes / bytes_seen * kSampleRows * 6 / 5;
          table.Reserve(rows);
          if (file_index == 1) event_subject.reserve(rows);
          pool.Reserve(rows * text_fields, rows / kSampleRows * text_bytes_seen);
        }
      }
      if (fields.size() != header_size) {
        Error(line, fmt::format("the row has {} fields, the header has {}", fields.size(), header_size));
        continue;
      }
      bool ok = true;
      if (subject_of != nullptr) {
        // The parent's slot in the index is a random place in a large table: start loading it
        // while the fields before it are parsed.
        parent_hash_ = KeyIndex::Hash(fields[column_of[static_cast<size_t>(decl.parent_field)]]);
        subject_of->Prefetch(parent_hash_);
      }
      for (size_t f = 0; f < decl.fields.size(); ++f) {
        if (static_cast<int32_t>(f) == decl.parent_field && subject_of != nullptr) {
          ok = ResolveParent(decl.fields[f], fields[column_of[f]], values[f], line) && ok;
        } else {
          ok = ParseCell(decl.fields[f], fields[column_of[f]], values[f], line) && ok;
        }
      }
      if (!ok) {
        const std::string_view key = decl.key_field >= 0 ? fields[column_of[static_cast<size_t>(decl.key_field)]] : "";
        if (!key.empty()) bad_keys.emplace_back(std::string(key), line);
        continue;
      }
      table.Append(values, line);
      const uint32_t row = table.Size() - 1;
      if (file_index == 1) event_subject.push_back(parent_row_);
      for (const ir::Requirement& req : decl.requirements) {
        try {
          if (!checker.CheckRequirement(table, row, req)) Error(line, req.message);
        } catch (const settle::EvalError& e) {
          Error(line, e.what());
        }
      }
    }
    if (reader.HasError()) Error(InputLine(reader.LineNumber()), ReaderError(reader));
  }

  // Opens, maps the header and reads every row, with `threads` threads for a file of at least
  // `parallel_min_bytes`; false when the file could not be read at all.
  bool Read(int threads, uint64_t parallel_min_bytes) {
    rt::CsvReader reader;
    if (!OpenHeader(reader)) return false;
    const uint64_t file_bytes = FileBytes(path);
    const uint64_t rows_at = reader.Position();
    const uint64_t row_bytes = file_bytes > rows_at ? file_bytes - rows_at : 0;
    // Parts of at least 1 MiB (or of parallel_min_bytes, when tests set it lower): more threads
    // than that would only add overhead.
    const uint64_t part_min = std::max<uint64_t>(1, std::min<uint64_t>(parallel_min_bytes, uint64_t{1} << 20));
    const int parts = static_cast<int>(std::min<uint64_t>(static_cast<uint64_t>(std::max(threads, 1)), row_bytes / part_min));
    if (parts > 1 && row_bytes >= parallel_min_bytes) {
      ReadRowsParallel(*this, reader, file_bytes, parts);
    } else {
      ReadRows(reader, file_bytes);
    }
    return true;
  }

  // The event's parent column: the subject must exist. A text key shares the subject's string.
  bool ResolveParent(const ir::Field& field, std::string_view text, Value& out, uint64_t line) {
    const ir::Record& subject_decl = inputs.subjects.Decl();
    int64_t key_value = -1;
    const uint32_t found = text.empty() ? KeyIndex::kMissing : subject_of->Find(text, parent_hash_, &key_value);
    if (found == KeyIndex::kMissing) {
      Value ignored;
      if (!text.empty() && !ParseCell(field, text, ignored, line)) return false;
      Error(line, fmt::format("{}: no {} '{}' in {}", field.name, subject_decl.name, text,
                              inputs.subject_file));
      return false;
    }
    parent_row_ = found;
    if (parent_row_ == KeyIndex::kRejected) return false;  // reported at the subject's row
    if (shares_subject_key_) {
      // The subject's row is not read (a cache miss per event): the index keeps its key's text.
      out = key_value >= 0 ? Value{key_value, inputs.subjects.TextPoolOf(subject_decl.key_field), true}
                           : inputs.subjects.Get(parent_row_, subject_decl.key_field);
      return true;
    }
    return ParseCell(field, text, out, line);
  }

  // The reader says "line N: what"; messages here say "file:N: what".
  static std::string ReaderError(const rt::CsvReader& reader) {
    const std::string& e = reader.Error();
    const size_t colon = e.find(": ");
    return e.rfind("line ", 0) == 0 && colon != std::string::npos ? e.substr(colon + 2) : e;
  }

  size_t header_size = 0;
  std::vector<size_t> column_of;  // per declared field: its column
  uint32_t parent_row_ = 0;
  uint64_t parent_hash_ = 0;  // KeyIndex::Hash of the row's parent cell
  bool shares_subject_key_ = false;
  std::vector<std::pair<std::string, uint64_t>> bad_keys;  // keys of rejected rows, with lines
};

}  // namespace polc::io::detail
