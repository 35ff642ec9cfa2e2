// Reading the inputs with several threads (read_parallel.cpp): for files split into parts,
// ReadInputs gives the same rows, texts, event order and error report for any thread count,
// whatever falls on a split point (quoted line feeds, commas and doubled quotes, CRLF, bad
// rows, duplicates and unknown parents in several parts, malformed rows, missing or doubled
// final line feeds); and `polc run --threads N` writes the same bytes on a population above
// the default split size.
#include <filesystem>
#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "compiler/driver/compile.h"
#include "compiler/interp/interp.h"
#include "compiler/io/read_inputs.h"
#include "tests/unit/test_util.h"

namespace polc::interp {
namespace {

using io::ReadInputs;
using io::ReadOptions;
using settle::InputErrors;

const char* kPolicy = R"(policy "t" { region: "r" year: 2026 source: "s" }
enum kind { a, b, c }
input person key person_id {
  person_id: text  name: text  born: date  kids: int  since: date?
  require kids <= 10 message "too many kids"
}
input claim key claim_id of person by person_id order by date {
  claim_id: text  person_id: text  note: text?  date: date  k: kind  total: money  eligible: money
  require eligible <= total message "eligible is larger than total"
}
output o for claim { claim_id }
output q for person { person_id }
)";

// A text cell that is often quoted, with line feeds, commas and doubled quotes inside.
std::string TextCell(std::mt19937& rng, const std::string& base) {
  switch (rng() % 6) {
    case 0: return fmt::format("\"{}, with a comma\"", base);
    case 1: return fmt::format("\"{}\nsecond line\n\"", base);
    case 2: return fmt::format("\"say \"\"{}\"\"\"", base);
    case 3: return fmt::format("\"{}\"\"\n,\"\"\"", base);
    default: return base;
  }
}

struct Files {
  std::string persons, claims;
};

// Persons and claims with bad rows sprinkled through both files (more than 20 each).
Files MakeFiles(uint32_t seed, const std::string& eol, bool with_bad = true) {
  std::mt19937 rng(seed);
  Files f;
  f.persons = "person_id,name,born,kids,since" + eol;
  const int persons = 600;
  for (int p = 0; p < persons; ++p) {
    std::string row = fmt::format("P{},{},19{}-01-{:02},{},{}", p, TextCell(rng, fmt::format("N{}", p)),
                                  50 + p % 50, 1 + p % 28, p % 5, p % 3 == 0 ? "" : "2020-05-05");
    switch (with_bad ? rng() % 40 : 99) {
      case 0: row = fmt::format("P{},x,1990-13-01,1,", p); break;           // bad date
      case 1: row = fmt::format("P{},x,1990-01-01,11,", p); break;          // requirement
      case 2: row = fmt::format("P{},x,1990-01-01,1", p); break;            // field count
      case 3: row = fmt::format("P{},x,1990-01-01,1,", p % 50); break;      // duplicate
      case 4: row = ""; break;                                              // blank line
      default: break;
    }
    f.persons += row + eol;
  }
  f.claims = "claim_id,person_id,note,date,k,total,eligible" + eol;
  for (int c = 0; c < 3000; ++c) {
    const int p = static_cast<int>(rng() % persons);
    std::string row = fmt::format("C{},P{},{},2026-{:02}-{:02},{},{}.{:02},{}", c, p,
                                  rng() % 3 == 0 ? "" : TextCell(rng, fmt::format("note {}", c)),
                                  1 + c % 12, 1 + c % 28, "abc"[c % 3], 100 + c % 7, c % 100, 50);
    switch (with_bad ? rng() % 50 : 99) {
      case 0: row = fmt::format("C{},Q{},,2026-01-01,a,1,1", c, p); break;  // unknown person
      case 1: row = fmt::format("C{},P{},,2026-01-01,z,1,1", c, p); break;  // bad word
      case 2: row = fmt::format("C{},P{},,2026-01-01,a,1,2", c, p); break;  // requirement
      case 3: row = fmt::format("C{},P{},,2026-01-01,a,1,1", c % 97, p); break;  // duplicate
      case 4: row = fmt::format("C{},P{},,2026-01-01", c, p); break;        // field count
      case 5: row = fmt::format("C{},,,2026-01-01,a,1,1", c); break;        // no person
      default: break;
    }
    f.claims += row + eol;
  }
  return f;
}

class ReadParallel : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("polc_read_parallel");
    ASSERT_FALSE(dir_.empty());
    compilation_ = driver::CompileText("t.policy", kPolicy);
    ASSERT_TRUE(compilation_->ok) << compilation_->diagnostics.Render();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  struct Result {
    std::unique_ptr<Interpreter> interp;
    std::unique_ptr<Inputs> inputs;
    InputErrors errors;
    bool ok = false;
  };

  Result Read(int threads) {
    Result r;
    r.interp = std::make_unique<Interpreter>(compilation_->program);
    r.inputs = std::make_unique<Inputs>();
    ReadOptions options;
    options.threads = threads;
    options.parallel_min_bytes = 1;
    r.ok = ReadInputs(*r.interp, dir_ + "/persons.csv", dir_ + "/claims.csv", *r.inputs, r.errors, options);
    return r;
  }

  static void ExpectSameTable(const RecordTable& x, const RecordTable& y, const Inputs& xi, const Inputs& yi,
                              const std::string& what) {
    ASSERT_EQ(x.Size(), y.Size()) << what;
    const int32_t fields = static_cast<int32_t>(x.Decl().fields.size());
    for (uint32_t row = 0; row < x.Size(); ++row) {
      ASSERT_EQ(x.Line(row), y.Line(row)) << what << " row " << row;
      for (int32_t f = 0; f < fields; ++f) {
        const ir::Value a = x.Get(row, f), b = y.Get(row, f);
        ASSERT_EQ(a.a, b.a) << what << " row " << row << " field " << f;
        ASSERT_EQ(a.b, b.b) << what << " row " << row << " field " << f;
        ASSERT_EQ(a.present, b.present) << what << " row " << row << " field " << f;
        if (a.present && x.Decl().fields[static_cast<size_t>(f)].type.base == ir::Base::Text) {
          ASSERT_EQ(xi.Text(a), yi.Text(b)) << what << " row " << row << " field " << f;
        }
      }
    }
  }

  // Reads with 1 thread and with several; everything must be the same.
  void ExpectSameForAnyThreads(const std::string& what) {
    const Result one = Read(1);
    for (int threads : {2, 3, 4, 7, 16}) {
      SCOPED_TRACE(fmt::format("{}, {} threads", what, threads));
      const Result many = Read(threads);
      EXPECT_EQ(one.ok, many.ok);
      EXPECT_EQ(one.errors.Render(), many.errors.Render());
      EXPECT_EQ(one.errors.Count(), many.errors.Count());
      ExpectSameTable(one.inputs->subjects, many.inputs->subjects, *one.inputs, *many.inputs, "persons");
      ExpectSameTable(one.inputs->events, many.inputs->events, *one.inputs, *many.inputs, "claims");
      for (int pool = 0; pool < 2; ++pool) {
        ASSERT_EQ(one.inputs->texts[pool].Size(), many.inputs->texts[pool].Size());
        for (int64_t i = 0; i < one.inputs->texts[pool].Size(); ++i) {
          ASSERT_EQ(one.inputs->texts[pool].Get(i), many.inputs->texts[pool].Get(i)) << pool << " " << i;
        }
      }
      EXPECT_EQ(one.inputs->event_subject, many.inputs->event_subject);
      EXPECT_EQ(one.inputs->event_order, many.inputs->event_order);
      EXPECT_EQ(one.inputs->subject_begin, many.inputs->subject_begin);
    }
  }

  void Write(const Files& f) {
    WriteAll(dir_ + "/persons.csv", f.persons);
    WriteAll(dir_ + "/claims.csv", f.claims);
  }

  std::string dir_;
  std::unique_ptr<driver::Compilation> compilation_;
};

TEST_F(ReadParallel, SameInputsAndErrorsWithBadRowsInEveryPart) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    Write(MakeFiles(seed, "\n"));
    ExpectSameForAnyThreads(fmt::format("LF, seed {}", seed));
    const Result one = Read(1);
    EXPECT_GT(one.errors.Count(), 2 * InputErrors::kShown);
  }
}

TEST_F(ReadParallel, SameWithCrLf) {
  Write(MakeFiles(4, "\r\n"));
  ExpectSameForAnyThreads("CRLF");
}

TEST_F(ReadParallel, SameWithGoodInput) {
  Files f = MakeFiles(5, "\n", false);
  Write(f);
  const Result one = Read(1);
  EXPECT_TRUE(one.ok) << one.errors.Render();
  ExpectSameForAnyThreads("good");
}

TEST_F(ReadParallel, SameAtTheEndOfTheFile) {
  Files f = MakeFiles(6, "\n");
  Files no_final = f;
  no_final.claims.pop_back();  // no final line feed
  Write(no_final);
  ExpectSameForAnyThreads("no final line feed");
  Files blank_end = f;
  blank_end.persons += "\n\n";
  blank_end.claims += "\n";
  Write(blank_end);
  ExpectSameForAnyThreads("empty last lines");
  Files quoted_end = f;
  quoted_end.claims += "C9999,P1,\"a\nb\",2026-01-01,a,1,1";  // a quoted line feed in the last row
  Write(quoted_end);
  ExpectSameForAnyThreads("quoted last row");
}

TEST_F(ReadParallel, SameWhenTheFileIsMalformed) {
  const Files f = MakeFiles(7, "\n");
  const size_t middle = f.claims.find("\nC1500,") + 1;
  const struct {
    const char* what;
    const char* row;
  } cases[] = {
      {"quote in an unquoted field", "C1500,P1,ab\"c,2026-01-01,a,1,1\n"},
      {"text after a closing quote", "C1500,P1,\"ab\"c,2026-01-01,a,1,1\n"},
      {"lone carriage return", "C1500,P1,ab\rc,2026-01-01,a,1,1\n"},
      {"unterminated quote", "C1500,P1,\"ab,2026-01-01,a,1,1\n"},
  };
  for (const auto& c : cases) {
    Files bad = f;
    bad.claims.insert(middle, c.row);
    Write(bad);
    const Result one = Read(1);
    EXPECT_LT(one.inputs->events.Size(), 1500u) << c.what;
    ExpectSameForAnyThreads(c.what);
  }
  // A malformed person row: the claims are read against fewer persons.
  Files bad = f;
  bad.persons.insert(bad.persons.find("\nP300,") + 1, "P300,\"x\"y,1990-01-01,1,\n");
  Write(bad);
  ExpectSameForAnyThreads("malformed person");
}

TEST_F(ReadParallel, SameWithOnlyAHeaderOrOneRow) {
  Write({"person_id,name,born,kids,since\n", "claim_id,person_id,note,date,k,total,eligible\n"});
  ExpectSameForAnyThreads("headers only");
  Write({"person_id,name,born,kids,since\nP1,n,1990-01-01,1,\n",
         "claim_id,person_id,note,date,k,total,eligible\nC1,P1,,2026-01-01,a,1,1"});
  ExpectSameForAnyThreads("one row");
}

// Above the default split size (8 MiB of claims), end to end: the same bytes, and the same
// error report for a claims file with bad rows in several parts.
TEST(ReadParallelRun, AnyNumberOfThreadsGivesTheSameBytesAndErrors) {
  const std::string root = MakeTempDir("polc_read_parallel_run");
  ASSERT_FALSE(root.empty());
  const std::string gen = fmt::format("'{}' --persons 50000 --seed 5 --out '{}/pop' >/dev/null", POLC_GEN_BINARY, root);
  ASSERT_EQ(std::system(gen.c_str()), 0);
  ASSERT_GT(std::filesystem::file_size(root + "/pop/claims.csv"), uint64_t{9} << 20);
  // Bad rows spread through a copy of the claims.
  const std::string claims = ReadAll(root + "/pop/claims.csv");
  std::string bad;
  size_t at = 0;
  for (int line = 0; at < claims.size(); ++line) {
    const size_t end = claims.find('\n', at);
    std::string row = claims.substr(at, end - at);
    if (line > 0 && line % 4001 == 0) row = "x" + row.substr(0, row.size() / 2);
    bad += row + "\n";
    at = end + 1;
  }
  WriteAll(root + "/pop/bad.csv", bad);
  const std::string policy = std::string(POLC_SOURCE_DIR) + "/policies/huaihua-2026.policy";
  auto run = [&](const std::string& claims_file, int threads) {
    const PolcRun r = RunPolc(root, fmt::format("run '{}' --persons pop/persons.csv --claims pop/{} --out out.r.csv "
                                                "--persons-out out.p.csv --engine interp --threads {}",
                                                policy, claims_file, threads),
                              root, fmt::format("XDG_CACHE_HOME='{}/cache'", root));
    std::string got = fmt::format("{}\n{}\n", r.code, r.err);
    if (r.code == 0) got += ReadAll(root + "/out.r.csv") + "\n--\n" + ReadAll(root + "/out.p.csv");
    std::filesystem::remove(root + "/out.r.csv");
    std::filesystem::remove(root + "/out.p.csv");
    return got;
  };
  for (const char* claims_file : {"claims.csv", "bad.csv"}) {
    const std::string want = run(claims_file, 1);
    EXPECT_GT(want.size(), 1000u);
    for (int threads : {2, 3}) EXPECT_EQ(run(claims_file, threads), want) << claims_file << " --threads " << threads;
  }
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace polc::interp
