// polc-gen profiles, internal: one key's value parsed into an expression (tools/gen/parse.cpp).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tools/gen/profile.h"

namespace polc::gen {

// A key's value: its text, split into the lines it spans (continuation lines start with blanks).
struct Value {
  std::vector<std::pair<int, std::string>> lines;
  int line() const { return lines.front().first; }
};

// How literals are read: whole numbers, yuan (to fen, up to two decimals), percentages (to
// basis points, up to two decimals).
enum class Unit : uint8_t { kPlain, kMoney, kRate };

struct KeySpec {
  Type type;
  Unit unit;
  uint32_t vars;  // bit mask of the Vars the key may read
};

constexpr uint32_t Bit(Var v) { return uint32_t{1} << v; }
constexpr uint32_t kPersonVars = Bit(kBirth) | Bit(kEnrolled) | Bit(kEvent) | Bit(kAge) | Bit(kLapsed) |
                                 Bit(kRepaired) | Bit(kPriorInsured) | Bit(kZeroClaim) | Bit(kEmployeeEnd);

// A [define] entry: its text is spliced in wherever "@name" appears, and read in that key's terms.
struct Define {
  Value value;
  bool expanding = false;
};

Expr ParseValue(Profile& profile, std::map<std::string, Define>& defines, int year, const Value& value,
                const KeySpec& spec);

}  // namespace polc::gen
