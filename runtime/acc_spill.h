// The host side of the accumulator protocol (runtime/protocol.h): the int-keyed buckets past
// the inline ones, and the messages both engines give for a failed update.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/protocol.h"

namespace polc::rt {

// Int-keyed buckets past the record's inline ones, per accumulator (node-based maps: the
// addresses handed out stay valid until Clear).
class AccSpill {
 public:
  explicit AccSpill(size_t accumulators = 0) : buckets_(accumulators) {}
  void Resize(size_t accumulators) { buckets_.resize(accumulators); }
  // Forgets every bucket (a new subject); cheap when nothing spilled.
  void Clear();
  // polc_spill_fn, with `host` an AccSpill.
  static int64_t* Callback(void* host, int32_t acc, int64_t key, int32_t create);

 private:
  std::vector<std::unordered_map<int64_t, int64_t>> buckets_;
  bool spilled_ = false;
};

// "internal error: accumulator <acc> exceeds its cap for <subject record> <key> (after
// <event record> <key>)": an update left a total over its cap (POLC_APPLY_OVER_CAP).
std::string OverCapMessage(std::string_view acc, std::string_view subject_record,
                           std::string_view subject_key, std::string_view event_record,
                           std::string_view event_key);

// The messages (after the policy location) of the other failures of the protocol.
inline constexpr const char* kOverflowMessage = "arithmetic overflow";
inline constexpr const char* kKeyOutsideEnumMessage = "internal error: accumulator key outside its enumeration";
// "internal error: word <word> outside table <table>" (an enum table's lookup; `word` as text,
// so the JIT can leave a mark where its failing value goes).
std::string WordOutsideTableMessage(std::string_view word, std::string_view table);

}  // namespace polc::rt
