// `polc test POLICY CASE_DIR... [--junit FILE] [--engine interp|jit] [--coverage]
// [--coverage-format text|json]`: settles each golden case directory and compares with its
// expected files (typed values, rows by key: case_compare.h); every mismatch is reported, the
// first mismatching claim is explained, and the exit code is 1 on any failure. With
// --coverage, the interpreter settles and counts what the cases reached (interp/coverage.h).
#include <filesystem>
#include <iostream>

#include "compiler/driver/commands.h"
#include "compiler/driver/coverage_report.h"
#include "compiler/driver/golden_case.h"
#include "compiler/driver/session.h"
#include "runtime/csv.h"
#include "runtime/json.h"
#include "runtime/markup.h"

namespace polc::driver {

namespace {

struct TestOptions {
  std::string policy, junit;
  std::vector<std::string> cases;
  std::string engine = "jit";
  bool coverage = false;
  std::string coverage_format;  // text or json; set: coverage
};

// The layout of a case directory, for --help (docs/testing.md says more).
const char* const kCaseLayout =
    "A case directory holds the inputs persons.csv and claims.csv and, for each policy, files\n"
    "named after the policy file's stem (huaihua-2026 for policies/huaihua-2026.policy):\n"
    "  STEM.results.csv   expected claim results (the policy's output for claims)\n"
    "  STEM.persons.csv   expected person results (the output for persons)\n"
    "  STEM.next.csv      optional: expected next year's counters (the output at year_end)\n"
    "Cells are compared as values of the column's type (63360 = 63360.00, 85% = 85.00%),\n"
    "columns by name, rows by the key the output writes (claim_id, person_id), in any order.\n"
    "Each missing, extra or duplicate row and each differing cell is reported with the file,\n"
    "line, key and column. --coverage lists the rules, exceptions, defaults, if branches,\n"
    "match arms, table rows and bracket segments the cases never reached (by the interpreter).";

// The outcomes and the coverage as one JSON object (--coverage-format json).
std::string OutcomesJson(const TestOptions& options, const std::vector<CaseOutcome>& outcomes, size_t passed,
                         const std::string& coverage) {
  std::string out = fmt::format("{{\"policy\": {}, \"passed\": {}, \"failed\": {},\n \"cases\": [",
                                rt::JsonQuote(options.policy), passed, outcomes.size() - passed);
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const CaseOutcome& o = outcomes[i];
    std::string problems;
    for (const std::string& p : o.problems) problems += (problems.empty() ? "" : ", ") + rt::JsonQuote(p);
    out += fmt::format("{}\n  {{\"name\": {}, \"passed\": {}, \"problems\": [{}]}}", i == 0 ? "" : ",",
                       rt::JsonQuote(o.name), o.passed ? "true" : "false", problems);
  }
  out += "],\n \"coverage\": " + coverage + "}\n";
  return out;
}

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
  std::unique_ptr<interp::Coverage> coverage;
  if (options.coverage) coverage = std::make_unique<interp::Coverage>(c->program);
  const bool json = options.coverage_format == "json";
  // With JSON coverage, stdout is one JSON object holding the outcomes too.
  std::ostream& out = std::cout;
  std::vector<CaseOutcome> outcomes;
  bool explained = false;
  size_t passed = 0;
  for (const std::string& dir : options.cases) {
    CaseOutcome outcome = RunCase(*c, options.policy, dir, coverage ? "interp" : options.engine, coverage.get());
    if (!json) {
      out << (outcome.passed ? "PASS " : "FAIL ") << outcome.name << "\n";
      for (const std::string& p : outcome.problems) out << "case " << outcome.name << ": " << p << "\n";
      if (!outcome.passed && !explained && !outcome.explanation.empty()) {
        out << "\nhow case " << outcome.name << " settled the first mismatch:\n" << outcome.explanation << "\n";
        explained = true;
      }
    }
    passed += outcome.passed ? 1 : 0;
    outcomes.push_back(std::move(outcome));
  }
  if (json) {
    std::cout << OutcomesJson(options, outcomes, passed, CoverageJson(options.policy, *coverage, outcomes.size()));
  } else {
    std::cout << fmt::format("{} passed, {} failed\n", passed, outcomes.size() - passed);
    if (coverage) std::cout << "\n" << CoverageText(options.policy, *coverage, outcomes.size());
  }
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
  cmd->add_option("cases", options->cases, "case directories (persons.csv, claims.csv, expected files: see below)")
      ->required();
  cmd->add_option("--junit", options->junit, "write a JUnit XML report here");
  AddEngineOption(*cmd, options->engine);
  cmd->add_flag("--coverage", options->coverage,
                "settle with the interpreter and report what the cases reached of the policy, and what never");
  cmd->add_option("--coverage-format", options->coverage_format,
                  "text (default: after the results) or json (stdout is one JSON object: the outcomes and the "
                  "coverage); implies --coverage")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->footer(kCaseLayout);
  cmd->callback([options, cmd, &exit_code] {
    if (!options->coverage_format.empty()) options->coverage = true;
    if (options->coverage && cmd->count("--engine") > 0 && options->engine != "interp") {
      std::cerr << "polc test: --coverage counts what the interpreter evaluates; it cannot be used with --engine "
                << options->engine << "\n";
      exit_code = 2;
      return;
    }
    exit_code = RunTest(*options);
  });
}

}  // namespace polc::driver
