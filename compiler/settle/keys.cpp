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
  // Sorting by a hash of the key first keeps most comparisons to one integer compare.
  struct Entry {
    uint64_t hash;
    uint32_t row;
    int32_t bad;  // index into bad_keys, or -1 for a stored row
  };
  const int32_t key_field = table.Decl().key_field;
  const bool text_key = table.Decl().fields[static_cast<size_t>(key_field)].type.base == Base::Text;
  auto text = [&](const Entry& e) {
    if (e.bad >= 0) return std::string_view(bad_keys[static_cast<size_t>(e.bad)].first);
    const Value v = table.Get(e.row, key_field);
    return inputs.texts[v.b].Get(v.a);
  };
  auto hash = [&](const Entry& e) -> uint64_t {
    if (text_key) return std::hash<std::string_view>{}(text(e));
    const Value v = table.Get(e.row, key_field);
    return v.present ? static_cast<uint64_t>(v.a) : ~uint64_t{0};
  };
  std::vector<Entry> entries;
  entries.reserve(table.Size() + bad_keys.size());
  for (uint32_t r = 0; r < table.Size(); ++r) entries.push_back({0, r, -1});
  if (text_key) {
    for (size_t b = 0; b < bad_keys.size(); ++b) entries.push_back({0, 0, static_cast<int32_t>(b)});
  }
  for (Entry& e : entries) e.hash = hash(e);
  auto compare = [&](const Entry& x, const Entry& y) {
    if (x.hash != y.hash) return x.hash < y.hash ? -1 : 1;
    if (x.bad < 0 && y.bad < 0) return CompareKeys(table, inputs.texts, x.row, y.row);
    const int c = text(x).compare(text(y));
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  };
  auto line = [&](const Entry& e) {
    return e.bad >= 0 ? bad_keys[static_cast<size_t>(e.bad)].second : table.Line(e.row);
  };
  std::sort(entries.begin(), entries.end(), [&](const Entry& x, const Entry& y) { return compare(x, y) < 0; });
  const std::string& key_name = table.Decl().fields[static_cast<size_t>(key_field)].name;
  for (size_t begin = 0, end = 0; begin < entries.size(); begin = end) {
    end = begin + 1;
    uint64_t first = line(entries[begin]);
    while (end < entries.size() && compare(entries[begin], entries[end]) == 0) first = std::min(first, line(entries[end++]));
    for (size_t i = begin; i < end && end - begin > 1; ++i) {
      const uint64_t at = line(entries[i]);
      if (at == first) continue;
      const std::string key = entries[i].bad >= 0 ? std::string(text(entries[i])) : KeySpelling(table, inputs.texts, entries[i].row);
      errors.Add(file_index, at, fmt::format("{}:{}: duplicate {} '{}' (first on line {})", path, at, key_name, key, first));
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
