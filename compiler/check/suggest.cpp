// Did-you-mean: the closest candidate to a misspelt name or word, by edit distance, and the
// short lists of valid words that an "is not a word" message ends with.
#include "compiler/check/checker.h"

#include <algorithm>

namespace polc::check {

namespace {

// Levenshtein distance with adjacent transpositions counting one edit (optimal string alignment).
size_t Distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

}  // namespace

std::string Closest(const std::string& name, const std::vector<std::string>& candidates) {
  // Short names allow one edit, longer ones two, long ones three; one or two letters are
  // too short to guess from.
  if (name.size() < 3) return "";
  size_t limit = name.size() < 5 ? 1 : name.size() < 10 ? 2 : 3;
  std::string best;
  size_t best_distance = limit + 1;
  for (const std::string& c : candidates) {
    if (c == name || c.size() > name.size() + limit || name.size() > c.size() + limit) continue;
    size_t d = Distance(name, c);
    if (d < best_distance || (d == best_distance && c < best)) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

Diagnostic& Checker::UnknownWordError(int enum_id, SourceRange range, const std::string& word, const char* tail) {
  const ir::Enum& en = p_.enums[enum_id];
  std::vector<std::string> words;
  for (const auto& w : en.words) words.push_back(w.name);
  std::string best = Closest(word, words);
  std::string message = fmt::format("'{}' is not a word of enumeration {}{}", word, en.name, tail);
  if (!best.empty()) message += fmt::format("; did you mean '{}'?", best);
  if (words.size() <= 8) {
    std::string list;
    for (const std::string& w : words) list += (list.empty() ? "" : ", ") + w;
    message += fmt::format(" (its words: {})", list);
  }
  Diagnostic& d = sink_.Report(DiagKind::UnknownWord, file_, range, std::move(message));
  if (!best.empty()) d.fixits.push_back({range, best});
  return d;
}

Diagnostic& Checker::UnknownNameError(SourceRange range, const std::string& message, const std::string& name,
                                      const std::vector<std::string>& candidates, bool name_at_end) {
  std::string best = Closest(name, candidates);
  Diagnostic& d = sink_.Report(DiagKind::UnknownName, file_, range,
                               best.empty() ? message : fmt::format("{}; did you mean '{}'?", message, best));
  if (best.empty()) return d;
  SourceRange at = range;
  if (name_at_end) {  // `base.name`: only the name after the dot is replaced
    at.begin_line = at.end_line;
    at.begin_col = at.end_col - static_cast<uint32_t>(name.size());
  }
  d.fixits.push_back({at, best});
  // The definition it meant is used: no "never used" warning on top of the typo.
  auto s = symbols_.find(best);
  if (s != symbols_.end()) s->second.used = true;
  return d;
}

}  // namespace polc::check
