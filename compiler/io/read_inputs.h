// Reading the two input files (subjects, events) into settle::Inputs: CSV, the first input
// format. Every row is checked: field syntax by declared type, enumeration words, duplicate
// keys, unknown parents, and the records' requirements (through a settle::RowChecker).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/settle/inputs.h"
#include "compiler/settle/seam.h"

namespace polc::io {

// The lines of a copy's rows (ascending) and the lines of the real input's rows they stand for.
struct LineMap {
  std::vector<uint64_t> local, input;
  // Looks up the input's line of the row starting on `line`; a line that starts no row (the
  // header) is its own. The reader asks for its rows in ascending order, so each lookup starts
  // where the one before ended; a line before that one's is searched for from the start.
  class Cursor {
   public:
    explicit Cursor(const LineMap& map) : map_(map) {}
    uint64_t operator()(uint64_t line);

   private:
    const LineMap& map_;
    size_t next_ = 0;  // the first row of `local` at or after the line asked last
  };
};

// Where a file read is a copy of some rows of a real input (polc run --memory-limit reads its
// partitions): the input's path, named in every message and as Inputs::subject_file or
// event_file, and the input's lines of the copy's rows, which messages and the tables carry.
// An input that is not a file names its rows its own way (polc run --db: a table's rows).
struct InputOrigin {
  std::string path;               // empty: the file read is the input
  const LineMap* lines = nullptr;  // null: the file's own lines
  const settle::LineNames* names = nullptr;  // null: messages say PATH:LINE
  // The path messages name for the file read at `read`.
  const std::string& Name(const std::string& read) const { return path.empty() ? read : path; }
};

struct ReadOptions {
  // Every date cell moves by `year_shift` years as it is read (rt::ShiftYears: 29 February
  // becomes the 28th), before the requirements and the event order: settling a population
  // under a policy of another year (spec section 10, polc diff).
  int64_t year_shift = 0;
  // Files with at least `parallel_min_bytes` of rows are split at row boundaries and parsed
  // by `threads` threads (read_parallel.cpp); the Inputs and errors are the same for any count.
  int threads = 1;
  uint64_t parallel_min_bytes = uint64_t{8} << 20;
  // false: the event keys are not checked for repeats (polc run --memory-limit reads the
  // events in partitions and checks their keys across all of them itself).
  bool check_event_keys = true;
  // Per file (subjects, events): the real input the file read stands for.
  InputOrigin origin[2];
};

// Reads both files for `checker`'s program. Returns false when any row is bad (`errors` says
// which); the Inputs are then unusable.
bool ReadInputs(settle::RowChecker& checker, const std::string& subject_path,
                const std::string& event_path, settle::Inputs& inputs, settle::InputErrors& errors,
                const ReadOptions& options = {});
// The same with only a year shift.
bool ReadInputs(settle::RowChecker& checker, const std::string& subject_path,
                const std::string& event_path, settle::Inputs& inputs, settle::InputErrors& errors,
                int64_t year_shift);

}  // namespace polc::io
