// libFuzzer harness for the CSV side: any bytes as a CSV file, read by rt::CsvReader with a
// tiny and a default chunk size (the same rows either way, or the same error), then as the
// claims file of the Huaihua 2026 policy through io::ReadInputs (field syntax, UTF-8 and
// NUL checks, parents, duplicates, the located messages). Built by tools/run-fuzz.sh.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "compiler/driver/compile.h"
#include "compiler/interp/interp.h"
#include "compiler/io/read_inputs.h"
#include "compiler/settle/inputs.h"
#include "runtime/csv.h"

#ifndef POLC_SOURCE_DIR
#define POLC_SOURCE_DIR "."
#endif

namespace {

// In-memory regular files (memfd: no disk, no cleanup), named through /proc/self/fd.
int MemFile(const char* name) {
  const int fd = ::memfd_create(name, 0);
  if (fd < 0) std::abort();
  return fd;
}

std::string FdPath(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

// The input, rewritten for each run.
const int kInputFd = MemFile("polc-fuzz-claims.csv");

const std::string& InputPath() {
  static const std::string path = FdPath(kInputFd);
  return path;
}

void WriteAt(int fd, const uint8_t* data, size_t size) {
  if (::ftruncate(fd, 0) != 0) std::abort();
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pwrite(fd, data + done, size - done, static_cast<off_t>(done));
    if (n <= 0) std::abort();
    done += static_cast<size_t>(n);
  }
}

// The first persons of the sample population: the claims' parents (few, so a run is quick).
const std::string& PersonsPath() {
  static const std::string path = [] {
    polc::rt::CsvReader reader;
    std::string error;
    if (!reader.Open(std::string(POLC_SOURCE_DIR) + "/examples/persons.csv", error)) std::abort();
    polc::rt::CsvWriter writer;
    std::vector<std::string_view> fields;
    for (int row = 0; row < 40 && reader.Next(fields); ++row) {
      for (std::string_view f : fields) writer.Field(f);
      writer.EndRow();
    }
    const std::string text = writer.Take();
    const int fd = MemFile("polc-fuzz-persons.csv");
    WriteAt(fd, reinterpret_cast<const uint8_t*>(text.data()), text.size());
    return FdPath(fd);
  }();
  return path;
}

std::vector<std::vector<std::string>> ReadAllRows(size_t chunk, std::string& error) {
  polc::rt::CsvReader reader(chunk);
  std::vector<std::vector<std::string>> rows;
  if (!reader.Open(InputPath(), error)) return rows;
  std::vector<std::string_view> fields;
  while (reader.Next(fields)) rows.emplace_back(fields.begin(), fields.end());
  error = reader.Error();
  return rows;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<polc::driver::Compilation> policy = [] {
    auto c = polc::driver::CompileFile(std::string(POLC_SOURCE_DIR) + "/policies/huaihua-2026.policy");
    if (!c->ok) std::abort();
    return c;
  }();
  WriteAt(kInputFd, data, size);
  std::string small_error, large_error;
  const auto small = ReadAllRows(4, small_error);
  const auto large = ReadAllRows(polc::rt::CsvReader::kDefaultChunkBytes, large_error);
  // The chunk size is invisible: the same rows and the same error.
  if (small != large || small_error != large_error) std::abort();

  polc::interp::Interpreter interp(policy->program);
  polc::settle::Inputs inputs;
  polc::settle::InputErrors errors;
  polc::io::ReadOptions options;
  (void)polc::io::ReadInputs(interp, PersonsPath(), InputPath(), inputs, errors, options);
  (void)errors.Render();
  return 0;
}
