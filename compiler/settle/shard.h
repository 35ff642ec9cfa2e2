// Sharding a population by person: `polc run --shard K/N` settles only the subjects whose key
// hashes to shard K, so N runs on N machines give disjoint results whose union is the single
// run's, and `polc merge` puts them back in input order (docs/scale.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/settle/inputs.h"

namespace polc::settle {

// Shard K of N, 0 <= K < N; the default 0/1 is the whole population.
struct Shard {
  uint32_t k = 0;
  uint32_t n = 1;
  bool All() const { return n == 1; }
};

// Parses "K/N" (decimal, 0 <= K < N <= 65536). False with `error` set otherwise.
bool ParseShard(std::string_view text, Shard& shard, std::string& error);

// FNV-1a, 64 bits, over the key's bytes (the UTF-8 id as written in the input).
uint64_t Fnv1a64(std::string_view bytes);
// The shard of a subject key among `n`: Fnv1a64(key) mod n.
uint32_t ShardOfKey(std::string_view key, uint32_t n);

// The shard of every subject row of `inputs` (its key as KeySpelling gives it).
std::vector<uint32_t> SubjectShards(const Inputs& inputs, uint32_t n);

// Keeps only the subjects of `shard` and their events, in input order (each table keeps its
// lines, so messages still name the input lines), and orders the events again. The text pools
// are kept whole.
void KeepShard(Inputs& inputs, const Shard& shard);

}  // namespace polc::settle
