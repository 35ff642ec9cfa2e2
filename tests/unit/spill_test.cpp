// `polc run --memory-limit SIZE`: sizes parse precisely; a partition's line map is looked up
// right in any order; settled in partitions (a tiny limit, or a given count), the result files
// are the in-memory run's bytes for a generated population and the golden cases, both engines,
// one or two threads, claims in settlement order or not, with shards, with --format nhsa; bad
// inputs and run-time errors give the in-memory run's messages; no temporary file is left
// behind.
#include <algorithm>
#include <filesystem>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "compiler/io/read_inputs.h"
#include "compiler/io/spill.h"
#include "tests/unit/test_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;

// A partition's line map, looked up in the reader's ascending order, from the middle (a part
// of a large file), and backwards: each answer is the one a search from the start gives.
TEST(MemoryLimit, LineMapCursor) {
  io::LineMap map;
  map.local = {2, 3, 5, 6, 9};  // a row with a line feed on line 3, two on line 6
  map.input = {4, 10, 11, 30, 31};
  auto searched = [&](uint64_t line) {
    const auto it = std::lower_bound(map.local.begin(), map.local.end(), line);
    return it != map.local.end() && *it == line ? map.input[static_cast<size_t>(it - map.local.begin())] : line;
  };
  const std::vector<std::vector<uint64_t>> orders = {
      {1, 2, 3, 5, 6, 9, 10}, {5, 6, 9}, {6, 2, 9, 3, 3, 1, 12, 4, 5}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};
  for (const std::vector<uint64_t>& order : orders) {
    io::LineMap::Cursor cursor(map);
    for (const uint64_t line : order) EXPECT_EQ(cursor(line), searched(line)) << "line " << line;
  }
  io::LineMap::Cursor cursor(map);
  EXPECT_EQ(cursor(1), 1u);  // the header
  EXPECT_EQ(cursor(5), 11u);
  EXPECT_EQ(cursor(4), 4u);  // inside the row of line 3
  EXPECT_EQ(cursor(2), 4u);
  EXPECT_EQ(cursor(9), 31u);
}

TEST(MemoryLimit, ParsesSizes) {
  uint64_t bytes = 0;
  std::string error;
  const std::pair<const char*, uint64_t> good[] = {
      {"512M", uint64_t{512} << 20}, {"2G", uint64_t{2} << 30},    {"1.5GiB", uint64_t{3} << 29},
      {"800000", 800000},            {"64k", uint64_t{64} << 10},  {"1TB", uint64_t{1} << 40},
      {"100B", 100},                 {"0.5K", 512},                {"3mib", uint64_t{3} << 20}};
  for (const auto& [text, want] : good) {
    ASSERT_TRUE(io::ParseMemorySize(text, bytes, error)) << text << ": " << error;
    EXPECT_EQ(bytes, want) << text;
  }
  for (const char* bad : {"", "M", "1.5.2G", "-1G", "12X", "1..5G", " 1G", "1G ", ".5G", "5.G", "1GG", "1e3"}) {
    EXPECT_FALSE(io::ParseMemorySize(bad, bytes, error)) << bad;
    EXPECT_NE(error.find(fmt::format("--memory-limit {}:", bad)), std::string::npos) << error;
    EXPECT_NE(error.find("512M"), std::string::npos) << error;
  }
  EXPECT_FALSE(io::ParseMemorySize("0", bytes, error));
  EXPECT_NE(error.find("at least one byte"), std::string::npos) << error;
  EXPECT_FALSE(io::ParseMemorySize("0.1B", bytes, error));
  EXPECT_FALSE(io::ParseMemorySize("99999999T", bytes, error));
  EXPECT_NE(error.find("too large"), std::string::npos) << error;
}

TEST(MemoryLimit, PartitionsFromSizes) {
  const uint64_t mib = uint64_t{1} << 20;
  EXPECT_EQ(io::PartitionsFor(10 * mib, 1024 * mib, 100 * mib), 1u);
  EXPECT_GT(io::PartitionsFor(1000 * mib, 1024 * mib, 100 * mib), 1u);
  // More input, more partitions; below the process's own size, the most there are.
  EXPECT_GT(io::PartitionsFor(4000 * mib, 1024 * mib, 100 * mib), io::PartitionsFor(1000 * mib, 1024 * mib, 100 * mib));
  EXPECT_EQ(io::PartitionsFor(100000 * mib, 1024, 100 * mib), io::kMaxPartitions);
  EXPECT_GT(io::DefaultMemoryLimit(), 0u);
}

class SpillCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = MakeTempDir("polc_spill");
    ASSERT_FALSE(root_.empty());
    // pop/persons.csv, pop/claims.csv, and pop/reversed.csv: the claims not in settlement order.
    ASSERT_TRUE(GeneratePopulation(root_ + "/pop", 1500, 11));
    fs::create_directories(root_ + "/tmp");
  }
  static void TearDownTestSuite() { fs::remove_all(root_); }
  // polc ARGS with TMPDIR in an empty directory of its own.
  PolcRun Polc(const std::string& args) {
    return RunPolc(root_, args, root_, fmt::format("XDG_CACHE_HOME='{0}/cache' TMPDIR='{0}/tmp'", root_));
  }
  static std::string Policy(const std::string& stem = "huaihua-2026") {
    return fmt::format("{}/policies/{}.policy", POLC_SOURCE_DIR, stem);
  }
  static bool TempIsEmpty() { return fs::is_empty(root_ + "/tmp"); }
  // Runs `args` in memory and with each of `limits` ("--memory-limit 1K", "--partitions 3"),
  // writing all three result files, and expects the same bytes and the same messages.
  void ExpectSameAsInMemory(const std::string& args, const std::vector<std::string>& limits, bool next_out = true) {
    const PolcRun whole = Polc(args + " --out w.r.csv --persons-out w.p.csv" + (next_out ? " --next-out w.n.csv" : ""));
    for (const std::string& limit : limits) {
      const PolcRun part = Polc(args + " --out s.r.csv --persons-out s.p.csv " + (next_out ? "--next-out s.n.csv " : "") + limit);
      EXPECT_EQ(part.code, whole.code) << args << " " << limit << "\n" << part.err;
      EXPECT_EQ(part.err, whole.err) << args << " " << limit;
      for (const char* kind : {"r", "p", "n"}) {
        const std::string w = root_ + fmt::format("/w.{}.csv", kind), s = root_ + fmt::format("/s.{}.csv", kind);
        EXPECT_EQ(fs::exists(s), fs::exists(w)) << args << " " << limit << " " << kind;
        if (fs::exists(w)) {
          EXPECT_EQ(ReadAll(s), ReadAll(w)) << args << " " << limit << " " << kind;
        }
        fs::remove(s);
      }
      EXPECT_TRUE(TempIsEmpty()) << args << " " << limit;
    }
    for (const char* kind : {"r", "p", "n"}) fs::remove(root_ + fmt::format("/w.{}.csv", kind));
  }
  static std::string root_;
};

std::string SpillCli::root_;

TEST_F(SpillCli, PartitionsAreTheInMemoryRun) {
  for (const char* claims : {"claims.csv", "reversed.csv"}) {
    for (const char* engine : {"jit", "interp"}) {
      for (const char* threads : {"1", "2"}) {
        const std::string args = fmt::format("run '{}' --persons pop/persons.csv --claims pop/{} --engine {} --threads {}",
                                             Policy(), claims, engine, threads);
        ExpectSameAsInMemory(args, {"--memory-limit 1K", "--partitions 3", "--partitions 2 --memory-limit 1.5GiB"});
      }
    }
  }
  // A shard, split again.
  ExpectSameAsInMemory(fmt::format("run '{}' --persons pop/persons.csv --claims pop/reversed.csv --shard 1/3", Policy()),
                       {"--partitions 4", "--memory-limit 1K"});
}

TEST_F(SpillCli, GoldenCasesInPartitions) {
  const std::string cases = std::string(POLC_SOURCE_DIR) + "/../shared/cases";
  ASSERT_TRUE(fs::exists(cases)) << cases;
  size_t compared = 0;
  for (const auto& entry : fs::directory_iterator(cases)) {
    if (!entry.is_directory()) continue;
    const std::string dir = entry.path().string();
    for (const char* stem : {"huaihua-2026", "yueyang-louqu-2026"}) {
      for (const char* engine : {"jit", "interp"}) {
        for (const char* threads : {"1", "2"}) {
          const std::string args = fmt::format("run '{}' --persons '{}/persons.csv' --claims '{}/claims.csv' --engine {} --threads {}",
                                               Policy(stem), dir, dir, engine, threads);
          ExpectSameAsInMemory(args, {"--memory-limit 1K", "--partitions 5"});
          // And the expected files themselves.
          const PolcRun part = Polc(args + " --out g.r.csv --persons-out g.p.csv --next-out g.n.csv --memory-limit 1K");
          ASSERT_EQ(part.code, 0) << part.err;
          EXPECT_EQ(ReadAll(root_ + "/g.r.csv"), ReadAll(fmt::format("{}/{}.results.csv", dir, stem))) << dir << " " << stem;
          EXPECT_EQ(ReadAll(root_ + "/g.p.csv"), ReadAll(fmt::format("{}/{}.persons.csv", dir, stem))) << dir << " " << stem;
          EXPECT_EQ(ReadAll(root_ + "/g.n.csv"), ReadAll(fmt::format("{}/{}.next.csv", dir, stem))) << dir << " " << stem;
          ++compared;
        }
      }
    }
  }
  EXPECT_GE(compared, 8u);
}

// The generated files with some rows replaced: row `n` (1-based, after the header) of the
// persons or claims file becomes `row`.
void Edit(const std::string& from, const std::string& to, const std::vector<std::pair<size_t, std::string>>& rows) {
  std::istringstream in(ReadAll(from));
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  for (const auto& [n, row] : rows) lines.at(n) = row;
  std::string text;
  for (const std::string& l : lines) text += l + "\n";
  WriteAll(to, text);
}

std::vector<std::string> Cells(const std::string& row) {
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream in(row);
  while (std::getline(in, cell, ',')) cells.push_back(cell);
  if (!row.empty() && row.back() == ',') cells.emplace_back();
  return cells;
}

std::string Join(const std::vector<std::string>& cells) {
  std::string row;
  for (size_t i = 0; i < cells.size(); ++i) row += (i ? "," : "") + cells[i];
  return row;
}

TEST_F(SpillCli, InputErrorsAreTheInMemoryRunsMessages) {
  const std::vector<std::string> persons = [&] {
    std::vector<std::string> l;
    std::istringstream in(ReadAll(root_ + "/pop/persons.csv"));
    for (std::string s; std::getline(in, s);) l.push_back(s);
    return l;
  }();
  const std::vector<std::string> claims = [&] {
    std::vector<std::string> l;
    std::istringstream in(ReadAll(root_ + "/pop/claims.csv"));
    for (std::string s; std::getline(in, s);) l.push_back(s);
    return l;
  }();
  const std::vector<std::string> claim_header = Cells(claims[0]);
  const size_t id = Column({claim_header}, "claim_id"), date = Column({claim_header}, "date"),
               person = Column({claim_header}, "person_id"), eligible = Column({claim_header}, "eligible");
  auto claim = [&](size_t n, size_t column, const std::string& value) {
    std::vector<std::string> cells = Cells(claims.at(n));
    cells.at(column) = value;
    return Join(cells);
  };
  // A claim id repeated far away (another person, so most likely another partition), a person
  // id repeated, a claim of nobody, a bad date, a broken requirement, a row of the wrong width,
  // and a claim id with a line feed in it (the lines after it are counted on).
  Edit(root_ + "/pop/persons.csv", root_ + "/pop/bad-persons.csv", {{900, persons.at(17)}});
  Edit(root_ + "/pop/claims.csv", root_ + "/pop/bad-claims.csv",
       {{5, claim(5, id, "\"C\nX, 1\"")},
        {40, claim(40, date, "2026-02-30")},
        {2000, claim(2000, id, Cells(claims.at(3)).at(id))},
        {2500, claim(2500, person, "NOBODY")},
        {3000, claim(3000, eligible, "999999.00")},
        {3100, "a,b"}});
  const std::string bad = "--persons pop/bad-persons.csv --claims pop/bad-claims.csv";
  for (const char* engine : {"jit", "interp"}) {
    for (const char* threads : {"1", "2"}) {
      const std::string args = fmt::format("run '{}' {} --engine {} --threads {}", Policy(), bad, engine, threads);
      ExpectSameAsInMemory(args, {"--memory-limit 1K", "--partitions 3"});
    }
  }
  const PolcRun whole = Polc(fmt::format("run '{}' {} --out x.csv", Policy(), bad));
  EXPECT_EQ(whole.code, 1);
  for (const char* what : {"duplicate claim_id", "duplicate person_id", "no person 'NOBODY'", "2026-02-30", "has 2 fields"}) {
    EXPECT_NE(whole.err.find(what), std::string::npos) << what << "\n" << whole.err;
  }
  // More than the 20 errors shown: the count of the rest is the same too.
  std::vector<std::pair<size_t, std::string>> many;
  for (size_t n = 10; n < 4000; n += 97) many.emplace_back(n, claim(n, date, "never"));
  Edit(root_ + "/pop/claims.csv", root_ + "/pop/many-claims.csv", many);
  ExpectSameAsInMemory(fmt::format("run '{}' --persons pop/persons.csv --claims pop/many-claims.csv", Policy()),
                       {"--memory-limit 1K", "--partitions 4"});
  // A malformed row ends the reading of its file; a missing column ends it at once.
  Edit(root_ + "/pop/claims.csv", root_ + "/pop/broken-claims.csv", {{1200, claim(1200, id, "\"C1200")}});
  Edit(root_ + "/pop/persons.csv", root_ + "/pop/nocolumn-persons.csv", {{0, "person_id"}});
  for (const char* files : {"--persons pop/persons.csv --claims pop/broken-claims.csv",
                            "--persons pop/nocolumn-persons.csv --claims pop/bad-claims.csv",
                            "--persons pop/missing.csv --claims pop/claims.csv"}) {
    ExpectSameAsInMemory(fmt::format("run '{}' {}", Policy(), files), {"--memory-limit 1K", "--partitions 2"});
  }
}

TEST_F(SpillCli, RunTimeErrorIsTheFirstInPersonOrder) {
  std::string text = ReadAll(std::string(POLC_SOURCE_DIR) + "/tests/files/clean_skeleton.policy");
  const std::string from = "rule paid: money = total";
  text.replace(text.find(from), from.size(), "rule paid: money = total * 1000000000 * 1000000000");
  WriteAll(root_ + "/overflow.policy", text);
  std::string persons = "person_id\n", claims = "claim_id,person_id,date,kind,total\n";
  for (int p = 1; p <= 300; ++p) persons += fmt::format("P{}\n", p);
  // Overflows for P250 (early in the claims file) and P40 (late): P40 comes first in person order.
  for (int c = 1; c <= 900; ++c) {
    const int person = c == 20 ? 250 : c == 800 ? 40 : 1 + c % 300;
    claims += fmt::format("C{},P{},2026-03-01,inpatient,{}\n", c, person, c == 20 || c == 800 ? "100.33" : "0.01");
  }
  WriteAll(root_ + "/pop/o-persons.csv", persons);
  WriteAll(root_ + "/pop/o-claims.csv", claims);
  for (const char* engine : {"jit", "interp"}) {
    for (const char* threads : {"1", "2"}) {
      const std::string args = fmt::format("run overflow.policy --persons pop/o-persons.csv --claims pop/o-claims.csv "
                                           "--engine {} --threads {} --no-cache", engine, threads);
      ExpectSameAsInMemory(args, {"--memory-limit 1K", "--partitions 2", "--partitions 7"}, false);
      const PolcRun r = Polc(args + " --out x.csv --partitions 7");
      EXPECT_EQ(r.code, 1);
      EXPECT_NE(r.err.find("(claim C800 at pop/o-claims.csv:801, person P40 at pop/o-persons.csv:41)"), std::string::npos) << r.err;
    }
  }
  // An input error anywhere comes before any run-time error.
  WriteAll(root_ + "/pop/o-claims2.csv", claims + "C901,P2,2026-13-01,inpatient,0\n");
  ExpectSameAsInMemory("run overflow.policy --persons pop/o-persons.csv --claims pop/o-claims2.csv", {"--partitions 3"}, false);
  // So does one found before settling (no `at year_end` output for --next-out).
  ExpectSameAsInMemory("run overflow.policy --persons pop/o-persons.csv --claims pop/o-claims2.csv", {"--partitions 3"});
  ExpectSameAsInMemory("run overflow.policy --persons pop/o-persons.csv --claims pop/o-claims.csv", {"--partitions 3"});
  const PolcRun r = Polc("run overflow.policy --persons pop/o-persons.csv --claims pop/o-claims2.csv --out x.csv --partitions 3");
  EXPECT_NE(r.err.find("o-claims2.csv:902: date"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("overflow"), std::string::npos) << r.err;
}

// Every partition has bad rows: a bad cell in each (so in the second too), a claim id repeated
// by another person, a claim of nobody. The messages name the input files and lines, exactly.
TEST_F(SpillCli, EachPartitionsErrorsNameTheInput) {
  std::istringstream in(ReadAll(root_ + "/pop/claims.csv"));
  std::vector<std::string> claim_lines;
  for (std::string l; std::getline(in, l);) claim_lines.push_back(l);
  const std::vector<std::string> claim_header = Cells(claim_lines[0]);
  const size_t id = Column({claim_header}, "claim_id"), date = Column({claim_header}, "date");
  // Claims 30..37 (lines 31..38): bad dates, for eight persons, so for more than one partition
  // of two or three; claim 60 repeats claim 2's id; claim 61 spans two lines before a bad one.
  std::vector<std::pair<size_t, std::string>> rows;
  for (size_t n = 30; n < 38; ++n) {
    std::vector<std::string> cells = Cells(claim_lines.at(n));
    cells.at(date) = "2026-02-3" + std::to_string(n % 10);
    rows.emplace_back(n, Join(cells));
  }
  std::vector<std::string> repeat = Cells(claim_lines.at(60));
  repeat.at(id) = Cells(claim_lines.at(2)).at(id);
  rows.emplace_back(60, Join(repeat));
  std::vector<std::string> fed = Cells(claim_lines.at(61));
  fed.at(id) = "\"C61\nB\"";
  rows.emplace_back(61, Join(fed));
  std::vector<std::string> after = Cells(claim_lines.at(62));
  after.at(date) = "soon";
  rows.emplace_back(62, Join(after));
  Edit(root_ + "/pop/claims.csv", root_ + "/pop/e-claims.csv", rows);
  const std::string args = fmt::format("run '{}' --persons pop/persons.csv --claims pop/e-claims.csv", Policy());
  ExpectSameAsInMemory(args, {"--partitions 2", "--partitions 3", "--memory-limit 1K"});
  const PolcRun r = Polc(args + " --out x.csv --partitions 2");
  EXPECT_EQ(r.code, 1);
  for (size_t n = 30; n < 38; ++n) {
    EXPECT_NE(r.err.find(fmt::format("pop/e-claims.csv:{}: date", n + 1)), std::string::npos) << n << "\n" << r.err;
  }
  EXPECT_NE(r.err.find(fmt::format("pop/e-claims.csv:61: duplicate claim_id '{}' (first on line 3)", Cells(claim_lines.at(2)).at(id))),
            std::string::npos) << r.err;
  EXPECT_NE(r.err.find("pop/e-claims.csv:64: date"), std::string::npos) << r.err;  // after the row of two lines
  EXPECT_EQ(r.err.find("/proc/"), std::string::npos) << r.err;
  EXPECT_TRUE(TempIsEmpty());
}

// --format nhsa in partitions: the in-memory run's bytes, and its message for a mapping that
// cannot be filled (no file written).
TEST_F(SpillCli, NhsaInPartitions) {
  for (const char* engine : {"jit", "interp"}) {
    for (const char* threads : {"1", "2"}) {
      ExpectSameAsInMemory(fmt::format("run '{}' --persons pop/persons.csv --claims pop/reversed.csv --format nhsa --engine {} --threads {}",
                                       Policy(), engine, threads),
                           {"--memory-limit 1K", "--partitions 3"});
    }
  }
  ExpectSameAsInMemory(fmt::format("run '{}' --persons pop/persons.csv --claims pop/claims.csv --format nhsa --shard 2/3", Policy()),
                       {"--partitions 4"});
  WriteAll(root_ + "/m.csv", "field,source,if_missing,meaning\noth_pay,result.other,error,\n");
  const std::string bad = fmt::format("run '{}' --persons pop/persons.csv --claims pop/claims.csv --format nhsa --mapping m.csv", Policy());
  ExpectSameAsInMemory(bad, {"--partitions 3"});
  const PolcRun r = Polc(bad + " --out x.csv --partitions 3");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("m.csv:2: the policy's output results has no column other"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(root_ + "/x.csv"));
}

// An amount that does not fit numeric(16,2) for two claims of two partitions' persons: the
// first in input order is reported, as in memory, and no file is written.
TEST_F(SpillCli, NhsaFirstAmountThatDoesNotFit) {
  WriteAll(root_ + "/clean.policy", ReadAll(std::string(POLC_SOURCE_DIR) + "/tests/files/clean_skeleton.policy"));
  WriteAll(root_ + "/mo.csv", "field,source,if_missing,meaning\nid,claim.claim_id,error,\nsumamt,claim.total,error,\npaid,result.paid,error,\n");
  std::string persons = "person_id\n", claims = "claim_id,person_id,date,kind,total\n";
  for (int p = 1; p <= 300; ++p) persons += fmt::format("P{}\n", p);
  for (int c = 1; c <= 900; ++c) {
    const int person = c == 20 ? 250 : c == 800 ? 40 : 1 + c % 300;
    claims += fmt::format("C{},P{},2026-03-01,inpatient,{}\n", c, person, c == 20 || c == 800 ? "200000000000000.00" : "0.01");
  }
  WriteAll(root_ + "/pop/f-persons.csv", persons);
  WriteAll(root_ + "/pop/f-claims.csv", claims);
  const std::string args = "run clean.policy --persons pop/f-persons.csv --claims pop/f-claims.csv --format nhsa --mapping mo.csv --no-cache";
  ExpectSameAsInMemory(args, {"--partitions 2", "--partitions 7", "--memory-limit 1K"});
  const PolcRun r = Polc(args + " --out x.csv --partitions 7");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("pop/f-claims.csv: claim C20: sumamt = 200000000000000.00 does not fit numeric(16,2)"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(root_ + "/x.csv"));
}

TEST_F(SpillCli, BadSizesAndCombinations) {
  const std::string inputs = "--persons pop/persons.csv --claims pop/claims.csv --out x.csv";
  PolcRun r = Polc(fmt::format("run '{}' {} --memory-limit 12X", Policy(), inputs));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--memory-limit 12X: expected a size such as 512M"), std::string::npos) << r.err;
  r = Polc(fmt::format("run '{}' --db postgresql://nowhere --persons-table p --claims-table c --out-table o --memory-limit 1K", Policy()));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("does not apply to --db"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(root_ + "/x.csv"));
  r = Polc("run --help");
  EXPECT_NE(r.out.find("--memory-limit"), std::string::npos);
  EXPECT_EQ(r.out.find("--partitions"), std::string::npos);
}

}  // namespace
}  // namespace polc
