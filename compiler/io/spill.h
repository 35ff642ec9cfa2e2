// `polc run --memory-limit SIZE`: settling inputs that do not fit in memory in person-hash
// partitions spilled to temporary files. One pass splits both input files by the hash of the
// person key (a claim goes with its person); each partition is then read, checked and settled
// in memory like a whole run, its results written to a temporary file; a last pass merges the
// partitions' results back into input order. The result files are the same bytes as the
// in-memory run's, and so are the messages: the input errors (the same first errors in input
// order, claim ids repeated across partitions included) and the first run-time error in
// person order (with --format nhsa, then the first claim in input order whose amount does
// not fit). Temporary files live in $TMPDIR (else /tmp), have no name while they are
// used, and are gone when the run ends in any way (docs/scale.md).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/io/nhsa.h"
#include "compiler/settle/seam.h"
#include "compiler/settle/shard.h"

namespace polc::io {

// Parses a size: a number (decimals allowed) and an optional unit, B, K/KB/KiB, M/MB/MiB,
// G/GB/GiB, T/TB/TiB, all powers of 1024, case-insensitive: "512M", "2G", "1.5GiB", "800000".
// False with `error` naming the text otherwise (zero is not a size).
bool ParseMemorySize(std::string_view text, uint64_t& bytes, std::string& error);
// Half of the physical memory (sysconf), or 4 GiB where it cannot be known.
uint64_t DefaultMemoryLimit();
// The two input files' sizes together (a missing file counts 0).
uint64_t InputBytes(const std::string& persons, const std::string& claims);
// The process's resident memory now (/proc/self/statm), 0 where unknown.
uint64_t ResidentBytes();

// How many partitions inputs of `input_bytes` (both files) need to stay under `limit` when
// the process already uses `resident` bytes: 1 when they fit (the ordinary in-memory run),
// at most kMaxPartitions.
constexpr uint32_t kMaxPartitions = 256;
uint32_t PartitionsFor(uint64_t input_bytes, uint64_t limit, uint64_t resident);

struct PartitionedRun {
  const ir::Program* program = nullptr;
  settle::RowChecker* checker = nullptr;
  const std::vector<settle::SettleFn>* settlers = nullptr;
  std::string persons, claims;                // input files
  std::string out, persons_out, next_out;     // result files (the last two may be empty)
  // --format nhsa: `out` holds the claim results under this mapping (read from `mapping`).
  const std::vector<NhsaField>* nhsa = nullptr;
  std::string mapping;
  uint32_t partitions = 2;
  int threads = 1;
  settle::Shard shard;
  std::string temp_dir;  // empty: $TMPDIR, else /tmp
  // Called before each phase ("splitting", "settling part 3 of 8", "merging").
  std::function<void(const std::string& phase)> phase;
};

enum class PartitionedOutcome { kOk, kInputErrors, kFailed };

// Runs `run`. kInputErrors: `message` holds the rendered input errors (lines ending in a
// newline, as ReadInputs' errors render); kFailed: `message` is the error (a run-time error,
// a file that cannot be written). No result file is left behind unless kOk.
PartitionedOutcome RunPartitioned(const PartitionedRun& run, std::string& message);

}  // namespace polc::io
