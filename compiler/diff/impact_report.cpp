// The impact as text and as the "impact" member of the JSON (docs/diff.md).
#include <fmt/format.h>

#include "compiler/diff/impact.h"
#include "compiler/diff/report.h"
#include "runtime/money.h"

namespace polc::diff {

namespace {

std::string Money(int64_t fen) { return rt::FormatMoney(fen); }
std::string Signed(int64_t fen) { return (fen > 0 ? "+" : "") + rt::FormatMoney(fen); }

std::string BucketLabel(size_t i) {
  auto yuan = [](int64_t fen) { return std::to_string(fen / 100); };
  const int64_t lo = kBucketBounds[i], hi = kBucketBounds[i + 1];
  if (lo == INT64_MIN) return "< " + yuan(hi);
  if (hi == INT64_MAX) return ">= " + yuan(lo);
  if (hi == 1) return yuan(lo) + " .. 0";
  if (lo == 1) return "0 .. " + yuan(hi);
  return yuan(lo) + " .. " + yuan(hi);
}

std::string TotalsRow(const Totals& t, const std::string& label) {
  const std::string before = t.before_present ? Money(t.before) : "(none)";
  const std::string after = t.after_present ? Money(t.after) : "(none)";
  const std::string change = t.before_present && t.after_present ? Signed(t.after - t.before) : "";
  return fmt::format("    {:<28} {:>18} {:>18} {:>18}\n", label, before, after, change);
}

void RecordText(std::string& out, const RecordImpact& r, const Style& style) {
  out += fmt::format("  {} ({}): {} rows, {} changed\n", r.record, r.output, r.rows, r.changed);
  if (!r.totals.empty()) {
    out += style.Dim(fmt::format("    {:<28} {:>18} {:>18} {:>18}", "total", "old", "new", "change")) + "\n";
    for (const Totals& t : r.totals) out += TotalsRow(t, t.column);
  }
  for (const Transition& t : r.transitions)
    out += fmt::format("    {} {} → {}: {}\n", t.column, style.Old(t.before), style.New(t.after), t.count);
  for (const Distribution& d : r.distribution) {
    if (d.increased + d.decreased == 0) continue;
    out += fmt::format("    {} per row: {} up (total {}), {} down (total {})\n", d.column, d.increased,
                       Signed(d.sum_increase), d.decreased, Signed(d.sum_decrease));
    for (size_t i = 0; i < kBucketCount; ++i)
      if (d.buckets[i] > 0) out += fmt::format("      {:>22} yuan: {}\n", BucketLabel(i), d.buckets[i]);
  }
}

std::string TotalsJson(const Totals& t) {
  auto side = [](bool present, int64_t v) { return present ? JsonQuote(Money(v)) : std::string("null"); };
  return fmt::format("{{\"column\":{},\"old\":{},\"new\":{},\"change\":{},\"old_absent\":{},\"new_absent\":{}}}",
                     JsonQuote(t.column), side(t.before_present, t.before), side(t.after_present, t.after),
                     t.before_present && t.after_present ? JsonQuote(Money(t.after - t.before)) : "null",
                     t.absent_before, t.absent_after);
}

template <typename T, typename F>
std::string Array(const std::vector<T>& items, F&& each) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + each(items[i]);
  return out + "]";
}

std::string RecordJson(const RecordImpact& r) {
  std::string out = fmt::format("{{\"record\":{},\"output\":{},\"rows\":{},\"changed\":{}", JsonQuote(r.record),
                                JsonQuote(r.output), r.rows, r.changed);
  out += ",\"totals\":" + Array(r.totals, TotalsJson);
  out += ",\"transitions\":" + Array(r.transitions, [](const Transition& t) {
    return fmt::format("{{\"column\":{},\"old\":{},\"new\":{},\"count\":{}}}", JsonQuote(t.column), JsonQuote(t.before),
                       JsonQuote(t.after), t.count);
  });
  out += ",\"distribution\":" + Array(r.distribution, [](const Distribution& d) {
    std::string buckets = "[";
    for (size_t i = 0; i < kBucketCount; ++i) {
      auto bound = [](int64_t b) { return b == INT64_MIN || b == INT64_MAX ? std::string("null") : JsonQuote(Money(b)); };
      buckets += fmt::format("{}{{\"from\":{},\"to\":{},\"count\":{}}}", i ? "," : "", bound(kBucketBounds[i]),
                             bound(kBucketBounds[i + 1]), d.buckets[i]);
    }
    return fmt::format("{{\"column\":{},\"increased\":{},\"decreased\":{},\"sum_increase\":{},\"sum_decrease\":{},\"buckets\":{}]}}",
                       JsonQuote(d.column), d.increased, d.decreased, JsonQuote(Money(d.sum_increase)),
                       JsonQuote(Money(d.sum_decrease)), buckets);
  });
  return out + "}";
}

std::string Optional(const std::string& s) { return s.empty() ? "null" : JsonQuote(s); }

}  // namespace

std::string ImpactText(const Impact& impact, const Style& style) {
  std::string out = "\n" + style.Bold(fmt::format("impact on {} and {}", impact.persons, impact.claims)) + "\n";
  if (impact.year_shift != 0)
    out += fmt::format("  dates moved {} year{} for the {} policy (spec section 10)\n", impact.year_shift,
                       impact.year_shift == -1 ? "" : "s", impact.shifted_old ? "old" : "new");
  RecordText(out, impact.subjects, style);
  RecordText(out, impact.events, style);
  if (!impact.by.empty()) {
    out += fmt::format("  {} totals by {}\n", impact.events.record, impact.by);
    out += style.Dim(fmt::format("    {:<28} {:>18} {:>18} {:>18}", "total", "old", "new", "change")) + "\n";
    for (size_t g = 0; g < impact.groups.size(); ++g) {
      bool any = false;
      for (const Totals& t : impact.group_totals[g]) any = any || t.before != 0 || t.after != 0;
      if (!any) continue;
      for (const Totals& t : impact.group_totals[g]) out += TotalsRow(t, impact.groups[g] + " " + t.column);
    }
  }
  if (!impact.top.empty()) {
    out += fmt::format("  the {} {} rows that changed most\n", impact.top.size(), impact.events.record);
    for (const TopEvent& t : impact.top) {
      std::string columns;
      for (const auto& c : t.columns) columns += fmt::format("{}{} {} → {}", columns.empty() ? "" : ", ", c.name, style.Old(c.before), style.New(c.after));
      out += fmt::format("    {} ({} {}): {}\n", style.Bold(t.key), impact.subjects.record, t.subject_key, columns);
      if (t.causes.empty()) out += "      no changed definition on its path\n";
      for (const Cause& c : t.causes) {
        std::string value;
        if (!c.before.empty() || !c.after.empty())
          value = fmt::format(" = {} → {}", style.Old(c.before), style.New(c.after));
        std::string parts;
        for (const std::string& p : c.parts) parts += (parts.empty() ? "" : "; ") + p;
        out += fmt::format("      {} {}{}{}: {}\n", c.decl, c.name, c.area.empty() ? "" : " [" + c.area + "]", value, parts);
      }
    }
  }
  return out;
}

std::string ImpactJson(const Impact& impact) {
  std::string out = fmt::format("{{\"persons\":{},\"claims\":{},\"engine\":{},\"year_shift\":{},\"shifted\":{}",
                                JsonQuote(impact.persons), JsonQuote(impact.claims), JsonQuote(impact.engine),
                                impact.year_shift, impact.year_shift == 0 ? "null" : impact.shifted_old ? "\"old\"" : "\"new\"");
  out += ",\"subjects\":" + RecordJson(impact.subjects) + ",\"events\":" + RecordJson(impact.events);
  out += ",\"by\":" + Optional(impact.by) + ",\"groups\":[";
  for (size_t g = 0; g < impact.groups.size(); ++g)
    out += fmt::format("{}{{\"word\":{},\"totals\":{}}}", g ? "," : "", JsonQuote(impact.groups[g]),
                       Array(impact.group_totals[g], TotalsJson));
  out += "],\"top\":" + Array(impact.top, [](const TopEvent& t) {
    std::string columns = Array(t.columns, [](const TopEvent::Column& c) {
      return fmt::format("{{\"column\":{},\"old\":{},\"new\":{}}}", JsonQuote(c.name), JsonQuote(c.before), JsonQuote(c.after));
    });
    std::string causes = Array(t.causes, [](const Cause& c) {
      return fmt::format("{{\"decl\":{},\"name\":{},\"area\":{},\"old_value\":{},\"new_value\":{},\"changes\":{}}}",
                         JsonQuote(c.decl), JsonQuote(c.name), Optional(c.area), Optional(c.before), Optional(c.after),
                         Array(c.parts, [](const std::string& p) { return JsonQuote(p); }));
    });
    return fmt::format("{{\"key\":{},\"subject\":{},\"score\":{},\"columns\":{},\"causes\":{}}}", JsonQuote(t.key),
                       JsonQuote(t.subject_key), JsonQuote(Money(t.score)), columns, causes);
  });
  return out + "}";
}

}  // namespace polc::diff
