// Checked opening and reading of input files (input_file.h).
#include "runtime/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include <fmt/format.h>

#include "runtime/errno_text.h"

namespace polc::rt {
namespace {

}  // namespace

const char* FileTypeName(unsigned mode) {
  switch (mode & S_IFMT) {
    case S_IFDIR: return "a directory";
    case S_IFIFO: return "a FIFO (named pipe)";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    case S_IFSOCK: return "a socket";
    case S_IFLNK: return "a symbolic link";
    case S_IFREG: return "a regular file";
    default: return "not a regular file";
  }
}

int OpenInput(const std::string& path, const InputOptions& options, std::string& error,
              uint64_t* size, InputProblem* problem) {
  auto fail = [&](InputProblem why, std::string message) {
    error = std::move(message);
    if (problem != nullptr) *problem = why;
    return -1;
  };
  // O_NONBLOCK: opening a FIFO without a writer would otherwise wait forever; fstat below
  // refuses it before any read. Regular files ignore the flag.
  int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
  if (options.no_follow) flags |= O_NOFOLLOW;
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) {
    const int e = errno;
    if (e == ELOOP && options.no_follow) {
      return fail(InputProblem::kNotRegular, fmt::format("cannot read '{}': it is a symbolic link", path));
    }
    return fail(InputProblem::kOpen, fmt::format("cannot open '{}': {}", path, ErrnoText(e)));
  }
  struct stat st{};
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    return fail(InputProblem::kOpen, fmt::format("cannot read '{}': {}", path, ErrnoText(e)));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(InputProblem::kNotRegular,
                fmt::format("cannot read '{}': it is {}, not a regular file", path, FileTypeName(st.st_mode)));
  }
  if (options.own_only && st.st_uid != ::geteuid()) {
    ::close(fd);
    return fail(InputProblem::kNotRegular, fmt::format("cannot read '{}': another user owns it", path));
  }
  const auto bytes = static_cast<uint64_t>(st.st_size);
  if (bytes > options.max_bytes) {
    ::close(fd);
    return fail(InputProblem::kTooLarge, fmt::format("cannot read '{}': it has {} bytes, at most {} are read",
                                                     path, bytes, options.max_bytes));
  }
  // Back to blocking reads (a regular file never blocks, but the descriptor may be handed on).
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  if (size != nullptr) *size = bytes;
  if (problem != nullptr) *problem = InputProblem::kNone;
  return fd;
}

bool ReadInput(const std::string& path, const InputOptions& options, std::string& text,
               std::string& error, InputProblem* problem) {
  uint64_t size = 0;
  const int fd = OpenInput(path, options, error, &size, problem);
  if (fd < 0) return false;
  text.clear();
  text.reserve(static_cast<size_t>(size));
  char buffer[1 << 16];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      error = fmt::format("cannot read '{}': {}", path, ErrnoText(errno));
      if (problem != nullptr) *problem = InputProblem::kRead;
      ::close(fd);
      return false;
    }
    if (got == 0) break;
    // The file may grow after fstat: the limit holds for what is read, too.
    if (text.size() + static_cast<size_t>(got) > options.max_bytes) {
      error = fmt::format("cannot read '{}': it has more than {} bytes", path, options.max_bytes);
      if (problem != nullptr) *problem = InputProblem::kTooLarge;
      ::close(fd);
      return false;
    }
    text.append(buffer, static_cast<size_t>(got));
  }
  ::close(fd);
  return true;
}

}  // namespace polc::rt
