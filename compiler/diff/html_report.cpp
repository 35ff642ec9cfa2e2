// The policy diff and its impact as one self-contained HTML page (`polc diff --format html`):
// headline figures, the waterfall of what each change costs, per-group bars, the distribution
// of per-claim changes, the policy changes with both sides' lines and cites, and the claims
// that changed most with their causes. Charts are inline SVG drawn here; nothing is fetched
// when the page is viewed. Every headline figure carries its exact amount in `data-fen`, so a
// test can compare it with the JSON output.
#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "compiler/diff/impact.h"
#include "compiler/diff/report.h"
#include "runtime/markup.h"

namespace polc::diff {

namespace {

const char* kStyle = R"(
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#666;font-size:13px} .warn{background:#fde8e8;border:2px solid #c0392b;color:#7b241c;padding:10px 14px;margin:12px 0;font-weight:bold}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0} .card{border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:200px}
.card .k{font-size:12px;color:#666} .card .v{font-size:22px;font-weight:bold} .card .d{font-size:13px}
.up{color:#c0392b} .down{color:#1e8449} table{border-collapse:collapse;font-size:13px;margin:6px 0}
td,th{border-bottom:1px solid #eee;padding:3px 8px;text-align:left;vertical-align:top} td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.old{color:#a93226} .new{color:#1d8348} .cite{color:#777;font-size:12px} code{font-size:12px}
svg text{font-size:11px;fill:#333}
)";

// At most `max` code points of UTF-8 text, an ellipsis marking a cut (never inside a character).
std::string Shorten(const std::string& s, size_t max) {
  size_t points = 0, i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (points++ == max) return s.substr(0, i) + "…";
  }
  return s;
}

std::string ChangeClass(int64_t change) { return change > 0 ? "up" : change < 0 ? "down" : ""; }

std::string Card(const std::string& id, const std::string& title, int64_t before, int64_t after, bool wan) {
  const int64_t change = after - before;
  const std::string value = wan ? Wan(after) + " 万元" : Grouped(after) + " 元";
  return fmt::format(
      "<div class=\"card\"><div class=\"k\">{}</div><div class=\"v\" data-figure=\"{}\" data-fen=\"{}\">{}</div>"
      "<div class=\"d\">old {} · <span class=\"{}\" data-figure=\"{}_change\" data-fen=\"{}\">{} {}</span> {}</div></div>\n",
      rt::EscapeMarkup(title), id, after, value, wan ? Wan(before) + " 万元" : Grouped(before) + " 元", ChangeClass(change), id, change,
      wan ? (change > 0 ? "+" : "") + Wan(change) : SignedGrouped(change), wan ? "万元" : "元", PercentOf(change, before));
}

// A horizontal axis scaled to [lo, hi] over `width` pixels starting at x0.
struct Scale {
  double lo, hi, x0, width;
  double X(double v) const { return hi > lo ? x0 + (v - lo) / (hi - lo) * width : x0; }
};

// The waterfall of all funds together: the old total, each step floating, the new total.
std::string WaterfallSvg(const Waterfall& w, size_t funds) {
  if (w.steps.empty() || funds == 0) return "";
  auto payouts = [&](const std::vector<int64_t>& v) {
    int64_t s = 0;
    for (size_t i = 0; i < funds; ++i) s += v[i];
    return s;
  };
  struct Bar {
    std::string name;
    int64_t from, to;
    bool total;
  };
  std::vector<Bar> bars{{"old", 0, payouts(w.before), true}};
  int64_t at = payouts(w.before);
  for (const WaterfallStep& s : w.steps) {
    const int64_t d = payouts(s.deltas);
    const std::string name = s.kind == "year" ? "year " + s.label : s.kind == "interaction" ? "interaction" : s.label;
    bars.push_back({name, at, at + d, false});
    at += d;
  }
  bars.push_back({"new", 0, payouts(w.after), true});
  // The axis spans the running total only (padded), not zero to the total: the steps are
  // small beside the totals. The two total bars start at the axis' left edge, cut.
  int64_t lo = bars.front().to, hi = bars.front().to;
  for (const Bar& b : bars) lo = std::min({lo, b.to, b.total ? b.to : b.from}), hi = std::max({hi, b.to, b.total ? b.to : b.from});
  const int64_t pad = std::max<int64_t>((hi - lo) / 4, std::max<int64_t>(hi / 1000, 100));
  lo = std::max<int64_t>(lo - pad, 0);
  hi += pad;
  const double row = 24, left = 330, width = 500;
  Scale x{static_cast<double>(lo), static_cast<double>(hi), left, width};
  std::string svg = fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\" "
                                "aria-label=\"waterfall\">\n", left + width + 140, row * bars.size() + 24);
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    const double y = 5 + row * i;
    const double x1 = b.total ? left : x.X(static_cast<double>(std::min(b.from, b.to)));
    const double x2 = x.X(static_cast<double>(b.total ? b.to : std::max(b.from, b.to)));
    const char* color = b.total ? "#5d6d7e" : b.to > b.from ? "#c0392b" : "#1e8449";
    const std::string name = Shorten(b.name, 40);
    svg += fmt::format("<text x=\"{}\" y=\"{:.0f}\" text-anchor=\"end\">{}</text>", left - 6, y + 14, rt::EscapeMarkup(name));
    svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.0f}\" width=\"{:.1f}\" height=\"{:.0f}\" fill=\"{}\"/>", x1, y + 2,
                       std::max(x2 - x1, 1.0), row - 6, color);
    if (b.total && lo > 0)
      svg += fmt::format("<path d=\"M{} {:.0f} l6 -4 m-6 10 l6 -4\" stroke=\"#fff\" stroke-width=\"2\"/>", left + 8, y + 10);
    if (!b.total && i + 1 < bars.size())
      svg += fmt::format("<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.0f}\" y2=\"{:.0f}\" stroke=\"#999\" stroke-dasharray=\"2,2\"/>",
                         x.X(static_cast<double>(b.to)), x.X(static_cast<double>(b.to)), y + row - 4, y + row + 2);
    const int64_t label = b.total ? b.to : b.to - b.from;
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.0f}\">{}{} 万元</text>\n", x2 + 4, y + 14,
                       !b.total && label > 0 ? "+" : "", Wan(label));
  }
  if (lo > 0)
    svg += fmt::format("<text x=\"{}\" y=\"{:.0f}\">axis from {} 万元 (not from 0)</text>\n", left, row * bars.size() + 18, Wan(lo));
  return svg + "</svg>\n";
}

// Per group: old and new totals of the funds, as paired bars.
std::string GroupSvg(const Impact& impact) {
  std::vector<const Group*> shown;
  for (const Group& g : impact.group_rows)
    if (g.events > 0 || g.subjects > 0) shown.push_back(&g);
  if (shown.empty()) return "";
  auto funds = [](const Group& g, bool after) {
    int64_t s = 0;
    for (const Totals& t : g.totals)
      if (t.role == ir::ColumnRole::Fund) s += after ? t.after : t.before;
    return s;
  };
  int64_t hi = 1;
  for (const Group* g : shown) hi = std::max({hi, funds(*g, false), funds(*g, true)});
  const double row = 34, left = 220, width = 520;
  Scale x{0, static_cast<double>(hi), left, width};
  std::string svg = fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\" "
                                "aria-label=\"groups\">\n", left + width + 150, row * shown.size() + 24);
  svg += "<rect x=\"220\" y=\"2\" width=\"10\" height=\"8\" fill=\"#aab7b8\"/><text x=\"234\" y=\"10\">old</text>"
         "<rect x=\"270\" y=\"2\" width=\"10\" height=\"8\" fill=\"#2874a6\"/><text x=\"284\" y=\"10\">new</text>\n";
  for (size_t i = 0; i < shown.size(); ++i) {
    const Group& g = *shown[i];
    const double y = 18 + row * i;
    const int64_t a = funds(g, false), b = funds(g, true);
    svg += fmt::format("<text x=\"{}\" y=\"{:.0f}\" text-anchor=\"end\">{}</text>", left - 6, y + 18,
                       rt::EscapeMarkup(g.label.empty() ? g.key : g.label + " " + g.key));
    svg += fmt::format("<rect x=\"{}\" y=\"{:.0f}\" width=\"{:.1f}\" height=\"12\" fill=\"#aab7b8\"/>", left, y + 2,
                       std::max(x.X(static_cast<double>(a)) - left, 0.5));
    svg += fmt::format("<rect x=\"{}\" y=\"{:.0f}\" width=\"{:.1f}\" height=\"12\" fill=\"#2874a6\"/>", left, y + 15,
                       std::max(x.X(static_cast<double>(b)) - left, 0.5));
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.0f}\">{} → {} 万元</text>\n",
                       std::max(x.X(static_cast<double>(a)), x.X(static_cast<double>(b))) + 4, y + 18, Wan(a), Wan(b));
  }
  return svg + "</svg>\n";
}

// The per-row change of one money column, by size, as vertical bars.
std::string DistributionSvg(const Distribution& d) {
  int64_t hi = 1;
  for (int64_t n : d.buckets) hi = std::max(hi, n);
  const double bar = 62, height = 120;
  std::string svg = fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\" "
                                "aria-label=\"distribution {}\">\n", bar * kBucketCount + 20, height + 50, rt::EscapeMarkup(d.column));
  static const char* kLabels[] = {"<-1万", "-1万..-1千", "-1千..-100", "-100..-10", "-10..0",
                                  "0..10", "10..100", "100..1千", "1千..1万", "≥1万"};
  for (size_t i = 0; i < kBucketCount; ++i) {
    const double h = static_cast<double>(d.buckets[i]) / static_cast<double>(hi) * height;
    const double x = 10 + bar * i;
    svg += fmt::format("<rect x=\"{:.0f}\" y=\"{:.1f}\" width=\"{:.0f}\" height=\"{:.1f}\" fill=\"{}\"/>", x + 4,
                       10 + height - h, bar - 8, h, i < 5 ? "#1e8449" : "#c0392b");
    svg += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\" text-anchor=\"middle\">{}</text>", x + bar / 2, 8 + height - h,
                       d.buckets[i]);
    svg += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\" text-anchor=\"middle\">{}</text>\n", x + bar / 2, height + 26,
                       kLabels[i]);
  }
  return svg + "</svg>\n";
}

void FundsTable(std::string& out, const Impact& impact) {
  const Funds& f = impact.funds;
  out += "<table><tr><th></th><th class=\"n\">old 元</th><th class=\"n\">new 元</th><th class=\"n\">change 元</th>"
         "<th class=\"n\">%</th></tr>\n";
  auto row = [&](const std::string& name, int64_t a, int64_t b, bool bold) {
    out += fmt::format("<tr{}><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n {}\">{}</td>"
                       "<td class=\"n\">{}</td></tr>\n", bold ? " style=\"font-weight:bold\"" : "", rt::EscapeMarkup(name), Grouped(a),
                       Grouped(b), ChangeClass(b - a), SignedGrouped(b - a), PercentOf(b - a, a));
  };
  for (const Totals& t : f.funds) row(t.label + " " + t.column, t.before, t.after, false);
  row("基金支出合计 all funds", f.payouts.before, f.payouts.after, true);
  for (const Totals& t : f.incomes) row(t.label + " " + t.column, t.before, t.after, false);
  row("收入合计 income", f.income.before, f.income.after, true);
  row("结余 balance (income − all funds)", f.balance.before, f.balance.after, true);
  row(fmt::format("人均基金支出 all funds per insured person ({})", f.persons), PerHead(f.payouts.before, f.persons),
      PerHead(f.payouts.after, f.persons), false);
  row(fmt::format("人均结余 balance per insured person ({})", f.persons), PerHead(f.balance.before, f.persons),
      PerHead(f.balance.after, f.persons), false);
  row(fmt::format("就医人均 all funds per claimant ({} → {})", f.claimants_before, f.claimants_after),
      PerHead(f.payouts.before, f.claimants_before), PerHead(f.payouts.after, f.claimants_after), false);
  out += "</table>\n";
}

void WaterfallTable(std::string& out, const Waterfall& w) {
  out += "<table><tr><th>step</th>";
  for (size_t i = 0; i < w.columns.size(); ++i)
    out += fmt::format("<th class=\"n\">{} {}</th>", rt::EscapeMarkup(w.labels[i]), rt::EscapeMarkup(w.columns[i]));
  out += "</tr>\n";
  auto row = [&](const std::string& name, const std::vector<int64_t>& v, const std::string& attr) {
    out += "<tr" + attr + "><td>" + name + "</td>";
    for (int64_t x : v) out += fmt::format("<td class=\"n {}\">{}</td>", ChangeClass(x), SignedGrouped(x));
    out += "</tr>\n";
  };
  for (const WaterfallStep& s : w.steps) {
    std::string name = s.kind == "year" ? "年度平移 year " + rt::EscapeMarkup(s.label)
                       : s.kind == "interaction" ? "交互余项 interaction"
                                                 : rt::EscapeMarkup(s.label.empty() ? "(no area)" : s.label);
    if (!s.separable) name += " <span class=\"cite\">(not on its own: " + rt::EscapeMarkup(s.note) + ")</span>";
    row(name, s.deltas, "");
  }
  std::vector<int64_t> total(w.columns.size());
  for (size_t i = 0; i < total.size(); ++i) total[i] = w.after[i] - w.before[i];
  row("<b>合计 total change</b>", total, " data-figure=\"waterfall_total\"");
  out += "</table>\n";
}

void ChangesTable(std::string& out, const Sides& sides, const PolicyDiff& diff) {
  const std::string fa = std::filesystem::path(sides.old_file).filename().string();
  const std::string fb = std::filesystem::path(sides.new_file).filename().string();
  out += "<table><tr><th>area</th><th>change</th><th>old</th><th>new</th></tr>\n";
  for (const Area& area : diff.areas)
    for (const Change* c : area.changes) {
      auto side = [&](const Side& s, const std::string& file, const char* cls) {
        if (!s.present) return std::string("—");
        return fmt::format("<code class=\"{}\">{}</code><div class=\"cite\">{}:{}{}</div>", cls, rt::EscapeMarkup(s.text), rt::EscapeMarkup(file),
                           s.line, s.cite.empty() ? "" : " · " + rt::EscapeMarkup(s.cite));
      };
      out += fmt::format("<tr><td>{}</td><td>{} {} {} {}</td><td>{}</td><td>{}</td></tr>\n",
                         rt::EscapeMarkup(area.name.empty() ? "(no area)" : area.label), KindName(c->kind), rt::EscapeMarkup(c->decl),
                         rt::EscapeMarkup(c->name), rt::EscapeMarkup(c->part), side(c->before, fa, "old"), side(c->after, fb, "new"));
    }
  out += "</table>\n";
}

void TopTable(std::string& out, const Impact& impact) {
  out += "<table><tr><th>claim</th><th>person</th><th>changed</th><th>causes</th></tr>\n";
  for (const TopEvent& t : impact.top) {
    std::string columns, causes;
    for (const auto& c : t.columns)
      columns += fmt::format("{} <span class=\"old\">{}</span> → <span class=\"new\">{}</span><br>", rt::EscapeMarkup(c.name),
                             rt::EscapeMarkup(c.before), rt::EscapeMarkup(c.after));
    for (const Cause& c : t.causes) {
      std::string parts;
      for (const std::string& p : c.parts) parts += (parts.empty() ? "" : "; ") + p;
      causes += fmt::format("{} <b>{}</b>{}{}: {}<br>", rt::EscapeMarkup(c.decl), rt::EscapeMarkup(c.name), c.area.empty() ? "" : " [" + rt::EscapeMarkup(c.area) + "]",
                            c.before.empty() && c.after.empty() ? ""
                                : " = <span class=\"old\">" + rt::EscapeMarkup(c.before) + "</span> → <span class=\"new\">" + rt::EscapeMarkup(c.after) + "</span>",
                            rt::EscapeMarkup(parts));
    }
    if (causes.empty()) causes = "no changed definition on its path";
    out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", rt::EscapeMarkup(t.key), rt::EscapeMarkup(t.subject_key),
                       columns, causes);
  }
  out += "</table>\n";
}

}  // namespace

std::string DiffHtml(const Sides& sides, const PolicyDiff& diff, const Impact* impact) {
  const ir::Header &ha = sides.old_program->header, &hb = sides.new_program->header;
  std::string out = "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\n<title>" +
                    rt::EscapeMarkup(ha.title + " → " + hb.title) + "</title>\n<style>" + kStyle + "</style></head>\n<body>\n";
  out += fmt::format("<h1>{} → {}</h1>\n<div class=\"sub\">{} ({}) → {} ({}) · {} differences</div>\n", rt::EscapeMarkup(ha.title),
                     rt::EscapeMarkup(hb.title), rt::EscapeMarkup(sides.old_file), ha.year, rt::EscapeMarkup(sides.new_file), hb.year, diff.changes.size());
  if (impact) {
    const Funds& f = impact->funds;
    out += fmt::format("<div class=\"sub\">{} · {} and {}</div>\n", rt::EscapeMarkup(PopulationLine(*impact)), rt::EscapeMarkup(impact->persons),
                       rt::EscapeMarkup(impact->claims));
    if (impact->population.warn)
      out += "<div class=\"warn\" data-figure=\"warning\">" + rt::EscapeMarkup(OutsideWarning(*impact)) + "</div>\n";
    out += "<h2>概览 headline figures</h2>\n<div class=\"cards\">\n";
    out += Card("payouts", "基金支出合计 all funds", f.payouts.before, f.payouts.after, true);
    for (const Totals& t : f.funds) out += Card("fund_" + t.column, t.label + " " + t.column, t.before, t.after, true);
    out += Card("income", "收入合计 income", f.income.before, f.income.after, true);
    out += Card("balance", "结余 balance", f.balance.before, f.balance.after, true);
    out += Card("per_person", "人均基金支出 per insured person", PerHead(f.payouts.before, f.persons),
                PerHead(f.payouts.after, f.persons), false);
    out += fmt::format("<div class=\"card\"><div class=\"k\">{} rows changed</div><div class=\"v\" data-figure=\"changed\" "
                       "data-count=\"{}\">{}</div><div class=\"d\">of {}</div></div>\n</div>\n",
                       rt::EscapeMarkup(impact->events.record), impact->events.changed, impact->events.changed, impact->events.rows);
    out += "<h2>基金 funds, income and balance</h2>\n";
    FundsTable(out, *impact);
    if (!impact->waterfall.steps.empty()) {
      out += "<h2>各项调整的影响 what each change costs (all funds, 万元)</h2>\n<div class=\"sub\">The old policy moved to "
             "the new year, then each changed area of the new policy applied on its own; the interaction is the rest, "
             "so the steps add up to the total change.</div>\n";
      out += WaterfallSvg(impact->waterfall, f.funds.size());
      WaterfallTable(out, impact->waterfall);
    }
    if (!impact->by.empty()) {
      out += "<h2>分组 by " + rt::EscapeMarkup(impact->by) + " (all funds, old and new)</h2>\n" + GroupSvg(*impact);
      out += "<table><tr><th>group</th><th class=\"n\">rows</th><th class=\"n\">changed</th><th class=\"n\">old 元</th>"
             "<th class=\"n\">new 元</th><th class=\"n\">change 元</th></tr>\n";
      for (const Group& g : impact->group_rows) {
        if (g.events == 0 && g.subjects == 0) continue;
        int64_t a = 0, b = 0;
        for (const Totals& t : g.totals)
          if (t.role == ir::ColumnRole::Fund) a += t.before, b += t.after;
        out += fmt::format("<tr><td>{} {}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
                           "<td class=\"n\">{}</td><td class=\"n {}\">{}</td></tr>\n", rt::EscapeMarkup(g.label), rt::EscapeMarkup(g.key),
                           impact->by_subject ? g.subjects : g.events, g.changed, Grouped(a), Grouped(b),
                           ChangeClass(b - a), SignedGrouped(b - a));
      }
      out += "</table>\n";
    }
    out += "<h2>每笔变化分布 distribution of per-claim changes (元)</h2>\n";
    for (const Distribution& d : impact->events.distribution) {
      bool fund = false;
      for (const Totals& t : impact->events.totals) fund = fund || (t.column == d.column && t.role == ir::ColumnRole::Fund);
      if (!fund || d.increased + d.decreased == 0) continue;
      out += fmt::format("<div class=\"sub\">{}: {} up (total {} 元), {} down (total {} 元)</div>\n", rt::EscapeMarkup(d.column),
                         d.increased, SignedGrouped(d.sum_increase), d.decreased, SignedGrouped(d.sum_decrease));
      out += DistributionSvg(d);
    }
  }
  out += "<h2>政策变化 policy changes</h2>\n";
  ChangesTable(out, sides, diff);
  if (impact && !impact->top.empty()) {
    out += "<h2>变化最大的结算 the claims that changed most, with their causes</h2>\n";
    TopTable(out, *impact);
  }
  // The only script: marks the page as rendered (the browser test checks it ran).
  out += "<script>document.body.setAttribute('data-rendered', String(document.querySelectorAll('svg').length));</script>\n";
  return out + "</body></html>\n";
}

}  // namespace polc::diff
