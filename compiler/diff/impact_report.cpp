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

std::string Optional(const std::string& s) { return s.empty() ? "null" : JsonQuote(s); }

std::string TotalsJson(const Totals& t) {
  auto side = [](bool present, int64_t v) { return present ? JsonQuote(Money(v)) : std::string("null"); };
  const char* role = t.role == ir::ColumnRole::Fund ? "\"fund\"" : t.role == ir::ColumnRole::Income ? "\"income\"" : "null";
  return fmt::format("{{\"column\":{},\"role\":{},\"label\":{},\"old\":{},\"new\":{},\"change\":{},\"old_absent\":{},\"new_absent\":{}}}",
                     JsonQuote(t.column), role, Optional(t.label), side(t.before_present, t.before), side(t.after_present, t.after),
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


}  // namespace

std::string PopulationLine(const Impact& impact) {
  const PopulationYear& y = impact.population;
  std::string out = fmt::format("population year {}", y.year);
  if (y.source == "given") out += " (--population-year)";
  else if (y.source == "dates") out += fmt::format(" (from the claim dates: {} of {} dated {})", y.in_year, y.dated, y.year);
  else out += fmt::format(" (the claim dates name no year: {} of {} dated {}; the newer policy's year)", y.in_year, y.dated, y.year);
  std::vector<std::string> moves;
  auto move = [&](int64_t shift, const char* side) {
    if (shift != 0) moves.push_back(fmt::format("{}{} year{} for the {} policy", shift > 0 ? "+" : "", shift,
                                                shift == 1 || shift == -1 ? "" : "s", side));
  };
  move(y.old_shift, "old");
  move(y.new_shift, "new");
  if (!moves.empty()) out += "; dates moved " + moves[0] + (moves.size() > 1 ? ", " + moves[1] : "") + " (spec section 10)";
  return out;
}

std::string OutsideWarning(const Impact& impact) {
  const PopulationYear& y = impact.population;
  if (!y.warn) return "";
  return fmt::format("WARNING: {} of {} {} rows ({}) are dated outside the policy year of the old or the new "
                     "policy: the population is probably of another year. Pass --population-year YEAR "
                     "(the year its claims belong to).",
                     y.outside, impact.events.rows, impact.events.record,
                     PercentOf(y.outside, impact.events.rows).substr(1));
}

namespace {

std::string FundRow(const std::string& name, const std::string& label, int64_t before, int64_t after) {
  return fmt::format("    {:<34} {:>18} {:>18} {:>18} {:>8}\n", name + (label.empty() ? "" : " " + label), Grouped(before),
                     Grouped(after), SignedGrouped(after - before), PercentOf(after - before, before));
}

void FundsText(std::string& out, const Impact& impact, const Style& style) {
  const Funds& f = impact.funds;
  if (f.funds.empty() && f.incomes.empty()) return;
  out += "  funds (yuan)\n" + style.Dim(fmt::format("    {:<34} {:>18} {:>18} {:>18} {:>8}", "", "old", "new", "change", "%")) + "\n";
  for (const Totals& t : f.funds) out += FundRow(t.column, t.label, t.before, t.after);
  out += FundRow("all funds", "", f.payouts.before, f.payouts.after);
  for (const Totals& t : f.incomes) out += FundRow(t.column, t.label, t.before, t.after);
  out += FundRow("income", "", f.income.before, f.income.after);
  out += style.Bold(FundRow("balance (income - all funds)", "", f.balance.before, f.balance.after));
  out += fmt::format("    per insured person ({} {} rows):\n", f.persons, impact.subjects.record);
  out += FundRow("  all funds", "", PerHead(f.payouts.before, f.persons), PerHead(f.payouts.after, f.persons));
  out += FundRow("  income", "", PerHead(f.income.before, f.persons), PerHead(f.income.after, f.persons));
  out += FundRow("  balance", "", PerHead(f.balance.before, f.persons), PerHead(f.balance.after, f.persons));
  out += fmt::format("    per claimant ({} with a {} row, old; {} new):\n", f.claimants_before, impact.events.record,
                     f.claimants_after);
  out += FundRow("  all funds", "", PerHead(f.payouts.before, f.claimants_before), PerHead(f.payouts.after, f.claimants_after));
}

void WaterfallText(std::string& out, const Waterfall& w, const Style& style) {
  if (w.steps.empty()) return;
  out += "  what each change costs (the old policy moved to the new year, then each changed area on its own;\n"
         "  the interaction is the rest, so the steps add up to the total change)\n";
  std::string head = fmt::format("    {:<40}", "step");
  for (const std::string& c : w.columns) head += fmt::format(" {:>16}", c);
  out += style.Dim(head) + "\n";
  auto row = [&](const std::string& name, const std::vector<int64_t>& v) {
    std::string line = fmt::format("    {:<40}", name);
    for (int64_t x : v) line += fmt::format(" {:>16}", SignedGrouped(x));
    return line + "\n";
  };
  std::vector<int64_t> total(w.columns.size());
  for (size_t i = 0; i < total.size(); ++i) total[i] = w.after[i] - w.before[i];
  for (const WaterfallStep& s : w.steps) {
    std::string name = s.kind == "year" ? "year " + s.label : s.kind == "area" ? (s.area.empty() ? "(no area)" : s.area) : "interaction";
    out += row(name, s.deltas);
    if (!s.separable) out += fmt::format("      not applied on its own ({}): counted in the interaction\n", s.note);
  }
  out += style.Bold(row("total change", total));
}

void GroupsText(std::string& out, const Impact& impact, const Style& style) {
  if (impact.by.empty()) return;
  out += fmt::format("  by {} ({}{})\n", impact.by, impact.by_source, impact.by_subject ? ", per person" : "");
  std::string head = fmt::format("    {:<24} {:>8} {:>8} {:>8}", "group", impact.subjects.record, impact.events.record, "changed");
  out += style.Dim(head + fmt::format("  {:<14} {:>16} {:>16} {:>16}", "total", "old", "new", "change")) + "\n";
  for (const Group& g : impact.group_rows) {
    if (g.events == 0 && g.subjects == 0) continue;
    bool first = true;
    for (const Totals& t : g.totals) {
      const std::string lead = first ? fmt::format("    {:<24} {:>8} {:>8} {:>8}", g.key + (g.label.empty() ? "" : " " + g.label),
                                                   impact.by_subject ? std::to_string(g.subjects) : "", g.events, g.changed)
                                     : fmt::format("    {:<24} {:>8} {:>8} {:>8}", "", "", "", "");
      out += lead + fmt::format("  {:<14} {:>16} {:>16} {:>16}\n", t.column, Grouped(t.before), Grouped(t.after),
                                SignedGrouped(t.after - t.before));
      first = false;
    }
  }
}

}  // namespace

std::string ImpactText(const Impact& impact, const Style& style) {
  std::string out = "\n" + style.Bold(fmt::format("impact on {} and {}", impact.persons, impact.claims)) + "\n";
  if (impact.shard.sharded)
    out += fmt::format("  shard {0}/{1}: only the persons whose id hashes to shard {0} of {1} (polc merge --summaries "
                       "adds up the --format json outputs of all {1} shards)\n",
                       impact.shard.k, impact.shard.n);
  out += "  " + PopulationLine(impact) + "\n";
  if (impact.population.warn) out += "  " + style.Bold(style.Old(OutsideWarning(impact))) + "\n";
  FundsText(out, impact, style);
  WaterfallText(out, impact.waterfall, style);
  RecordText(out, impact.subjects, style);
  RecordText(out, impact.events, style);
  GroupsText(out, impact, style);
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
  out += ",\"by\":" + Optional(impact.by) + ",\"by_source\":" + Optional(impact.by_source) +
         ",\"by_subject\":" + (impact.by_subject ? "true" : "false") + ",\"groups\":[";
  for (size_t g = 0; g < impact.group_rows.size(); ++g) {
    const Group& gr = impact.group_rows[g];
    out += fmt::format("{}{{\"word\":{},\"label\":{},\"subjects\":{},\"events\":{},\"changed\":{},\"totals\":{}}}",
                       g ? "," : "", JsonQuote(gr.key), JsonQuote(gr.label), gr.subjects, gr.events, gr.changed,
                       Array(gr.totals, TotalsJson));
  }
  out += "]";
  const PopulationYear& y = impact.population;
  out += fmt::format(",\"population\":{{\"year\":{},\"source\":{},\"dated\":{},\"in_year\":{},\"old_shift\":{},"
                     "\"new_shift\":{},\"outside\":{},\"warning\":{}}}",
                     y.year, JsonQuote(y.source), y.dated, y.in_year, y.old_shift, y.new_shift, y.outside,
                     y.warn ? JsonQuote(OutsideWarning(impact)) : "null");
  const Funds& f = impact.funds;
  auto pair = [](int64_t before, int64_t after) {
    return fmt::format("{{\"old\":{},\"new\":{},\"change\":{},\"percent\":{}}}", JsonQuote(Money(before)),
                       JsonQuote(Money(after)), JsonQuote(Money(after - before)), Optional(PercentOf(after - before, before)));
  };
  auto sums = [&](const Totals& t) { return pair(t.before, t.after); };
  out += ",\"funds\":{\"funds\":" + Array(f.funds, TotalsJson) + ",\"incomes\":" + Array(f.incomes, TotalsJson) +
         ",\"payouts\":" + sums(f.payouts) + ",\"income\":" + sums(f.income) + ",\"balance\":" + sums(f.balance) +
         fmt::format(",\"persons\":{},\"claimants_old\":{},\"claimants_new\":{}", f.persons, f.claimants_before,
                     f.claimants_after) +
         ",\"per_person\":{\"payouts\":" + pair(PerHead(f.payouts.before, f.persons), PerHead(f.payouts.after, f.persons)) +
         ",\"income\":" + pair(PerHead(f.income.before, f.persons), PerHead(f.income.after, f.persons)) +
         ",\"balance\":" + pair(PerHead(f.balance.before, f.persons), PerHead(f.balance.after, f.persons)) + "}" +
         ",\"per_claimant\":{\"payouts\":" +
         pair(PerHead(f.payouts.before, f.claimants_before), PerHead(f.payouts.after, f.claimants_after)) + "}}";
  const Waterfall& w = impact.waterfall;
  auto money_list = [](const std::vector<int64_t>& v) {
    return Array(v, [](int64_t x) { return JsonQuote(Money(x)); });
  };
  out += ",\"waterfall\":{\"columns\":" + Array(w.columns, [](const std::string& c) { return JsonQuote(c); }) +
         ",\"labels\":" + Array(w.labels, [](const std::string& c) { return JsonQuote(c); }) +
         ",\"old\":" + money_list(w.before) + ",\"new\":" + money_list(w.after) + ",\"steps\":" +
         Array(w.steps, [&](const WaterfallStep& st) {
           return fmt::format("{{\"kind\":{},\"area\":{},\"label\":{},\"separable\":{},\"note\":{},\"deltas\":{}}}",
                              JsonQuote(st.kind), Optional(st.area), JsonQuote(st.label), st.separable ? "true" : "false",
                              Optional(st.note), money_list(st.deltas));
         }) + "}";
  out += ",\"top\":" + Array(impact.top, [](const TopEvent& t) {
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
  const Impact::ShardPart& s = impact.shard;
  if (s.sharded) {
    out += fmt::format(",\"shard\":{{\"k\":{},\"n\":{},\"events\":{},\"top\":{},\"by_type\":{},\"lines\":{}}}", s.k, s.n,
                       s.events, s.top, JsonQuote(s.by_type),
                       Array(impact.top, [](const TopEvent& t) { return std::to_string(t.line); }));
  }
  return out + "}";
}

}  // namespace polc::diff
