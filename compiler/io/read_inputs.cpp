// ReadInputs: the subject file, its key index and duplicate check, then the event file with
// each event's parent resolved, then the settlement order.
#include "compiler/io/read_inputs.h"

#include <algorithm>
#include <deque>
#include <thread>

#include "compiler/io/file_reader.h"
#include "compiler/settle/keys.h"

namespace polc::io {

using detail::FileReader;
using detail::SharesSubjectKey;
using ir::Base;
using ir::Value;
using settle::CheckDuplicates;
using settle::InputErrors;
using settle::Inputs;
using settle::KeyIndex;
using settle::KeySpelling;
using settle::OrderEvents;

uint64_t LineMap::Cursor::operator()(uint64_t line) {
  const std::vector<uint64_t>& local = map_.local;
  if (next_ == 0 || local[next_ - 1] >= line) {
    // The first lookup (a part of a large file starts anywhere), or an earlier line.
    next_ = static_cast<size_t>(std::lower_bound(local.begin(), local.end(), line) - local.begin());
  } else {
    // Every row before next_ starts before `line`.
    while (next_ < local.size() && local[next_] < line) ++next_;
  }
  return next_ < local.size() && local[next_] == line ? map_.input[next_] : line;
}

bool ReadInputs(settle::RowChecker& checker, const std::string& subject_path,
                const std::string& event_path, Inputs& inputs, InputErrors& errors,
                int64_t year_shift) {
  ReadOptions options;
  options.year_shift = year_shift;
  return ReadInputs(checker, subject_path, event_path, inputs, errors, options);
}

bool ReadInputs(settle::RowChecker& checker, const std::string& subject_path,
                const std::string& event_path, Inputs& inputs, InputErrors& errors,
                const ReadOptions& options) {
  const int64_t year_shift = options.year_shift;
  const ir::Program& program = checker.Program();
  if (program.records[0].key_field < 0 || program.records[1].parent_field < 0) {
    errors.Add(0, 0, "internal error: the policy's records have no subject key or event parent");
    return false;
  }
  const InputOrigin& subject_origin = options.origin[0];
  const InputOrigin& event_origin = options.origin[1];
  // The paths messages name: the real inputs'.
  const std::string& subject_name = subject_origin.Name(subject_path);
  const std::string& event_name = event_origin.Name(event_path);
  inputs.subject_file = subject_name;
  inputs.event_file = event_name;
  inputs.subjects.Init(program.records[0], 0);
  inputs.events.Init(program.records[1], 1);
  checker.AttachPools(inputs.texts[0], inputs.texts[1]);

  FileReader subjects{checker, inputs, errors, 0, subject_path, inputs.subjects, inputs.texts[0],
                      inputs.event_subject, subject_origin};
  subjects.year_shift = year_shift;
  const bool subjects_read = subjects.Read(options.threads, options.parallel_min_bytes);
  KeyIndex subject_of;
  std::deque<std::string> spellings;  // non-text keys, kept alive for the index's views
  const int32_t key_field = program.records[0].key_field;
  if (subjects_read) {
    subject_of.Reserve(inputs.subjects.Size() + subjects.bad_keys.size());
    const bool text_key = program.records[0].fields[static_cast<size_t>(key_field)].type.base == Base::Text;
    for (uint32_t s = 0; s < inputs.subjects.Size(); ++s) {
      std::string_view key;
      int64_t key_value = -1;  // the key's text index, so that events need not read the row
      if (text_key) {
        const Value v = inputs.subjects.Get(s, key_field);
        key = inputs.texts[0].Get(v.a);
        if (v.present) key_value = v.a;
      } else {
        key = spellings.emplace_back(KeySpelling(inputs.subjects, inputs.texts, s));
      }
      subject_of.Insert(key, s, key_value);
    }
    // Rows rejected for other errors still name their subject.
    for (const auto& [key, line] : subjects.bad_keys) subject_of.Insert(spellings.emplace_back(key), KeyIndex::kRejected);
    CheckDuplicates(inputs.subjects, inputs, subject_name, 0, subjects.bad_keys, errors, subject_origin.names);
  }

  FileReader events{checker, inputs, errors, 1, event_path, inputs.events, inputs.texts[1],
                    inputs.event_subject, event_origin};
  events.year_shift = year_shift;
  if (subjects_read) {
    events.subject_of = &subject_of;
    const int32_t parent = program.records[1].parent_field;
    if (SharesSubjectKey(program)) inputs.events.SetTextPool(parent, 0);
  }
  const bool events_read = events.Read(options.threads, options.parallel_min_bytes);
  const bool check_keys = events_read && program.records[1].key_field >= 0 && options.check_event_keys;
  if (check_keys && errors.Empty() && options.threads > 1) {
    // The settlement order only reads the tables, the duplicate check only writes errors: with
    // a second thread they run side by side (the order is dropped if a duplicate turns up).
    std::thread order([&inputs] { OrderEvents(inputs); });
    CheckDuplicates(inputs.events, inputs, event_name, 1, events.bad_keys, errors, event_origin.names);
    order.join();
    return errors.Empty();
  }
  if (check_keys) CheckDuplicates(inputs.events, inputs, event_name, 1, events.bad_keys, errors, event_origin.names);
  if (!errors.Empty()) return false;
  OrderEvents(inputs);
  return true;
}

}  // namespace polc::io
