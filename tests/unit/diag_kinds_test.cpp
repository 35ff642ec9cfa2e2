// Every diagnostic kind must be produced by some test: a file test whose CHECK lines name
// `[Kind]`, or a unit test whose source names `[Kind]` in what it asserts (for kinds a small
// file cannot produce, like FileTooLarge). A new kind without a test fails here.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "compiler/diag/diagnostics.h"

namespace polc {
namespace {

namespace fs = std::filesystem;

// The text of every file test and every unit test source.
std::string Corpus() {
  std::string corpus;
  for (const char* dir : {"tests/files", "tests/unit"}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(fs::path(POLC_SOURCE_DIR) / dir, ec)) {
      std::string ext = entry.path().extension().string();
      if (ext != ".policy" && ext != ".cpp") continue;
      // This file names no kind in brackets itself; skip it anyway so it never could.
      if (entry.path().filename() == "diag_kinds_test.cpp") continue;
      std::string text, error;
      if (ReadFile(entry.path().string(), text, error)) corpus += text + "\n";
    }
  }
  return corpus;
}

TEST(DiagKinds, EveryKindHasATest) {
  std::string corpus = Corpus();
  ASSERT_FALSE(corpus.empty()) << "no tests found under " << POLC_SOURCE_DIR;
  std::string untested;
  for (const DiagKindInfo& info : AllDiagKinds()) {
    std::string tag = "[" + std::string(info.name) + "]";
    if (corpus.find(tag) == std::string::npos) untested += " " + std::string(info.name);
  }
  EXPECT_TRUE(untested.empty()) << "diagnostic kinds without a test (add a tests/files/*.policy that "
                                   "produces them):"
                                << untested;
}

TEST(DiagKinds, NamesAreUnique) {
  std::set<std::string_view> names;
  for (const DiagKindInfo& info : AllDiagKinds()) EXPECT_TRUE(names.insert(info.name).second) << info.name;
}

}  // namespace
}  // namespace polc
