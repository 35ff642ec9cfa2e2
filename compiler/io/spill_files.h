// The temporary files of `polc run --memory-limit` (spill.cpp): files with no name, written
// through a buffered stream and read back with pread, and the varints the split pass writes
// into them.
#pragma once

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "runtime/errno_text.h"

namespace polc::io::spill {

// A file with no name in the temporary directory (O_TMPFILE, or a name removed at once), so
// nothing is left behind however the run ends. Written through a buffered stream, read back
// with pread or by path (/proc/self/fd/N).
class TempFile {
 public:
  TempFile() = default;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() { Close(); }

  bool Create(const std::string& dir, std::string& error) {
    fd_ = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      std::string name = dir + "/polc-spill-XXXXXX";
      fd_ = ::mkostemp(name.data(), O_CLOEXEC);
      if (fd_ >= 0) ::unlink(name.c_str());
    }
    if (fd_ < 0) {
      error = fmt::format("cannot create a temporary file in '{}' (set TMPDIR to another directory): {}", dir, rt::ErrnoText(errno));
      return false;
    }
    return Attach(error);
  }
  // Takes a named file (a committed result), removing its name.
  bool Adopt(const std::string& path, std::string& error) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    const int open_errno = errno;
    ::unlink(path.c_str());
    if (fd_ < 0) {
      error = fmt::format("cannot read the temporary file '{}': {}", path, rt::ErrnoText(open_errno));
      return false;
    }
    return true;
  }
  std::FILE* Stream() const { return stream_; }
  int Fd() const { return fd_; }
  std::string Path() const { return fmt::format("/proc/self/fd/{}", fd_); }
  bool Finish(std::string& error) {
    if (stream_ != nullptr && (std::fflush(stream_) != 0 || std::ferror(stream_))) {
      error = fmt::format("cannot write a temporary file: {}", rt::ErrnoText(errno));
      return false;
    }
    return true;
  }
  void Close() {
    if (stream_ != nullptr) std::fclose(stream_);  // closes fd_ too
    else if (fd_ >= 0) ::close(fd_);
    stream_ = nullptr;
    fd_ = -1;
  }

 private:
  bool Attach(std::string& error) {
    const int copy = ::dup(fd_);  // the stream owns a copy; fd_ stays for reading
    stream_ = copy >= 0 ? ::fdopen(copy, "w") : nullptr;
    if (stream_ == nullptr) {
      if (copy >= 0) ::close(copy);
      error = fmt::format("cannot open a temporary file: {}", rt::ErrnoText(errno));
      return false;
    }
    std::setvbuf(stream_, nullptr, _IOFBF, size_t{16} << 10);
    return true;
  }
  int fd_ = -1;
  std::FILE* stream_ = nullptr;
};

inline void PutVarint(std::FILE* f, uint64_t n) {
  while (n >= 0x80) {
    std::putc(static_cast<int>(0x80 | (n & 0x7f)), f);
    n >>= 7;
  }
  std::putc(static_cast<int>(n), f);
}

// Reads a temporary file from its start with pread, through a small buffer.
class ByteReader {
 public:
  explicit ByteReader(int fd, size_t buffer = size_t{16} << 10) : fd_(fd), buf_(buffer) {}
  bool Byte(unsigned char& c) {
    if (at_ == end_ && !Fill()) return false;
    c = static_cast<unsigned char>(buf_[at_++]);
    return true;
  }
  bool Varint(uint64_t& n) {
    n = 0;
    unsigned char c = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!Byte(c)) return false;
      n |= static_cast<uint64_t>(c & 0x7f) << shift;
      if ((c & 0x80) == 0) return true;
    }
    return false;
  }
  bool Bytes(size_t n, std::string& out) {
    out.clear();
    while (out.size() < n) {
      if (at_ == end_ && !Fill()) return false;
      const size_t take = std::min(n - out.size(), end_ - at_);
      out.append(buf_.data() + at_, take);
      at_ += take;
    }
    return true;
  }
  // One CSV row as written by rt::CsvWriter (quotes balanced, ends with a line feed), raw,
  // appended to `out`. False at the end.
  bool Row(std::string& out) {
    bool quoted = false, any = false;
    for (;;) {
      if (at_ == end_ && !Fill()) return false;
      const char* b = buf_.data();
      size_t p = at_;
      for (; p < end_; ++p) {
        if (b[p] == '"') quoted = !quoted;
        else if (b[p] == '\n' && !quoted) break;
      }
      const bool done = p < end_;
      out.append(b + at_, (done ? p + 1 : p) - at_);
      at_ = done ? p + 1 : p;
      any = true;
      if (done) return any;
    }
  }

 private:
  bool Fill() {
    const ssize_t n = ::pread(fd_, buf_.data(), buf_.size(), static_cast<off_t>(offset_));
    if (n <= 0) return false;
    offset_ += static_cast<uint64_t>(n);
    at_ = 0;
    end_ = static_cast<size_t>(n);
    return true;
  }
  int fd_;
  std::vector<char> buf_;
  size_t at_ = 0, end_ = 0;
  uint64_t offset_ = 0;
};

inline std::string TempDir(const std::string& given) {
  if (!given.empty()) return given;
  const char* env = std::getenv("TMPDIR");
  return env != nullptr && *env != '\0' ? std::string(env) : std::string("/tmp");
}

// Enough descriptors for the temporary files (about ten per partition).
inline void RaiseFileLimit(uint64_t wanted) {
  struct rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= wanted) return;
  limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, static_cast<rlim_t>(wanted));
  ::setrlimit(RLIMIT_NOFILE, &limit);
}

}  // namespace polc::io::spill
