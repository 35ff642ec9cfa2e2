// LayOutAccumulators (accumulators.h).
#include "compiler/settle/accumulators.h"

#include "runtime/protocol.h"

namespace polc::settle {

AccRecordLayout LayOutAccumulators(const ir::Program& program, int32_t* bad_enum) {
  AccRecordLayout layout;
  if (bad_enum != nullptr) *bad_enum = -1;
  for (size_t i = 0; i < program.accumulators.size(); ++i) {
    const ir::Accumulator& acc = program.accumulators[i];
    AccPlace place;
    place.offset = layout.words;
    int64_t enum_words = 0;
    switch (acc.key_kind) {
      case ir::AccKey::None: place.kind = POLC_ACC_NONE; break;
      case ir::AccKey::Enum:
        place.kind = POLC_ACC_ENUM;
        if (acc.key_enum >= 0 && static_cast<size_t>(acc.key_enum) < program.enums.size()) {
          enum_words = static_cast<int64_t>(program.enums[static_cast<size_t>(acc.key_enum)].words.size());
        } else if (bad_enum != nullptr && *bad_enum < 0) {
          *bad_enum = static_cast<int32_t>(i);
        }
        break;
      case ir::AccKey::Int: place.kind = POLC_ACC_INT; break;
    }
    place.words = static_cast<int32_t>(polc_acc_words(place.kind, enum_words));
    layout.words += place.words;
    layout.accs.push_back(place);
  }
  return layout;
}

}  // namespace polc::settle
