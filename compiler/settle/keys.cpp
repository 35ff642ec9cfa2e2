// Keys of input records: spelling, comparing, duplicates and settlement order (see keys.h).
#include "compiler/settle/keys.h"

#include <algorithm>
#include <functional>

#include <fmt/format.h>

namespace polc::settle {

using ir::Base;
using ir::Value;

std::string KeySpelling(const RecordTable& table, const TextPool* pools, uint32_t row) {
  const int32_t field = table.Decl().key_field;
  if (field < 0) return fmt::format("#{}", row + 1);
  const Value v = table.Get(row, field);
  if (!v.present) return "";
  if (table.Decl().fields[static_cast<size_t>(field)].type.base == Base::Text) {
    return std::string(pools[v.b].Get(v.a));
  }
  return fmt::format("{}", v.a);
}

int CompareKeys(const RecordTable& table, const TextPool* pools, uint32_t x, uint32_t y) {
  const int32_t field = table.Decl().key_field;
  if (field < 0) return x < y ? -1 : x > y ? 1 : 0;
  const Value a = table.Get(x, field), b = table.Get(y, field);
  if (a.present != b.present) return a.present ? 1 : -1;
  if (table.Decl().fields[static_cast<size_t>(field)].type.base == Base::Text) {
    const int c = pools[a.b].Get(a.a).compare(pools[b.b].Get(b.a));
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  return a.a < b.a ? -1 : a.a > b.a ? 1 : 0;
}

void CheckDuplicates(const RecordTable& table, const Inputs& inputs, const std::string& path,
                     int file_index, const std::vector<std::pair<std::string, uint64_t>>& bad_keys,
                     InputErrors& errors) {
  // One pass in line order over the stored rows and the rejected rows' keys (both already in
  // line order), through an open-addressing table of (hash, entry): the first row with a key
  // is the one every later repeat names.
  const int32_t key_field = table.Decl().key_field;
  const bool text_key = table.Decl().fields[static_cast<size_t>(key_field)].type.base == Base::Text;
  const size_t bad_count = text_key ? bad_keys.size() : 0;
  const size_t total = table.Size() + bad_count;
  // An entry is a stored row r (r) or a rejected row's key b (table.Size() + b).
  auto text = [&](size_t e) {
    if (e >= table.Size()) return std::string_view(bad_keys[e - table.Size()].first);
    const Value v = table.Get(static_cast<uint32_t>(e), key_field);
    return inputs.texts[v.b].Get(v.a);
  };
  auto line = [&](size_t e) { return e >= table.Size() ? bad_keys[e - table.Size()].second : table.Line(static_cast<uint32_t>(e)); };
  auto hash = [&](size_t e) -> uint64_t {
    if (text_key) return std::hash<std::string_view>{}(text(e));
    const Value v = table.Get(static_cast<uint32_t>(e), key_field);
    return v.present ? static_cast<uint64_t>(v.a) * 0x9E3779B97F4A7C15ull : ~uint64_t{0};
  };
  auto same = [&](size_t x, size_t y) {
    if (text_key) return text(x) == text(y);
    const Value a = table.Get(static_cast<uint32_t>(x), key_field), b = table.Get(static_cast<uint32_t>(y), key_field);
    return a.present == b.present && (!a.present || a.a == b.a);
  };
  struct Slot {
    uint64_t hash;
    uint64_t entry;  // UINT64_MAX: empty
  };
  size_t capacity = 16;
  while (capacity < total * 2) capacity *= 2;
  std::vector<Slot> slots(capacity, Slot{0, UINT64_MAX});
  const std::string& key_name = table.Decl().fields[static_cast<size_t>(key_field)].name;
  // Entries in line order, hashed a batch ahead so that each batch's slots are being loaded
  // while the batch before is inserted (the slots are a random walk through a large table).
  constexpr size_t kBatch = 16;
  size_t batch_entry[kBatch];
  uint64_t batch_hash[kBatch];
  size_t next_row = 0, next_bad = 0;
  for (;;) {
    size_t n = 0;
    while (n < kBatch && (next_row < table.Size() || next_bad < bad_count)) {
      if (next_bad >= bad_count || (next_row < table.Size() && table.Line(static_cast<uint32_t>(next_row)) < bad_keys[next_bad].second)) {
        batch_entry[n] = next_row++;
      } else {
        batch_entry[n] = table.Size() + next_bad++;
      }
      batch_hash[n] = hash(batch_entry[n]);
      __builtin_prefetch(&slots[batch_hash[n] & (capacity - 1)]);
      ++n;
    }
    if (n == 0) break;
    for (size_t b = 0; b < n; ++b) {
      const size_t e = batch_entry[b];
      const uint64_t h = batch_hash[b];
      for (size_t i = h & (capacity - 1);; i = (i + 1) & (capacity - 1)) {
        Slot& slot = slots[i];
        if (slot.entry == UINT64_MAX) {
          slot = {h, e};
          break;
        }
        if (slot.hash == h && same(slot.entry, e)) {
          const uint64_t at = line(e), first = line(slot.entry);
          const std::string key = e >= table.Size() ? std::string(text(e)) : KeySpelling(table, inputs.texts, static_cast<uint32_t>(e));
          errors.Add(file_index, at, fmt::format("{}:{}: duplicate {} '{}' (first on line {})", path, at, key_name, key, first));
          break;
        }
      }
    }
  }
}

void OrderEvents(Inputs& inputs) {
  const uint32_t subjects = inputs.subjects.Size();
  inputs.subject_begin.assign(static_cast<size_t>(subjects) + 1, 0);
  for (uint32_t s : inputs.event_subject) ++inputs.subject_begin[s + 1];
  for (uint32_t s = 0; s < subjects; ++s) inputs.subject_begin[s + 1] += inputs.subject_begin[s];
  inputs.event_order.assign(inputs.event_subject.size(), 0);
  std::vector<uint32_t> next(inputs.subject_begin.begin(), inputs.subject_begin.end() - 1);
  for (uint32_t e = 0; e < inputs.event_subject.size(); ++e) {
    inputs.event_order[next[inputs.event_subject[e]]++] = e;
  }
  const RecordTable& events = inputs.events;
  const int32_t order = events.Decl().order_field;
  auto less = [&](uint32_t x, uint32_t y) {
    if (order >= 0) {
      const Value a = events.Get(x, order), b = events.Get(y, order);
      if (a.present != b.present) return !a.present;
      if (a.a != b.a) return a.a < b.a;
    }
    const int c = CompareKeys(events, inputs.texts, x, y);
    return c != 0 ? c < 0 : x < y;
  };
  for (uint32_t s = 0; s < subjects; ++s) {
    std::sort(inputs.event_order.begin() + inputs.subject_begin[s],
              inputs.event_order.begin() + inputs.subject_begin[s + 1], less);
  }
}

}  // namespace polc::settle
