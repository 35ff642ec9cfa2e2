// Output targets, output-versus-input checks and the temporary-file cleanup (output_file.h).
#include "runtime/output_file.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <system_error>

#include <fmt/format.h>

#include "runtime/errno_text.h"
#include "runtime/input_file.h"

namespace polc::rt {
namespace {

// Fixed storage: the signal handler may only read memory that no one frees or moves.
constexpr int kSlots = 16;
constexpr size_t kPathBytes = 4096;
char temp_paths[kSlots][kPathBytes];
std::atomic<bool> temp_used[kSlots];
std::mutex slot_mutex;

extern "C" void RemoveTempsAndDie(int sig) {
  for (int i = 0; i < kSlots; ++i) {
    if (temp_used[i].load()) ::unlink(temp_paths[i]);
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

struct Identity {
  bool exists = false;
  dev_t dev = 0;
  ino_t ino = 0;
  std::string canonical;  // of the file, or of its directory joined with its name
};

Identity Identify(const std::string& path) {
  namespace fs = std::filesystem;
  Identity id;
  struct stat st{};
  if (::stat(path.c_str(), &st) == 0) {
    id.exists = true;
    id.dev = st.st_dev;
    id.ino = st.st_ino;
  }
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  id.canonical = ec ? fs::absolute(path).lexically_normal().string() : p.string();
  return id;
}

bool Same(const Identity& a, const Identity& b) {
  if (a.exists && b.exists) return a.dev == b.dev && a.ino == b.ino;
  return a.canonical == b.canonical;
}

}  // namespace

bool ResolveOutputTarget(const std::string& path, std::string& target, std::string& error) {
  struct stat st{};
  if (::lstat(path.c_str(), &st) != 0) {
    target = path;  // a new file (a missing directory is reported when it is created)
    return true;
  }
  if (S_ISLNK(st.st_mode)) {
    struct stat to{};
    if (::stat(path.c_str(), &to) != 0) {
      error = fmt::format("cannot write '{}': it is a symbolic link to nothing ({})", path, ErrnoText(errno));
      return false;
    }
    if (!S_ISREG(to.st_mode)) {
      error = fmt::format("cannot write '{}': it is a symbolic link to {}; an output must be a regular file",
                          path, FileTypeName(to.st_mode));
      return false;
    }
    std::error_code ec;
    target = std::filesystem::canonical(path, ec).string();
    if (ec) {
      error = fmt::format("cannot write '{}': {}", path, ec.message());
      return false;
    }
    return true;
  }
  if (!S_ISREG(st.st_mode)) {
    error = fmt::format("cannot write '{}': it is {}; an output must be a regular file or a new name",
                        path, FileTypeName(st.st_mode));
    return false;
  }
  target = path;
  return true;
}

bool CheckOutputsApart(const std::vector<NamedPath>& outputs, const std::vector<NamedPath>& inputs,
                       std::string& error) {
  std::vector<Identity> out_ids;
  for (const NamedPath& out : outputs) out_ids.push_back(Identify(out.second));
  for (size_t o = 0; o < outputs.size(); ++o) {
    for (const NamedPath& in : inputs) {
      if (in.second.empty() || !Same(out_ids[o], Identify(in.second))) continue;
      error = fmt::format("{} '{}' is the input {} '{}': it would be overwritten", outputs[o].first,
                          outputs[o].second, in.first, in.second);
      return false;
    }
    for (size_t p = 0; p < o; ++p) {
      if (!Same(out_ids[o], out_ids[p])) continue;
      error = fmt::format("{} '{}' and {} '{}' are the same file", outputs[p].first, outputs[p].second,
                          outputs[o].first, outputs[o].second);
      return false;
    }
  }
  return true;
}

void InstallTempCleanup() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int sig : {SIGTERM, SIGINT, SIGHUP}) {
      struct sigaction old{};
      // A signal someone chose to ignore (nohup) stays ignored.
      if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
      struct sigaction act{};
      act.sa_handler = RemoveTempsAndDie;
      sigemptyset(&act.sa_mask);
      ::sigaction(sig, &act, nullptr);
    }
    ::signal(SIGXFSZ, SIG_IGN);
  });
}

int RegisterTemp(const std::string& path) {
  if (path.size() >= kPathBytes) return -1;
  std::lock_guard<std::mutex> lock(slot_mutex);
  for (int i = 0; i < kSlots; ++i) {
    if (temp_used[i].load()) continue;
    std::memcpy(temp_paths[i], path.c_str(), path.size() + 1);
    temp_used[i].store(true);
    return i;
  }
  return -1;
}

void UnregisterTemp(int slot) {
  if (slot < 0 || slot >= kSlots) return;
  std::lock_guard<std::mutex> lock(slot_mutex);
  temp_used[slot].store(false);
}

}  // namespace polc::rt
