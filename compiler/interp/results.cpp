// Formatting output values and writing result files (see results.h).
#include "compiler/interp/results.h"

#include <fmt/format.h>

#include "runtime/csv.h"
#include "runtime/date.h"
#include "runtime/money.h"

namespace polc::interp {

using ir::Base;
using ir::Value;

std::string FormatRate(int64_t bp) {
  const uint64_t magnitude = bp < 0 ? uint64_t{0} - static_cast<uint64_t>(bp) : static_cast<uint64_t>(bp);
  std::string out = fmt::format("{}{}", bp < 0 ? "-" : "", magnitude / 100);
  const uint64_t hundredths = magnitude % 100;
  if (hundredths != 0) {
    out += hundredths % 10 == 0 ? fmt::format(".{}", hundredths / 10) : fmt::format(".{:02}", hundredths);
  }
  return out + "%";
}

void AppendCell(std::string& out, const ir::Program& program, const Inputs& inputs,
                const ir::Type& type, const Value& value, std::string_view absent) {
  if (!value.present) {
    out.append(absent);
    return;
  }
  switch (type.base) {
    case Base::Bool:
      out.append(value.a != 0 ? "true" : "false");
      return;
    case Base::Int:
      fmt::format_to(std::back_inserter(out), "{}", value.a);
      return;
    case Base::Money:
      out.append(rt::FormatMoney(value.a));
      return;
    case Base::Rate:
      out.append(FormatRate(value.a));
      return;
    case Base::Date:
      out.append(rt::FormatDate(static_cast<int32_t>(value.a)));
      return;
    case Base::Duration:
      fmt::format_to(std::back_inserter(out), "{} months {} days", value.a, value.b);
      return;
    case Base::Period:
      out.append(rt::FormatDate(static_cast<int32_t>(value.a)));
      out.append("..");
      out.append(rt::FormatDate(static_cast<int32_t>(value.b)));
      return;
    case Base::Text:
      out.append(inputs.Text(value));
      return;
    case Base::Enum: {
      const auto& words = program.enums[static_cast<size_t>(type.enum_id)].words;
      if (value.a >= 0 && static_cast<size_t>(value.a) < words.size()) {
        out.append(words[static_cast<size_t>(value.a)].name);
      } else {
        fmt::format_to(std::back_inserter(out), "#{}", value.a);
      }
      return;
    }
    case Base::Record:
      out.append("<row>");
      return;
  }
}

std::string FormatCell(const ir::Program& program, const Inputs& inputs, const ir::Type& type,
                       const Value& value, std::string_view absent) {
  std::string out;
  AppendCell(out, program, inputs, type, value, absent);
  return out;
}

namespace {

// Event rows in settlement order, each field as a varint length and its bytes, addressed by
// the event's input row so they can be written in input order at the end. When the input is
// already in settlement order (grouped by subject, sorted), rows go straight to the file.
class EventRowStore : public RowSink {
 public:
  EventRowStore(const ir::Program& program, const Inputs& inputs, rt::CsvWriter* subjects,
                rt::CsvWriter* direct_events)
      : program_(program), inputs_(inputs), subjects_(subjects), direct_(direct_events),
        begins_(direct_events != nullptr ? 0 : inputs.events.Size(), 0) {}

  void SubjectRow(uint32_t, const std::vector<Value>& values) override {
    if (subjects_ == nullptr) return;
    const ir::Output& output = program_.outputs[static_cast<size_t>(program_.output_of[0])];
    for (size_t c = 0; c < values.size(); ++c) {
      cell_.clear();
      AppendCell(cell_, program_, inputs_, output.columns[c].value->type, values[c], output.columns[c].absent);
      subjects_->Field(cell_);
    }
    subjects_->EndRow();
  }

  void EventRow(uint32_t event, const std::vector<Value>& values) override {
    const ir::Output& output = program_.outputs[static_cast<size_t>(program_.output_of[1])];
    const uint64_t begin = arena_.size();
    for (size_t c = 0; c < values.size(); ++c) {
      cell_.clear();
      AppendCell(cell_, program_, inputs_, output.columns[c].value->type, values[c], output.columns[c].absent);
      if (direct_ != nullptr) {
        direct_->Field(cell_);
        continue;
      }
      for (uint64_t n = cell_.size(); ; n >>= 7) {
        if (n < 0x80) {
          arena_.push_back(static_cast<char>(n));
          break;
        }
        arena_.push_back(static_cast<char>(0x80 | (n & 0x7f)));
      }
      arena_.append(cell_);
    }
    if (direct_ != nullptr) {
      direct_->EndRow();
      return;
    }
    begins_[event] = begin;
    // Sized once from the first rows: doubling a buffer of hundreds of megabytes copies it.
    if (++rows_ == kSampleRows) arena_.reserve(arena_.size() / kSampleRows * begins_.size() * 6 / 5);
  }

  // Every row has one field per column, so a row's start is all that needs remembering.
  void WriteInInputOrder(rt::CsvWriter& writer) const {
    const size_t columns = program_.outputs[static_cast<size_t>(program_.output_of[1])].columns.size();
    for (uint64_t at : begins_) {
      for (size_t c = 0; c < columns; ++c) {
        uint64_t n = 0;
        for (int shift = 0;; shift += 7) {
          const auto byte = static_cast<unsigned char>(arena_[at++]);
          n |= static_cast<uint64_t>(byte & 0x7f) << shift;
          if ((byte & 0x80) == 0) break;
        }
        writer.Field(std::string_view(arena_).substr(at, n));
        at += n;
      }
      writer.EndRow();
    }
  }

 private:
  const ir::Program& program_;
  const Inputs& inputs_;
  rt::CsvWriter* subjects_;
  rt::CsvWriter* direct_;
  std::string arena_;
  std::vector<uint64_t> begins_;  // per event row: where its fields start in arena_
  static constexpr uint64_t kSampleRows = 4096;
  uint64_t rows_ = 0;
  std::string cell_;
};

void WriteHeader(rt::CsvWriter& writer, const ir::Output& output) {
  for (const ir::OutputColumn& column : output.columns) writer.Field(column.name);
  writer.EndRow();
}

}  // namespace

bool WriteResults(Interpreter& interp, const Inputs& inputs, const std::string& event_path,
                  const std::string& subject_path, std::string& error) {
  return WriteResults(interp.Program(), interp.AsSettleFn(), inputs, event_path, subject_path, error);
}

bool WriteResults(const ir::Program& program, const SettleFn& settle, const Inputs& inputs,
                  const std::string& event_path, const std::string& subject_path, std::string& error) {
  if (program.output_of[1] < 0) {
    error = fmt::format("the policy declares no output for {} records", program.records[1].name);
    return false;
  }
  if (!subject_path.empty() && program.output_of[0] < 0) {
    error = fmt::format("the policy declares no output for {} records", program.records[0].name);
    return false;
  }
  rt::AtomicOutputFile event_file, subject_file;
  if (!event_file.Open(event_path, error)) return false;
  std::unique_ptr<rt::CsvWriter> subject_writer;
  if (!subject_path.empty()) {
    if (!subject_file.Open(subject_path, error)) return false;
    subject_writer = std::make_unique<rt::CsvWriter>(subject_file);
    WriteHeader(*subject_writer, program.outputs[static_cast<size_t>(program.output_of[0])]);
  }
  rt::CsvWriter event_writer(event_file);
  WriteHeader(event_writer, program.outputs[static_cast<size_t>(program.output_of[1])]);
  bool in_order = true;
  for (uint32_t k = 0; k < inputs.event_order.size() && in_order; ++k) in_order = inputs.event_order[k] == k;
  EventRowStore store(program, inputs, subject_writer.get(), in_order ? &event_writer : nullptr);
  SettleOptions options;
  options.subject_output = subject_writer != nullptr;
  try {
    for (uint32_t s = 0; s < inputs.subjects.Size(); ++s) settle(inputs, s, store, options);
  } catch (const EvalError& e) {
    error = e.what();
    return false;
  }
  if (!in_order) store.WriteInInputOrder(event_writer);
  if (!event_file.Commit(error)) return false;
  if (subject_writer != nullptr && !subject_file.Commit(error)) return false;
  return true;
}

namespace {

class TableSink : public RowSink {
 public:
  TableSink(const ir::Program& program, const Inputs& inputs, ResultTable* tables)
      : program_(program), inputs_(inputs), tables_(tables) {}
  void SubjectRow(uint32_t subject, const std::vector<Value>& values) override {
    Store(0, subject, values);
  }
  void EventRow(uint32_t event, const std::vector<Value>& values) override { Store(1, event, values); }

 private:
  void Store(int kind, uint32_t row, const std::vector<Value>& values) {
    const ir::Output& output = program_.outputs[static_cast<size_t>(program_.output_of[kind])];
    std::vector<std::string>& cells = tables_[kind].rows[row];
    cells.clear();
    for (size_t c = 0; c < values.size(); ++c) {
      cells.push_back(FormatCell(program_, inputs_, output.columns[c].value->type, values[c],
                                 output.columns[c].absent));
    }
  }
  const ir::Program& program_;
  const Inputs& inputs_;
  ResultTable* tables_;
};

}  // namespace

void SettleToTables(Interpreter& interp, const Inputs& inputs, ResultTable tables[2]) {
  SettleToTables(interp.Program(), interp.AsSettleFn(), inputs, tables);
}

void SettleToTables(const ir::Program& program, const SettleFn& settle, const Inputs& inputs,
                    ResultTable tables[2]) {
  const uint32_t sizes[2] = {inputs.subjects.Size(), inputs.events.Size()};
  for (int kind = 0; kind < 2; ++kind) {
    tables[kind] = ResultTable{};
    if (program.output_of[kind] < 0) continue;
    tables[kind].declared = true;
    for (const ir::OutputColumn& column : program.outputs[static_cast<size_t>(program.output_of[kind])].columns) {
      tables[kind].header.push_back(column.name);
    }
    tables[kind].rows.resize(sizes[kind]);
  }
  TableSink sink(program, inputs, tables);
  for (uint32_t s = 0; s < inputs.subjects.Size(); ++s) settle(inputs, s, sink, SettleOptions{});
}

}  // namespace polc::interp
