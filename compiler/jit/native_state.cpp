// NativeState: buffers and callbacks behind the compiled entry points.
#include "compiler/jit/native_state.h"

namespace polc::jit {

NativeState::NativeState(const Engine& engine) : engine_(engine), entries_(engine.Entries()) {
  const Layout& layout = engine.GetLayout();
  params_.resize(static_cast<size_t>(layout.param_count));
  subject_memo_.resize(static_cast<size_t>(layout.subject_memo_slots));
  subject_known_.assign(static_cast<size_t>(layout.subject_memo_slots), 0);
  acc_.assign(static_cast<size_t>(layout.acc_words), 0);
  spill_.Resize(layout.accs.size());
  state_.params = params_.data();
  state_.subject_memo = subject_memo_.data();
  state_.subject_known = subject_known_.data();
  state_.host = this;
  state_.text_equal = &NativeState::TextEqualThunk;
  state_.int_bucket = &NativeState::IntBucketThunk;
  // Without pools, texts from the same pool compare by index (each row's text is distinct).
  text_equal_ = [](int64_t la, int64_t lb, int64_t ra, int64_t rb) { return la == ra && lb == rb; };
}

void NativeState::BeginSubject() {
  entries_.begin_subject(&state_, acc_.data());
  spill_.Clear();
}

int32_t NativeState::TextEqualThunk(void* host, int64_t la, int64_t lb, int64_t ra, int64_t rb) {
  return static_cast<NativeState*>(host)->text_equal_(la, lb, ra, rb) ? 1 : 0;
}

int64_t* NativeState::IntBucketThunk(void* host, int32_t acc, int64_t key, int32_t create) {
  return rt::AccSpill::Callback(&static_cast<NativeState*>(host)->spill_, acc, key, create);
}

std::string NativeState::Failure(int32_t status, const std::string& subject_key,
                             const std::string& event_key) const {
  return FailureMessage(engine_.Program(), engine_.GetLayout(), status, state_.error_detail,
                        subject_key, event_key);
}

}  // namespace polc::jit
