// The HTML impact report opened in headless Chromium (Debian's `chromium`; tools/run-tests.sh
// installs it): it renders, its only script runs without errors, nothing is fetched, and the
// headline figures the browser shows equal the JSON output's. A screenshot is kept in the
// build directory (test-artifacts/diff-report.png). Skipped, saying so, without Chromium.
#include <filesystem>
#include <regex>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "runtime/money.h"
#include "tests/unit/test_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;

std::string FindChromium() {
  for (const char* name : {"chromium", "chromium-browser"}) {
    const int status = std::system(fmt::format("command -v {} >/dev/null 2>&1", name).c_str());
    if (ExitCode(status) == 0) return name;
  }
  return "";
}

// One headless run, time-bounded, in a fresh profile; `what` is --dump-dom or --screenshot=...
int Chromium(const std::string& browser, const std::string& what, const std::string& page, const std::string& dir,
             const std::string& out, const std::string& err) {
  const std::string profile = dir + "/profile-" + std::to_string(fs::exists(dir + "/profile-1") ? 2 : 1);
  const std::string cmd = fmt::format(
      "timeout 90 {} --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync --disable-extensions "
      "--user-data-dir='{}' --enable-logging=stderr --v=0 --window-size=1200,1500 {} 'file://{}' >'{}' 2>'{}'",
      browser, profile, what, page, out, err);
  return ExitCode(std::system(cmd.c_str()));
}

// The value of "KEY":{"old":...,"new":"X"} in the JSON of polc diff.
std::string JsonNew(const std::string& json, const std::string& key) {
  std::smatch m;
  const std::regex re("\"" + key + "\":\\{\"old\":\"[-0-9.]+\",\"new\":\"([-0-9.]+)\"");
  return std::regex_search(json, m, re) ? m[1].str() : "";
}

// data-figure="ID" data-fen="N" in the page the browser rendered.
std::string Figure(const std::string& dom, const std::string& id) {
  std::smatch m;
  const std::regex re("data-figure=\"" + id + "\" data-fen=\"(-?[0-9]+)\"");
  if (!std::regex_search(dom, m, re)) return "";
  return rt::FormatMoney(std::stoll(m[1].str()));
}

TEST(HtmlReport, RendersInChromiumWithTheJsonFigures) {
  const std::string browser = FindChromium();
  if (browser.empty())
    GTEST_SKIP() << "chromium is not installed (tools/run-tests.sh installs it with apt-get install -y chromium): "
                    "the HTML report is not opened in a browser here";
  const std::string dir = MakeTempDir("polc_html");
  ASSERT_FALSE(dir.empty());
  const std::string args = "diff policies/huaihua-2026.policy tests/files/diff/huaihua-2027.policy --persons "
                           "examples/persons.csv --claims examples/claims.csv --top 5 --by hardship --format ";
  PolcRun html = RunPolc(POLC_SOURCE_DIR, args + "html", dir);
  PolcRun json = RunPolc(POLC_SOURCE_DIR, args + "json", dir);
  ASSERT_EQ(html.code, 1) << html.err;
  ASSERT_EQ(json.code, 1) << json.err;
  const std::string page = dir + "/report.html";
  WriteAll(page, html.out);

  ASSERT_EQ(Chromium(browser, "--dump-dom", page, dir, dir + "/dom.html", dir + "/dom.err"), 0)
      << ReadAll(dir + "/dom.err");
  const std::string dom = ReadAll(dir + "/dom.html"), log = ReadAll(dir + "/dom.err");
  // The script ran (it marks the body) and nothing went wrong in the page.
  EXPECT_NE(dom.find("data-rendered=\""), std::string::npos) << dom.substr(0, 500);
  EXPECT_EQ(log.find("Uncaught"), std::string::npos) << log;
  EXPECT_EQ(log.find("Failed to load resource"), std::string::npos) << log;
  // Three charts at least: the waterfall, the groups, a distribution.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(dom, m, std::regex("data-rendered=\"([0-9]+)\"")));
  EXPECT_GE(std::stoi(m[1].str()), 3);

  for (const auto& [figure, key] : {std::pair{"payouts", "payouts"}, {"income", "income"}, {"balance", "balance"}}) {
    const std::string expected = JsonNew(json.out, key);
    ASSERT_FALSE(expected.empty()) << key;
    EXPECT_EQ(Figure(dom, figure), expected) << figure;
  }
  // Each fund's card (the three funds of the shipped policies) against its JSON total.
  for (const std::string fund : {"basic", "catastrophic", "assistance"}) {
    std::smatch total;
    ASSERT_TRUE(std::regex_search(json.out, total,
                                  std::regex("\"column\":\"" + fund + "\",\"role\":\"fund\",[^}]*\"new\":\"([-0-9.]+)\"")))
        << fund;
    EXPECT_EQ(Figure(dom, "fund_" + fund), total[1].str()) << fund;
  }
  std::smatch per;
  ASSERT_TRUE(std::regex_search(json.out, per, std::regex("\"per_person\":\\{\"payouts\":\\{\"old\":\"[-0-9.]+\",\"new\":\"([-0-9.]+)\"")));
  EXPECT_EQ(Figure(dom, "per_person"), per[1].str());

  // The screenshot, kept beside the test binary for whoever looks at the run.
  const fs::path artifacts = fs::path(POLC_BINARY).parent_path() / "test-artifacts";
  fs::create_directories(artifacts);
  const std::string shot = (artifacts / "diff-report.png").string();
  fs::remove(shot);
  ASSERT_EQ(Chromium(browser, "--screenshot='" + shot + "'", page, dir, dir + "/shot.out", dir + "/shot.err"), 0)
      << ReadAll(dir + "/shot.err");
  const std::string png = ReadAll(shot);
  EXPECT_GT(png.size(), 10000u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  fs::copy_file(page, artifacts / "diff-report.html", fs::copy_options::overwrite_existing);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace polc
