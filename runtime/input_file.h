// Opening the files polc reads (policies, csv tables, persons, claims, cache entries) in one
// place: each must be a regular file within its size limit, checked with fstat before a byte
// is read, so a FIFO cannot hang a run and a device cannot be read without bound.
#pragma once

#include <cstdint>
#include <string>

namespace polc::rt {

constexpr uint64_t kNoSizeLimit = UINT64_MAX;

struct InputOptions {
  uint64_t max_bytes = kNoSizeLimit;
  bool no_follow = false;  // refuse a symbolic link as the last component (cache entries)
  bool own_only = false;   // refuse a file another user owns (cache entries)
};

// Why an input cannot be read, beyond errno.
enum class InputProblem { kNone, kOpen, kNotRegular, kTooLarge, kRead };

// Opens `path` read-only (close-on-exec). On failure returns -1 and sets `error` to a message
// naming the path ("cannot read 'P': it is a FIFO"). `size` receives fstat's size.
int OpenInput(const std::string& path, const InputOptions& options, std::string& error,
              uint64_t* size = nullptr, InputProblem* problem = nullptr);

// Reads the whole of `path` through OpenInput; a file that grows past the limit while it is
// read is refused as well.
bool ReadInput(const std::string& path, const InputOptions& options, std::string& text,
               std::string& error, InputProblem* problem = nullptr);

// "a directory", "a FIFO (named pipe)", "a character device", ... for st_mode.
const char* FileTypeName(unsigned mode);

}  // namespace polc::rt
