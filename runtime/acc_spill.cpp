// AccSpill and the protocol's messages (acc_spill.h).
#include "runtime/acc_spill.h"

#include <fmt/format.h>

namespace polc::rt {

void AccSpill::Clear() {
  if (!spilled_) return;
  for (auto& map : buckets_) map.clear();
  spilled_ = false;
}

int64_t* AccSpill::Callback(void* host, int32_t acc, int64_t key, int32_t create) {
  AccSpill& self = *static_cast<AccSpill*>(host);
  auto& map = self.buckets_[static_cast<size_t>(acc)];
  if (create == 0) {
    auto it = map.find(key);
    return it == map.end() ? nullptr : &it->second;
  }
  self.spilled_ = true;
  return &map[key];
}

std::string OverCapMessage(std::string_view acc, std::string_view subject_record,
                           std::string_view subject_key, std::string_view event_record,
                           std::string_view event_key) {
  return fmt::format("internal error: accumulator {} exceeds its cap for {} {} (after {} {})", acc,
                     subject_record, subject_key, event_record, event_key);
}

std::string WordOutsideTableMessage(std::string_view word, std::string_view table) {
  return fmt::format("internal error: word {} outside table {}", word, table);
}

}  // namespace polc::rt
