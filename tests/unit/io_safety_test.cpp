// What polc refuses to read or overwrite (issue: hardening the paths around the parser), as a
// script sees it through the polc executable: outputs that are devices, FIFOs, inputs or each
// other; inputs that are FIFOs, devices or directories (refused at once, never read); table
// paths outside the policy's directory; capped table diagnostics; a run past the file size
// limit or killed by a signal leaves no file behind.
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "runtime/csv.h"
#include "tests/unit/test_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;

class IoSafety : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = MakeTempDir("polc_io_safety");
    ASSERT_FALSE(root_.empty());
    fs::create_directories(root_ + "/pol");
    fs::create_directories(root_ + "/out");
    fs::copy(std::string(POLC_SOURCE_DIR) + "/policies/huaihua-2026.policy", root_ + "/pol/p.policy");
    fs::copy(std::string(POLC_SOURCE_DIR) + "/policies/chronic-caps.csv", root_ + "/pol/chronic-caps.csv");
    fs::copy(std::string(POLC_SOURCE_DIR) + "/examples/persons.csv", root_ + "/persons.csv");
    fs::copy(std::string(POLC_SOURCE_DIR) + "/examples/claims.csv", root_ + "/claims.csv");
    claims_ = ReadAll(root_ + "/claims.csv");
  }
  void TearDown() override { fs::remove_all(root_); }

  // Every command runs under `timeout`: a FIFO that hangs polc fails the test instead of CI.
  PolcRun Polc(const std::string& args, const std::string& env = "") {
    return RunPolc(root_, args, root_, env.empty() ? "timeout 60" : env + " timeout 60");
  }
  PolcRun Run(const std::string& claims, const std::string& out, const std::string& more = "") {
    return Polc(fmt::format("run pol/p.policy --persons persons.csv --claims '{}' --out '{}' --engine interp --threads 1 {}",
                            claims, out, more));
  }
  // A policy in pol/ whose chronic_caps table is read from `path`.
  void TablePath(const std::string& path) {
    std::string text = ReadAll(std::string(POLC_SOURCE_DIR) + "/policies/huaihua-2026.policy");
    const std::string from = "csv \"chronic-caps.csv\"";
    const size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos);
    text.replace(at, from.size(), fmt::format("csv \"{}\"", path));
    WriteAll(root_ + "/pol/p.policy", text);
  }
  std::vector<std::string> OutFiles() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(root_ + "/out")) names.push_back(e.path().filename().string());
    return names;
  }
  static bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

  std::string root_, claims_;
};

// ------------------------------------------------------------------ outputs

TEST_F(IoSafety, FifoAsOutIsRefusedAndKept) {
  ASSERT_EQ(::mkfifo((root_ + "/out/fifo").c_str(), 0600), 0);
  const PolcRun r = Run("claims.csv", "out/fifo");
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_TRUE(Contains(r.err, "cannot write 'out/fifo': it is a FIFO (named pipe)")) << r.err;
  EXPECT_TRUE(fs::is_fifo(root_ + "/out/fifo"));
  EXPECT_EQ(OutFiles(), std::vector<std::string>{"fifo"});
}

TEST_F(IoSafety, DeviceNodeAsOutIsRefusedAndKept) {
  // A copy of /dev/null: the node is replaced by a CSV file if polc renames over it.
  const std::string node = root_ + "/out/null";
  if (::mknod(node.c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0) GTEST_SKIP() << "mknod needs root";
  const PolcRun r = Run("claims.csv", "out/null");
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_TRUE(Contains(r.err, "cannot write 'out/null': it is a character device")) << r.err;
  struct stat st{};
  ASSERT_EQ(::lstat(node.c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(OutFiles(), std::vector<std::string>{"null"});
}

TEST_F(IoSafety, DirectoryAsOutIsRefused) {
  const PolcRun r = Run("claims.csv", "out");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Contains(r.err, "cannot write 'out': it is a directory")) << r.err;
  EXPECT_TRUE(OutFiles().empty());
}

TEST_F(IoSafety, OutEqualToAnInputIsRefused) {
  PolcRun r = Run("claims.csv", "claims.csv");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Contains(r.err, "--out 'claims.csv' is the input --claims 'claims.csv'")) << r.err;
  EXPECT_EQ(ReadAll(root_ + "/claims.csv"), claims_);
  // The same file under another spelling, and through a symbolic link.
  r = Run("claims.csv", "./out/../claims.csv");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Contains(r.err, "is the input --claims")) << r.err;
  fs::create_symlink("../claims.csv", root_ + "/out/link.csv");
  r = Run("claims.csv", "out/link.csv");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Contains(r.err, "is the input --claims")) << r.err;
  EXPECT_EQ(ReadAll(root_ + "/claims.csv"), claims_);
  // The persons file, the policy and its table file are inputs too.
  const std::string persons = ReadAll(root_ + "/persons.csv");
  r = Run("claims.csv", "out/r.csv", "--persons-out persons.csv");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Contains(r.err, "--persons-out 'persons.csv' is the input --persons 'persons.csv'")) << r.err;
  EXPECT_EQ(ReadAll(root_ + "/persons.csv"), persons);
  r = Run("claims.csv", "pol/chronic-caps.csv");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Contains(r.err, "is the input table file")) << r.err;
  r = Run("claims.csv", "pol/p.policy");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Contains(r.err, "is the input policy")) << r.err;
}

TEST_F(IoSafety, OutEqualToPersonsOutIsRefused) {
  const PolcRun r = Run("claims.csv", "out/r.csv", "--persons-out out/r.csv");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Contains(r.err, "--out 'out/r.csv' and --persons-out 'out/r.csv' are the same file")) << r.err;
  EXPECT_TRUE(OutFiles().empty());
}

TEST_F(IoSafety, SymlinkOutIsWrittenThrough) {
  WriteAll(root_ + "/out/real.csv", "old\n");
  fs::create_symlink("real.csv", root_ + "/out/link.csv");
  const PolcRun r = Run("claims.csv", "out/link.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(fs::is_symlink(root_ + "/out/link.csv"));
  EXPECT_EQ(ReadAll(root_ + "/out/real.csv").rfind("claim_id,", 0), 0u);
  std::vector<std::string> files = OutFiles();
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, (std::vector<std::string>{"link.csv", "real.csv"}));
}

// Past RLIMIT_FSIZE the kernel sends SIGXFSZ, which killed polc with its temporary file left
// half written; now the write fails, the message names the file and nothing is left.
TEST_F(IoSafety, FileSizeLimitIsAWriteErrorNamingTheFile) {
  const std::string command = fmt::format(
      "cd '{}' && ulimit -f 64 && '{}' run pol/p.policy --persons persons.csv --claims claims.csv "
      "--out out/r.csv --persons-out out/p.csv --engine interp --threads 1 2>'{}/stderr'",
      root_, POLC_BINARY, root_);
  const int status = std::system(fmt::format("bash -c \"{}\"", command).c_str());
  EXPECT_EQ(ExitCode(status), 1);
  const std::string err = ReadAll(root_ + "/stderr");
  EXPECT_TRUE(Contains(err, "cannot write 'out/r.csv': File too large") ||
              Contains(err, "cannot write 'out/p.csv': File too large")) << err;
  EXPECT_TRUE(OutFiles().empty());
}

// The named-temporary fallback: a SIGTERM while writing removes the temporary file.
TEST_F(IoSafety, KilledWhileWritingANamedTempLeavesNothing) {
  const std::string path = root_ + "/out/r.csv";
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    rt::AtomicOutputFile::UseNamedTemps(true);
    rt::AtomicOutputFile out;
    std::string error;
    if (!out.Open(path, error)) ::_exit(3);
    rt::CsvWriter writer(out);
    writer.Row({"partial"});
    std::string flushed;
    writer.Flush(flushed);
    if (!fs::exists(out.TempPath())) ::_exit(4);
    ::raise(SIGTERM);
    ::_exit(5);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
  EXPECT_TRUE(OutFiles().empty());
}

// A real run killed at various moments leaves either nothing or complete files.
TEST_F(IoSafety, KilledRunLeavesNoTemporaryFile) {
  for (const char* delay : {"0.05", "0.2", "0.4"}) {
    const std::string command = fmt::format(
        "cd '{}' && '{}' run pol/p.policy --persons persons.csv --claims claims.csv --out out/r.csv "
        "--persons-out out/p.csv --engine interp --threads 1 2>/dev/null & pid=$!; sleep {}; kill -TERM $pid; wait $pid",
        root_, POLC_BINARY, delay);
    std::system(fmt::format("bash -c \"{}\"", command).c_str());
    for (const std::string& name : OutFiles()) {
      EXPECT_TRUE(name == "r.csv" || name == "p.csv") << name << " left after a kill at " << delay << " s";
    }
    fs::remove_all(root_ + "/out");
    fs::create_directories(root_ + "/out");
  }
}

// ------------------------------------------------------------------ inputs

TEST_F(IoSafety, FifoAsClaimsIsRefusedAtOnce) {
  ASSERT_EQ(::mkfifo((root_ + "/fifo.csv").c_str(), 0600), 0);
  const PolcRun r = Run("fifo.csv", "out/r.csv");
  EXPECT_EQ(r.code, 1) << "124 is the timeout: polc waited for a writer";
  EXPECT_TRUE(Contains(r.err, "cannot read 'fifo.csv': it is a FIFO (named pipe), not a regular file")) << r.err;
  EXPECT_TRUE(OutFiles().empty());
}

TEST_F(IoSafety, DirectoryAsClaimsNamesTheFile) {
  fs::create_directories(root_ + "/dir.csv");
  const PolcRun r = Run("dir.csv", "out/r.csv");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "cannot read 'dir.csv': it is a directory, not a regular file\n");
}

TEST_F(IoSafety, FifoAndZeroAsPolicyAreRefused) {
  ASSERT_EQ(::mkfifo((root_ + "/fifo.policy").c_str(), 0600), 0);
  PolcRun r = Polc("check fifo.policy");
  EXPECT_EQ(r.code, 1) << "124 is the timeout";
  EXPECT_TRUE(Contains(r.err, "cannot read 'fifo.policy': it is a FIFO")) << r.err;
  fs::create_symlink("/dev/zero", root_ + "/zero.policy");
  r = Polc("check zero.policy");
  EXPECT_EQ(r.code, 1) << "124 is the timeout: /dev/zero was read without end";
  EXPECT_TRUE(Contains(r.err, "cannot read 'zero.policy': it is a character device")) << r.err;
  r = Polc("fmt zero.policy");
  EXPECT_EQ(r.code, 1);
  r = Polc("--emit=ast zero.policy");
  EXPECT_EQ(r.code, 1);
}

TEST_F(IoSafety, LargePolicyIsRefusedBeforeReading) {
  const std::string big = root_ + "/big.policy";
  WriteAll(big, "");
  fs::resize_file(big, uint64_t{1} << 30);  // sparse: 1 GiB that costs no disk
  const PolcRun r = Polc("check big.policy");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Contains(r.err, "it has 1073741824 bytes, at most 4194304 are read")) << r.err;
  EXPECT_TRUE(Contains(r.err, "[FileTooLarge]")) << r.err;
}

TEST_F(IoSafety, FifoAndDeviceAsTableAreRefused) {
  ASSERT_EQ(::mkfifo((root_ + "/pol/fifo.csv").c_str(), 0600), 0);
  TablePath("fifo.csv");
  PolcRun r = Polc("check pol/p.policy");
  EXPECT_EQ(r.code, 1) << "124 is the timeout";
  EXPECT_TRUE(Contains(r.err, "it is a FIFO (named pipe), not a regular file")) << r.err;
  const std::string node = root_ + "/pol/zero.csv";
  if (::mknod(node.c_str(), S_IFCHR | 0666, makedev(1, 5)) != 0) GTEST_SKIP() << "mknod needs root";
  TablePath("zero.csv");
  r = Polc("check pol/p.policy");
  EXPECT_EQ(r.code, 1) << "124 is the timeout: /dev/zero was read without end";
  EXPECT_TRUE(Contains(r.err, "it is a character device, not a regular file")) << r.err;
}

TEST_F(IoSafety, TablePathsOutsideThePolicyDirectoryAreRefused) {
  fs::create_symlink("/etc/passwd", root_ + "/pol/passwd.csv");
  WriteAll(root_ + "/outside.csv", "disease,cap\n1,100\n");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/etc/passwd", "an absolute path is not allowed"},
      {"../../../../../../etc/passwd", "'..' is not allowed"},
      {"../outside.csv", "'..' is not allowed"},
      {"passwd.csv", "outside the policy's directory"},
  };
  for (const auto& [path, why] : cases) {
    TablePath(path);
    const PolcRun r = Polc("check pol/p.policy");
    EXPECT_EQ(r.code, 1) << path;
    EXPECT_TRUE(Contains(r.err, why)) << path << ": " << r.err;
    EXPECT_FALSE(Contains(r.err, "root:")) << "quotes the file: " << r.err;
  }
  // Inside the directory, through a subdirectory and a symbolic link that stays inside: fine.
  fs::create_directories(root_ + "/pol/tables");
  fs::copy(root_ + "/pol/chronic-caps.csv", root_ + "/pol/tables/caps.csv");
  fs::create_symlink("tables/caps.csv", root_ + "/pol/link.csv");
  for (const std::string path : {"tables/caps.csv", "./link.csv"}) {
    TablePath(path);
    const PolcRun r = Polc("check pol/p.policy");
    EXPECT_EQ(r.code, 0) << path << ": " << r.err;
  }
}

TEST_F(IoSafety, TableDiagnosticsAreCappedAndShort) {
  std::string rows = "disease,name,cap\n";
  for (int i = 1; i <= 100; ++i) rows += fmt::format("{},x,bad{}\n", i, i);
  rows += "101,x," + std::string(5000, '9') + "\n";
  WriteAll(root_ + "/pol/chronic-caps.csv", rows);
  const PolcRun r = Polc("check pol/p.policy");
  EXPECT_EQ(r.code, 1);
  size_t shown = 0;
  for (size_t at = r.err.find("is not a number"); at != std::string::npos; at = r.err.find("is not a number", at + 1)) ++shown;
  EXPECT_EQ(shown, 20u) << r.err;
  EXPECT_TRUE(Contains(r.err, "... and 81 more bad rows (table chronic_caps)")) << r.err;
  EXPECT_LT(r.err.size(), 8000u);
  // The long cell alone: only its beginning is quoted.
  WriteAll(root_ + "/pol/chronic-caps.csv", "disease,name,cap\n1,x," + std::string(5000, '9') + "\n");
  const PolcRun one = Polc("check pol/p.policy");
  EXPECT_EQ(one.code, 1);
  EXPECT_TRUE(Contains(one.err, "a cell of 5000 bytes is too long for a number (it begins \"9999999999999999\")")) << one.err;
  EXPECT_FALSE(Contains(one.err, std::string(17, '9'))) << one.err;
}

}  // namespace
}  // namespace polc
