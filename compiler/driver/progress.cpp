// Progress: one status line, redrawn at most ten times a second (see progress.h).
#include "compiler/driver/progress.h"

#include <unistd.h>

#include <fmt/format.h>

namespace polc::driver {

void AddProgressOptions(CLI::App& command, ProgressOptions& options) {
  command.add_option("--progress", options.mode,
                     "auto (default: when stderr is a terminal), always or never: a progress line on stderr")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  command.add_flag("-q,--quiet", options.quiet, "no progress line");
  command.add_flag("--verbose", options.verbose, "a summary line on stderr at the end (rows, time, rows per second)");
}

Progress::Progress(const ProgressOptions& options, std::FILE* out, bool is_terminal)
    : out_(out),
      shown_(!options.quiet && (options.mode == "always" || (options.mode == "auto" && is_terminal))),
      verbose_(options.verbose),
      start_(std::chrono::steady_clock::now()),
      phase_start_(start_) {}

Progress::Progress(const ProgressOptions& options) : Progress(options, stderr, ::isatty(2) == 1) {}

Progress::~Progress() { Clear(); }

void Progress::Phase(const std::string& name) { Phase(name, 0, ""); }

void Progress::Phase(const std::string& name, uint64_t total, const std::string& what) {
  phase_ = name;
  what_ = what;
  total_ = total;
  done_ = 0;
  phase_start_ = std::chrono::steady_clock::now();
  Draw(true);
}

void Progress::Update(uint64_t done) {
  done_ = done;
  Draw(false);
}

void Progress::Draw(bool force) {
  if (!shown_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  std::string line = fmt::format("polc: {}", phase_);
  if (total_ > 0) {
    const double seconds = std::chrono::duration<double>(now - phase_start_).count();
    const double rate = seconds > 0 ? static_cast<double>(done_) / seconds : 0;
    line += fmt::format(" {}/{} {} ({:.0f}%)", done_, total_, what_, 100.0 * static_cast<double>(done_) / static_cast<double>(total_));
    if (rate > 0) {
      line += fmt::format(", {:.0f} {}/s", rate, what_);
      if (done_ < total_) line += fmt::format(", {:.0f} s left", static_cast<double>(total_ - done_) / rate);
    }
  } else {
    line += " ...";
  }
  // Carriage return, the line, then erase to its end: one line rewritten in place.
  std::fprintf(out_, "\r%s\033[K", line.c_str());
  std::fflush(out_);
  drawn_ = true;
}

void Progress::Clear() {
  if (!drawn_) return;
  std::fprintf(out_, "\r\033[K");
  std::fflush(out_);
  drawn_ = false;
}

void Progress::Finish(uint64_t rows, const std::string& what) {
  Clear();
  if (!verbose_ || what.empty()) return;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const std::string line = fmt::format("polc: settled {} {} in {:.2f} s ({:.0f} {}/s)\n", rows, what, seconds,
                                       seconds > 0 ? static_cast<double>(rows) / seconds : 0.0, what);
  std::fputs(line.c_str(), out_);
  std::fflush(out_);
}

}  // namespace polc::driver
