// JSON string quoting, shared by every command that writes JSON (explain --json, diff --json).
#pragma once

#include <string>
#include <string_view>

namespace polc::rt {

// `text` as a JSON string literal, quotes included; control characters escaped.
std::string JsonQuote(std::string_view text);

}  // namespace polc::rt
