// `polc run --memory-limit SIZE`: the size given, the memory there is, and how many
// partitions an input needs (spill.h).
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <system_error>

#include <fmt/format.h>

#include "compiler/io/file_reader.h"
#include "compiler/io/spill.h"

namespace polc::io {

bool ParseMemorySize(std::string_view text, uint64_t& bytes, std::string& error) {
  auto fail = [&] {
    error = fmt::format("--memory-limit {}: expected a size such as 512M, 2G or 1.5GiB (a number and an optional unit B, K, M, G or T, powers of 1024)", text);
    return false;
  };
  size_t digits = 0;
  while (digits < text.size() && (std::isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.')) ++digits;
  const std::string_view number = text.substr(0, digits);
  if (number.empty() || number.front() == '.' || number.back() == '.' || std::count(number.begin(), number.end(), '.') > 1) return fail();
  double value = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc{} || end != number.data() + number.size()) return fail();
  std::string unit;
  for (const char c : text.substr(digits)) unit.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  double scale = 0;
  const std::pair<const char*, int> units[] = {{"", 0}, {"B", 0}, {"K", 1}, {"KB", 1}, {"KIB", 1}, {"M", 2}, {"MB", 2}, {"MIB", 2},
                                               {"G", 3}, {"GB", 3}, {"GIB", 3}, {"T", 4}, {"TB", 4}, {"TIB", 4}};
  for (const auto& [name, power] : units) {
    if (unit == name) scale = std::ldexp(1.0, 10 * power);
  }
  if (scale == 0) return fail();
  const double total = std::floor(value * scale);
  if (!(total >= 1) || total >= 0x1p63) {
    error = fmt::format("--memory-limit {}: {}", text, total < 1 ? "the size must be at least one byte" : "too large");
    return false;
  }
  bytes = static_cast<uint64_t>(total);
  return true;
}

uint64_t DefaultMemoryLimit() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return uint64_t{4} << 30;
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) / 2;
}

uint64_t InputBytes(const std::string& persons, const std::string& claims) {
  return detail::FileBytes(persons) + detail::FileBytes(claims);
}

uint64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

uint32_t PartitionsFor(uint64_t input_bytes, uint64_t limit, uint64_t resident) {
  // Measured (docs/performance.md): a run holds about this many bytes per input byte at its
  // peak (the tables, their texts and the formatted claim results kept for input order).
  constexpr uint64_t kBytesPerInputByte = 5;
  // What settling adds whatever the partition's size (measured: the JIT compiling the policy's
  // functions on their first call, and the allocator's pages not handed back between partitions).
  constexpr uint64_t kSettlingBytes = uint64_t{48} << 20;
  // Below this much room the limit cannot be held; the run then uses the most partitions.
  constexpr uint64_t kLeastRoom = uint64_t{4} << 20;
  const uint64_t used = resident + kSettlingBytes;
  const uint64_t room = std::max(limit > used ? limit - used : 0, kLeastRoom);
  const uint64_t need = input_bytes * kBytesPerInputByte;
  if (need <= room) return 1;
  return static_cast<uint32_t>(std::min<uint64_t>(kMaxPartitions, (need + room - 1) / room));
}

}  // namespace polc::io
