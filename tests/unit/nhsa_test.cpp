// `polc run --format nhsa`: the worked example under the platform's field names (header from
// formats/nhsa.csv, funds adding up to fund_pay_sumamt, the person's part and the funds making
// the total), a mapping whose optional column is absent leaves that field out, a required one
// is an error at its mapping line, and a bad mapping file is refused before anything runs.
#include <filesystem>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "runtime/money.h"
#include "tests/unit/test_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;

class Nhsa : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = MakeTempDir("polc_nhsa");
    ASSERT_FALSE(root_.empty());
  }
  void TearDown() override { fs::remove_all(root_); }
  int Polc(const std::string& args) {
    const std::string w = std::string(POLC_SHARED_DIR) + "/cases/worked-example";
    const PolcRun r = RunPolc(root_, fmt::format("run '{}/policies/huaihua-2026.policy' --persons '{}/persons.csv' "
                                                 "--claims '{}/claims.csv' --no-cache {}", POLC_SOURCE_DIR, w, w, args),
                              root_);
    err_ = r.err;
    return r.code;
  }
  std::string root_, err_;
};

std::vector<std::vector<std::string>> Cells(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::istringstream row(line);
    std::string cell;
    while (std::getline(row, cell, ',')) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

TEST_F(Nhsa, WorkedExampleUnderThePlatformsNames) {
  ASSERT_EQ(Polc("--format nhsa --out n.csv --persons-out p.csv"), 0) << err_;
  const auto rows = Cells(ReadAll(root_ + "/n.csv"));
  ASSERT_GT(rows.size(), 5u);
  // The policy has an assistance column: it is maf_pay, and part of the funds' sum.
  EXPECT_EQ(rows[0], (std::vector<std::string>{"mdtrt_id", "psn_no", "medfee_sumamt", "inscp_scp_amt", "hifp_pay",
                                               "hifmi_pay", "maf_pay", "fund_pay_sumamt", "psn_part_amt",
                                               "polc_status"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"H1", "A", "110000.00", "100000.00", "64220.00", "11868.00", "0.00",
                                               "76088.00", "33912.00", "ok"}));
  for (size_t r = 1; r < rows.size(); ++r) {
    ASSERT_EQ(rows[r].size(), 10u);
    EXPECT_EQ(Fen(rows[r][4]) + Fen(rows[r][5]) + Fen(rows[r][6]), Fen(rows[r][7])) << r;
    EXPECT_EQ(Fen(rows[r][7]) + Fen(rows[r][8]), Fen(rows[r][2])) << r;
  }
  // The person output stays the policy's own CSV.
  EXPECT_EQ(ReadAll(root_ + "/p.csv").substr(0, 10), "person_id,");
}

TEST_F(Nhsa, MappingDecidesTheColumns) {
  WriteAll(root_ + "/m.csv",
           "field,source,if_missing,meaning\n"
           "psn_no,claim.person_id,error,\n"
           "hifp_pay,result.basic,error,\n"
           "maf_pay,result.basic,omit,as if the policy had an assistance column\n"
           "oth_pay,result.other,omit,\n"
           "fund_pay_sumamt,sum:hifp_pay+maf_pay+oth_pay,error,\n");
  ASSERT_EQ(Polc("--format nhsa --mapping m.csv --out n.csv"), 0) << err_;
  const auto rows = Cells(ReadAll(root_ + "/n.csv"));
  EXPECT_EQ(rows[0], (std::vector<std::string>{"psn_no", "hifp_pay", "maf_pay", "fund_pay_sumamt"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"A", "64220.00", "64220.00", "128440.00"}));

  WriteAll(root_ + "/m.csv", "field,source,if_missing,meaning\noth_pay,result.other,error,\n");
  EXPECT_EQ(Polc("--format nhsa --mapping m.csv --out n2.csv --persons-out p2.csv"), 1);
  EXPECT_NE(err_.find("m.csv:2: the policy's output results has no column other"), std::string::npos) << err_;
  EXPECT_FALSE(fs::exists(root_ + "/n2.csv"));
  EXPECT_FALSE(fs::exists(root_ + "/p2.csv"));

  for (const char* bad : {"field,source\n", "field,source,if_missing,meaning\na,sum:b,error,\n",
                          "field,source,if_missing,meaning\na,claim.total,maybe,\n",
                          "field,source,if_missing,meaning\na,total,error,\n"}) {
    WriteAll(root_ + "/m.csv", bad);
    EXPECT_EQ(Polc("--format nhsa --mapping m.csv --out n3.csv"), 2) << bad;
    EXPECT_NE(err_.find("m.csv:"), std::string::npos) << err_;
    EXPECT_FALSE(fs::exists(root_ + "/n3.csv"));
  }
}

}  // namespace
}  // namespace polc
