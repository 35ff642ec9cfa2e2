// Every shipped policy quotes its notice: `polc check --sources` on policies/NAME.policy against
// ../shared/seeds/NAME.txt gives no CiteNotInSource warning (cites starting with `[reading]` are
// exempt). huaihua-2025 has no notice of its own: as its header says, its cites quote the 2026
// notice (but the `[reading] [2025]` ones), so it is checked against that one (docs/readings.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "tests/unit/test_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;

// The notice a shipped policy is checked against, when it is not NAME.txt.
const std::map<std::string, std::string> kNoticeOf = {{"huaihua-2025", "huaihua-2026"}};

class ShippedCites : public ::testing::Test {
 protected:
  void SetUp() override {
    seeds_ = std::string(POLC_SHARED_DIR) + "/seeds";
    if (!fs::is_directory(seeds_)) GTEST_SKIP() << seeds_ << " is not here";
    dir_ = MakeTempDir("polc_cites");
    ASSERT_FALSE(dir_.empty());
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  // `polc check -q --sources` on `policy`, with the notice `notice` (a path) as its NAME.txt.
  PolcRun Check(const fs::path& policy, const fs::path& notice) {
    fs::path sources = fs::path(dir_) / "sources";
    fs::create_directories(sources);
    fs::copy_file(notice, sources / (policy.stem().string() + ".txt"), fs::copy_options::overwrite_existing);
    return RunPolc(POLC_SOURCE_DIR, "check -q --sources '" + sources.string() + "' '" + policy.string() + "'", dir_);
  }
  std::string seeds_, dir_;
};

TEST_F(ShippedCites, EveryCiteIsFoundInTheNotice) {
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(POLC_SOURCE_DIR) / "policies")) {
    if (entry.path().extension() != ".policy") continue;
    const std::string stem = entry.path().stem().string();
    SCOPED_TRACE(stem);
    auto mapped = kNoticeOf.find(stem);
    fs::path notice = fs::path(seeds_) / ((mapped == kNoticeOf.end() ? stem : mapped->second) + ".txt");
    // A new shipped policy needs its notice among the seeds (or an entry in kNoticeOf).
    ASSERT_TRUE(fs::is_regular_file(notice)) << notice << " is missing";
    PolcRun r = Check(entry.path(), notice);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.err.find("CiteNotInSource"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;
    ++checked;
  }
  EXPECT_GE(checked, 3);
}

// The check above can fail: one figure of a cite changed (as after an edit of the rule that
// forgot its quote) is reported, and a `[reading]` cite, which quotes no notice, is not.
TEST_F(ShippedCites, AStaleCiteIsReported) {
  std::string text = ReadAll(std::string(POLC_SOURCE_DIR) + "/policies/huaihua-2026.policy");
  const std::string cite = "财政补助不低于 700 元/人";
  size_t at = text.find(cite);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, cite.size(), "财政补助不低于 730 元/人");
  ASSERT_NE(text.find("cite \"[reading]"), std::string::npos);
  fs::path policy = fs::path(dir_) / "huaihua-2026.policy";
  WriteAll(policy.string(), text);
  fs::copy_file(fs::path(POLC_SOURCE_DIR) / "policies" / "chronic-caps.csv", fs::path(dir_) / "chronic-caps.csv");
  PolcRun r = Check(policy, fs::path(seeds_) / "huaihua-2026.txt");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("huaihua-2026.policy:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("730 元/人\"\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[CiteNotInSource]"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("[CiteNotInSource]"), r.err.rfind("[CiteNotInSource]")) << "one warning only: " << r.err;
}

}  // namespace
}  // namespace polc
