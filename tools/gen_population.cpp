// polc-gen: seeded, deterministic generator of synthetic persons.csv / claims.csv populations
// (edge-biased) for property tests, differential tests between the engines, and benchmarks.
//
// What the population looks like (words, weights, amounts, dates) is the profile's business
// (tools/population.profile, read by tools/gen/profile.cpp); this file knows only the columns
// of the interchange files and in which order the profile's expressions are drawn.
//
// Determinism: the same arguments and profile give byte-identical files on every platform.
// Hence only std::mt19937_64 (its output sequence is fixed by the standard), our own integer
// range helper (std::uniform_int_distribution differs between standard libraries), and no
// floating point in anything that reaches the output.
//
// Streaming: persons are written as they are generated; claims are buffered for a small window
// of persons only and emitted shuffled, so the file is not grouped by person and memory stays
// bounded whatever the population size.

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "tools/gen/profile.h"

#ifndef POLC_DEFAULT_PROFILE
#error "POLC_DEFAULT_PROFILE (the path of tools/population.profile) is set by CMakeLists.txt"
#endif

namespace {

using namespace polc::gen;

// Writes YYYY-MM-DD (years 1000..9999, checked by Row::AddDate); returns the end.
char* WriteDate(char* p, Days date) {
  const Civil c = CivilFromDays(date);
  const unsigned y = static_cast<unsigned>(c.y);
  p[0] = static_cast<char>('0' + y / 1000);
  p[1] = static_cast<char>('0' + y / 100 % 10);
  p[2] = static_cast<char>('0' + y / 10 % 10);
  p[3] = static_cast<char>('0' + y % 10);
  p[4] = '-';
  p[5] = static_cast<char>('0' + c.m / 10);
  p[6] = static_cast<char>('0' + c.m % 10);
  p[7] = '-';
  p[8] = static_cast<char>('0' + c.d / 10);
  p[9] = static_cast<char>('0' + c.d % 10);
  return p + 10;
}

// The columns of spec section 2, in canonical order.
constexpr size_t kColumns = 14;  // the most columns of one file
constexpr size_t kPersonCount = 14, kClaimCount = 10;
constexpr std::array<std::string_view, kColumns> kPersonColumns = {
    "person_id",      "birth_date",   "enrolled_on",    "category",         "hardship",
    "prior_insured_years", "lapsed_years", "repaired_years", "zero_claim_years", "event_date",
    "employee_end", "employee_months_prev", "employee_months_cur", "employee_gap"};
constexpr std::array<std::string_view, kColumns> kClaimColumns = {
    "claim_id", "person_id", "date", "kind", "level", "region", "referral", "disease",
    "total",    "eligible"};

// ---------------------------------------------------------------------------------------------
// Buffered output: one large buffer per file, handed to fwrite in big blocks, into a temporary
// file beside the final one; Publish renames it, so a failed run leaves no partial file.

class OutFile {
 public:
  static constexpr size_t kCapacity = size_t{8} << 20;
  static constexpr size_t kMaxRow = 1024;

  explicit OutFile(const std::filesystem::path& path)
      : path_(path), temp_(path.string() + ".tmp." + std::to_string(::getpid())),
        buffer_(new char[kCapacity]) {
    file_ = std::fopen(temp_.c_str(), "wb");
    if (file_ == nullptr) Fail(std::strerror(errno));
    std::setvbuf(file_, nullptr, _IONBF, 0);
  }
  ~OutFile() {
    if (file_ != nullptr) std::fclose(file_);
    if (!published_) std::remove(temp_.c_str());
  }
  OutFile(const OutFile&) = delete;
  OutFile& operator=(const OutFile&) = delete;

  // Room for one more row of at most kMaxRow bytes.
  char* Reserve() {
    if (size_ + kMaxRow > kCapacity) Flush();
    return buffer_.get() + size_;
  }
  void Commit(char* end) { size_ = static_cast<size_t>(end - buffer_.get()); }

  void Close() {
    Flush();
    const int rc = std::fclose(file_);
    file_ = nullptr;
    if (rc != 0) Fail(std::strerror(errno));
  }
  // After Close: the file appears under its final name.
  void Publish() {
    if (std::rename(temp_.c_str(), path_.c_str()) != 0) Fail(std::strerror(errno));
    published_ = true;
  }

 private:
  void Flush() {
    if (size_ > 0 && std::fwrite(buffer_.get(), 1, size_, file_) != size_) {
      Fail(std::strerror(errno));
    }
    size_ = 0;
  }
  [[noreturn]] void Fail(const char* why) const {
    throw std::runtime_error(fmt::format("cannot write {}: {}", path_.string(), why));
  }

  std::filesystem::path path_;
  std::string temp_;
  std::unique_ptr<char[]> buffer_;
  size_t size_ = 0;
  std::FILE* file_ = nullptr;
  bool published_ = false;
};

// Builds the fields of one row in canonical column order, then writes them in the file's order.
class Row {
 public:
  char* Begin() { return scratch_ + offset_[count_]; }
  void End(char* end) {
    length_[count_] = static_cast<uint16_t>(end - Begin());
    offset_[count_ + 1] = static_cast<uint16_t>(end - scratch_);
    ++count_;
  }
  void Add(std::string_view text) {
    char* p = Begin();
    std::memcpy(p, text.data(), text.size());
    End(p + text.size());
  }
  void AddInt(int64_t value) {
    char* p = Begin();
    End(std::to_chars(p, p + 24, value).ptr);
  }
  void AddDate(Days date) {
    static const Days kFirst = DaysFromCivil(1000, 1, 1), kLast = DaysFromCivil(9999, 12, 31);
    if (date < kFirst || date > kLast) {
      throw std::runtime_error("a generated date falls outside the years 1000 .. 9999 (see the profile's dates and --year)");
    }
    End(WriteDate(Begin(), date));
  }
  void AddEmpty() { End(Begin()); }
  // "P<seed>-<digits>" with at least `width` zero-padded digits.
  void AddId(char letter, std::string_view seed, uint64_t number, int width) {
    char* p = Begin();
    *p++ = letter;
    std::memcpy(p, seed.data(), seed.size());
    p += seed.size();
    *p++ = '-';
    char digits[24];
    char* end = std::to_chars(digits, digits + sizeof digits, number).ptr;
    for (int pad = width - static_cast<int>(end - digits); pad > 0; --pad) *p++ = '0';
    std::memcpy(p, digits, static_cast<size_t>(end - digits));
    End(p + (end - digits));
  }
  // Yuan from fen with exactly `decimals` (0, 1 or 2) decimals; the value is a multiple of
  // the last written digit's unit.
  void AddMoney(int64_t fen, int decimals) {
    char* p = Begin();
    p = std::to_chars(p, p + 24, fen / 100).ptr;
    if (decimals >= 1) {
      *p++ = '.';
      *p++ = static_cast<char>('0' + fen / 10 % 10);
      if (decimals == 2) *p++ = static_cast<char>('0' + fen % 10);
    }
    End(p);
  }

  void WriteTo(OutFile& out, const std::array<uint8_t, kColumns>& order, size_t columns) {
    char* p = out.Reserve();
    for (size_t i = 0; i < columns; ++i) {
      if (i > 0) *p++ = ',';
      const uint8_t c = order[i];
      std::memcpy(p, scratch_ + offset_[c], length_[c]);
      p += length_[c];
    }
    *p++ = '\n';
    out.Commit(p);
    count_ = 0;
  }

 private:
  char scratch_[OutFile::kMaxRow - 16];
  uint16_t offset_[kColumns + 1] = {0};
  uint16_t length_[kColumns] = {0};
  size_t count_ = 0;
};

void WriteHeader(OutFile& out, const std::array<std::string_view, kColumns>& names,
                 const std::array<uint8_t, kColumns>& order, size_t columns) {
  Row row;
  for (size_t c = 0; c < columns; ++c) row.Add(names[c]);
  row.WriteTo(out, order, columns);
}

// ---------------------------------------------------------------------------------------------
// The population model: which profile expression is drawn when, and what becomes of it.

struct Options {
  uint64_t persons = 0;
  uint64_t seed = 0;
  std::string out;
  std::string profile = POLC_DEFAULT_PROFILE;
  double claims_per_person = 3.0;
  int year = 2026;
  bool shuffle_columns = false;
};

constexpr size_t kMaxAnchors = 16;

struct Person {
  Days birth = 0;
  Days enrolled = 0;
  Days event = 0;
  uint32_t category = 0;
  uint32_t hardship = 0;
  bool has_event = false;
  int64_t prior_insured = 0, lapsed = 0, repaired = 0, zero_claim = 0;
  bool has_employee_end = false;  // else the employee columns are empty, 0, 0 and the `no` word
  Days employee_end = 0;
  int64_t employee_months_prev = 0, employee_months_cur = 0;
  uint32_t employee_gap = 0;
  // Days on which benefits plausibly start (waiting-period ends and the like); claims are
  // piled up around them so both sides of each boundary get exercised.
  std::array<Days, kMaxAnchors> anchors{};
  size_t anchor_count = 0;
  Scope scope;  // what claim expressions read (its anchors pointer is set at use)
};

struct Claim {
  uint64_t id;
  uint64_t person;
  int64_t total;
  int64_t eligible;
  int64_t disease;
  Days date;
  uint32_t kind, level, region, referral;
  uint8_t total_decimals, eligible_decimals;
  bool has_disease;
};

// A value the profile made that cannot be written: "FILE:LINE: what is wrong".
[[noreturn]] void Bad(const Expr& e, const std::string& what) {
  throw ProfileError(fmt::format("{}: {}", e.where, what));
}

class Generator {
 public:
  Generator(const Options& options, const Profile& profile)
      : profile_(profile),
        rng_(options.seed),
        year_(options.year),
        claims_milli_(static_cast<int64_t>(std::llround(options.claims_per_person * 1000))) {}

  Person MakePerson() {
    const Profile& pr = profile_;
    Person p;
    Scope& s = p.scope;
    p.category = static_cast<uint32_t>(Eval(pr.category, s, rng_));
    p.hardship = static_cast<uint32_t>(Eval(pr.hardship, s, rng_));
    const CategoryRule& c = pr.categories[p.category];
    p.birth = Date(c.birth, s);
    s.vars[kBirth] = p.birth;
    p.enrolled = Date(c.enrolled, s);
    s.vars[kEnrolled] = p.enrolled;
    if (c.has_event) {
      p.has_event = true;
      p.event = Date(c.event, s);
      s.vars[kEvent] = p.event;
    }
    if (c.employee && rng_.Chance(pr.employee_per_mille)) {
      p.has_employee_end = true;
      p.employee_end = Date(pr.employee_end, s);
      s.vars[kEmployeeEnd] = p.employee_end;
      p.enrolled = Date(pr.employee_enrolled, s);
      s.vars[kEnrolled] = p.enrolled;
      p.employee_months_prev = Months(pr.employee_months_prev, s);
      p.employee_months_cur = Months(pr.employee_months_cur, s);
      p.employee_gap = static_cast<uint32_t>(Eval(pr.employee_gap, s, rng_));
    }
    s.vars[kAge] = year_ - 1 - CivilFromDays(p.birth).y;  // whole years before the policy year
    if (c.history) {
      if (!rng_.Chance(pr.unbroken_per_mille)) {
        p.lapsed = s.vars[kLapsed] = Years(pr.lapsed, s);
        p.repaired = s.vars[kRepaired] = Years(pr.repaired, s);
      } else {
        // A break resets the insured and zero-claim streaks, so only here are they non-zero.
        p.prior_insured = s.vars[kPriorInsured] = Years(pr.prior_insured, s);
        p.zero_claim = s.vars[kZeroClaim] = Years(pr.zero_claim, s);
      }
    }
    for (const Expr& a : c.anchors) p.anchors[p.anchor_count++] = Date(a, s);
    return p;
  }

  uint64_t ClaimCount() {
    if (claims_milli_ == 0) return 0;  // a mean of 0: no claims, and no draws
    Scope s;
    s.vars[kMean] = claims_milli_;
    const int64_t n = Eval(profile_.claim_count, s, rng_);
    if (n < 0) Bad(profile_.claim_count, fmt::format("a negative number of claims ({})", n));
    return static_cast<uint64_t>(n);
  }

  Claim MakeClaim(Person& p, uint64_t person_index, uint64_t claim_id) {
    const Profile& pr = profile_;
    Scope& s = p.scope;
    s.anchors = p.anchors.data();
    s.anchor_count = p.anchor_count;
    const CategoryRule& cat = pr.categories[p.category];
    Claim c{};
    c.id = claim_id;
    c.person = person_index;
    c.date = Date(cat.has_claim_date ? cat.claim_date : pr.claim_date, s);
    c.kind = static_cast<uint32_t>(Eval(pr.kind, s, rng_));
    const KindRule& k = pr.kinds[c.kind];
    c.level = static_cast<uint32_t>(Eval(k.has_level ? k.level : pr.level, s, rng_));
    c.region = static_cast<uint32_t>(Eval(pr.region, s, rng_));
    const RegionRule& r = pr.regions[c.region];
    c.referral = static_cast<uint32_t>(Eval(r.has_referral ? r.referral : pr.referral, s, rng_));
    if (k.has_disease) {
      c.has_disease = true;
      c.disease = Eval(k.disease, s, rng_);
    }
    c.total_decimals = Decimals(s);
    const Expr& total = k.has_total ? k.total : pr.total;
    c.total = Eval(total, s, rng_);
    if (c.total < 0 || c.total > kMaxFen) Bad(total, fmt::format("total {} fen outside 0 .. 10^14", c.total));
    c.total = Truncate(c.total, c.total_decimals);
    if (rng_.Chance(pr.eligible_same_per_mille)) {
      c.eligible = c.total;
      c.eligible_decimals = c.total_decimals;
    } else {
      c.eligible_decimals = Decimals(s);
      const int64_t basis_points = Eval(pr.eligible_share, s, rng_);
      if (basis_points < 0 || basis_points > 10000) {
        Bad(pr.eligible_share, fmt::format("eligible share {} bp outside 0% .. 100%", basis_points));
      }
      c.eligible = Truncate(c.total * basis_points / 10000, c.eligible_decimals);
    }
    return c;
  }

  Rng& rng() { return rng_; }

 private:
  static constexpr int64_t kMaxFen = 100'000'000'000'000;

  Days Date(const Expr& e, const Scope& s) {
    const int64_t d = Eval(e, s, rng_);
    if (d < -3'000'000 || d > 3'000'000) Bad(e, "a date far outside the years 1000 .. 9999");
    return static_cast<Days>(d);
  }

  int64_t Years(const Expr& e, const Scope& s) {
    const int64_t n = Eval(e, s, rng_);
    if (n < 0 || n > 1000) Bad(e, fmt::format("a number of years ({}) outside 0 .. 1000", n));
    return n;
  }

  int64_t Months(const Expr& e, const Scope& s) {
    const int64_t n = Eval(e, s, rng_);
    if (n < 0 || n > 12) Bad(e, fmt::format("a number of months ({}) outside 0 .. 12", n));
    return n;
  }

  // 0, 1 or 2 decimals in the written amount.
  uint8_t Decimals(const Scope& s) {
    const int64_t n = Eval(profile_.decimals, s, rng_);
    if (n < 0 || n > 2) Bad(profile_.decimals, fmt::format("decimals must be 0, 1 or 2, got {}", n));
    return static_cast<uint8_t>(n);
  }

  static int64_t Truncate(int64_t fen, int decimals) {
    const int64_t unit = decimals == 0 ? 100 : decimals == 1 ? 10 : 1;
    return fen / unit * unit;
  }

  const Profile& profile_;
  Rng rng_;
  int year_;
  int64_t claims_milli_;
};

// A seed-determined column order that is never the canonical one; drawn from its own stream
// so that --shuffle-columns changes only the order of the columns, never the data.
std::array<uint8_t, kColumns> ShuffledOrder(Rng& rng, size_t columns) {
  std::vector<uint8_t> order(columns);
  for (size_t i = 0; i < columns; ++i) order[i] = static_cast<uint8_t>(i);
  do {
    rng.Shuffle(order);
  } while (std::is_sorted(order.begin(), order.end()));
  std::array<uint8_t, kColumns> result{};
  std::copy(order.begin(), order.end(), result.begin());
  return result;
}

void Generate(const Options& options, const Profile& profile) {
  std::array<uint8_t, kColumns> person_order{}, claim_order{};
  for (size_t i = 0; i < kColumns; ++i) person_order[i] = claim_order[i] = static_cast<uint8_t>(i);
  if (options.shuffle_columns) {
    Rng column_rng(options.seed ^ 0x9e3779b97f4a7c15ULL);
    person_order = ShuffledOrder(column_rng, kPersonCount);
    claim_order = ShuffledOrder(column_rng, kClaimCount);
  }

  const std::filesystem::path dir(options.out);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  OutFile persons_out(dir / "persons.csv");
  OutFile claims_out(dir / "claims.csv");
  WriteHeader(persons_out, kPersonColumns, person_order, kPersonCount);
  WriteHeader(claims_out, kClaimColumns, claim_order, kClaimCount);

  const std::string seed_text = std::to_string(options.seed);
  Generator gen(options, profile);
  const std::vector<std::string>& words = profile.words;
  Row row;
  std::vector<Claim> window;
  constexpr uint64_t kWindowPersons = 64;
  uint64_t next_claim = 0;

  auto flush_window = [&] {
    gen.rng().Shuffle(window);
    for (const Claim& c : window) {
      row.AddId('C', seed_text, c.id, 8);
      row.AddId('P', seed_text, c.person, 7);
      row.AddDate(c.date);
      row.Add(words[c.kind]);
      row.Add(words[c.level]);
      row.Add(words[c.region]);
      row.Add(words[c.referral]);
      if (c.has_disease) {
        row.AddInt(c.disease);
      } else {
        row.AddEmpty();
      }
      row.AddMoney(c.total, c.total_decimals);
      row.AddMoney(c.eligible, c.eligible_decimals);
      row.WriteTo(claims_out, claim_order, kClaimCount);
    }
    window.clear();
  };

  for (uint64_t i = 0; i < options.persons; ++i) {
    Person p = gen.MakePerson();
    row.AddId('P', seed_text, i, 7);
    row.AddDate(p.birth);
    row.AddDate(p.enrolled);
    row.Add(words[p.category]);
    row.Add(words[p.hardship]);
    row.AddInt(p.prior_insured);
    row.AddInt(p.lapsed);
    row.AddInt(p.repaired);
    row.AddInt(p.zero_claim);
    if (p.has_event) {
      row.AddDate(p.event);
    } else {
      row.AddEmpty();
    }
    if (p.has_employee_end) {
      row.AddDate(p.employee_end);
      row.AddInt(p.employee_months_prev);
      row.AddInt(p.employee_months_cur);
      row.Add(words[p.employee_gap]);
    } else {
      // Spec section 2: no employee insurance ending, so 0 months and no gap.
      row.AddEmpty();
      row.AddInt(0);
      row.AddInt(0);
      row.Add("no");
    }
    row.WriteTo(persons_out, person_order, kPersonCount);

    const uint64_t count = gen.ClaimCount();
    for (uint64_t k = 0; k < count; ++k) window.push_back(gen.MakeClaim(p, i, next_claim++));
    if ((i + 1) % kWindowPersons == 0) flush_window();
  }
  flush_window();
  persons_out.Close();
  claims_out.Close();
  persons_out.Publish();
  claims_out.Publish();
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{
      "polc-gen: writes a seeded, deterministic synthetic population (persons.csv and "
      "claims.csv) in the interchange format of spec section 2."};
  app.add_option("--persons", options.persons, "Number of persons (>= 1)")
      ->required()
      ->check(CLI::Range(uint64_t{1}, uint64_t{1000000000}));
  std::string seed_text;
  app.add_option("--seed", seed_text, "Random seed (unsigned 64-bit integer)")
      ->required()
      ->type_name("UINT64");
  app.add_option("--out", options.out, "Output directory (created if missing)")->required();
  app.add_option("--claims-per-person", options.claims_per_person,
                 "Mean number of claims per person (0 .. 1000)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1000.0));
  app.add_option("--year", options.year, "Policy year (1900 .. 9000)")
      ->capture_default_str()
      ->check(CLI::Range(1900, 9000));
  app.add_flag("--shuffle-columns", options.shuffle_columns,
               "Write the columns in a seed-determined order");
  app.add_option("--profile", options.profile,
                 "The population profile: words, weights, amounts and dates (docs/generator.md)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  // CLI11 2.1 wraps "-1" into an unsigned seed and lets "nan" through a Range, so check here.
  const char* seed_end = seed_text.data() + seed_text.size();
  const auto [seed_stop, seed_ec] = std::from_chars(seed_text.data(), seed_end, options.seed);
  if (seed_text.empty() || seed_ec != std::errc() || seed_stop != seed_end) {
    fmt::print(stderr, "polc-gen: --seed must be an integer in 0 .. 18446744073709551615, got '{}'\n",
               seed_text);
    return 2;
  }
  if (!std::isfinite(options.claims_per_person)) {
    fmt::print(stderr, "polc-gen: --claims-per-person must be a number in 0 .. 1000\n");
    return 2;
  }
  if (options.out.empty()) {
    fmt::print(stderr, "polc-gen: --out must not be empty\n");
    return 2;
  }
  // Read before anything is written, so that a bad profile leaves no file behind.
  Profile profile;
  try {
    profile = LoadProfile(options.profile, options.year);
  } catch (const ProfileError& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 2;
  }
  try {
    Generate(options, profile);
  } catch (const ProfileError& e) {  // a value the profile drew that cannot be written
    fmt::print(stderr, "{}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "polc-gen: {}\n", e.what());
    return 1;
  }
  return 0;
}
