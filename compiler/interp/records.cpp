// Reading the subject and event CSV files into RecordTables: header mapping, field syntax by
// declared type, requirements, duplicate keys, parents, and the settlement order of events.
#include "compiler/interp/records.h"

#include <algorithm>
#include <deque>
#include <filesystem>

#include <fmt/format.h>

#include "compiler/interp/interp.h"
#include "compiler/interp/keys.h"
#include "runtime/csv.h"
#include "runtime/date.h"
#include "runtime/money.h"

namespace polc::interp {

using ir::Base;
using ir::Value;

// ---------------------------------------------------------------- storage

void RecordTable::Init(const ir::Record& decl, int32_t kind) {
  decl_ = &decl;
  kind_ = kind;
  field_count_ = static_cast<int32_t>(decl.fields.size());
  present_words_ = std::max(1, (field_count_ + 63) / 64);
  data_.clear();
  present_.clear();
  lines_.clear();
  text_pool_of_.assign(decl.fields.size(), 0);
  row_bits_.assign(static_cast<size_t>(present_words_), 0);
  for (size_t f = 0; f < decl.fields.size(); ++f) {
    if (decl.fields[f].type.base == Base::Text) text_pool_of_[f] = kind;
  }
}

void RecordTable::Append(const std::vector<Value>& values, uint64_t line) {
  // Whole rows are appended from scratch buffers: resizing first would zero-fill every cell.
  std::fill(row_bits_.begin(), row_bits_.end(), 0);
  row_cells_.clear();
  for (int32_t f = 0; f < field_count_; ++f) {
    const Value& v = values[static_cast<size_t>(f)];
    row_cells_.push_back(v.a);
    if (v.present) row_bits_[static_cast<size_t>(f / 64)] |= uint64_t{1} << (f % 64);
  }
  data_.insert(data_.end(), row_cells_.begin(), row_cells_.end());
  present_.insert(present_.end(), row_bits_.begin(), row_bits_.end());
  lines_.push_back(line);
}

void RecordTable::Reserve(size_t rows) {
  data_.reserve(rows * static_cast<size_t>(field_count_));
  present_.reserve(rows * static_cast<size_t>(present_words_));
  lines_.reserve(rows);
}

size_t RecordTable::Bytes() const {
  return data_.capacity() * 8 + present_.capacity() * 8 + lines_.capacity() * 8;
}

std::string Inputs::SubjectKey(uint32_t subject) const { return KeySpelling(subjects, texts, subject); }
std::string Inputs::EventKey(uint32_t event) const { return KeySpelling(events, texts, event); }

size_t Inputs::Bytes() const {
  return subjects.Bytes() + events.Bytes() + texts[0].Bytes() + texts[1].Bytes() +
         (event_subject.capacity() + event_order.capacity() + subject_begin.capacity()) * 4;
}

// ---------------------------------------------------------------- errors

bool InputErrors::Entry::operator<(const Entry& o) const {
  if (file != o.file) return file < o.file;
  if (line != o.line) return line < o.line;
  return seq < o.seq;
}

void InputErrors::Add(int file, uint64_t line, std::string message) {
  Entry entry{file, line, count_++, std::move(message)};
  if (kept_.size() < kShown) {
    kept_.push_back(std::move(entry));
    std::push_heap(kept_.begin(), kept_.end());
  } else if (entry < kept_.front()) {
    std::pop_heap(kept_.begin(), kept_.end());
    kept_.back() = std::move(entry);
    std::push_heap(kept_.begin(), kept_.end());
  }
}

std::vector<std::string> InputErrors::Messages() const {
  std::vector<Entry> sorted = kept_;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::string> out;
  for (Entry& e : sorted) out.push_back(std::move(e.message));
  return out;
}

std::string InputErrors::Render() const {
  std::string out;
  for (const std::string& m : Messages()) out += m + "\n";
  if (count_ > kept_.size()) out += fmt::format("... and {} more errors\n", count_ - kept_.size());
  return out;
}

// ---------------------------------------------------------------- reading one file

namespace {

// Text parent fields point at the subject's key string (pool 0) instead of a copy.
bool SharesSubjectKey(const ir::Program& program) {
  const ir::Record& subject = program.records[0];
  const ir::Record& event = program.records[1];
  return event.fields[static_cast<size_t>(event.parent_field)].type.base == Base::Text &&
         subject.fields[static_cast<size_t>(subject.key_field)].type.base == Base::Text;
}

uint64_t FileBytes(const std::string& path) {
  std::error_code error;
  const uintmax_t size = std::filesystem::file_size(path, error);
  return error ? 0 : static_cast<uint64_t>(size);
}

struct FileReader {
  static constexpr uint64_t kSampleRows = 4096;

  FileReader(Interpreter& interp, Inputs& inputs, InputErrors& errors, int file_index,
             const std::string& path, RecordTable& table, TextPool& pool)
      : interp(interp), inputs(inputs), errors(errors), file_index(file_index), path(path),
        table(table), pool(pool) {}

  Interpreter& interp;
  Inputs& inputs;
  InputErrors& errors;
  int file_index;  // 0 subject, 1 event
  const std::string& path;
  RecordTable& table;
  TextPool& pool;
  // Events only: subject keys -> subject rows; null when the subject file was unusable.
  const KeyIndex* subject_of = nullptr;
  int64_t year_shift = 0;  // years every date cell moves (see ReadInputs)

  void Error(uint64_t line, const std::string& what) {
    errors.Add(file_index, line, fmt::format("{}:{}: {}", path, line, what));
  }

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
      case Base::Text:
        out.a = pool.Add(text);
        out.b = table.Kind();
        return true;
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
        const ir::Enum& e = interp.Program().enums[static_cast<size_t>(field.type.enum_id)];
        ok = false;
        for (size_t w = 0; w < e.words.size() && !ok; ++w) {
          if (e.words[w].name == text) {
            out.a = static_cast<int64_t>(w);
            ok = true;
          }
        }
        if (!ok) error = fmt::format("unknown {} word '{}'", e.name, text);
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

  // Reads every row; false when the file could not be read at all (missing, no header,
  // a declared column missing).
  bool Read() {
    const ir::Record& decl = table.Decl();
    rt::CsvReader reader;
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
    const size_t header_size = fields.size();
    bool usable = true;
    std::vector<size_t> column_of(decl.fields.size(), SIZE_MAX);
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
    if (!usable) return false;
    std::vector<Value> values(decl.fields.size());
    const uint64_t file_bytes = FileBytes(path);
    uint64_t rows_seen = 0, bytes_seen = 0, text_bytes_seen = 0;
    size_t text_fields = 0;
    for (const ir::Field& field : decl.fields) text_fields += field.type.base == Base::Text ? 1 : 0;
    while (reader.Next(fields)) {
      const uint64_t line = reader.LineNumber();
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
          pool.Reserve(rows * text_fields, rows / kSampleRows * text_bytes_seen);
        }
      }
      if (fields.size() != header_size) {
        Error(line, fmt::format("the row has {} fields, the header has {}", fields.size(), header_size));
        continue;
      }
      bool ok = true;
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
      if (file_index == 1) inputs.event_subject.push_back(parent_row_);
      for (const ir::Requirement& req : decl.requirements) {
        try {
          if (!interp.CheckRequirement(table, row, req)) Error(line, req.message);
        } catch (const EvalError& e) {
          Error(line, e.what());
        }
      }
    }
    if (reader.HasError()) Error(reader.LineNumber(), ReaderError(reader));
    return true;
  }

  // The event's parent column: the subject must exist. A text key shares the subject's string.
  bool ResolveParent(const ir::Field& field, std::string_view text, Value& out, uint64_t line) {
    const ir::Record& subject_decl = inputs.subjects.Decl();
    const uint32_t found = text.empty() ? KeyIndex::kMissing : subject_of->Find(text);
    if (found == KeyIndex::kMissing) {
      Value ignored;
      if (!text.empty() && !ParseCell(field, text, ignored, line)) return false;
      Error(line, fmt::format("{}: no {} '{}' in {}", field.name, subject_decl.name, text,
                              inputs.subject_file));
      return false;
    }
    parent_row_ = found;
    if (parent_row_ == KeyIndex::kRejected) return false;  // reported at the subject's row
    if (SharesSubjectKey(interp.Program())) {
      out = inputs.subjects.Get(parent_row_, subject_decl.key_field);
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

  uint32_t parent_row_ = 0;
  std::vector<std::pair<std::string, uint64_t>> bad_keys;  // keys of rejected rows, with lines
};

}  // namespace

bool ReadInputs(Interpreter& interp, const std::string& subject_path,
                const std::string& event_path, Inputs& inputs, InputErrors& errors) {
  return ReadInputs(interp, subject_path, event_path, inputs, errors, 0);
}

bool ReadInputs(Interpreter& interp, const std::string& subject_path,
                const std::string& event_path, Inputs& inputs, InputErrors& errors,
                int64_t year_shift) {
  const ir::Program& program = interp.Program();
  if (program.records[0].key_field < 0 || program.records[1].parent_field < 0) {
    errors.Add(0, 0, "internal error: the policy's records have no subject key or event parent");
    return false;
  }
  inputs.subject_file = subject_path;
  inputs.event_file = event_path;
  inputs.subjects.Init(program.records[0], 0);
  inputs.events.Init(program.records[1], 1);
  interp.AttachInputs(inputs);

  FileReader subjects{interp, inputs, errors, 0, subject_path, inputs.subjects, inputs.texts[0]};
  subjects.year_shift = year_shift;
  const bool subjects_read = subjects.Read();
  KeyIndex subject_of;
  std::deque<std::string> spellings;  // non-text keys, kept alive for the index's views
  const int32_t key_field = program.records[0].key_field;
  if (subjects_read) {
    subject_of.Reserve(inputs.subjects.Size() + subjects.bad_keys.size());
    const bool text_key = program.records[0].fields[static_cast<size_t>(key_field)].type.base == Base::Text;
    for (uint32_t s = 0; s < inputs.subjects.Size(); ++s) {
      std::string_view key;
      if (text_key) {
        const Value v = inputs.subjects.Get(s, key_field);
        key = inputs.texts[0].Get(v.a);
      } else {
        key = spellings.emplace_back(KeySpelling(inputs.subjects, inputs.texts, s));
      }
      subject_of.Insert(key, s);
    }
    // Rows rejected for other errors still name their subject.
    for (const auto& [key, line] : subjects.bad_keys) subject_of.Insert(spellings.emplace_back(key), KeyIndex::kRejected);
    CheckDuplicates(inputs.subjects, inputs, subject_path, 0, subjects.bad_keys, errors);
  }

  FileReader events{interp, inputs, errors, 1, event_path, inputs.events, inputs.texts[1]};
  events.year_shift = year_shift;
  if (subjects_read) {
    events.subject_of = &subject_of;
    const int32_t parent = program.records[1].parent_field;
    if (SharesSubjectKey(program)) inputs.events.SetTextPool(parent, 0);
  }
  const bool events_read = events.Read();
  if (events_read && program.records[1].key_field >= 0) {
    CheckDuplicates(inputs.events, inputs, event_path, 1, events.bad_keys, errors);
  }
  if (!errors.Empty()) return false;
  OrderEvents(inputs);
  return true;
}

}  // namespace polc::interp
