// Keys of input records: spelling and ordering rows by key, the subject
// key index used to resolve events' parents, duplicate detection and the settlement order.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compiler/settle/inputs.h"

namespace polc::settle {

// A row's key as text: Text keys as written, other keys (integers) in decimal.
std::string KeySpelling(const RecordTable& table, const TextPool* pools, uint32_t row);
// Orders rows by key: text keys by bytes, others by number (-1, 0, 1).
int CompareKeys(const RecordTable& table, const TextPool* pools, uint32_t x, uint32_t y);

// Subject keys -> subject rows, for the events' parent lookups: open addressing over
// (hash, key view, row, value), so a lookup touches one slot and, on a hash match, the key's bytes.
// The views point into storage that no longer changes once the subjects are read.
class KeyIndex {
 public:
  static constexpr uint32_t kMissing = UINT32_MAX - 1;
  // The row of a key whose own row was rejected: its events are not reported as orphans.
  static constexpr uint32_t kRejected = UINT32_MAX;

  void Reserve(size_t keys) {
    size_t capacity = 16;
    while (capacity < keys * 2) capacity *= 2;
    slots_.assign(capacity, Slot{});
  }
  // Keeps the first row of a repeated key (the repeat is reported as a duplicate). `value` is
  // kept beside the row for the caller (Find); -1 when it has none (or one of 2^32 - 1 or
  // more: Find then gives -1).
  void Insert(std::string_view key, uint32_t row, int64_t value = -1) {
    if ((used_ + 1) * 2 > slots_.size()) Grow();
    const uint64_t hash = Hash(key);
    for (size_t i = hash & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1)) {
      Slot& slot = slots_[i];
      if (slot.row == kEmpty) {
        const bool small = value >= 0 && value < kNoValue;
        slot = {key.data(), static_cast<uint32_t>(hash >> 32), static_cast<uint32_t>(key.size()), row,
                small ? static_cast<uint32_t>(value) : kNoValue};
        ++used_;
        return;
      }
      if (slot.hash == static_cast<uint32_t>(hash >> 32) && View(slot) == key) return;
    }
  }
  static uint64_t Hash(std::string_view key) { return std::hash<std::string_view>{}(key); }
  // Starts loading the slot a lookup of a key with this hash reads first.
  void Prefetch(uint64_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[hash & (slots_.size() - 1)]);
  }
  uint32_t Find(std::string_view key) const { return Find(key, Hash(key)); }
  // `hash` is Hash(key); `value`, when given, is set to the value inserted with the row.
  uint32_t Find(std::string_view key, uint64_t hash, int64_t* value = nullptr) const {
    if (slots_.empty()) return kMissing;
    for (size_t i = hash & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1)) {
      const Slot& slot = slots_[i];
      if (slot.row == kEmpty) return kMissing;
      if (slot.hash == static_cast<uint32_t>(hash >> 32) && View(slot) == key) {
        if (value != nullptr) *value = slot.value == kNoValue ? -1 : static_cast<int64_t>(slot.value);
        return slot.row;
      }
    }
  }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX - 2;
  static constexpr uint32_t kNoValue = UINT32_MAX;
  // 24 bytes: the hash's upper half (its lower bits are the slot), the key, row and value.
  struct Slot {
    const char* data = nullptr;
    uint32_t hash = 0;
    uint32_t size = 0;
    uint32_t row = kEmpty;
    uint32_t value = kNoValue;  // kNoValue: none, or too large to keep here
  };
  static std::string_view View(const Slot& slot) { return {slot.data, slot.size}; }
  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(std::max<size_t>(16, old.size() * 2), Slot{});
    used_ = 0;
    for (const Slot& slot : old) {
      if (slot.row != kEmpty) Insert(View(slot), slot.row, slot.value == kNoValue ? int64_t{-1} : int64_t{slot.value});
    }
  }
  std::vector<Slot> slots_;
  size_t used_ = 0;
};

// Reports every key that repeats an earlier one, naming the line of the first (lines as
// `names` names them, when given). Rows rejected for other errors take part through `bad_keys`
// (text keys only, as written), so a duplicate of a bad row is still reported.
void CheckDuplicates(const RecordTable& table, const Inputs& inputs, const std::string& path,
                     int file_index, const std::vector<std::pair<std::string, uint64_t>>& bad_keys,
                     InputErrors& errors, const LineNames* names = nullptr);

// Groups events by subject (stable), then orders each group by (order field, key).
void OrderEvents(Inputs& inputs);

}  // namespace polc::settle
