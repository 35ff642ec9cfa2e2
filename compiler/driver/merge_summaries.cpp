// `polc merge --summaries A.json B.json ...`: adds up the `polc summary --format json` outputs
// of shards (`--shard K/N`) into the summary of the whole population (docs/scale.md); `polc diff
// --shard K/N --format json` outputs go to merge_impacts.cpp. Counts,
// money totals, absent counts and the funds add; identities (file, title, region, year,
// columns, words) must agree; balance_per_person is recomputed from the sums, rounded half away
// from zero to the fen as summary rounds it.
#include <fstream>
#include <iostream>
#include <iterator>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compiler/driver/merge_summaries.h"
#include "runtime/money.h"

namespace polc::driver {

namespace {

using json = nlohmann::ordered_json;

struct MergeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

int64_t Fen(const json& value, const std::string& where) {
  if (!value.is_string()) throw MergeError(fmt::format("{}: expected a money amount", where));
  std::string text = value.get<std::string>();
  const bool negative = !text.empty() && text[0] == '-';
  int64_t fen = 0;
  std::string error;
  if (!rt::ParseMoney(negative ? text.substr(1) : text, fen, error)) {
    throw MergeError(fmt::format("{}: '{}' is not a money amount", where, text));
  }
  return negative ? -fen : fen;
}

int64_t PerHead(int64_t fen, int64_t n) {
  if (n <= 0) return 0;
  const int64_t q = fen / n, r = fen % n;
  if (2 * (r < 0 ? -r : r) >= n) return q + (fen < 0 ? -1 : 1);
  return q;
}

void Same(const json& a, const json& b, const std::string& where) {
  if (a != b) throw MergeError(fmt::format("{}: {} in one part, {} in another: parts of one population and policy agree here", where, a.dump(), b.dump()));
}

void AddCount(json& into, const json& add, const std::string& where) {
  if (!into.is_number_integer() || !add.is_number_integer()) throw MergeError(fmt::format("{}: expected a count", where));
  into = into.get<int64_t>() + add.get<int64_t>();
}

void AddMoney(json& into, const json& add, const std::string& where) {
  into = rt::FormatMoney(Fen(into, where) + Fen(add, where));
}

void AddPolicy(json& into, const json& add, const std::string& where) {
  for (const char* key : {"file", "title", "region", "year"}) Same(into.value(key, json()), add.value(key, json()), where + "." + key);
  AddCount(into["subjects"], add.at("subjects"), where + ".subjects");
  AddCount(into["events"], add.at("events"), where + ".events");
  json& columns = into["columns"];
  const json& more = add.at("columns");
  if (!columns.is_array() || !more.is_array() || columns.size() != more.size()) {
    throw MergeError(where + ".columns: the parts have different columns");
  }
  for (size_t c = 0; c < columns.size(); ++c) {
    const std::string at = fmt::format("{}.columns[{}]", where, c);
    for (const char* key : {"record", "column", "role", "label"}) Same(columns[c].value(key, json()), more[c].value(key, json()), at + "." + key);
    if (columns[c].contains("total")) {
      AddMoney(columns[c]["total"], more[c].at("total"), at + ".total");
      AddCount(columns[c]["absent"], more[c].at("absent"), at + ".absent");
    } else {
      json& counts = columns[c]["counts"];
      const json& other = more[c].at("counts");
      if (!counts.is_object() || !other.is_object() || counts.size() != other.size()) {
        throw MergeError(at + ".counts: the parts have different words");
      }
      for (auto it = counts.begin(); it != counts.end(); ++it) {
        if (!other.contains(it.key())) throw MergeError(fmt::format("{}.counts: no word {} in one part", at, it.key()));
        AddCount(it.value(), other.at(it.key()), at + ".counts." + it.key());
      }
    }
  }
  for (const char* key : {"payouts", "income", "balance"}) AddMoney(into[key], add.at(key), where + "." + key);
  into["balance_per_person"] =
      rt::FormatMoney(PerHead(Fen(into["balance"], where + ".balance"), into["subjects"].get<int64_t>()));
}

}  // namespace

bool MergeSummaries(const std::vector<std::string>& paths, std::string& merged, std::string& error) {
  if (!paths.empty()) {
    std::ifstream in(paths[0], std::ios::binary);
    std::string first((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in && IsDiffJson(first)) {
      std::vector<std::string> texts;
      for (const std::string& path : paths) {
        std::ifstream part(path, std::ios::binary);
        if (!part) {
          error = fmt::format("{}: cannot read", path);
          return false;
        }
        texts.emplace_back((std::istreambuf_iterator<char>(part)), std::istreambuf_iterator<char>());
      }
      return MergeImpacts(paths, texts, merged, error);
    }
  }
  json total;
  for (size_t i = 0; i < paths.size(); ++i) {
    std::ifstream in(paths[i]);
    if (!in) {
      error = fmt::format("{}: cannot read", paths[i]);
      return false;
    }
    json part = json::parse(in, nullptr, false);
    try {
      if (part.is_discarded()) throw MergeError("not JSON");
      if (part.value("schema", "") != "polc-summary" || part.value("version", 0) != 1) {
        throw MergeError("not a polc summary --format json output (schema polc-summary, version 1)");
      }
      if (i == 0) {
        total = part;
        continue;
      }
      json& policies = total["policies"];
      const json& more = part.at("policies");
      if (policies.size() != more.size()) throw MergeError("a different number of policies than the first part");
      for (size_t p = 0; p < policies.size(); ++p) AddPolicy(policies[p], more[p], fmt::format("policies[{}]", p));
    } catch (const std::exception& e) {  // MergeError, and json's own for a missing or mistyped member
      error = fmt::format("{}: {}", paths[i], e.what());
      return false;
    }
  }
  if (!total.is_object()) {
    error = "no summary to merge";
    return false;
  }
  merged = total.dump() + "\n";
  return true;
}

}  // namespace polc::driver
