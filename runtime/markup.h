// Escaping text for HTML and XML documents (the HTML report of diff/summary, JUnit files of test).
#pragma once

#include <string>
#include <string_view>

namespace polc::rt {

// `text` with <, >, & and " replaced by their entities: safe in element text and quoted attributes.
std::string EscapeMarkup(std::string_view text);

}  // namespace polc::rt
