// Formatting output values and writing result files (see results.h).
#include "compiler/io/results.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "compiler/settle/population.h"

#include "runtime/csv.h"
#include "runtime/date.h"
#include "runtime/money.h"

namespace polc::io {

using ir::Base;
using ir::Value;
using settle::EvalError;
using settle::RowSink;
using settle::SettleOptions;

namespace {

void AppendRate(std::string& out, int64_t bp) {
  const uint64_t magnitude = bp < 0 ? uint64_t{0} - static_cast<uint64_t>(bp) : static_cast<uint64_t>(bp);
  if (bp < 0) out.push_back('-');
  rt::AppendInt(out, static_cast<int64_t>(magnitude / 100));
  const unsigned hundredths = static_cast<unsigned>(magnitude % 100);
  if (hundredths != 0) {
    out.push_back('.');
    out.push_back(static_cast<char>('0' + hundredths / 10));
    if (hundredths % 10 != 0) out.push_back(static_cast<char>('0' + hundredths % 10));
  }
  out.push_back('%');
}

}  // namespace

std::string FormatRate(int64_t bp) {
  std::string out;
  AppendRate(out, bp);
  return out;
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
      rt::AppendInt(out, value.a);
      return;
    case Base::Money:
      rt::AppendMoney(out, value.a);
      return;
    case Base::Rate:
      AppendRate(out, value.a);
      return;
    case Base::Date:
      rt::AppendDate(out, static_cast<int32_t>(value.a));
      return;
    case Base::Duration:
      rt::AppendInt(out, value.a);
      out.append(" months ");
      rt::AppendInt(out, value.b);
      out.append(" days");
      return;
    case Base::Period:
      rt::AppendDate(out, static_cast<int32_t>(value.a));
      out.append("..");
      rt::AppendDate(out, static_cast<int32_t>(value.b));
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

// Settlement in chunks of consecutive subjects (settle/population.h), spread over the
// settlers (one per thread). Each chunk's rows are formatted as CSV text by the thread that settles it; the calling
// thread writes finished chunks in chunk order, so subject rows, and event rows when the input
// is already in settlement order, stream to the files in input order. Otherwise event rows
// wait in per-thread arenas, addressed by their input row, and are written in input order at
// the end. A failure stops the run with the error of the first failing subject, as one
// thread would.
constexpr uint32_t kChunkSubjects = 1024;
constexpr size_t kWindowPerThread = 4;  // chunks settled ahead of the writer, per thread

struct Chunk {
  std::string subjects, events, year_end;  // CSV rows
};

// Rows, each as a varint length and its CSV text, in blocks of about kArenaBlock bytes: a
// block is never reallocated once full, so the rows are copied once, and no page is touched twice.
constexpr size_t kArenaBlock = size_t{4} << 20;
// where[event]: arena index above kArenaShift, then the block, then the offset in the block
// (rows start below kArenaBlock, which is less than 2^kBlockShift).
constexpr int kArenaShift = 56;
constexpr int kBlockShift = 32;
struct Arena {
  std::vector<std::string> full;  // blocks before `rows`
  rt::CsvWriter rows;             // in memory: the block being filled
  std::string_view Block(size_t k) const { return k < full.size() ? std::string_view(full[k]) : rows.Rows(); }
};

class ChunkSink : public RowSink {
 public:
  ChunkSink(const ir::Program& program, const Inputs& inputs, bool subjects, Arena* arena,
            uint64_t arena_tag, std::vector<uint64_t>* where)
      : program_(program), inputs_(inputs), subjects_(subjects), arena_(arena), arena_tag_(arena_tag),
        where_(where) {}

  void Finish(Chunk& chunk) {
    chunk.subjects = subject_rows_.Take();
    chunk.events = event_rows_.Take();
    chunk.year_end = year_end_rows_.Take();
  }

  void YearEndRow(uint32_t, std::span<const Value> values) override { Format(2, values, year_end_rows_); }

  void SubjectRow(uint32_t, std::span<const Value> values) override {
    if (subjects_) Format(0, values, subject_rows_);
  }

  void EventRow(uint32_t event, std::span<const Value> values) override {
    if (arena_ == nullptr) {
      Format(1, values, event_rows_);
      return;
    }
    // The row is formatted in place after a one-byte length; a longer row's length is
    // widened afterwards (rare: rows are shorter than 128 bytes).
    if (arena_->rows.Rows().size() >= kArenaBlock) {
      arena_->full.push_back(arena_->rows.Take());
      arena_->rows.Reserve(kArenaBlock + (kArenaBlock >> 4));
    } else if (arena_->full.empty() && arena_->rows.Rows().empty()) {
      arena_->rows.Reserve(kArenaBlock + (kArenaBlock >> 4));
    }
    std::string& bytes = arena_->rows.Buffer();
    const size_t at = bytes.size();
    (*where_)[event] = arena_tag_ | (static_cast<uint64_t>(arena_->full.size()) << kBlockShift) | at;
    bytes.push_back('\0');
    Format(1, values, arena_->rows);
    const uint64_t length = bytes.size() - at - 1;
    char varint[10];
    size_t width = 0;
    for (uint64_t n = length;; n >>= 7) {
      if (n < 0x80) {
        varint[width++] = static_cast<char>(n);
        break;
      }
      varint[width++] = static_cast<char>(0x80 | (n & 0x7f));
    }
    if (width > 1) bytes.insert(at + 1, width - 1, '\0');
    std::memcpy(bytes.data() + at, varint, width);
  }

 private:
  void Format(int kind, std::span<const Value> values, rt::CsvWriter& writer) {
    const ir::Output& output = program_.outputs[static_cast<size_t>(program_.output_of[kind])];
    for (size_t c = 0; c < values.size(); ++c) {
      const ir::Type& type = output.columns[c].value->type;
      // Only texts (as read) and absent texts can hold a separator or a quote: enumeration
      // words are names and the other types are digits and punctuation, formatted straight
      // into the writer's buffer.
      if (values[c].present && type.base != Base::Text) {
        const size_t begin = writer.BeginPlainField();
        AppendCell(writer.Buffer(), program_, inputs_, type, values[c], output.columns[c].absent);
        writer.EndPlainField(begin);
      } else if (values[c].present) {
        writer.Field(inputs_.Text(values[c]));
      } else {
        writer.Field(output.columns[c].absent);
      }
    }
    writer.EndRow();
  }

  const ir::Program& program_;
  const Inputs& inputs_;
  const bool subjects_;
  Arena* arena_;
  const uint64_t arena_tag_;
  std::vector<uint64_t>* where_;
  rt::CsvWriter subject_rows_, event_rows_, year_end_rows_;
};

void WriteHeader(rt::CsvWriter& writer, const ir::Output& output) {
  for (const ir::OutputColumn& column : output.columns) writer.Field(column.name);
  writer.EndRow();
}

// Settles every subject with `settlers` (one worker each) through the population loop, each
// worker formatting its rows into its own ChunkSink, and hands each chunk, in order, to
// `write`. Returns false with `error` set when settling failed (chunks from the failing one
// on are not written).
bool SettleInChunks(const ir::Program& program, const std::vector<SettleFn>& settlers,
                    const Inputs& inputs, bool subject_output, bool year_end_output, std::vector<Arena>* arenas,
                    std::vector<uint64_t>* where, const std::function<void(Chunk&)>& write,
                    const std::function<void(uint32_t)>& progress, std::string& error) {
  settle::Population population;
  population.subjects = inputs.subjects.Size();
  population.workers = settlers.size();
  population.chunk_subjects = kChunkSubjects;
  population.window_per_worker = kWindowPerThread;
  const size_t chunk_count = (population.subjects + kChunkSubjects - 1) / kChunkSubjects;
  std::vector<Chunk> chunks(chunk_count);
  std::vector<std::unique_ptr<ChunkSink>> sinks;
  for (size_t w = 0; w < settlers.size(); ++w) {
    sinks.push_back(std::make_unique<ChunkSink>(program, inputs, subject_output,
                                                arenas != nullptr ? &(*arenas)[w] : nullptr,
                                                static_cast<uint64_t>(w) << kArenaShift, where));
  }
  SettleOptions options;
  options.subject_output = subject_output;
  options.year_end_output = year_end_output;
  population.settle = [&](size_t w, uint32_t s) { settlers[w](inputs, s, *sinks[w], options); };
  population.chunk_done = [&](size_t w, size_t k) { sinks[w]->Finish(chunks[k]); };
  population.ordered = [&](size_t k) {
    Chunk chunk = std::move(chunks[k]);
    write(chunk);
  };
  population.progress = progress;
  return settle::SettlePopulation(population, error);
}

}  // namespace

bool WriteResults(const ir::Program& program, const std::vector<SettleFn>& settlers, const Inputs& inputs,
                  const std::string& event_path, const std::string& subject_path, std::string& error,
                  const std::function<void(uint32_t)>& progress, const std::string& year_end_path) {
  if (settlers.empty() || settlers.size() > (size_t{1} << (64 - kArenaShift))) {
    error = "internal error: no settler, or too many";
    return false;
  }
  if (program.output_of[1] < 0) {
    error = fmt::format("the policy declares no output for {} records", program.records[1].name);
    return false;
  }
  if (!subject_path.empty() && program.output_of[0] < 0) {
    error = fmt::format("the policy declares no output for {} records", program.records[0].name);
    return false;
  }
  if (!year_end_path.empty() && program.output_of[2] < 0) {
    error = fmt::format("the policy declares no output for {} records at year_end (`output NAME for {} at year_end`)",
                        program.records[0].name, program.records[0].name);
    return false;
  }
  rt::AtomicOutputFile event_file, subject_file, year_end_file;
  if (!event_file.Open(event_path, error)) return false;
  std::unique_ptr<rt::CsvWriter> year_end_writer;
  if (!year_end_path.empty()) {
    if (!year_end_file.Open(year_end_path, error)) return false;
    year_end_writer = std::make_unique<rt::CsvWriter>(year_end_file);
    WriteHeader(*year_end_writer, program.outputs[static_cast<size_t>(program.output_of[2])]);
  }
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
  std::vector<Arena> arenas(in_order ? 0 : settlers.size());
  std::vector<uint64_t> where(in_order ? 0 : inputs.events.Size(), 0);
  const bool settled = SettleInChunks(
      program, settlers, inputs, subject_writer != nullptr, year_end_writer != nullptr,
      in_order ? nullptr : &arenas, &where,
      [&](Chunk& chunk) {
        if (subject_writer != nullptr) subject_writer->AppendRows(chunk.subjects);
        if (year_end_writer != nullptr) year_end_writer->AppendRows(chunk.year_end);
        event_writer.AppendRows(chunk.events);
      },
      progress, error);
  if (!settled) return false;
  if (!in_order) {
    // Claim rows in input order, gathered from the arenas: with several settlers, blocks of
    // rows are gathered side by side (one thread each) and written in order.
    const uint64_t offset_mask = (uint64_t{1} << kArenaShift) - 1;
    auto gather = [&](size_t begin, size_t end, std::string& out) {
      for (size_t k = begin; k < end; ++k) {
        uint64_t at = where[k];
        const std::string_view bytes = arenas[at >> kArenaShift].Block((at & offset_mask) >> kBlockShift);
        at &= (uint64_t{1} << kBlockShift) - 1;
        uint64_t n = 0;
        for (int shift = 0;; shift += 7) {
          const auto byte = static_cast<unsigned char>(bytes[at++]);
          n |= static_cast<uint64_t>(byte & 0x7f) << shift;
          if ((byte & 0x80) == 0) break;
        }
        out.append(bytes.data() + at, n);
      }
    };
    const size_t workers = settlers.size();
    const size_t block = std::max<size_t>(4096, where.size() / (workers * 8) + 1);
    std::vector<std::string> blocks(workers);
    for (size_t round = 0; round < where.size(); round += block * workers) {
      std::vector<std::thread> threads;
      for (size_t w = 1; w < workers && round + w * block < where.size(); ++w) {
        const size_t begin = round + w * block;
        threads.emplace_back([&, w, begin] {
          blocks[w].clear();
          gather(begin, std::min(where.size(), begin + block), blocks[w]);
        });
      }
      blocks[0].clear();
      gather(round, std::min(where.size(), round + block), blocks[0]);
      for (std::thread& t : threads) t.join();
      for (size_t w = 0; w <= threads.size(); ++w) event_writer.AppendRows(blocks[w]);
    }
  }
  if (subject_writer != nullptr && !subject_file.Commit(error)) return false;
  if (year_end_writer != nullptr && !year_end_file.Commit(error)) {
    if (subject_writer != nullptr) std::remove(subject_path.c_str());
    return false;
  }
  if (!event_file.Commit(error)) {
    // All files or none.
    if (subject_writer != nullptr) std::remove(subject_path.c_str());
    if (year_end_writer != nullptr) std::remove(year_end_path.c_str());
    return false;
  }
  return true;
}

namespace {

class TableSink : public RowSink {
 public:
  TableSink(const ir::Program& program, const Inputs& inputs, ResultTable* tables)
      : program_(program), inputs_(inputs), tables_(tables) {}
  void SubjectRow(uint32_t subject, std::span<const Value> values) override {
    Store(0, subject, values);
  }
  void EventRow(uint32_t event, std::span<const Value> values) override { Store(1, event, values); }
  void YearEndRow(uint32_t subject, std::span<const Value> values) override {
    if (year_end_ != nullptr) Store(2, subject, values);
  }
  ResultTable* year_end_ = nullptr;

 private:
  void Store(int kind, uint32_t row, std::span<const Value> values) {
    const ir::Output& output = program_.outputs[static_cast<size_t>(program_.output_of[kind])];
    std::vector<std::string>& cells = kind == 2 ? year_end_->rows[row] : tables_[kind].rows[row];
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

void SettleToTables(const ir::Program& program, const SettleFn& settle, const Inputs& inputs,
                    ResultTable tables[2], ResultTable* year_end) {
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
  SettleOptions options;
  if (year_end != nullptr) {
    *year_end = ResultTable{};
    if (program.output_of[2] >= 0) {
      year_end->declared = true;
      for (const ir::OutputColumn& column : program.outputs[static_cast<size_t>(program.output_of[2])].columns) {
        year_end->header.push_back(column.name);
      }
      year_end->rows.resize(inputs.subjects.Size());
      sink.year_end_ = year_end;
      options.year_end_output = true;
    }
  }
  settle::Population population;
  population.subjects = inputs.subjects.Size();
  population.settle = [&](size_t, uint32_t s) { settle(inputs, s, sink, options); };
  std::string error;
  if (!settle::SettlePopulation(population, error)) throw EvalError(error);
}

}  // namespace polc::io
