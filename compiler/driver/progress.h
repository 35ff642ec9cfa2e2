// Progress of a long settling command on stderr: the phase, rows per second and the time
// left, one line rewritten in place, only when stderr is a terminal (or --progress always);
// nothing with --quiet. With --verbose, one summary line at the end, terminal or not.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

namespace polc::driver {

struct ProgressOptions {
  std::string mode = "auto";  // auto (stderr is a terminal), always, never
  bool quiet = false;         // no progress line
  bool verbose = false;       // a summary line at the end
};

// `--progress auto|always|never`, `-q,--quiet` and `--verbose`.
void AddProgressOptions(CLI::App& command, ProgressOptions& options);

class Progress {
 public:
  // Writes to `out` (stderr); `is_terminal` decides `auto`.
  Progress(const ProgressOptions& options, std::FILE* out, bool is_terminal);
  explicit Progress(const ProgressOptions& options);  // stderr, isatty(2)
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  bool Shown() const { return shown_; }
  // A phase without a count (reading the inputs).
  void Phase(const std::string& name);
  // A phase of `total` rows (`what`: claims); then Update(done) as they go.
  void Phase(const std::string& name, uint64_t total, const std::string& what);
  void Update(uint64_t done);
  // Clears the line; with --verbose prints one summary line: `rows` `what` settled, the time
  // since the start and the rows per second (nothing for an empty `what`: a failed run).
  void Finish(uint64_t rows, const std::string& what);

 private:
  void Draw(bool force);
  void Clear();

  std::FILE* out_;
  bool shown_, verbose_;
  bool drawn_ = false;
  std::string phase_, what_;
  uint64_t total_ = 0, done_ = 0;
  std::chrono::steady_clock::time_point start_, phase_start_, last_draw_;
};

}  // namespace polc::driver
