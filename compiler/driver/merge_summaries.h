// Adding up shard summaries (see merge_summaries.cpp).
#pragma once

#include <string>
#include <vector>

namespace polc::driver {

// The summary JSON of the whole population from the shards' summary JSON files, or false
// with `error` naming the file and the member that does not fit.
bool MergeSummaries(const std::vector<std::string>& paths, std::string& merged, std::string& error);

}  // namespace polc::driver
