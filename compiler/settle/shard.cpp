// Sharding by person key (see shard.h).
#include "compiler/settle/shard.h"

#include <charconv>

#include <fmt/format.h>

#include "compiler/settle/keys.h"

namespace polc::settle {

namespace {

bool ParseNumber(std::string_view text, uint32_t& out) {
  if (text.empty() || text.size() > 6) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

// A copy of `from`'s rows `rows` (in that order) into a table of the same declaration.
RecordTable CopyRows(const RecordTable& from, const std::vector<uint32_t>& rows) {
  RecordTable to;
  to.Init(from.Decl(), from.Kind());
  const auto fields = static_cast<int32_t>(from.Decl().fields.size());
  for (int32_t f = 0; f < fields; ++f) to.SetTextPool(f, from.TextPoolOf(f));
  to.Reserve(rows.size());
  std::vector<ir::Value> values(static_cast<size_t>(fields));
  for (uint32_t row : rows) {
    from.CopyRow(row, values.data());
    to.Append(values, from.Line(row));
  }
  return to;
}

}  // namespace

bool ParseShard(std::string_view text, Shard& shard, std::string& error) {
  const size_t slash = text.find('/');
  Shard parsed;
  if (slash == std::string_view::npos || !ParseNumber(text.substr(0, slash), parsed.k) ||
      !ParseNumber(text.substr(slash + 1), parsed.n) || parsed.n == 0 || parsed.n > 65536 ||
      parsed.k >= parsed.n) {
    error = fmt::format("--shard {}: expected K/N with 0 <= K < N <= 65536 (shards are numbered from 0), e.g. 0/4", text);
    return false;
  }
  shard = parsed;
  return true;
}

uint64_t Fnv1a64(std::string_view bytes) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

uint32_t ShardOfKey(std::string_view key, uint32_t n) { return static_cast<uint32_t>(Fnv1a64(key) % n); }

std::vector<uint32_t> SubjectShards(const Inputs& inputs, uint32_t n) {
  std::vector<uint32_t> shards(inputs.subjects.Size());
  for (uint32_t s = 0; s < inputs.subjects.Size(); ++s) {
    shards[s] = ShardOfKey(KeySpelling(inputs.subjects, inputs.texts, s), n);
  }
  return shards;
}

void KeepShard(Inputs& inputs, const Shard& shard) {
  if (shard.All()) return;
  const std::vector<uint32_t> shards = SubjectShards(inputs, shard.n);
  constexpr uint32_t kDropped = UINT32_MAX;
  std::vector<uint32_t> new_row(shards.size(), kDropped);
  std::vector<uint32_t> subjects;
  for (uint32_t s = 0; s < shards.size(); ++s) {
    if (shards[s] != shard.k) continue;
    new_row[s] = static_cast<uint32_t>(subjects.size());
    subjects.push_back(s);
  }
  std::vector<uint32_t> events, event_subject;
  for (uint32_t e = 0; e < inputs.events.Size(); ++e) {
    const uint32_t s = new_row[inputs.event_subject[e]];
    if (s == kDropped) continue;
    events.push_back(e);
    event_subject.push_back(s);
  }
  inputs.subjects = CopyRows(inputs.subjects, subjects);
  inputs.events = CopyRows(inputs.events, events);
  inputs.event_subject = std::move(event_subject);
  OrderEvents(inputs);
}

}  // namespace polc::settle
