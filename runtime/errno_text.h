// The text of an errno value ("No such file or directory"), for the messages that name a file.
#pragma once

#include <string>
#include <system_error>

namespace polc::rt {

inline std::string ErrnoText(int error_number) {
  return std::error_code(error_number, std::generic_category()).message();
}

}  // namespace polc::rt
