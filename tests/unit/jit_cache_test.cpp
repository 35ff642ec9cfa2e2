// The JIT's compile cache: a second engine for the same policy and options loads the object
// code instead of compiling; other options get another entry; a corrupt or truncated entry
// is detected, rebuilt, and the engine still settles correctly; an entry forged from another
// key's, a FIFO, a device or a symbolic link is never trusted (and never hangs the load).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <fmt/format.h>

#include "compiler/driver/compile.h"
#include "compiler/interp/interp.h"
#include "compiler/jit/engine.h"
#include "compiler/jit/native_state.h"

namespace polc {
namespace {

namespace fs = std::filesystem;

class JitCache : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fmt::format("{}/polc-jit-cache-{}-{}", fs::temp_directory_path().string(), ::getpid(),
                       testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    compiled_ = driver::CompileFile(std::string(POLC_SOURCE_DIR) + "/policies/huaihua-2026.policy");
    ASSERT_TRUE(compiled_->ok) << compiled_->diagnostics.Render();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<jit::Engine> Build(bool optimize = true, bool only_if_cached = false, bool cache = true) {
    jit::EngineOptions options;
    options.params = interp::ComputeParams(compiled_->program);
    options.optimize = optimize;
    options.optimize_only_if_cached = only_if_cached;
    if (cache) options.cache_dir = dir_;
    std::string error;
    auto engine = jit::Engine::Create(compiled_->program, options, error);
    EXPECT_TRUE(engine) << error;
    return engine;
  }

  std::vector<fs::path> Entries() const {
    std::vector<fs::path> out;
    if (!fs::exists(dir_)) return out;
    for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path());
    return out;
  }

  // Person A's contribution: the compiled code runs.
  static int64_t Contribution(const jit::Engine& engine) {
    jit::NativeState settler(engine);
    EXPECT_EQ(settler.Init(), 0);
    const ir::Program& p = engine.Program();
    std::vector<ir::Value> person(p.records[0].fields.size(), ir::Value{0, 0, true});
    for (size_t f = 0; f < person.size(); ++f) {
      if (p.records[0].fields[f].name == "enrolled_on") person[f].a = 20371;  // 2025-10-10
      if (p.records[0].fields[f].type.optional) person[f] = ir::Value::Absent();
    }
    settler.BeginSubject();
    std::vector<ir::Value> out(static_cast<size_t>(engine.GetLayout().subject_columns));
    EXPECT_EQ(settler.Subject(person.data(), out.data()), 0);
    return out.at(1).a;
  }

  std::string dir_;
  std::unique_ptr<driver::Compilation> compiled_;
};

TEST_F(JitCache, SecondEngineLoadsTheObjectCode) {
  auto first = Build();
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->FromCache());
  EXPECT_EQ(Contribution(*first), 40000);
  ASSERT_EQ(Entries().size(), 1u);
  auto second = Build();
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->FromCache());
  EXPECT_EQ(Contribution(*second), 40000);
  EXPECT_EQ(Entries().size(), 1u);
}

TEST_F(JitCache, OptionsAreInTheKey) {
  auto optimized = Build(true);
  auto plain = Build(false);
  ASSERT_TRUE(optimized && plain);
  EXPECT_FALSE(plain->FromCache());
  EXPECT_EQ(Entries().size(), 2u);
}

TEST_F(JitCache, CorruptEntriesAreRebuilt) {
  ASSERT_TRUE(Build());
  ASSERT_EQ(Entries().size(), 1u);
  const fs::path entry = Entries()[0];
  const auto size = fs::file_size(entry);
  for (int damage = 0; damage < 3; ++damage) {
    if (damage == 0) {  // one flipped byte in the object code
      std::fstream f(entry, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(static_cast<std::streamoff>(size - 100));
      f.put('\x5a');
    } else if (damage == 1) {  // truncated
      fs::resize_file(entry, size / 2);
    } else {  // not an entry at all
      std::ofstream(entry, std::ios::binary | std::ios::trunc) << "garbage";
    }
    auto engine = Build();
    ASSERT_TRUE(engine);
    EXPECT_FALSE(engine->FromCache()) << damage;
    EXPECT_TRUE(engine->ReplacedCorruptEntry()) << damage;
    EXPECT_EQ(Contribution(*engine), 40000) << damage;
    auto again = Build();
    EXPECT_TRUE(again->FromCache()) << damage;
    EXPECT_EQ(fs::file_size(entry), size) << damage;
  }
}

// Another key's entry with its header's key rewritten: the checksum covers the key, so it is
// refused (before, the -O2 object was served for the -O0 key with exit 0).
TEST_F(JitCache, ForgedEntryIsRejected) {
  ASSERT_TRUE(Build(true));
  ASSERT_EQ(Entries().size(), 1u);
  const fs::path optimized = Entries()[0];
  ASSERT_TRUE(Build(false));
  ASSERT_EQ(Entries().size(), 2u);
  const fs::path plain = Entries()[0] == optimized ? Entries()[1] : Entries()[0];
  const std::string plain_key = plain.stem().string();
  std::string forged;
  {
    std::ifstream in(optimized, std::ios::binary);
    forged.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_GT(forged.size(), 48u);
  forged.replace(8, 40, plain_key);
  std::ofstream(plain, std::ios::binary | std::ios::trunc) << forged;
  auto engine = Build(false);
  ASSERT_TRUE(engine);
  EXPECT_FALSE(engine->FromCache());
  EXPECT_TRUE(engine->ReplacedCorruptEntry());
  EXPECT_EQ(Contribution(*engine), 40000);
}

TEST_F(JitCache, DirectoryIsPrivate) {
  ASSERT_TRUE(Build());
  struct stat st{};
  ASSERT_EQ(::stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

// Entries that are not regular files of this user: each is refused without being read (a FIFO
// with no writer hung the load; /dev/zero was read without end) and replaced by a real entry.
TEST_F(JitCache, EntriesMustBeRegularFiles) {
  ASSERT_TRUE(Build());
  ASSERT_EQ(Entries().size(), 1u);
  const fs::path entry = Entries()[0];
  const std::string target = dir_ + "/elsewhere.o";
  fs::copy_file(entry, target);  // a good entry for this key, under another name
  for (int kind = 0; kind < 4; ++kind) {
    fs::remove(entry);
    if (kind == 0) {
      ASSERT_EQ(::mkfifo(entry.c_str(), 0600), 0);
    } else if (kind == 1) {
      fs::create_symlink("/dev/zero", entry);
    } else if (kind == 2) {  // a symbolic link to a good entry is still a link
      fs::create_symlink(target, entry);
    } else {
      if (::mknod(entry.c_str(), S_IFCHR | 0600, makedev(1, 5)) != 0) continue;  // /dev/zero: root only
    }
    auto engine = Build();
    ASSERT_TRUE(engine) << kind;
    EXPECT_FALSE(engine->FromCache()) << kind;
    EXPECT_EQ(Contribution(*engine), 40000) << kind;
    EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(entry))) << kind;
  }
}

// polc run on small inputs: -O2 only from the cache, else the fast unoptimized compile (which
// is cached under its own key); once an -O2 run has filled the cache, small runs load that.
TEST_F(JitCache, OptimizedOnlyIfCachedTakesTheFastCompileUntilTheCacheHasTheOptimizedCode) {
  auto uncached = Build(true, true, false);
  ASSERT_TRUE(uncached);
  EXPECT_FALSE(uncached->Optimized());
  EXPECT_EQ(Contribution(*uncached), 40000);
  EXPECT_TRUE(Entries().empty());

  auto small = Build(true, true);
  ASSERT_TRUE(small);
  EXPECT_FALSE(small->Optimized());
  EXPECT_FALSE(small->FromCache());
  EXPECT_EQ(Contribution(*small), 40000);
  ASSERT_EQ(Entries().size(), 1u);  // the unoptimized object
  auto again = Build(true, true);
  EXPECT_FALSE(again->Optimized());
  EXPECT_TRUE(again->FromCache());

  auto large = Build(true, false);
  ASSERT_TRUE(large);
  EXPECT_TRUE(large->Optimized());
  EXPECT_FALSE(large->FromCache());
  EXPECT_EQ(Entries().size(), 2u);
  auto small_after = Build(true, true);
  ASSERT_TRUE(small_after);
  EXPECT_TRUE(small_after->Optimized());
  EXPECT_TRUE(small_after->FromCache());
  EXPECT_EQ(Contribution(*small_after), 40000);
}

}  // namespace
}  // namespace polc
