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
                     InputErrors& errors, const LineNames* names) {
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
          errors.Add(file_index, at,
                     names != nullptr
                         ? fmt::format("{}: duplicate {} '{}' (first {})", names->At(at), key_name, key, names->Earlier(first))
                         : fmt::format("{}:{}: duplicate {} '{}' (first on line {})", path, at, key_name, key, first));
          break;
        }
      }
    }
  }
}

void OrderEvents(Inputs& inputs) {
  const uint32_t subjects = inputs.subjects.Size();
  const size_t n = inputs.event_subject.size();
  inputs.subject_begin.assign(static_cast<size_t>(subjects) + 1, 0);
  for (uint32_t s : inputs.event_subject) ++inputs.subject_begin[s + 1];
  for (uint32_t s = 0; s < subjects; ++s) inputs.subject_begin[s + 1] += inputs.subject_begin[s];
  const RecordTable& events = inputs.events;
  const int32_t order = events.Decl().order_field;
  // Each event's order cell is read in input order (sequentially) and placed beside it in its
  // subject's group, so that sorting a group reads only the group's own entries: the events
  // are in any order in the file, and reading their rows in settlement order would miss the
  // cache once per event.
  std::vector<uint32_t>& event_order = inputs.event_order;
  event_order.assign(n, 0);
  std::vector<int64_t> value(order >= 0 ? n : 0);
  std::vector<uint8_t> present(order >= 0 ? n : 0);
  {
    std::vector<uint32_t> next(inputs.subject_begin.begin(), inputs.subject_begin.end() - 1);
    for (uint32_t e = 0; e < n; ++e) {
      const uint32_t at = next[inputs.event_subject[e]]++;
      event_order[at] = e;
      if (order >= 0) {
        const Value v = events.Get(e, order);
        value[at] = v.a;
        present[at] = v.present ? 1 : 0;
      }
    }
  }
  struct Entry {
    int64_t value;
    uint32_t event;
    uint8_t present;
  };
  // (order cell: absent first, then by its value; then the key; then the input row)
  auto less = [&](const Entry& x, const Entry& y) {
    if (order >= 0) {
      if (x.present != y.present) return x.present < y.present;
      if (x.value != y.value) return x.value < y.value;
    }
    const int c = CompareKeys(events, inputs.texts, x.event, y.event);
    return c != 0 ? c < 0 : x.event < y.event;
  };
  auto entry = [&](size_t k) { return Entry{order >= 0 ? value[k] : 0, event_order[k], order >= 0 ? present[k] : uint8_t{1}}; };
  auto store = [&](size_t k, const Entry& x) {
    event_order[k] = x.event;
    if (order >= 0) {
      value[k] = x.value;
      present[k] = x.present;
    }
  };
  std::vector<Entry> group;
  for (uint32_t s = 0; s < subjects; ++s) {
    const size_t begin = inputs.subject_begin[s], end = inputs.subject_begin[s + 1];
    if (end - begin <= 16) {
      // Insertion sort: a person's few events (the order is total, so any sort gives this one).
      for (size_t k = begin + 1; k < end; ++k) {
        const Entry x = entry(k);
        size_t j = k;
        for (; j > begin; --j) {
          const Entry y = entry(j - 1);
          if (!less(x, y)) break;
          store(j, y);
        }
        store(j, x);
      }
      continue;
    }
    group.clear();
    for (size_t k = begin; k < end; ++k) group.push_back(entry(k));
    std::sort(group.begin(), group.end(), less);
    for (size_t k = begin; k < end; ++k) store(k, group[k - begin]);
  }
}

}  // namespace polc::settle
