// Adding up shard summaries (see merge_summaries.cpp).
#pragma once

#include <string>
#include <vector>

namespace polc::driver {

// The summary JSON of the whole population from the shards' summary JSON files, or false
// with `error` naming the file and the member that does not fit.
// A part that is a `polc diff --format json` output goes to MergeImpacts.
bool MergeSummaries(const std::vector<std::string>& paths, std::string& merged, std::string& error);

// merge_impacts.cpp: whether `text` is a polc diff JSON output; the diff JSON of the whole
// population from the `polc diff --shard K/N --format json` outputs (`texts`, read from `paths`)
// of all its shards, or false with `error` naming the file and the member that does not fit.
bool IsDiffJson(const std::string& text);
bool MergeImpacts(const std::vector<std::string>& paths, const std::vector<std::string>& texts, std::string& merged,
                  std::string& error);

}  // namespace polc::driver
