// polc-gen: seeded, deterministic generator of synthetic persons.csv / claims.csv populations
// (edge-biased) for property tests, differential tests between the engines, and benchmarks.
//
// Determinism: the same arguments give byte-identical files on every platform. Hence only
// std::mt19937_64 (its output sequence is fixed by the standard), our own integer range helper
// (std::uniform_int_distribution differs between standard libraries), and no floating point
// in anything that reaches the output.
//
// Streaming: persons are written as they are generated; claims are buffered for a small window
// of persons only and emitted shuffled, so the file is not grouped by person and memory stays
// bounded whatever the population size.

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
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace {

// ---------------------------------------------------------------------------------------------
// Dates: days since 1970-01-01 (Howard Hinnant's algorithms, proleptic Gregorian).

using Days = int32_t;

Days DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

struct Civil {
  int y;
  unsigned m;
  unsigned d;
};

Civil CivilFromDays(Days z0) {
  const int z = z0 + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

bool IsLeap(int y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

unsigned LastDayOfMonth(int y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Calendar-month arithmetic that clamps the day to the end of the month (spec section 1).
Days AddMonths(Days date, int months) {
  const Civil c = CivilFromDays(date);
  const int total = c.y * 12 + static_cast<int>(c.m) - 1 + months;
  const int y = total >= 0 ? total / 12 : (total - 11) / 12;
  const unsigned m = static_cast<unsigned>(total - y * 12) + 1;
  return DaysFromCivil(y, m, std::min(c.d, LastDayOfMonth(y, m)));
}

Days Ymd(int y, unsigned m, unsigned d) { return DaysFromCivil(y, m, d); }

// Writes YYYY-MM-DD (years 1000..9999, which --year keeps us within); returns the end.
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

// ---------------------------------------------------------------------------------------------
// Random numbers, identical on every standard library.

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  // Uniform in [0, n), n >= 1 (Lemire's multiply-and-reject: unbiased, rarely divides).
  uint64_t Below(uint64_t n) {
    uint64_t x = engine_();
    unsigned __int128 m = static_cast<unsigned __int128>(x) * n;
    uint64_t low = static_cast<uint64_t>(m);
    if (low < n) {
      const uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        x = engine_();
        m = static_cast<unsigned __int128>(x) * n;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }

  // Uniform in [lo, hi], both inclusive, lo <= hi.
  int64_t Range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }

  // True with probability per_mille / 1000.
  bool Chance(unsigned per_mille) { return Below(1000) < per_mille; }

  // Index drawn with the given integer weights.
  template <size_t K>
  size_t Pick(const std::array<unsigned, K>& weights) {
    unsigned total = 0;
    for (unsigned w : weights) total += w;
    uint64_t r = Below(total);
    for (size_t i = 0; i < K; ++i) {
      if (r < weights[i]) return i;
      r -= weights[i];
    }
    return K - 1;
  }

  template <typename T>
  const T& OneOf(const std::vector<T>& items) {
    return items[Below(items.size())];
  }

  template <typename T>
  void Shuffle(std::vector<T>& items) {
    for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[Below(i)]);
  }

 private:
  std::mt19937_64 engine_;
};

// ---------------------------------------------------------------------------------------------
// Enumerations, written exactly as spec section 2 spells them.

constexpr std::array<std::string_view, 5> kCategory = {"resident", "new_student", "newborn",
                                                       "welfare_child", "special_entry"};
enum Category : uint8_t { kResident, kNewStudent, kNewborn, kWelfareChild, kSpecialEntry };

constexpr std::array<std::string_view, 9> kHardship = {
    "none",           "extremely_poor",      "severe_disability",
    "orphan",         "unsupported_child",   "minimum_living",
    "marginal_low_income", "poverty_monitoring", "returned_to_poverty"};

constexpr std::array<std::string_view, 9> kKind = {
    "inpatient",          "outpatient_general", "outpatient_hypertension",
    "outpatient_diabetes", "outpatient_chronic", "dual_channel_drug",
    "maternity_prenatal", "maternity_normal",   "maternity_cesarean"};
enum Kind : uint8_t {
  kInpatient, kOutGeneral, kOutHypertension, kOutDiabetes, kOutChronic,
  kDualChannel, kMatPrenatal, kMatNormal, kMatCesarean
};

constexpr std::array<std::string_view, 5> kLevel = {"primary", "level1", "level2", "level3",
                                                    "provincial"};
constexpr std::array<std::string_view, 2> kRegion = {"local", "out_of_region"};
constexpr std::array<std::string_view, 4> kReferral = {"none", "registered",
                                                       "referral_emergency", "temporary"};

constexpr std::array<std::string_view, 10> kPersonColumns = {
    "person_id",      "birth_date",   "enrolled_on",    "category",         "hardship",
    "prior_insured_years", "lapsed_years", "repaired_years", "zero_claim_years", "event_date"};
constexpr std::array<std::string_view, 10> kClaimColumns = {
    "claim_id", "person_id", "date", "kind", "level", "region", "referral", "disease",
    "total",    "eligible"};
constexpr size_t kColumns = 10;

// ---------------------------------------------------------------------------------------------
// Buffered output: one large buffer per file, handed to fwrite in big blocks.

class OutFile {
 public:
  static constexpr size_t kCapacity = size_t{8} << 20;
  static constexpr size_t kMaxRow = 1024;

  explicit OutFile(const std::filesystem::path& path)
      : path_(path), buffer_(new char[kCapacity]) {
    file_ = std::fopen(path.c_str(), "wb");
    if (file_ == nullptr) Fail(std::strerror(errno));
    std::setvbuf(file_, nullptr, _IONBF, 0);
  }
  ~OutFile() {
    if (file_ != nullptr) std::fclose(file_);
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
  std::unique_ptr<char[]> buffer_;
  size_t size_ = 0;
  std::FILE* file_ = nullptr;
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
  void AddInt(uint64_t value) {
    char* p = Begin();
    End(std::to_chars(p, p + 24, value).ptr);
  }
  void AddDate(Days date) { End(WriteDate(Begin(), date)); }
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

  void WriteTo(OutFile& out, const std::array<uint8_t, kColumns>& order) {
    char* p = out.Reserve();
    for (size_t i = 0; i < kColumns; ++i) {
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
                 const std::array<uint8_t, kColumns>& order) {
  Row row;
  for (std::string_view name : names) row.Add(name);
  row.WriteTo(out, order);
}

// ---------------------------------------------------------------------------------------------
// The population model.

struct Options {
  uint64_t persons = 0;
  uint64_t seed = 0;
  std::string out;
  double claims_per_person = 3.0;
  int year = 2026;
  bool shuffle_columns = false;
};

struct Person {
  Days birth = 0;
  Days enrolled = 0;
  Days event = 0;
  uint8_t category = kResident;
  uint8_t hardship = 0;
  uint8_t prior_insured = 0;
  uint8_t lapsed = 0;
  uint8_t repaired = 0;
  uint8_t zero_claim = 0;
  // Days on which benefits plausibly start (waiting-period ends and the like); claims are
  // piled up around them so both sides of each boundary get exercised.
  std::array<Days, 4> anchors{};
  uint8_t anchor_count = 0;
};

struct Claim {
  uint64_t id;
  uint64_t person;
  int64_t total;
  int64_t eligible;
  Days date;
  uint8_t kind, level, region, referral, disease, total_decimals, eligible_decimals;
};

class Generator {
 public:
  explicit Generator(const Options& options)
      : rng_(options.seed),
        year_(options.year),
        claims_milli_(static_cast<int64_t>(std::llround(options.claims_per_person * 1000))) {
    const int y = year_;
    year_start_ = Ymd(y, 1, 1);
    year_end_ = Ymd(y, 12, 31);
    window_start_ = Ymd(y - 1, 9, 1);
    window_end_ = Ymd(y, 1, 31);
    enrollment_edges_ = {Ymd(y - 1, 8, 31), Ymd(y - 1, 9, 1), Ymd(y - 1, 12, 31),
                         Ymd(y, 1, 1),      Ymd(y, 1, 31),    Ymd(y, 2, 1)};
    late_month_ends_ = {Ymd(y, 1, 31), Ymd(y, 2, LastDayOfMonth(y, 2)), Ymd(y, 3, 31),
                        Ymd(y, 5, 31), Ymd(y, 8, 31), Ymd(y, 10, 31), Ymd(y, 11, 30)};
  }

  Person MakePerson() {
    Person p;
    p.category = static_cast<uint8_t>(rng_.Pick(std::array<unsigned, 5>{70, 8, 8, 7, 7}));
    p.hardship = rng_.Chance(600) ? 0 : static_cast<uint8_t>(rng_.Range(1, 8));

    if (p.category == kNewborn) {
      p.birth = rng_.Chance(150) ? (rng_.Chance(500) ? year_start_ : year_end_)
                                 : static_cast<Days>(rng_.Range(year_start_, year_end_));
      // Enrolled on the birth day, or within the usual 90 days (edges included).
      const int64_t delay = rng_.Chance(250)   ? 0
                            : rng_.Chance(150) ? rng_.Range(89, 91)
                                               : rng_.Range(1, 120);
      p.enrolled = static_cast<Days>(std::min<int64_t>(p.birth + delay, year_end_));
    } else {
      const int oldest = p.category == kNewStudent ? 25 : p.category == kWelfareChild ? 17 : 100;
      const int youngest = p.category == kNewStudent ? 17 : 2;
      p.birth = BirthDate(year_ - oldest, year_ - youngest);
      p.enrolled = EnrollmentDate();
    }

    if (p.category == kWelfareChild) {
      if (rng_.Chance(150)) {
        p.event = static_cast<Days>(rng_.Range(Ymd(year_ - 1, 10, 1), Ymd(year_ - 1, 12, 31)));
      } else if (rng_.Chance(200)) {
        p.event = rng_.Chance(500) ? year_start_ : std::max(p.enrolled, year_start_);
      } else {
        p.event = static_cast<Days>(rng_.Range(year_start_, year_end_));
      }
    }

    if (p.category != kNewborn) {
      const int age = year_ - 1 - CivilFromDays(p.birth).y;  // whole years before the policy year
      if (!rng_.Chance(800)) {
        p.lapsed = static_cast<uint8_t>(std::min<int64_t>(rng_.Range(1, 6), age));
        p.repaired = static_cast<uint8_t>(rng_.Range(0, p.lapsed));
      } else {
        // A break resets the insured and zero-claim streaks, so only here are they non-zero.
        p.prior_insured = static_cast<uint8_t>(std::min<int64_t>(rng_.Range(0, 8), age));
        p.zero_claim = static_cast<uint8_t>(rng_.Range(0, std::min<int>(3, p.prior_insured)));
      }
    }
    SetAnchors(p);
    return p;
  }

  // Around the mean: a few with none, a few with up to 4x the mean; the mixture keeps the mean.
  uint64_t ClaimCount() {
    if (claims_milli_ == 0) return 0;
    const uint64_t r = rng_.Below(1000);
    int64_t milli;
    if (r < 50) {
      return 0;
    } else if (r < 100) {
      milli = rng_.Range(2 * claims_milli_, 4 * claims_milli_);
    } else {
      milli = rng_.Range(0, claims_milli_ * 2 * 85 / 90);
    }
    return static_cast<uint64_t>(milli / 1000 + (rng_.Below(1000) < static_cast<uint64_t>(milli % 1000)));
  }

  Claim MakeClaim(const Person& p, uint64_t person_index, uint64_t claim_id) {
    Claim c{};
    c.id = claim_id;
    c.person = person_index;
    c.date = ClaimDate(p);

    // inpatient 35%, outpatient 50%, maternity 5%, dual channel 10%.
    c.kind = static_cast<uint8_t>(
        rng_.Pick(std::array<unsigned, 9>{350, 200, 100, 80, 120, 100, 20, 20, 10}));
    const bool primary_only =
        c.kind == kOutGeneral || c.kind == kOutHypertension || c.kind == kOutDiabetes;
    if (primary_only && rng_.Chance(750)) {
      c.level = 0;
    } else {
      c.level = static_cast<uint8_t>(rng_.Pick(std::array<unsigned, 5>{30, 20, 25, 15, 10}));
    }
    if (rng_.Chance(150)) {
      c.region = 1;
      c.referral = static_cast<uint8_t>(rng_.Range(1, 3));
    }
    if (c.kind == kOutChronic) {
      c.disease = rng_.Chance(60) ? static_cast<uint8_t>(rng_.Range(48, 49))
                                  : static_cast<uint8_t>(rng_.Range(1, 47));
    }

    c.total_decimals = Decimals();
    c.total = Truncate(TotalFen(c.kind), c.total_decimals);
    if (rng_.Chance(400)) {
      c.eligible = c.total;
      c.eligible_decimals = c.total_decimals;
    } else {
      c.eligible_decimals = Decimals();
      const int64_t basis_points = rng_.Chance(50) ? 0 : rng_.Range(0, 10000);
      c.eligible = Truncate(c.total * basis_points / 10000, c.eligible_decimals);
    }
    return c;
  }

  Rng& rng() { return rng_; }

 private:
  Days BirthDate(int first_year, int last_year) {
    const int64_t r = rng_.Below(1000);
    if (r < 50) {  // birthdays on the year's edges and on 29 February
      const int y = static_cast<int>(rng_.Range(first_year, last_year));
      switch (rng_.Below(3)) {
        case 0: return Ymd(y, 1, 1);
        case 1: return Ymd(y, 12, 31);
        default: return Ymd(y, 2, LastDayOfMonth(y, 2));
      }
    }
    return static_cast<Days>(rng_.Range(Ymd(first_year, 1, 1), Ymd(last_year, 12, 31)));
  }

  Days EnrollmentDate() {
    const uint64_t r = rng_.Below(1000);
    if (r < 200) {  // late, through November; month ends make "+ N months" clamp
      if (rng_.Chance(300)) return rng_.OneOf(late_month_ends_);
      return static_cast<Days>(rng_.Range(Ymd(year_, 2, 1), Ymd(year_, 11, 30)));
    }
    if (r < 450) return rng_.OneOf(enrollment_edges_);
    return static_cast<Days>(rng_.Range(window_start_, window_end_));
  }

  void SetAnchors(Person& p) {
    auto add = [&p](Days d) { p.anchors[p.anchor_count++] = d; };
    switch (p.category) {
      case kNewborn:
        add(p.birth);
        add(p.enrolled);
        return;
      case kWelfareChild:
        add(p.event);
        add(std::max(p.enrolled, year_start_));
        return;
      default:
        break;
    }
    const Days base = p.category == kNewStudent ? Ymd(year_ - 1, 9, 1) : year_start_;
    const Days start = std::max(p.enrolled, base);
    int variable = std::max(p.lapsed - 1, 0) - p.repaired;
    if (p.lapsed >= 4) variable = std::max(variable, 3);
    variable = std::max(variable, 0);
    add(base);
    add(AddMonths(start, 3));
    add(AddMonths(start, 3 + variable));
    add(start + 90);
  }

  Days ClaimDate(const Person& p) {
    const uint64_t r = rng_.Below(1000);
    if (r < 50) return year_start_;
    if (r < 100) return year_end_;
    if (r < 250) return p.anchors[rng_.Below(p.anchor_count)] + static_cast<Days>(rng_.Range(-1, 1));
    if (r < 330) return static_cast<Days>(rng_.Range(Ymd(year_ - 1, 9, 1), Ymd(year_ - 1, 12, 31)));
    if (r < 360) return static_cast<Days>(rng_.Range(Ymd(year_ + 1, 1, 1), Ymd(year_ + 1, 1, 31)));
    Days d = static_cast<Days>(rng_.Range(year_start_, year_end_));
    // Most of a newborn's claims come after the birth; a few before it stay as edge cases.
    if (p.category == kNewborn && d < p.birth && rng_.Chance(800)) {
      d = p.birth + static_cast<Days>(rng_.Range(0, 60));
    }
    return d;
  }

  // 0, 1 or 2 decimals in the written amount.
  uint8_t Decimals() { return static_cast<uint8_t>(rng_.Pick(std::array<unsigned, 3>{3, 2, 5})); }

  static int64_t Truncate(int64_t fen, int decimals) {
    const int64_t unit = decimals == 0 ? 100 : decimals == 1 ? 10 : 1;
    return fen / unit * unit;
  }

  // Log-uniform-ish in [lo, hi] fen: a uniform power-of-two octave, then uniform inside it.
  int64_t LogUniform(int64_t lo, int64_t hi) {
    int octaves = 0;
    while ((lo << (octaves + 1)) <= hi) ++octaves;
    const int o = static_cast<int>(rng_.Range(0, octaves));
    const int64_t from = lo << o;
    return rng_.Range(from, std::min(hi, (from << 1) - 1));
  }

  int64_t TotalFen(uint8_t kind) {
    if (rng_.Chance(20)) return 0;
    switch (kind) {
      case kInpatient: {
        static constexpr std::array<int64_t, 9> kEdges = {200, 500, 800, 1200, 2000,
                                                          3000, 16000, 150000, 166000};
        if (rng_.Chance(40)) return kEdges[rng_.Below(kEdges.size())] * 100;
        return LogUniform(100, 600000 * 100);
      }
      case kDualChannel: return LogUniform(100, 20000 * 100);
      case kMatPrenatal: return LogUniform(100, 3000 * 100);
      case kMatNormal:
      case kMatCesarean: return LogUniform(100, 10000 * 100);
      default: {  // outpatient: 600 is where the 70% reaches the 420 cap
        if (rng_.Chance(30)) return 600 * 100;
        return LogUniform(100, 3000 * 100);
      }
    }
  }

  Rng rng_;
  int year_;
  int64_t claims_milli_;
  Days year_start_ = 0, year_end_ = 0, window_start_ = 0, window_end_ = 0;
  std::vector<Days> enrollment_edges_;
  std::vector<Days> late_month_ends_;
};

// A seed-determined column order that is never the canonical one; drawn from its own stream
// so that --shuffle-columns changes only the order of the columns, never the data.
std::array<uint8_t, kColumns> ShuffledOrder(Rng& rng) {
  std::vector<uint8_t> order(kColumns);
  for (size_t i = 0; i < kColumns; ++i) order[i] = static_cast<uint8_t>(i);
  do {
    rng.Shuffle(order);
  } while (std::is_sorted(order.begin(), order.end()));
  std::array<uint8_t, kColumns> result{};
  std::copy(order.begin(), order.end(), result.begin());
  return result;
}

void Generate(const Options& options) {
  std::array<uint8_t, kColumns> person_order{}, claim_order{};
  for (size_t i = 0; i < kColumns; ++i) person_order[i] = claim_order[i] = static_cast<uint8_t>(i);
  if (options.shuffle_columns) {
    Rng column_rng(options.seed ^ 0x9e3779b97f4a7c15ULL);
    person_order = ShuffledOrder(column_rng);
    claim_order = ShuffledOrder(column_rng);
  }

  const std::filesystem::path dir(options.out);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  OutFile persons_out(dir / "persons.csv");
  OutFile claims_out(dir / "claims.csv");
  WriteHeader(persons_out, kPersonColumns, person_order);
  WriteHeader(claims_out, kClaimColumns, claim_order);

  const std::string seed_text = std::to_string(options.seed);
  Generator gen(options);
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
      row.Add(kKind[c.kind]);
      row.Add(kLevel[c.level]);
      row.Add(kRegion[c.region]);
      row.Add(kReferral[c.referral]);
      if (c.disease != 0) {
        row.AddInt(c.disease);
      } else {
        row.AddEmpty();
      }
      row.AddMoney(c.total, c.total_decimals);
      row.AddMoney(c.eligible, c.eligible_decimals);
      row.WriteTo(claims_out, claim_order);
    }
    window.clear();
  };

  for (uint64_t i = 0; i < options.persons; ++i) {
    const Person p = gen.MakePerson();
    row.AddId('P', seed_text, i, 7);
    row.AddDate(p.birth);
    row.AddDate(p.enrolled);
    row.Add(kCategory[p.category]);
    row.Add(kHardship[p.hardship]);
    row.AddInt(p.prior_insured);
    row.AddInt(p.lapsed);
    row.AddInt(p.repaired);
    row.AddInt(p.zero_claim);
    if (p.category == kWelfareChild) {
      row.AddDate(p.event);
    } else {
      row.AddEmpty();
    }
    row.WriteTo(persons_out, person_order);

    const uint64_t count = gen.ClaimCount();
    for (uint64_t k = 0; k < count; ++k) window.push_back(gen.MakeClaim(p, i, next_claim++));
    if ((i + 1) % kWindowPersons == 0) flush_window();
  }
  flush_window();
  persons_out.Close();
  claims_out.Close();
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
  try {
    Generate(options);
  } catch (const std::exception& e) {
    fmt::print(stderr, "polc-gen: {}\n", e.what());
    return 1;
  }
  return 0;
}
