// `polc test POLICY CASE_DIR... [--junit FILE] [--engine interp|jit]`: settles each golden
// case directory and compares with its expected files; every mismatching field is reported,
// the first mismatching claim is explained, and the exit code is 1 on any failure.
#include <filesystem>
#include <iostream>

#include "compiler/driver/commands.h"
#include "compiler/driver/golden_case.h"
#include "compiler/driver/session.h"
#include "runtime/csv.h"
#include "runtime/markup.h"

namespace polc::driver {

namespace {

struct TestOptions {
  std::string policy, junit;
  std::vector<std::string> cases;
  std::string engine = "jit";
};

bool WriteJunit(const std::string& path, const std::string& suite, const std::vector<CaseOutcome>& outcomes) {
  size_t failures = 0;
  double seconds = 0;
  for (const CaseOutcome& o : outcomes) {
    failures += o.passed ? 0 : 1;
    seconds += o.seconds;
  }
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += fmt::format("<testsuites name=\"polc test\" tests=\"{}\" failures=\"{}\" time=\"{:.3f}\">\n",
                     outcomes.size(), failures, seconds);
  xml += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" time=\"{:.3f}\">\n", rt::EscapeMarkup(suite),
                     outcomes.size(), failures, seconds);
  for (const CaseOutcome& o : outcomes) {
    xml += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"", rt::EscapeMarkup(suite), rt::EscapeMarkup(o.name), o.seconds);
    if (o.passed) {
      xml += "/>\n";
      continue;
    }
    std::string body;
    for (const std::string& p : o.problems) body += p + "\n";
    xml += fmt::format(">\n      <failure message=\"{} problem{}\">{}</failure>\n    </testcase>\n",
                       o.problems.size(), o.problems.size() == 1 ? "" : "s", rt::EscapeMarkup(body));
  }
  xml += "  </testsuite>\n</testsuites>\n";
  rt::AtomicOutputFile file;
  std::string error;
  if (!file.Open(path, error) || std::fwrite(xml.data(), 1, xml.size(), file.Stream()) != xml.size() ||
      !file.Commit(error)) {
    std::cerr << "polc: " << (error.empty() ? "cannot write " + path : error) << "\n";
    return false;
  }
  return true;
}

int RunTest(const TestOptions& options) {
  std::unique_ptr<Compilation> c = LoadPolicy(options.policy, std::cerr);
  if (c == nullptr) return 1;
  std::vector<CaseOutcome> outcomes;
  bool explained = false;
  size_t passed = 0;
  for (const std::string& dir : options.cases) {
    CaseOutcome outcome = RunCase(*c, options.policy, dir, options.engine);
    std::cout << (outcome.passed ? "PASS " : "FAIL ") << outcome.name << "\n";
    for (const std::string& p : outcome.problems) std::cout << "case " << outcome.name << ": " << p << "\n";
    if (!outcome.passed && !explained && !outcome.explanation.empty()) {
      std::cout << "\nhow case " << outcome.name << " settled the first mismatch:\n" << outcome.explanation << "\n";
      explained = true;
    }
    passed += outcome.passed ? 1 : 0;
    outcomes.push_back(std::move(outcome));
  }
  std::cout << fmt::format("{} passed, {} failed\n", passed, outcomes.size() - passed);
  bool ok = passed == outcomes.size();
  if (!options.junit.empty()) {
    ok = WriteJunit(options.junit, std::filesystem::path(options.policy).stem().string(), outcomes) && ok;
  }
  return ok ? 0 : 1;
}

}  // namespace

void AddTestCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<TestOptions>();
  CLI::App* cmd = app.add_subcommand("test", "settle golden case directories and compare with expected results");
  cmd->add_option("policy", options->policy, "policy file")->required();
  cmd->add_option("cases", options->cases, "case directories (persons.csv, claims.csv, expected files)")->required();
  cmd->add_option("--junit", options->junit, "write a JUnit XML report here");
  AddEngineOption(*cmd, options->engine);
  cmd->callback([options, &exit_code] { exit_code = RunTest(*options); });
}

}  // namespace polc::driver
