// Reading a polc-gen profile: the sections and keys, what each key's value may be, and the
// cross-checks between sections (every drawn category has its rules, every section is used).
#include "tools/gen/profile.h"

#include <fmt/core.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <set>

#include "tools/gen/parse.h"

namespace polc::gen {
namespace {

struct Entry {
  std::string key;
  Value value;
};

struct Section {
  std::string kind, name;
  int line = 0;
  std::vector<Entry> entries;
};

bool IsName(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char ch : s) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_') return false;
  }
  return true;
}

std::string Trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  const size_t b = s.find_last_not_of(" \t\r");
  return s.substr(a, b - a + 1);
}

class Loader {
 public:
  Loader(const std::string& path, int year) : year_(year) { profile_.path = path; }

  Profile Load() {
    Read();
    for (Section& s : sections_) {
      if (s.kind != "define") continue;
      for (Entry& e : s.entries) {
        if (!defines_.emplace(e.key, Define{e.value, false}).second) Fail(e.value.line(), fmt::format("'{}' is defined twice", e.key));
      }
    }
    Person();
    History();
    Employee();
    Claims();
    Rules();
    return std::move(profile_);
  }

 private:
  [[noreturn]] void Fail(int line, const std::string& what) const {
    throw ProfileError(fmt::format("{}:{}: {}", profile_.path, line, what));
  }

  void Read() {
    std::ifstream in(profile_.path);
    if (!in) throw ProfileError(fmt::format("{}:0: cannot read the profile: {}", profile_.path, std::strerror(errno)));
    std::string raw;
    int line = 0;
    Section* section = nullptr;
    Entry* entry = nullptr;
    while (std::getline(in, raw)) {
      ++line;
      const std::string text = Trim(raw.substr(0, raw.find('#')));
      if (text.empty()) continue;
      if (raw[0] == ' ' || raw[0] == '\t') {
        if (entry == nullptr) Fail(line, "an indented line continues a key's value, but no key precedes it");
        entry->value.lines.emplace_back(line, text);
        continue;
      }
      entry = nullptr;
      if (text[0] == '[') {
        if (text.back() != ']') Fail(line, "a section header is written [name] or [name word]");
        const std::string inner = Trim(text.substr(1, text.size() - 2));
        const size_t space = inner.find_first_of(" \t");
        Section s;
        s.kind = inner.substr(0, space);
        s.name = space == std::string::npos ? "" : Trim(inner.substr(space));
        s.line = line;
        static const std::set<std::string> kPlain = {"person", "history", "employee", "claims", "define"};
        static const std::set<std::string> kNamed = {"category", "kind", "region"};
        if (kPlain.count(s.kind) != 0) {
          if (!s.name.empty()) Fail(line, fmt::format("[{}] takes no name", s.kind));
        } else if (kNamed.count(s.kind) != 0) {
          if (!IsName(s.name)) Fail(line, fmt::format("[{}] needs one word, as in [{} word]", s.kind, s.kind));
        } else {
          Fail(line, fmt::format("unknown section [{}]", inner));
        }
        for (const Section& other : sections_) {
          if (other.kind == s.kind && other.name == s.name) Fail(line, fmt::format("section [{}] appears twice (first on line {})", inner, other.line));
        }
        sections_.push_back(std::move(s));
        section = &sections_.back();
        continue;
      }
      const size_t eq = text.find('=');
      if (eq == std::string::npos) Fail(line, "expected 'key = value' or a [section]");
      if (section == nullptr) Fail(line, "a key before the first [section]");
      Entry e;
      e.key = Trim(text.substr(0, eq));
      if (!IsName(e.key)) Fail(line, fmt::format("'{}' is not a key name", e.key));
      const std::string value = Trim(text.substr(eq + 1));
      if (value.empty()) Fail(line, fmt::format("'{}' has an empty value", e.key));
      e.value.lines.emplace_back(line, value);
      section->entries.push_back(std::move(e));
      entry = &section->entries.back();
    }
    last_line_ = line;
  }

  const Section* Find(const std::string& kind, const std::string& name = "") const {
    for (const Section& s : sections_) {
      if (s.kind == kind && s.name == name) return &s;
    }
    return nullptr;
  }
  const Section& Need(const std::string& kind) const {
    const Section* s = Find(kind);
    if (s == nullptr) Fail(last_line_, fmt::format("the profile has no [{}] section", kind));
    return *s;
  }

  // Checks a section's keys against the allowed ones (repeatable: may appear more than once),
  // and that the required ones are there.
  void CheckKeys(const Section& s, const std::set<std::string>& allowed, const std::set<std::string>& required,
                 const std::string& repeatable = "") const {
    std::set<std::string> seen;
    const std::string title = s.name.empty() ? s.kind : s.kind + " " + s.name;
    for (const Entry& e : s.entries) {
      if (allowed.count(e.key) == 0) Fail(e.value.line(), fmt::format("unknown key '{}' in [{}]", e.key, title));
      if (!seen.insert(e.key).second && e.key != repeatable) Fail(e.value.line(), fmt::format("key '{}' appears twice in [{}]", e.key, title));
    }
    for (const std::string& key : required) {
      if (seen.count(key) == 0) Fail(s.line, fmt::format("[{}] needs the key '{}'", title, key));
    }
  }

  static const Entry* Get(const Section& s, const std::string& key) {
    for (const Entry& e : s.entries) {
      if (e.key == key) return &e;
    }
    return nullptr;
  }

  Expr Parse(const Entry& e, Type type, Unit unit = Unit::kPlain, uint32_t vars = 0) {
    return ParseValue(profile_, defines_, year_, e.value, KeySpec{type, unit, vars});
  }

  unsigned PerMille(const Entry& e) {
    const Value& v = e.value;
    const std::string& text = v.lines.front().second;
    unsigned n = 0;
    bool ok = v.lines.size() == 1 && !text.empty() && text.size() <= 4;
    for (char ch : text) ok = ok && std::isdigit(static_cast<unsigned char>(ch));
    if (ok) n = static_cast<unsigned>(std::stoul(text));
    if (!ok || n > 1000) Fail(v.line(), fmt::format("'{}' must be a whole number of per mille, 0 .. 1000, got '{}'", e.key, text));
    return n;
  }

  static void Words(const Expr& e, std::set<int64_t>& out) {
    if (e.op == Op::kConst && e.type == Type::kWord) out.insert(e.value);
    for (const Expr& k : e.kids) Words(k, out);
  }

  void Person() {
    const Section& s = Need("person");
    CheckKeys(s, {"category", "hardship"}, {"category", "hardship"});
    profile_.category = Parse(*Get(s, "category"), Type::kWord);
    profile_.hardship = Parse(*Get(s, "hardship"), Type::kWord);
    category_line_ = Get(s, "category")->value.line();
  }

  void History() {
    const Section& s = Need("history");
    const std::set<std::string> keys = {"unbroken_per_mille", "lapsed", "repaired", "prior_insured", "zero_claim"};
    CheckKeys(s, keys, keys);
    profile_.unbroken_per_mille = PerMille(*Get(s, "unbroken_per_mille"));
    profile_.lapsed = Parse(*Get(s, "lapsed"), Type::kInt, Unit::kPlain, kPersonVars);
    profile_.repaired = Parse(*Get(s, "repaired"), Type::kInt, Unit::kPlain, kPersonVars);
    profile_.prior_insured = Parse(*Get(s, "prior_insured"), Type::kInt, Unit::kPlain, kPersonVars);
    profile_.zero_claim = Parse(*Get(s, "zero_claim"), Type::kInt, Unit::kPlain, kPersonVars);
  }

  // Optional: without it no person has employee-insurance columns other than empty, 0, 0, no.
  void Employee() {
    const Section* s = Find("employee");
    if (s == nullptr) return;
    const std::set<std::string> keys = {"per_mille", "end", "enrolled", "months_prev", "months_cur", "gap"};
    CheckKeys(*s, keys, keys);
    Profile& p = profile_;
    p.has_employee = true;
    p.employee_per_mille = PerMille(*Get(*s, "per_mille"));
    const uint32_t before = Bit(kBirth) | Bit(kEnrolled) | Bit(kEvent);
    p.employee_end = Parse(*Get(*s, "end"), Type::kDate, Unit::kPlain, before);
    p.employee_enrolled = Parse(*Get(*s, "enrolled"), Type::kDate, Unit::kPlain, before | Bit(kEmployeeEnd));
    p.employee_months_prev = Parse(*Get(*s, "months_prev"), Type::kInt, Unit::kPlain, before | Bit(kEmployeeEnd));
    p.employee_months_cur = Parse(*Get(*s, "months_cur"), Type::kInt, Unit::kPlain, before | Bit(kEmployeeEnd));
    p.employee_gap = Parse(*Get(*s, "gap"), Type::kWord);
  }

  void Claims() {
    const Section& s = Need("claims");
    const std::set<std::string> keys = {"count", "date", "kind", "level", "region", "referral", "decimals",
                                        "total", "eligible_same_per_mille", "eligible_share"};
    CheckKeys(s, keys, keys);
    Profile& p = profile_;
    p.claim_count = Parse(*Get(s, "count"), Type::kInt, Unit::kPlain, Bit(kMean));
    p.claim_date = Parse(*Get(s, "date"), Type::kDate, Unit::kPlain, kPersonVars | Bit(kAnchor));
    p.kind = Parse(*Get(s, "kind"), Type::kWord);
    p.level = Parse(*Get(s, "level"), Type::kWord);
    p.region = Parse(*Get(s, "region"), Type::kWord);
    p.referral = Parse(*Get(s, "referral"), Type::kWord);
    p.decimals = Parse(*Get(s, "decimals"), Type::kInt);
    p.total = Parse(*Get(s, "total"), Type::kInt, Unit::kMoney, kPersonVars);
    p.eligible_same_per_mille = PerMille(*Get(s, "eligible_same_per_mille"));
    p.eligible_share = Parse(*Get(s, "eligible_share"), Type::kInt, Unit::kRate, kPersonVars);
  }

  void Rules() {
    std::set<int64_t> categories, kinds, regions;
    Words(profile_.category, categories);
    Words(profile_.kind, kinds);
    Words(profile_.region, regions);
    Profile& p = profile_;
    // Every rule section first interns its word, so the tables can be indexed by word id.
    auto id_of = [&](const std::string& word) -> int64_t {
      for (size_t i = 0; i < p.words.size(); ++i) {
        if (p.words[i] == word) return static_cast<int64_t>(i);
      }
      return -1;
    };
    std::vector<std::pair<const Section*, int64_t>> rules;
    for (const Section& s : sections_) {
      if (s.kind != "category" && s.kind != "kind" && s.kind != "region") continue;
      const int64_t id = id_of(s.name);
      const std::set<int64_t>& drawn = s.kind == "category" ? categories : s.kind == "kind" ? kinds : regions;
      if (id < 0 || drawn.count(id) == 0) {
        Fail(s.line, fmt::format("[{} {}]: '{}' is not among the words [{}] draws for {}", s.kind, s.name, s.name,
                                 s.kind == "region" ? "claims" : s.kind == "kind" ? "claims" : "person", s.kind));
      }
      rules.emplace_back(&s, id);
    }
    // Word ids of categories, kinds and regions all exist by now; words first seen in the rule
    // sections (levels, referrals) are never looked up in these tables.
    const size_t n = p.words.size();
    p.categories.resize(n);
    p.is_category.assign(n, false);
    p.kinds.resize(n);
    p.regions.resize(n);
    for (const auto& [s, id] : rules) {
      const size_t i = static_cast<size_t>(id);
      if (s->kind == "category") {
        CategoryRule& c = p.categories[i];
        CheckKeys(*s, {"birth", "enrolled", "event", "history", "employee", "anchor", "claim_date"}, {"birth", "enrolled", "anchor"}, "anchor");
        p.is_category[i] = true;
        c.birth = Parse(*Get(*s, "birth"), Type::kDate);
        c.enrolled = Parse(*Get(*s, "enrolled"), Type::kDate, Unit::kPlain, Bit(kBirth));
        if (const Entry* e = Get(*s, "event")) {
          c.event = Parse(*e, Type::kDate, Unit::kPlain, Bit(kBirth) | Bit(kEnrolled));
          c.has_event = true;
        }
        if (const Entry* e = Get(*s, "history")) {
          const std::string& v = e->value.lines.front().second;
          if (e->value.lines.size() != 1 || (v != "yes" && v != "no")) Fail(e->value.line(), fmt::format("'history' is yes or no, got '{}'", v));
          c.history = v == "yes";
        }
        if (const Entry* e = Get(*s, "employee")) {
          const std::string& v = e->value.lines.front().second;
          if (e->value.lines.size() != 1 || (v != "yes" && v != "no")) Fail(e->value.line(), fmt::format("'employee' is yes or no, got '{}'", v));
          c.employee = v == "yes";
          if (c.employee && !p.has_employee) Fail(e->value.line(), "'employee = yes' needs an [employee] section");
        }
        if (const Entry* e = Get(*s, "claim_date")) {
          c.claim_date = Parse(*e, Type::kDate, Unit::kPlain, kPersonVars | Bit(kAnchor));
          c.has_claim_date = true;
        }
        for (const Entry& e : s->entries) {
          if (e.key == "anchor") c.anchors.push_back(Parse(e, Type::kDate, Unit::kPlain, kPersonVars));
        }
        if (c.anchors.size() > 16) Fail(s->line, "at most 16 anchor dates per category");
      } else if (s->kind == "kind") {
        KindRule& k = p.kinds[i];
        CheckKeys(*s, {"level", "disease", "total"}, {});
        if (const Entry* e = Get(*s, "level")) k.level = Parse(*e, Type::kWord), k.has_level = true;
        if (const Entry* e = Get(*s, "disease")) k.disease = Parse(*e, Type::kInt, Unit::kPlain, kPersonVars), k.has_disease = true;
        if (const Entry* e = Get(*s, "total")) k.total = Parse(*e, Type::kInt, Unit::kMoney, kPersonVars), k.has_total = true;
      } else {
        RegionRule& r = p.regions[i];
        CheckKeys(*s, {"referral"}, {});
        if (const Entry* e = Get(*s, "referral")) r.referral = Parse(*e, Type::kWord), r.has_referral = true;
      }
    }
    for (int64_t id : categories) {
      if (!p.is_category[static_cast<size_t>(id)]) {
        Fail(category_line_, fmt::format("category '{}' has no [category {}] section", p.words[static_cast<size_t>(id)], p.words[static_cast<size_t>(id)]));
      }
    }
  }

  int year_;
  Profile profile_;
  std::deque<Section> sections_;  // a deque: Read() keeps a pointer to the last one
  std::map<std::string, Define> defines_;
  int last_line_ = 0, category_line_ = 0;
};

}  // namespace

Profile LoadProfile(const std::string& path, int year) { return Loader(path, year).Load(); }

}  // namespace polc::gen
