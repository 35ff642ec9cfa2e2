// Unit tests for the streaming CSV reader, the writer and all-or-nothing output files.
#include "runtime/csv.h"

#include <dirent.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace polc::rt {
namespace {

using Rows = std::vector<std::vector<std::string>>;

// Tiny chunks force rows, quotes and CRLF pairs across buffer refills.
const size_t kChunkSizes[] = {4, 5, 7, 16, CsvReader::kDefaultChunkBytes};

class RuntimeCsv : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("polc_csv_test");
    ASSERT_FALSE(dir_.empty());
  }
  void TearDown() override {
    for (const std::string& name : List()) std::remove((dir_ + "/" + name).c_str());
    ::rmdir(dir_.c_str());
  }

  std::string Write(const std::string& content, const std::string& name = "in.csv") {
    const std::string path = dir_ + "/" + name;
    WriteAll(path, content);
    return path;
  }

  std::vector<std::string> List() const {
    std::vector<std::string> names;
    if (DIR* d = ::opendir(dir_.c_str())) {
      while (const dirent* entry = ::readdir(d)) {
        const std::string name = entry->d_name;
        if (name != "." && name != "..") names.push_back(name);
      }
      ::closedir(d);
    }
    return names;
  }

  // Reads every row, recording where each started; stops at the first error.
  static Rows ReadAll(const std::string& path, size_t chunk, std::vector<size_t>* lines = nullptr,
                      std::string* error = nullptr) {
    CsvReader reader(chunk);
    std::string open_error;
    EXPECT_TRUE(reader.Open(path, open_error)) << open_error;
    Rows rows;
    std::vector<std::string_view> fields;
    while (reader.Next(fields)) {
      rows.emplace_back(fields.begin(), fields.end());
      if (lines != nullptr) lines->push_back(reader.LineNumber());
    }
    if (error != nullptr) {
      *error = reader.Error();
    } else {
      EXPECT_FALSE(reader.HasError()) << reader.Error();
    }
    return rows;
  }

  std::string dir_;
};

TEST_F(RuntimeCsv, PlainRowsAndFinalLineWithoutNewline) {
  const std::string path = Write("id,name,amount\n1,Li Wei,1234.50\n2,,0");
  for (size_t chunk : kChunkSizes) {
    std::vector<size_t> lines;
    const Rows rows = ReadAll(path, chunk, &lines);
    EXPECT_EQ(rows, (Rows{{"id", "name", "amount"}, {"1", "Li Wei", "1234.50"}, {"2", "", "0"}}))
        << "chunk " << chunk;
    EXPECT_EQ(lines, (std::vector<size_t>{1, 2, 3}));
  }
}

TEST_F(RuntimeCsv, TrailingCommaGivesEmptyLastField) {
  const Rows rows = ReadAll(Write("a,b,\n,\n"), 4);
  EXPECT_EQ(rows, (Rows{{"a", "b", ""}, {"", ""}}));
}

TEST_F(RuntimeCsv, QuotedFields) {
  const std::string path = Write("\"a,b\",\"say \"\"hi\"\"\",\"\",\"\"\"\"\nx,\"plain\"\n");
  for (size_t chunk : kChunkSizes) {
    EXPECT_EQ(ReadAll(path, chunk), (Rows{{"a,b", "say \"hi\"", "", "\""}, {"x", "plain"}}))
        << "chunk " << chunk;
  }
}

TEST_F(RuntimeCsv, CrLfLineEnds) {
  const std::string path = Write("a,b\r\n\"c\r\nd\",e\r\n\r\nf,g\r\n");
  for (size_t chunk : kChunkSizes) {
    std::vector<size_t> lines;
    EXPECT_EQ(ReadAll(path, chunk, &lines), (Rows{{"a", "b"}, {"c\r\nd", "e"}, {"f", "g"}}))
        << "chunk " << chunk;
    EXPECT_EQ(lines, (std::vector<size_t>{1, 2, 5}));
  }
}

TEST_F(RuntimeCsv, ByteOrderMarkIsSkipped) {
  const std::string path = Write("\xEF\xBB\xBFid,name\n1,\xE6\x9D\x8E\n");
  EXPECT_EQ(ReadAll(path, 4), (Rows{{"id", "name"}, {"1", "\xE6\x9D\x8E"}}));
}

TEST_F(RuntimeCsv, EmbeddedNewlinesAndBlankLinesKeepLineNumbers) {
  const std::string path = Write("h1,h2\n\"a\nb\nc\",x\n\n\ny,z\n\"\"\n");
  for (size_t chunk : kChunkSizes) {
    std::vector<size_t> lines;
    EXPECT_EQ(ReadAll(path, chunk, &lines),
              (Rows{{"h1", "h2"}, {"a\nb\nc", "x"}, {"y", "z"}, {""}}))
        << "chunk " << chunk;
    EXPECT_EQ(lines, (std::vector<size_t>{1, 2, 7, 8}));
  }
}

TEST_F(RuntimeCsv, EmptyFileHasNoRows) {
  EXPECT_TRUE(ReadAll(Write(""), 4).empty());
  EXPECT_TRUE(ReadAll(Write("\xEF\xBB\xBF"), 4).empty());
}

TEST_F(RuntimeCsv, UnterminatedQuoteReportsItsLine) {
  const std::string path = Write("h\nok\n\"abc\ndef\nghi\n");
  for (size_t chunk : kChunkSizes) {
    std::string error;
    EXPECT_EQ(ReadAll(path, chunk, nullptr, &error), (Rows{{"h"}, {"ok"}}));
    EXPECT_EQ(error, "line 3: unterminated quoted field") << "chunk " << chunk;
  }
}

TEST_F(RuntimeCsv, QuoteInsideUnquotedFieldIsAnError) {
  const std::string path = Write("a,b\nc,d\"e\nf,g\n");
  CsvReader reader(5);
  std::string error;
  ASSERT_TRUE(reader.Open(path, error));
  std::vector<std::string_view> fields;
  EXPECT_TRUE(reader.Next(fields));
  EXPECT_FALSE(reader.Next(fields));
  EXPECT_TRUE(reader.HasError());
  EXPECT_EQ(reader.LineNumber(), 2u);
  EXPECT_EQ(reader.Error(), "line 2: quote inside an unquoted field");
  EXPECT_FALSE(reader.Next(fields)) << "an error ends the stream";
}

TEST_F(RuntimeCsv, TextAfterClosingQuoteIsAnError) {
  std::string error;
  ReadAll(Write("x\n\"a\nb\"c,d\n"), 4, nullptr, &error);
  EXPECT_EQ(error, "line 3: unexpected character after a closing quote");
}

TEST_F(RuntimeCsv, MissingFileFailsToOpen) {
  CsvReader reader;
  std::string error;
  EXPECT_FALSE(reader.Open(dir_ + "/missing.csv", error));
  EXPECT_NE(error.find("missing.csv"), std::string::npos) << error;
}

TEST_F(RuntimeCsv, WriterQuotesOnlyWhenNeeded) {
  const std::string path = dir_ + "/out.csv";
  std::FILE* file = std::fopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  {
    CsvWriter writer(file);
    writer.Row({"id", "note", "amount"});
    writer.Field("1");
    writer.Field("a,b");
    writer.Field("say \"hi\"");
    writer.EndRow();
    writer.Row({"2", "line\nbreak", "cr\r"});
    writer.Row({""});
    writer.Row({"", ""});
    std::string error;
    EXPECT_TRUE(writer.Flush(error)) << error;
  }
  std::fclose(file);
  EXPECT_EQ(polc::ReadAll(path),
            "id,note,amount\n1,\"a,b\",\"say \"\"hi\"\"\"\n2,\"line\nbreak\",\"cr\r\"\n\"\"\n,\n");
  EXPECT_EQ(ReadAll(path, 4), (Rows{{"id", "note", "amount"},
                                    {"1", "a,b", "say \"hi\""},
                                    {"2", "line\nbreak", "cr\r"},
                                    {""},
                                    {"", ""}}));
}

TEST_F(RuntimeCsv, LargeFileRoundTripsAcrossChunks) {
  // About 3 MiB, so the default 1 MiB reader refills mid-row several times.
  const std::string final_path = dir_ + "/big.csv";
  constexpr int kRows = 60000;
  AtomicOutputFile out;
  std::string error;
  ASSERT_TRUE(out.Open(final_path, error)) << error;
  {
    CsvWriter writer(out);
    for (int i = 0; i < kRows; ++i) {
      const std::string id = std::to_string(i);
      writer.Row({id, "name, \"quoted\" " + id, "multi\nline", "0.00"});
    }
    ASSERT_TRUE(out.Commit(error)) << error;
  }
  CsvReader reader;
  ASSERT_TRUE(reader.Open(final_path, error)) << error;
  std::vector<std::string_view> fields;
  int count = 0;
  while (reader.Next(fields)) {
    ASSERT_EQ(fields.size(), 4u);
    const std::string id = std::to_string(count);
    ASSERT_EQ(fields[0], id);
    ASSERT_EQ(fields[1], "name, \"quoted\" " + id);
    ASSERT_EQ(fields[2], "multi\nline");
    ASSERT_EQ(reader.LineNumber(), static_cast<size_t>(2 * count + 1));
    ++count;
  }
  EXPECT_FALSE(reader.HasError()) << reader.Error();
  EXPECT_EQ(count, kRows);
}

TEST_F(RuntimeCsv, AtomicOutputLeavesNothingWhenNotCommitted) {
  const std::string final_path = dir_ + "/result.csv";
  {
    AtomicOutputFile out;
    std::string error;
    ASSERT_TRUE(out.Open(final_path, error)) << error;
    CsvWriter writer(out);
    writer.Row({"partial"});
    std::string flushed;
    ASSERT_TRUE(writer.Flush(flushed)) << flushed;
    // O_TMPFILE: the temporary file has no name, so no one sees it (and a kill leaves nothing).
    EXPECT_EQ(out.TempPath(), "");
    EXPECT_TRUE(List().empty()) << "the temporary file is invisible while writing";
  }
  EXPECT_TRUE(List().empty());
}

TEST_F(RuntimeCsv, AtomicOutputNamedTempFallbackLeavesNothingWhenNotCommitted) {
  const std::string final_path = dir_ + "/result.csv";
  AtomicOutputFile::UseNamedTemps(true);
  {
    AtomicOutputFile out;
    std::string error;
    ASSERT_TRUE(out.Open(final_path, error)) << error;
    EXPECT_EQ(out.TempPath().rfind(final_path + ".tmp." + std::to_string(::getpid()) + ".", 0), 0u) << out.TempPath();
    CsvWriter writer(out);
    writer.Row({"partial"});
    EXPECT_EQ(List().size(), 1u) << "the named temporary file exists while writing";
  }
  AtomicOutputFile::UseNamedTemps(false);
  EXPECT_TRUE(List().empty());
}

TEST_F(RuntimeCsv, AtomicOutputCommitReplacesFinalFile) {
  const std::string final_path = Write("old\n", "result.csv");
  AtomicOutputFile out;
  std::string error;
  ASSERT_TRUE(out.Open(final_path, error)) << error;
  {
    CsvWriter writer(out);
    writer.Row({"id", "total"});
    writer.Row({"1", "22985.50"});
    EXPECT_EQ(polc::ReadAll(final_path), "old\n") << "the final file is untouched until Commit";
    ASSERT_TRUE(out.Commit(error)) << error;
    writer.Row({"late"});  // detached by Commit: must not touch the closed stream
  }
  EXPECT_EQ(polc::ReadAll(final_path), "id,total\n1,22985.50\n");
  EXPECT_EQ(List(), (std::vector<std::string>{"result.csv"}));
  EXPECT_FALSE(out.Commit(error)) << "a second Commit has nothing to commit";
}

TEST_F(RuntimeCsv, AtomicOutputFailsInMissingDirectory) {
  AtomicOutputFile out;
  std::string error;
  EXPECT_FALSE(out.Open(dir_ + "/no/such/dir/out.csv", error));
  EXPECT_NE(error.find("cannot create"), std::string::npos) << error;
}

}  // namespace
}  // namespace polc::rt
