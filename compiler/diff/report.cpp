// The policy diff as text (grouped by area, colour on a terminal) and as JSON members.
#include "compiler/diff/report.h"

#include <filesystem>

#include <fmt/format.h>

namespace polc::diff {

namespace {

std::string Paint(bool on, const char* code, std::string_view s) {
  return on ? fmt::format("\x1b[{}m{}\x1b[0m", code, s) : std::string(s);
}

// The definition and part a change is about: `param fixed_wait`, `table inpatient[level3].rate`,
// `rule contribution exception newborn: value`.
std::string Subject(const Change& c) {
  std::string out = c.decl + (c.name.empty() ? "" : " " + c.name);
  if (c.part.empty()) return out;
  return out + (c.part[0] == '[' ? "" : " ") + c.part;
}

bool Long(const std::string& s) { return s.find('\n') != std::string::npos || s.size() > 70; }

std::string Indent(const std::string& text, const std::string& prefix) {
  std::string out = prefix;
  for (char ch : text) {
    out += ch;
    if (ch == '\n') out += std::string(prefix.size(), ' ');
  }
  return out;
}

std::string Where(const std::string& file, const Side& side) {
  return fmt::format("{}:{}", std::filesystem::path(file).filename().string(), side.line);
}

std::string Header(const ir::Program& p) { return fmt::format("{} ({}, {})", p.header.title, p.header.region, p.header.year); }

std::string SideJson(const Side& s) {
  if (!s.present) return "null";
  return fmt::format("{{\"text\":{},\"line\":{},\"cite\":{}}}", JsonQuote(s.text), s.line, JsonQuote(s.cite));
}

}  // namespace

std::string Grouped(int64_t fen) {
  const bool negative = fen < 0;
  const uint64_t v = negative ? 0 - static_cast<uint64_t>(fen) : static_cast<uint64_t>(fen);
  std::string digits = std::to_string(v / 100), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return fmt::format("{}{}.{:02}", negative ? "-" : "", out, v % 100);
}

std::string SignedGrouped(int64_t fen) { return (fen > 0 ? "+" : "") + Grouped(fen); }

std::string Wan(int64_t fen) {
  // 1 万元 = 1 000 000 fen; two decimals: units of 10 000 fen, rounded half up (away from zero).
  const bool negative = fen < 0;
  const uint64_t v = negative ? 0 - static_cast<uint64_t>(fen) : static_cast<uint64_t>(fen);
  const uint64_t hundredths = (v + 5000) / 10000;
  std::string whole = std::to_string(hundredths / 100), out;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) out += ',';
    out += whole[i];
  }
  return fmt::format("{}{}.{:02}", negative && hundredths ? "-" : "", out, hundredths % 100);
}

std::string PercentOf(int64_t change, int64_t base) {
  if (base == 0) return "";
  // Tenths of a percent, rounded half away from zero, in 128-bit to avoid overflow.
  const __int128 num = static_cast<__int128>(change) * 1000;
  const __int128 den = base < 0 ? -static_cast<__int128>(base) : base;
  __int128 q = (num < 0 ? -num : num) * 2 / den;
  q = (q + 1) / 2;
  const int64_t tenths = static_cast<int64_t>(num < 0 ? -q : q);
  const int64_t a = tenths < 0 ? -tenths : tenths;
  return fmt::format("{}{}.{}%", tenths > 0 ? "+" : tenths < 0 ? "-" : "", a / 10, a % 10);
}

int64_t PerHead(int64_t fen, int64_t n) {
  if (n <= 0) return 0;
  const int64_t q = fen / n, r = fen % n;
  if (2 * (r < 0 ? -r : r) >= n) return q + (fen < 0 ? -1 : 1);
  return q;
}

std::string Style::Bold(std::string_view s) const { return Paint(color, "1", s); }
std::string Style::Old(std::string_view s) const { return Paint(color, "31", s); }
std::string Style::New(std::string_view s) const { return Paint(color, "32", s); }
std::string Style::Dim(std::string_view s) const { return Paint(color, "2", s); }

std::string DiffText(const Sides& sides, const PolicyDiff& diff, const Style& style) {
  std::string out = style.Old(fmt::format("--- {}  {}", sides.old_file, Header(*sides.old_program))) + "\n";
  out += style.New(fmt::format("+++ {}  {}", sides.new_file, Header(*sides.new_program))) + "\n";
  if (diff.Empty()) return out + "no differences\n";
  size_t cites = 0;
  for (const Change& c : diff.changes) cites += c.part == "cite" || c.part.ends_with(": cite") ? 1 : 0;
  out += fmt::format("{} difference{}{}\n", diff.changes.size(), diff.changes.size() == 1 ? "" : "s",
                     cites ? fmt::format(" ({} of them in cites only)", cites) : "");
  for (const Area& area : diff.areas) {
    out += "\n" + style.Bold(area.name.empty() ? "(no area): the header and definitions outside any area"
                                               : fmt::format("{}: {}", area.name, area.label)) + "\n";
    for (const Change* c : area.changes) {
      const std::string subject = Subject(*c);
      const Side &b = c->before, &a = c->after;
      if (c->kind == ChangeKind::Changed && !Long(b.text) && !Long(a.text)) {
        out += fmt::format("  {} {}: {} → {}\n", KindName(c->kind), subject, style.Old(b.text), style.New(a.text));
      } else if (c->kind == ChangeKind::Changed) {
        out += fmt::format("  {} {}:\n", KindName(c->kind), subject);
        out += style.Old(Indent(b.text, "      - ")) + "\n" + style.New(Indent(a.text, "      + ")) + "\n";
      } else {
        const Side& s = c->kind == ChangeKind::Added ? a : b;
        const std::string prefix = c->kind == ChangeKind::Added ? "+ " : "- ";
        const std::string body = c->kind == ChangeKind::Added ? style.New(Indent(s.text, "      " + prefix))
                                                              : style.Old(Indent(s.text, "      " + prefix));
        out += fmt::format("  {} {}:\n{}\n", KindName(c->kind), subject, body);
      }
      // Where each side says it, and the clause it cites.
      auto cite = [](const std::string& text) { return text.empty() ? std::string("(no cite)") : "\"" + text + "\""; };
      std::string lines;
      const bool cite_change = c->part == "cite" || c->part.ends_with(": cite");
      if (cite_change || c->part.empty() || (b.cite.empty() && a.cite.empty())) {
        // The cite is the change, or is part of the declaration shown, or there is none.
        std::vector<std::string> at;
        if (b.present) at.push_back("old " + Where(sides.old_file, b));
        if (a.present) at.push_back("new " + Where(sides.new_file, a));
        lines = (at.size() == 2 ? "      " + at[0] + ", " + at[1] : "      " + at[0]) + "\n";
      } else if (b.present && a.present && b.cite == a.cite) {
        lines = fmt::format("      old {}, new {}  cite {}\n", Where(sides.old_file, b), Where(sides.new_file, a), cite(b.cite));
      } else {
        if (b.present) lines += fmt::format("      old {}  cite {}\n", Where(sides.old_file, b), cite(b.cite));
        if (a.present) lines += fmt::format("      new {}  cite {}\n", Where(sides.new_file, a), cite(a.cite));
      }
      out += style.Dim(lines.substr(0, lines.size() - 1)) + "\n";
    }
  }
  return out;
}

std::string DiffJsonMembers(const Sides& sides, const PolicyDiff& diff) {
  auto policy = [](const std::string& file, const ir::Program& p) {
    return fmt::format("{{\"file\":{},\"title\":{},\"region\":{},\"year\":{}}}", JsonQuote(file),
                       JsonQuote(p.header.title), JsonQuote(p.header.region), p.header.year);
  };
  std::string out = fmt::format("\"schema\":\"polc-diff\",\"version\":{},\"old\":{},\"new\":{},\"differences\":{}",
                                kDiffSchemaVersion, policy(sides.old_file, *sides.old_program),
                                policy(sides.new_file, *sides.new_program), diff.changes.size());
  out += ",\"areas\":[";
  for (size_t i = 0; i < diff.areas.size(); ++i) {
    const Area& area = diff.areas[i];
    out += fmt::format("{}{{\"name\":{},\"label\":{},\"changes\":[", i ? "," : "",
                       area.name.empty() ? "null" : JsonQuote(area.name), JsonQuote(area.label));
    for (size_t j = 0; j < area.changes.size(); ++j) {
      const Change& c = *area.changes[j];
      out += fmt::format("{}{{\"change\":\"{}\",\"decl\":{},\"name\":{},\"part\":{},\"old\":{},\"new\":{}}}",
                         j ? "," : "", KindName(c.kind), JsonQuote(c.decl), JsonQuote(c.name), JsonQuote(c.part),
                         SideJson(c.before), SideJson(c.after));
    }
    out += "]}";
  }
  return out + "]";
}

}  // namespace polc::diff
