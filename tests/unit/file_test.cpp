// File tests (Carbon style): each tests/files/*.policy is compiled and its diagnostics are
// compared with the `// CHECK:` comments written inside it. `// CHECK:12: error: msg [Kind]`
// expects a diagnostic at column 12 of the first line below its comment block; a diagnostic
// without a position in this file is written `// CHECK:@: ...` (or `// CHECK:@other.csv:3:1:`
// for another file) and may stand anywhere. A file without CHECK lines must check clean.
// A diagnostic's notes and fix-its are expectations too: `// CHECK:12: note: msg` and
// `// CHECK:12: fix-it: 'replacement'` above the line they point at.
//
// CHECK lines are removed before compiling, so the line numbers the compiler sees are those
// of the file without them: adding or removing expectations never moves a diagnostic.
//
// POLC_AUTOUPDATE=1 (tools/update_file_tests.sh) rewrites every file's CHECK lines from what
// the compiler reports now; review the diff before committing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "compiler/driver/compile.h"

namespace polc {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kCheck = "// CHECK:";

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(text.substr(start, nl - start));
  lines.push_back(text.substr(start));  // after a final newline: an empty last line
  return lines;
}

std::string_view Trimmed(std::string_view line) {
  size_t first = line.find_first_not_of(" \t");
  return first == std::string_view::npos ? std::string_view() : line.substr(first);
}

// A test file split into its CHECK expectations and the text the compiler sees.
struct TestFile {
  std::vector<std::string> lines;  // without CHECK lines; lines[k] is line k + 1
  std::vector<size_t> file_line;   // file_line[k]: where lines[k] is in the file with CHECK lines
  std::map<size_t, std::vector<std::string>> expected;  // line -> texts; 0: anywhere
  std::vector<std::string> malformed;                   // "// CHECK" lines of another shape

  std::string Text() const {
    std::string out;
    for (size_t i = 0; i < lines.size(); ++i) out += (i ? "\n" : "") + lines[i];
    return out;
  }
};

TestFile Load(const std::string& text) {
  TestFile file;
  std::vector<std::string> pending;
  size_t number = 0;
  for (const std::string& line : SplitLines(text)) {
    ++number;
    std::string_view t = Trimmed(line);
    if (t.substr(0, kCheck.size()) == kCheck) {
      std::string body(t.substr(kCheck.size()));
      if (!body.empty() && body[0] == '@') file.expected[0].push_back(body);
      else pending.push_back(body);
      continue;
    }
    if (t.substr(0, 8) == "// CHECK") file.malformed.push_back(line);
    file.lines.push_back(line);
    file.file_line.push_back(number);
    for (std::string& p : pending) file.expected[file.lines.size()].push_back(std::move(p));
    pending.clear();
  }
  // CHECK lines after the last line (no final newline) belong to the last line.
  for (std::string& p : pending) file.expected[file.lines.size()].push_back(std::move(p));
  return file;
}

// Renders each diagnostic the way expectations are written, keyed by line (0: anywhere).
std::map<size_t, std::vector<std::string>> Actual(const std::string& path, const TestFile& file,
                                                   const DiagnosticSink& sink) {
  std::map<size_t, std::vector<std::string>> actual;
  // Messages naming files beside the test (CSV tables) would hold this checkout's path.
  std::string dir = fs::path(path).parent_path().string() + "/";
  auto relative = [&](std::string text) {
    for (size_t p = 0; (p = text.find(dir, p)) != std::string::npos;) text.erase(p, dir.size());
    return text;
  };
  for (const Diagnostic& d : sink.Sorted()) {
    std::string message = relative(d.message);
    for (size_t p = 0; (p = message.find('\n', p)) != std::string::npos;) message.replace(p, 1, "\\n");
    std::string tail = fmt::format("{}: {} [{}]", d.severity() == Severity::Error ? "error" : "warning",
                                   message, InfoOf(d.kind).name);
    if (d.file == path && d.range.Valid()) {
      size_t line = std::min<size_t>(d.range.begin_line, file.lines.size());
      actual[line].push_back(fmt::format("{}: {}", d.range.begin_col, tail));
      // Notes and fix-its are expectations of their own, above the line they point at.
      for (const DiagNote& n : d.notes)
        if (n.range.Valid())
          actual[std::min<size_t>(n.range.begin_line, file.lines.size())].push_back(
              fmt::format("{}: note: {}", n.range.begin_col, relative(n.message)));
      for (const FixIt& f : d.fixits)
        actual[std::min<size_t>(f.range.begin_line, file.lines.size())].push_back(
            fmt::format("{}: fix-it: '{}'", f.range.begin_col, f.replacement));
    } else {
      std::string where = d.file == path ? "" : relative(d.file);
      if (d.file != path && d.range.Valid()) where += fmt::format(":{}:{}", d.range.begin_line, d.range.begin_col);
      actual[0].push_back(fmt::format("@{}: {}", where, tail));
    }
  }
  return actual;
}

// The file with its CHECK lines replaced by `actual`, each above its line and indented
// like it; expectations without a line go first.
std::string Rewrite(const TestFile& file, const std::map<size_t, std::vector<std::string>>& actual) {
  std::string out;
  auto checks = [&](size_t line, const std::string& indent) {
    auto it = actual.find(line);
    if (it == actual.end()) return;
    for (const std::string& text : it->second) out += indent + std::string(kCheck) + text + "\n";
  };
  checks(0, "");
  for (size_t i = 0; i < file.lines.size(); ++i) {
    const std::string& line = file.lines[i];
    checks(i + 1, line.substr(0, line.size() - Trimmed(line).size()));
    out += line + (i + 1 < file.lines.size() ? "\n" : "");
  }
  return out;
}

std::vector<std::string> PolicyFiles() {
  std::vector<std::string> files;
  fs::path dir = fs::path(POLC_SOURCE_DIR) / "tests" / "files";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".policy") files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

class FileTest : public testing::TestWithParam<std::string> {};

TEST_P(FileTest, Diagnostics) {
  const std::string& path = GetParam();
  std::string text, error;
  ASSERT_TRUE(ReadFile(path, text, error)) << path << ": " << error;
  TestFile file = Load(text);
  EXPECT_TRUE(file.malformed.empty()) << path << ": a CHECK line must start with `// CHECK:`: "
                                      << file.malformed.front();
  auto compilation = driver::CompileText(path, file.Text());
  auto actual = Actual(path, file, compilation->diagnostics);

  const char* autoupdate = std::getenv("POLC_AUTOUPDATE");
  if (autoupdate && std::string(autoupdate) == "1") {
    std::string updated = Rewrite(file, actual);
    if (updated != text) {
      std::ofstream(path, std::ios::binary | std::ios::trunc) << updated;
      std::cout << "updated " << path << "\n";
    }
    return;
  }

  // Compare line by line as multisets, then report both directions at each line.
  std::string report;
  std::map<size_t, bool> lines;
  for (const auto& [line, texts] : file.expected) lines[line] = true;
  for (const auto& [line, texts] : actual) lines[line] = true;
  for (const auto& [line, unused] : lines) {
    std::vector<std::string> want = file.expected.count(line) ? file.expected.at(line) : std::vector<std::string>{};
    std::vector<std::string> got = actual.count(line) ? actual.at(line) : std::vector<std::string>{};
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    std::vector<std::string> missing, extra;
    std::set_difference(want.begin(), want.end(), got.begin(), got.end(), std::back_inserter(missing));
    std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(extra));
    std::string where = line == 0 ? "anywhere"
                                  : fmt::format("line {} (line {} of the file)", line,
                                                file.file_line[std::min(line, file.lines.size()) - 1]);
    for (const std::string& m : missing) report += fmt::format("  {}: expected, not reported: {}\n", where, m);
    for (const std::string& e : extra) report += fmt::format("  {}: reported, not expected: {}\n", where, e);
  }
  EXPECT_TRUE(report.empty()) << path << " (line numbers as the compiler sees them, without CHECK lines):\n"
                              << report << "After an intended change: POLC_AUTOUPDATE=1 or "
                              << "tools/update_file_tests.sh, then review the diff.";
}

std::string TestName(const testing::TestParamInfo<std::string>& info) {
  std::string name = fs::path(info.param).stem().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Files, FileTest, testing::ValuesIn(PolicyFiles()), TestName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(FileTest);

// The harness itself: stripping and rewriting keep the compiler's line numbers stable.
TEST(FileTestHarness, ExpectationsAttachToTheLineBelowAndAreStripped) {
  TestFile file = Load("a\n  // CHECK:3: error: x [Example]\n  // CHECK:@: error: y [Example]\n  b\nc\n");
  EXPECT_EQ(file.Text(), "a\n  b\nc\n");
  ASSERT_EQ(file.expected.count(2), 1u);
  EXPECT_EQ(file.expected.at(2), std::vector<std::string>{"3: error: x [Example]"});
  EXPECT_EQ(file.expected.at(0), std::vector<std::string>{"@: error: y [Example]"});
  std::map<size_t, std::vector<std::string>> actual = {{2, {"3: error: x [Example]"}},
                                                       {4, {"1: error: end [Example]"}}};
  std::string rewritten = Rewrite(file, actual);
  EXPECT_EQ(rewritten, "a\n  // CHECK:3: error: x [Example]\n  b\nc\n// CHECK:1: error: end [Example]\n");
  // Rewriting is stable: loading the result gives the same text and expectations.
  TestFile again = Load(rewritten);
  EXPECT_EQ(again.Text(), file.Text());
  EXPECT_EQ(Rewrite(again, actual), rewritten);
}

}  // namespace
}  // namespace polc
