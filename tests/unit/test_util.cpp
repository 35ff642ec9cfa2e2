// Helpers the unit tests share (test_util.h).
#include "tests/unit/test_util.h"

#include <stdlib.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "compiler/diag/source.h"
#include "runtime/csv.h"
#include "runtime/money.h"

namespace polc {

Rows ReadCsv(const std::string& path) {
  rt::CsvReader reader;
  std::string error;
  EXPECT_TRUE(reader.Open(path, error)) << error;
  Rows rows;
  std::vector<std::string_view> fields;
  while (reader.Next(fields)) rows.emplace_back(fields.begin(), fields.end());
  return rows;
}

size_t Column(const Rows& rows, const std::string& name) {
  for (size_t i = 0; i < rows[0].size(); ++i)
    if (rows[0][i] == name) return i;
  ADD_FAILURE() << "no column " << name;
  return 0;
}

int64_t Fen(const std::string& text) {
  int64_t fen = 0;
  std::string error;
  EXPECT_TRUE(rt::ParseMoney(text, fen, error)) << text << ": " << error;
  return fen;
}

std::string ReadAll(const std::string& path) {
  std::string text, error;
  ReadFile(path, text, error);
  return text;
}

void WriteAll(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

bool GeneratePopulation(const std::string& dir, int persons, int seed) {
  const std::string gen = fmt::format("'{}' --persons {} --seed {} --out '{}' >/dev/null", POLC_GEN_BINARY, persons, seed, dir);
  const int code = ExitCode(std::system(gen.c_str()));
  EXPECT_EQ(code, 0) << gen;
  if (code != 0) return false;
  std::istringstream claims(ReadAll(dir + "/claims.csv"));
  std::string header, line;
  std::getline(claims, header);
  std::vector<std::string> rows;
  while (std::getline(claims, line)) rows.push_back(line);
  std::reverse(rows.begin(), rows.end());
  std::string reversed = header + "\n";
  for (const std::string& row : rows) reversed += row + "\n";
  WriteAll(dir + "/reversed.csv", reversed);
  return true;
}

std::string MakeTempDir(const std::string& prefix) {
  std::string pattern = "/tmp/" + prefix + ".XXXXXX";
  return ::mkdtemp(pattern.data()) ? pattern : std::string();
}

uint32_t LineOf(const std::string& text, const std::string& needle) {
  const size_t at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  if (at == std::string::npos) return 0;
  return 1 + static_cast<uint32_t>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
}

int ExitCode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

PolcRun RunPolc(const std::string& cwd, const std::string& args, const std::string& scratch, const std::string& env) {
  const std::string command = fmt::format("cd '{}' && {}{}'{}' {} >'{}/stdout' 2>'{}/stderr'", cwd, env,
                                          env.empty() ? "" : " ", POLC_BINARY, args, scratch, scratch);
  PolcRun r;
  r.code = ExitCode(std::system(command.c_str()));
  r.out = ReadAll(scratch + "/stdout");
  r.err = ReadAll(scratch + "/stderr");
  return r;
}

}  // namespace polc
