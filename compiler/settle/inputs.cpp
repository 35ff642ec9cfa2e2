// The input tables' storage (RecordTable, TextPool) and the input error report.
#include "compiler/settle/inputs.h"

#include <algorithm>

#include <fmt/format.h>

#include "compiler/settle/keys.h"

namespace polc::settle {

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

void RecordTable::AppendTable(const RecordTable& other, int64_t text_offset) {
  const size_t first_cell = data_.size();
  data_.insert(data_.end(), other.data_.begin(), other.data_.end());
  present_.insert(present_.end(), other.present_.begin(), other.present_.end());
  lines_.insert(lines_.end(), other.lines_.begin(), other.lines_.end());
  if (text_offset == 0) return;
  for (int32_t f = 0; f < field_count_; ++f) {
    if (decl_->fields[static_cast<size_t>(f)].type.base != Base::Text || text_pool_of_[f] != kind_) continue;
    for (uint32_t r = 0; r < other.Size(); ++r) {
      const size_t cell = first_cell + static_cast<size_t>(r) * field_count_ + f;
      const uint64_t word = present_[(first_cell / field_count_ + r) * present_words_ + f / 64];
      if ((word >> (f % 64)) & 1) data_[cell] += text_offset;
    }
  }
}

void TextPool::AppendPool(const TextPool& other) {
  const uint64_t base = chars_.size();
  chars_.append(other.chars_);
  for (uint64_t end : other.ends_) ends_.push_back(base + end);
}

size_t RecordTable::Bytes() const {
  return data_.capacity() * 8 + present_.capacity() * 8 + lines_.capacity() * 8;
}

std::string Inputs::SubjectKey(uint32_t subject) const { return KeySpelling(subjects, texts, subject); }
std::string Inputs::EventKey(uint32_t event) const { return KeySpelling(events, texts, event); }

std::string Inputs::Where(uint32_t subject, int64_t event) const {
  auto at = [this](const std::string& file, uint64_t line) {
    return file_lines ? fmt::format("at {}:{}", file, line) : "in " + file;
  };
  std::string where;
  if (event >= 0 && static_cast<uint64_t>(event) < events.Size()) {
    const auto e = static_cast<uint32_t>(event);
    where = fmt::format("{} {} {}, ", events.Decl().name, EventKey(e), at(event_file, events.Line(e)));
  }
  if (subject < subjects.Size()) {
    where += fmt::format("{} {} {}", subjects.Decl().name, SubjectKey(subject), at(subject_file, subjects.Line(subject)));
  }
  return where;
}

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

void InputErrors::Merge(const InputErrors& other) {
  std::vector<Entry> sorted = other.kept_;
  std::sort(sorted.begin(), sorted.end());
  for (Entry& e : sorted) Add(e.file, e.line, std::move(e.message));
  count_ += other.count_ - other.kept_.size();
}

std::string InputErrors::Render() const {
  std::string out;
  for (const std::string& m : Messages()) out += m + "\n";
  if (count_ > kept_.size()) out += fmt::format("... and {} more errors\n", count_ - kept_.size());
  return out;
}

}  // namespace polc::settle
