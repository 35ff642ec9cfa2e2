// `polc lsp` driven through its stdio: each test writes a recorded client session (framed
// JSON-RPC messages) to a file, runs `polc lsp < file`, and reads back the server's messages.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "compiler/parse/parse.h"
#include "tests/unit/test_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

class Lsp : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir("polc_lsp_test"); }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs a session: initialize, `messages`, shutdown, exit. Returns every message the server sent.
  std::vector<Json> Session(const std::vector<Json>& messages, int* exit_code = nullptr) {
    std::vector<Json> all = {{{"jsonrpc", "2.0"}, {"id", 0}, {"method", "initialize"}, {"params", Json::object()}}};
    all.insert(all.end(), messages.begin(), messages.end());
    all.push_back({{"jsonrpc", "2.0"}, {"id", 999}, {"method", "shutdown"}});
    all.push_back({{"jsonrpc", "2.0"}, {"method", "exit"}});
    std::string input;
    for (const Json& m : all) {
      std::string body = m.dump();
      input += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    }
    WriteAll(dir_ + "/input", input);
    PolcRun r = RunPolc(dir_, "lsp < '" + dir_ + "/input'", dir_);
    if (exit_code) *exit_code = r.code;
    EXPECT_EQ(r.err, "");
    std::vector<Json> out;
    std::string text = r.out;
    while (!text.empty()) {
      size_t end = text.find("\r\n\r\n");
      if (end == std::string::npos || text.rfind("Content-Length: ", 0) != 0) {
        ADD_FAILURE() << "bad framing: " << text;
        break;
      }
      size_t length = std::stoul(text.substr(16, end - 16));
      out.push_back(Json::parse(text.substr(end + 4, length)));
      text.erase(0, end + 4 + length);
    }
    return out;
  }

  static Json Open(const std::string& uri, const std::string& text, int version = 1) {
    return {{"jsonrpc", "2.0"},
            {"method", "textDocument/didOpen"},
            {"params", {{"textDocument", {{"uri", uri}, {"languageId", "polc"}, {"version", version}, {"text", text}}}}}};
  }
  static Json Change(const std::string& uri, const std::string& text, int version) {
    return {{"jsonrpc", "2.0"},
            {"method", "textDocument/didChange"},
            {"params", {{"textDocument", {{"uri", uri}, {"version", version}}}, {"contentChanges", {{{"text", text}}}}}}};
  }
  static Json At(int id, const std::string& method, const std::string& uri, int line, int character, Json more = {}) {
    Json params = {{"textDocument", {{"uri", uri}}}, {"position", {{"line", line}, {"character", character}}}};
    if (more.is_object()) params.update(more);
    return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
  }
  static const Json* Response(const std::vector<Json>& out, int id) {
    for (const Json& m : out)
      if (m.contains("id") && m["id"] == id) return &m;
    return nullptr;
  }
  static std::vector<Json> Published(const std::vector<Json>& out) {
    std::vector<Json> p;
    for (const Json& m : out)
      if (m.value("method", "") == "textDocument/publishDiagnostics") p.push_back(m["params"]);
    return p;
  }

  std::string dir_;
};

std::vector<fs::path> ShippedPolicies() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(POLC_SOURCE_DIR) / "policies"))
    if (e.path().extension() == ".policy") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(Lsp, EachShippedPolicyWithOneErrorGetsExactlyThatDiagnostic) {
  for (const fs::path& path : ShippedPolicies()) {
    SCOPED_TRACE(path.string());
    std::string text = ReadAll(path.string());
    // One error: the name `total` misspelt where the patient's share is computed.
    size_t at = text.find("total - basic");
    ASSERT_NE(at, std::string::npos);
    std::string bad = text.substr(0, at) + "totl" + text.substr(at + 5);
    int line = static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
    int character = static_cast<int>(at - (text.rfind('\n', at) + 1));  // ASCII before it on that line
    std::string uri = "file://" + path.string();
    int code = -1;
    std::vector<Json> out = Session({Open(uri, bad), At(1, "textDocument/hover", uri, 0, 0), Change(uri, text, 2)}, &code);
    EXPECT_EQ(code, 0);
    std::vector<Json> published = Published(out);
    ASSERT_EQ(published.size(), 2u);
    EXPECT_EQ(published[0]["version"], 1);
    ASSERT_EQ(published[0]["diagnostics"].size(), 1u) << published[0].dump(2);
    const Json& d = published[0]["diagnostics"][0];
    EXPECT_EQ(d["code"], "UnknownName");
    EXPECT_EQ(d["severity"], 1);
    EXPECT_EQ(d["message"], "unknown name 'totl'; did you mean 'total'?");
    EXPECT_EQ(d["data"]["fixits"][0]["newText"], "total");
    EXPECT_EQ(d["range"], Json({{"start", {{"line", line}, {"character", character}}},
                                {"end", {{"line", line}, {"character", character + 4}}}}));
    // Put right again: no diagnostics.
    EXPECT_EQ(published[1]["version"], 2);
    EXPECT_EQ(published[1]["diagnostics"], Json::array());
  }
}

// The first parameter with a cite that is used somewhere: hover on a use shows its cite and
// value, and go-to-definition jumps to its name.
TEST_F(Lsp, HoverAParameterShowsItsCiteAndDefinitionJumpsToIt) {
  fs::path path = fs::path(POLC_SOURCE_DIR) / "policies" / "huaihua-2026.policy";
  std::string text = ReadAll(path.string());
  SourceFile file(path.string(), text);
  DiagnosticSink sink;
  auto module = Parse(file, sink);
  ASSERT_TRUE(module);
  const ast::ParamDecl* param = nullptr;
  size_t use = std::string::npos;
  for (const auto& d : module->decls) {
    if (d->kind != ast::DeclKind::Param || !d->cite) continue;
    std::regex word("\\b" + d->name.name + "\\b");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), word); it != std::sregex_iterator(); ++it) {
      size_t pos = static_cast<size_t>(it->position());
      int line = static_cast<int>(std::count(text.begin(), text.begin() + pos, '\n')) + 1;
      size_t comment = text.rfind("//", pos), start = text.rfind('\n', pos) + 1;
      bool ascii_before = std::all_of(text.begin() + start, text.begin() + pos, [](char c) { return c > 0; });
      if (line != static_cast<int>(d->name.range.begin_line) && (comment == std::string::npos || comment < start) &&
          ascii_before) {
        use = pos;
        break;
      }
    }
    if (use != std::string::npos) {
      param = static_cast<const ast::ParamDecl*>(d.get());
      break;
    }
  }
  ASSERT_TRUE(param);
  int line = static_cast<int>(std::count(text.begin(), text.begin() + use, '\n'));
  size_t line_start = text.rfind('\n', use) + 1;
  std::string before = text.substr(line_start, use - line_start);
  int character = static_cast<int>(before.size()) + 1;
  std::string uri = "file://" + path.string();
  std::vector<Json> out = Session({Open(uri, text), At(1, "textDocument/hover", uri, line, character),
                                   At(2, "textDocument/definition", uri, line, character)});
  const Json* hover = Response(out, 1);
  ASSERT_TRUE(hover);
  std::string value = (*hover)["result"]["contents"]["value"];
  EXPECT_NE(value.find("cite: \xE2\x80\x9C" + param->cite->text + "\xE2\x80\x9D"), std::string::npos) << value;
  EXPECT_NE(value.find("param " + param->name.name + ": " + param->type.name.name + " = "), std::string::npos) << value;
  const Json* definition = Response(out, 2);
  ASSERT_TRUE(definition);
  ASSERT_EQ((*definition)["result"].size(), 1u);
  const Json& loc = (*definition)["result"][0];
  EXPECT_EQ(loc["uri"], uri);
  EXPECT_EQ(loc["range"]["start"]["line"], param->name.range.begin_line - 1);
  EXPECT_EQ(loc["range"]["start"]["character"], param->name.range.begin_col - 1);
}

const char* const kSmall =
    "area money_area \"金额\"\n"
    "enum level { primary \"基层\", level3 \"三级\" }\n"
    "table inpatient: level -> { deductible: money, rate: rate } {\n"
    "  primary => 200, 85%\n"
    "  level3  => 1200, 65%\n"
    "} cite \"起付线\"\n"
    "param cap: money = 400 cite \"封顶\"\n"
    "rule r: money = min(inpatient[primary].deductible, cap)\n";

// A parameter named in a table cell and in a bracket row: references and rename reach both.
TEST_F(Lsp, ParameterInATableCellAndABracketRowIsReferenced) {
  const std::string text =
      "enum level { primary, level3 }\n"
      "param band: money = 3万\n"
      "table cap: level -> money { primary => band  level3 => 100 }\n"
      "brackets scale { 0 .. band: 60%  band ..: 70% }\n";
  std::string uri = "file://" + dir_ + "/figures.policy";
  std::vector<Json> out = Session({
      Open(uri, text),
      At(1, "textDocument/references", uri, 1, 7, {{"context", {{"includeDeclaration", true}}}}),
      At(2, "textDocument/rename", uri, 3, 23, {{"newName", "first_band"}}),
  });
  const Json& refs = (*Response(out, 1))["result"];
  ASSERT_EQ(refs.size(), 4u) << refs.dump();
  EXPECT_EQ(refs[0]["range"]["start"], Json({{"line", 1}, {"character", 6}}));
  EXPECT_EQ(refs[1]["range"]["start"], Json({{"line", 2}, {"character", 39}}));
  EXPECT_EQ(refs[2]["range"]["start"], Json({{"line", 3}, {"character", 22}}));
  EXPECT_EQ(refs[3]["range"]["start"], Json({{"line", 3}, {"character", 33}}));
  const Json& edits = (*Response(out, 2))["result"]["changes"][uri];
  ASSERT_EQ(edits.size(), 4u) << edits.dump();
  for (const Json& edit : edits) EXPECT_EQ(edit["newText"], "first_band");
}

TEST_F(Lsp, WordHoverReferencesRenameSymbolsCompletionFormatting) {
  std::string uri = "file://" + dir_ + "/small.policy";
  std::vector<Json> out = Session({
      Open(uri, kSmall),
      At(1, "textDocument/hover", uri, 7, 32),  // `primary` in the rule
      At(2, "textDocument/references", uri, 6, 7, {{"context", {{"includeDeclaration", true}}}}),
      At(3, "textDocument/rename", uri, 6, 7, {{"newName", "yearly_cap"}}),
      At(4, "textDocument/rename", uri, 6, 7, {{"newName", "2x"}}),
      {{"jsonrpc", "2.0"}, {"id", 5}, {"method", "textDocument/documentSymbol"}, {"params", {{"textDocument", {{"uri", uri}}}}}},
      At(6, "textDocument/completion", uri, 7, 40),  // after `].`
      {{"jsonrpc", "2.0"}, {"id", 7}, {"method", "textDocument/formatting"}, {"params", {{"textDocument", {{"uri", uri}}}}}},
  });
  std::string hover = (*Response(out, 1))["result"]["contents"]["value"];
  EXPECT_NE(hover.find("**基层**: a word of the enumeration `level`"), std::string::npos) << hover;
  const Json& refs = (*Response(out, 2))["result"];
  ASSERT_EQ(refs.size(), 2u) << refs.dump();
  EXPECT_EQ(refs[0]["range"]["start"], Json({{"line", 6}, {"character", 6}}));
  EXPECT_EQ(refs[1]["range"]["start"], Json({{"line", 7}, {"character", 51}}));
  const Json& edits = (*Response(out, 3))["result"]["changes"][uri];
  ASSERT_EQ(edits.size(), 2u);
  EXPECT_EQ(edits[0]["newText"], "yearly_cap");
  EXPECT_TRUE(Response(out, 4)->contains("error"));
  const Json& symbols = (*Response(out, 5))["result"];
  ASSERT_EQ(symbols.size(), 1u);
  EXPECT_EQ(symbols[0]["name"], "money_area");
  EXPECT_EQ(symbols[0]["detail"], "金额");
  ASSERT_EQ(symbols[0]["children"].size(), 4u);
  EXPECT_EQ(symbols[0]["children"][1]["name"], "inpatient");
  EXPECT_EQ(symbols[0]["children"][1]["children"][0]["name"], "deductible");
  std::vector<std::string> labels;
  for (const Json& item : (*Response(out, 6))["result"]) labels.push_back(item["label"]);
  EXPECT_EQ(labels, (std::vector<std::string>{"deductible", "rate", "start", "end"}));
  const Json& format = (*Response(out, 7))["result"];
  ASSERT_EQ(format.size(), 1u);
  std::string formatted = format[0]["newText"];
  EXPECT_NE(formatted.find("param cap: money = 400\n  cite \"封顶\""), std::string::npos) << formatted;
}

// Changes in quick succession are checked once, for the last text.
TEST_F(Lsp, ChangesAreDebounced) {
  std::string uri = "file://" + dir_ + "/d.policy";
  std::vector<Json> out = Session({Open(uri, "param a: int = b\n"), Change(uri, "param a: int = c\n", 2),
                                   Change(uri, "param a: int = 1\nparam b: int = x + y\n", 3)});
  std::vector<Json> published = Published(out);
  ASSERT_EQ(published.size(), 1u);
  EXPECT_EQ(published[0]["version"], 3);
  // Every error of the file, not only the first (no header, no inputs, two unknown names),
  // and the warnings.
  std::vector<std::string> codes;
  for (const Json& d : published[0]["diagnostics"]) codes.push_back(d["code"]);
  EXPECT_EQ(codes, (std::vector<std::string>{"BadInput", "MissingHeader", "UnusedDefinition", "UnusedDefinition",
                                             "UnknownName", "UnknownName"}))
      << published[0].dump();
}

TEST_F(Lsp, ExitWithoutShutdownAndBrokenInput) {
  WriteAll(dir_ + "/broken", "Content-Length: 5\r\n\r\n{oops");
  EXPECT_EQ(RunPolc(dir_, "lsp < '" + dir_ + "/broken'", dir_).code, 1);
  std::string body = R"({"jsonrpc":"2.0","method":"exit"})";
  WriteAll(dir_ + "/exit", "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_EQ(RunPolc(dir_, "lsp < '" + dir_ + "/exit'", dir_).code, 1);
}

}  // namespace
}  // namespace polc
