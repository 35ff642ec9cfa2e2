// polc_handwritten_run: a hand-written CSV -> CSV settlement of Huaihua 2026 from end to end,
// for the benchmark only (bench/run.sh): the speed of light of our design for `polc run`.
// The policy's figures are constants here (the rules themselves are HandwrittenHuaihua's, the
// chronic-disease caps are policies/chronic-caps.csv's), the inputs are read with mmap and one
// scan per row, ids are checked with a hash table, claims are kept columnar, and the result
// files are formatted by hand into large buffers. bench/run.sh and the ctest
// Bench.HandwrittenRunMatchesPolc check that it writes exactly the bytes of `polc run`.
//
//   polc_handwritten_run PERSONS.csv CLAIMS.csv RESULTS.csv PERSONS_RESULT.csv
//
// It is not a second implementation of polc: it knows the spec's files only as polc-gen
// writes them (any column order, no quoted fields), and stops at the first bad row.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "bench/handwritten_huaihua.h"
#include "runtime/date.h"
#include "runtime/money.h"

namespace {

using polc::ir::Value;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "polc_handwritten_run: %s\n", what.c_str());
  std::exit(1);
}

struct Mapped {
  const char* data = nullptr;
  size_t size = 0;
};

Mapped Map(const char* path) {
  const int fd = ::open(path, O_RDONLY);
  if (fd < 0) Die(std::string("cannot open ") + path);
  struct stat st{};
  if (::fstat(fd, &st) != 0) Die(std::string("cannot stat ") + path);
  Mapped m;
  m.size = static_cast<size_t>(st.st_size);
  if (m.size > 0) {
    void* p = ::mmap(nullptr, m.size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) Die(std::string("cannot map ") + path);
    ::madvise(p, m.size, MADV_SEQUENTIAL);
    m.data = static_cast<const char*>(p);
  }
  ::close(fd);
  return m;
}

// Splits the row starting at `at` into exactly `n` fields; returns the position after it.
size_t SplitRow(const Mapped& m, size_t at, std::string_view* fields, size_t n) {
  const char* p = m.data + at;
  const char* end = m.data + m.size;
  for (size_t f = 0; f < n; ++f) {
    const char* start = p;
    while (p < end && *p != ',' && *p != '\n' && *p != '\r') ++p;
    fields[f] = std::string_view(start, static_cast<size_t>(p - start));
    if (f + 1 < n) {
      if (p >= end || *p != ',') Die("a row has too few fields");
      ++p;
    }
  }
  if (p < end && *p == '\r') ++p;
  if (p < end && *p != '\n') Die("a row has too many fields, or a quoted field");
  return static_cast<size_t>(p - m.data) + (p < end ? 1 : 0);
}

// The header's columns in the order of `names`.
size_t MapHeader(const Mapped& m, const char* const* names, size_t n, size_t* column_of) {
  std::vector<std::string_view> header(n);
  const size_t at = SplitRow(m, 0, header.data(), n);
  for (size_t f = 0; f < n; ++f) {
    column_of[f] = n;
    for (size_t c = 0; c < n; ++c) {
      if (header[c] == names[f]) column_of[f] = c;
    }
    if (column_of[f] == n) Die(std::string("missing column ") + names[f]);
  }
  return at;
}

int32_t Date(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') Die("bad date");
  auto d = [&](size_t i) { return static_cast<unsigned>(t[i] - '0'); };
  return polc::rt::MakeDate(static_cast<int>(d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3)), d(5) * 10 + d(6), d(8) * 10 + d(9));
}

int64_t Int(std::string_view t) {
  if (t.empty()) Die("empty number");
  int64_t v = 0;
  for (char c : t) {
    if (c < '0' || c > '9') Die("bad number");
    v = v * 10 + (c - '0');
  }
  return v;
}

int64_t Money(std::string_view t) {
  const size_t dot = t.find('.');
  if (dot == std::string_view::npos) return Int(t) * 100;
  const std::string_view cents = t.substr(dot + 1);
  if (cents.empty() || cents.size() > 2) Die("bad money");
  return Int(t.substr(0, dot)) * 100 + Int(cents) * (cents.size() == 1 ? 10 : 1);
}

template <size_t N>
int64_t Word(std::string_view t, const char* const (&words)[N]) {
  for (size_t w = 0; w < N; ++w) {
    if (t == words[w]) return static_cast<int64_t>(w);
  }
  Die("unknown word " + std::string(t));
}

constexpr const char* kCategories[] = {"resident", "new_student", "newborn", "welfare_child", "special_entry"};
constexpr const char* kHardships[] = {"none", "extremely_poor", "severe_disability", "orphan", "unsupported_child",
                                      "minimum_living", "marginal_low_income", "poverty_monitoring", "returned_to_poverty"};
constexpr const char* kKinds[] = {"inpatient", "outpatient_general", "outpatient_hypertension", "outpatient_diabetes",
                                  "outpatient_chronic", "dual_channel_drug", "maternity_prenatal", "maternity_normal",
                                  "maternity_cesarean"};
constexpr const char* kLevels[] = {"primary", "level1", "level2", "level3", "provincial"};
constexpr const char* kRegions[] = {"local", "out_of_region"};
constexpr const char* kReferrals[] = {"none", "registered", "referral_emergency", "temporary"};
constexpr const char* kStatuses[] = {"ok", "waiting_period", "outside_period", "not_covered"};

constexpr const char* kPersonFields[] = {"person_id", "birth_date", "enrolled_on", "category", "hardship",
    "prior_insured_years", "lapsed_years", "repaired_years", "zero_claim_years", "event_date",
    "employee_end", "employee_months_prev", "employee_months_cur", "employee_gap"};
constexpr const char* kGaps[] = {"no", "yes"};
constexpr const char* kClaimFields[] = {"claim_id", "person_id", "date", "kind", "level", "region", "referral",
    "disease", "total", "eligible"};

// policies/chronic-caps.csv, in yuan: disease 1..47 (0: none).
constexpr int64_t kChronicCapYuan[48] = {-1, 1800, 1260, 20000, 1260, 1260, 10000, 1260, 1260, 1260, 1260, 1260,
    1260, 1260, 1260, 1260, 1260, 1260, 1260, 1260, 1260, 1260, 1260, 1260, 1260, 1260, 1260, 1260, 1260, 1260,
    1260, 1260, 1260, 1260, 30000, 1260, 1260, 57240, 1260, 1260, 1260, 1260, 57240, 1260, 1260, 1260, 1260, 1260};

// Open addressing over (hash, index) for ids; `views[index]` is the id.
class IdTable {
 public:
  explicit IdTable(size_t n) {
    size_t capacity = 16;
    while (capacity < n * 2) capacity *= 2;
    slots_.assign(capacity, Slot{0, UINT32_MAX});
    mask_ = capacity - 1;
  }
  static uint64_t Hash(std::string_view s) {
    uint64_t h = 1469598103934665603ull;  // FNV-1a
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    return h;
  }
  // Inserts `index` under `key`; false when the key is there already.
  bool Insert(std::string_view key, uint32_t index, const std::vector<std::string_view>& views) {
    const uint64_t h = Hash(key);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].index == UINT32_MAX) {
        slots_[i] = {h, index};
        return true;
      }
      if (slots_[i].hash == h && views[slots_[i].index] == key) return false;
    }
  }
  uint32_t Find(std::string_view key, const std::vector<std::string_view>& views) const {
    const uint64_t h = Hash(key);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].index == UINT32_MAX) return UINT32_MAX;
      if (slots_[i].hash == h && views[slots_[i].index] == key) return slots_[i].index;
    }
  }

 private:
  struct Slot {
    uint64_t hash;
    uint32_t index;
  };
  std::vector<Slot> slots_;
  size_t mask_ = 0;
};

class Output {
 public:
  explicit Output(const char* path) : file_(std::fopen(path, "wb")) {
    if (file_ == nullptr) Die(std::string("cannot write ") + path);
    buffer_.reserve(kFlush + 4096);
  }
  ~Output() {
    Flush();
    std::fclose(file_);
  }
  std::string& Buffer() { return buffer_; }
  void EndRow() {
    buffer_.push_back('\n');
    if (buffer_.size() >= kFlush) Flush();
  }

 private:
  static constexpr size_t kFlush = size_t{4} << 20;
  void Flush() {
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) Die("write error");
    buffer_.clear();
  }
  std::FILE* file_;
  std::string buffer_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) Die("usage: polc_handwritten_run PERSONS.csv CLAIMS.csv RESULTS.csv PERSONS_RESULT.csv");
  const Mapped persons = Map(argv[1]), claims = Map(argv[2]);
  size_t column[14];
  std::string_view cells[14], f[14];

  // Persons: compact rows (the settlement's value rows are built per person when settled),
  // ids in a hash table.
  struct Person {
    int32_t birth, enrolled, event_date;  // event_date: INT32_MIN when absent
    uint8_t category, hardship;
    int16_t prior, lapsed, repaired, zero_claim;
  };
  std::vector<Person> person_rows;
  std::vector<std::string_view> person_ids;
  const size_t person_estimate = persons.size / 50 + 16;
  person_rows.reserve(person_estimate);
  person_ids.reserve(person_estimate);
  size_t at = MapHeader(persons, kPersonFields, 14, column);
  while (at < persons.size) {
    at = SplitRow(persons, at, cells, 14);
    for (size_t k = 0; k < 14; ++k) f[k] = cells[column[k]];
    // Huaihua reads the employee columns and ignores them (spec section 14), but checks them.
    const int64_t months_prev = Int(f[11]), months_cur = Int(f[12]), gap = Word(f[13], kGaps);
    if (!f[10].empty()) (void)Date(f[10]);
    if (months_prev > 12 || months_cur > 12) Die("employee_months_prev and employee_months_cur must be between 0 and 12");
    if (f[10].empty() && (months_prev != 0 || months_cur != 0 || gap != 0)) Die("employee_end is empty, so employee_months_prev and employee_months_cur must be 0 and employee_gap no");
    const uint32_t index = static_cast<uint32_t>(person_ids.size());
    person_ids.push_back(f[0]);
    const int64_t category = Word(f[3], kCategories), lapsed = Int(f[6]), repaired = Int(f[7]);
    if (repaired > lapsed) Die("repaired_years is larger than lapsed_years");
    if (f[9].empty() != (category != 3)) Die("event_date is required for welfare_child and must be empty otherwise");
    (void)index;
    const int64_t prior = Int(f[5]), zero_claim = Int(f[8]);
    if (prior > 30000 || lapsed > 30000 || zero_claim > 30000) Die("a count too large for this baseline");
    person_rows.push_back({Date(f[1]), Date(f[2]), f[9].empty() ? INT32_MIN : Date(f[9]), static_cast<uint8_t>(category),
                           static_cast<uint8_t>(Word(f[4], kHardships)), static_cast<int16_t>(prior),
                           static_cast<int16_t>(lapsed), static_cast<int16_t>(repaired), static_cast<int16_t>(zero_claim)});
  }
  const uint32_t person_count = static_cast<uint32_t>(person_ids.size());
  IdTable person_index(person_count);
  for (uint32_t p = 0; p < person_count; ++p) {
    if (!person_index.Insert(person_ids[p], p, person_ids)) Die("duplicate person_id " + std::string(person_ids[p]));
  }

  // Claims: columnar, in input order.
  const size_t claim_estimate = claims.size / 80 + 16;
  std::vector<std::string_view> claim_ids;
  std::vector<uint32_t> owner;
  std::vector<int32_t> date;
  std::vector<uint8_t> kind, level, region, referral;
  std::vector<int16_t> disease;  // -1: absent
  std::vector<int64_t> total, eligible;
  claim_ids.reserve(claim_estimate);
  owner.reserve(claim_estimate);
  date.reserve(claim_estimate);
  total.reserve(claim_estimate);
  eligible.reserve(claim_estimate);
  at = MapHeader(claims, kClaimFields, 10, column);
  while (at < claims.size) {
    at = SplitRow(claims, at, cells, 10);
    for (size_t k = 0; k < 10; ++k) f[k] = cells[column[k]];
    const uint32_t p = person_index.Find(f[1], person_ids);
    if (p == UINT32_MAX) Die("no person " + std::string(f[1]));
    claim_ids.push_back(f[0]);
    owner.push_back(p);
    date.push_back(Date(f[2]));
    kind.push_back(static_cast<uint8_t>(Word(f[3], kKinds)));
    level.push_back(static_cast<uint8_t>(Word(f[4], kLevels)));
    region.push_back(static_cast<uint8_t>(Word(f[5], kRegions)));
    referral.push_back(static_cast<uint8_t>(Word(f[6], kReferrals)));
    const int64_t d = f[7].empty() ? -1 : Int(f[7]);
    if (d > 30000) Die("disease number too large for this baseline");
    disease.push_back(static_cast<int16_t>(d));
    total.push_back(Money(f[8]));
    eligible.push_back(Money(f[9]));
    if (eligible.back() > total.back()) Die("eligible is larger than total");
  }
  const uint32_t claim_count = static_cast<uint32_t>(claim_ids.size());
  {
    IdTable claim_index(claim_count);
    for (uint32_t c = 0; c < claim_count; ++c) {
      if (!claim_index.Insert(claim_ids[c], c, claim_ids)) Die("duplicate claim_id " + std::string(claim_ids[c]));
    }
  }

  // Settlement order: by person (counting sort), then (date, claim_id).
  std::vector<uint32_t> begin(person_count + 1, 0), order(claim_count);
  for (uint32_t c = 0; c < claim_count; ++c) ++begin[owner[c] + 1];
  for (uint32_t p = 0; p < person_count; ++p) begin[p + 1] += begin[p];
  {
    std::vector<uint32_t> next(begin.begin(), begin.end() - 1);
    for (uint32_t c = 0; c < claim_count; ++c) order[next[owner[c]]++] = c;
  }
  for (uint32_t p = 0; p < person_count; ++p) {
    std::sort(order.begin() + begin[p], order.begin() + begin[p + 1], [&](uint32_t x, uint32_t y) {
      return date[x] != date[y] ? date[x] < date[y] : claim_ids[x] < claim_ids[y];
    });
  }

  // Settle person by person; person rows stream out, claim results wait for input order.
  polc::bench::HandwrittenHuaihua hand;
  int64_t caps[48];
  for (int d = 0; d < 48; ++d) caps[d] = kChronicCapYuan[d] < 0 ? -1 : kChronicCapYuan[d] * 100;
  hand.SetChronicCaps(caps, 48);
  struct Result {
    int64_t basic, catastrophic, assistance, patient;
    uint8_t status;
  };
  std::vector<Result> results(claim_count);
  std::vector<Value> rows, out;
  Value person_out[5];
  Output person_file(argv[4]);
  person_file.Buffer() += "person_id,contribution,subsidy,benefit_start,catastrophic_cap\n";
  for (uint32_t p = 0; p < person_count; ++p) {
    const Person& q = person_rows[p];
    const Value person[10] = {{p, 0, true}, {q.birth, 0, true}, {q.enrolled, 0, true}, {q.category, 0, true},
                              {q.hardship, 0, true}, {q.prior, 0, true}, {q.lapsed, 0, true}, {q.repaired, 0, true},
                              {q.zero_claim, 0, true},
                              q.event_date == INT32_MIN ? Value::Absent() : Value{q.event_date, 0, true}};
    hand.Subject(person, person_out);
    std::string& b = person_file.Buffer();
    b += person_ids[p];
    b += ',';
    polc::rt::AppendMoney(b, person_out[1].a);
    b += ',';
    polc::rt::AppendMoney(b, person_out[2].a);
    b += ',';
    polc::rt::AppendDate(b, static_cast<int32_t>(person_out[3].a));
    b += ',';
    if (person_out[4].present) {
      polc::rt::AppendMoney(b, person_out[4].a);
    } else {
      b += "none";
    }
    person_file.EndRow();
    const uint32_t n = begin[p + 1] - begin[p];
    rows.resize(static_cast<size_t>(n) * 10);
    out.resize(static_cast<size_t>(n) * 7);
    for (uint32_t i = 0; i < n; ++i) {
      const uint32_t c = order[begin[p] + i];
      Value* r = rows.data() + static_cast<size_t>(i) * 10;
      r[0] = {c, 1, true};
      r[1] = person[0];
      r[2] = {date[c], 0, true};
      r[3] = {kind[c], 0, true};
      r[4] = {level[c], 0, true};
      r[5] = {region[c], 0, true};
      r[6] = {referral[c], 0, true};
      r[7] = disease[c] < 0 ? Value::Absent() : Value{disease[c], 0, true};
      r[8] = {total[c], 0, true};
      r[9] = {eligible[c], 0, true};
    }
    hand.Events(person, rows.data(), n, out.data());
    for (uint32_t i = 0; i < n; ++i) {
      const Value* o = out.data() + static_cast<size_t>(i) * 7;
      results[order[begin[p] + i]] = {o[3].a, o[4].a, o[5].a, o[6].a, static_cast<uint8_t>(o[2].a)};
    }
  }

  Output result_file(argv[3]);
  result_file.Buffer() += "claim_id,person_id,status,basic,catastrophic,assistance,patient\n";
  for (uint32_t c = 0; c < claim_count; ++c) {
    std::string& b = result_file.Buffer();
    const Result& r = results[c];
    b += claim_ids[c];
    b += ',';
    b += person_ids[owner[c]];
    b += ',';
    b += kStatuses[r.status];
    b += ',';
    polc::rt::AppendMoney(b, r.basic);
    b += ',';
    polc::rt::AppendMoney(b, r.catastrophic);
    b += ',';
    polc::rt::AppendMoney(b, r.assistance);
    b += ',';
    polc::rt::AppendMoney(b, r.patient);
    result_file.EndRow();
  }
  return 0;
}
