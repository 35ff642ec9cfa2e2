// DiskObjectCache: key digests, the entry format and its checks, atomic stores.
//
// Entry: "POLCOBJ2" | key (40 hex) | u64 object size | u64 xxh3 of key and object | object.
// The checksum covers the key, so an entry renamed to another key, or with its header's key
// rewritten, fails the check. Entries are read only when they are regular files of this user
// (not symbolic links) below a size cap; the directory is created 0700.
#include "compiler/jit/cache.h"

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <llvm/Config/llvm-config.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_sha1_ostream.h>
#include <llvm/Support/xxhash.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/input_file.h"

namespace polc::jit {

namespace {

constexpr char kMagic[8] = {'P', 'O', 'L', 'C', 'O', 'B', 'J', '2'};
constexpr size_t kKeySize = 40;
constexpr size_t kHeaderSize = sizeof(kMagic) + kKeySize + 16;
// Bump when the ABI (abi.h) or the lowering's conventions change in a way the printed module
// would not show.
constexpr const char* kFormat = "polc-jit-4";
// A compiled policy is a few MiB at most; anything larger is not an entry polc wrote.
constexpr uint64_t kMaxEntryBytes = uint64_t{256} << 20;

void PutU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// The checksum of an entry: its key, then its object.
uint64_t Checksum(const std::string& key, const char* object, size_t size) {
  std::string keyed = key;
  keyed.append(object, size);
  return llvm::xxh3_64bits(llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t*>(keyed.data()), keyed.size()));
}

uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

}  // namespace

std::string DefaultCacheDir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/polc";
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] != '\0') return std::string(home) + "/.cache/polc";
  return "";
}

std::string DiskObjectCache::Key(const llvm::Module& module, const std::string& options,
                                 const std::string& cpu, const std::string& features) {
  llvm::raw_sha1_ostream digest;
  digest << kFormat << '\n' << LLVM_VERSION_STRING << '\n' << options << '\n' << cpu << '\n'
         << features << '\n' << module.getTargetTriple() << '\n';
  module.print(digest, nullptr);
  std::string hex;
  static const char* kDigits = "0123456789abcdef";
  for (uint8_t byte : digest.sha1()) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 15]);
  }
  return hex;
}

std::string DiskObjectCache::PathOf(const std::string& key) const { return dir_ + "/" + key + ".o"; }

bool DiskObjectCache::Lookup(const std::string& key) {
  loaded_key_.clear();
  loaded_object_.clear();
  if (dir_.empty() || key.size() != kKeySize) return false;
  const std::string path = PathOf(key);
  rt::InputOptions options;
  options.max_bytes = kMaxEntryBytes;
  options.no_follow = true;
  options.own_only = true;
  std::string data, error;
  rt::InputProblem problem = rt::InputProblem::kNone;
  bool valid = rt::ReadInput(path, options, data, error, &problem);
  // A missing entry is an ordinary miss; anything else found under the name is not trusted.
  if (!valid && problem == rt::InputProblem::kOpen) return false;
  valid = valid && data.size() >= kHeaderSize && std::memcmp(data.data(), kMagic, sizeof(kMagic)) == 0 &&
               data.compare(sizeof(kMagic), kKeySize, key) == 0;
  if (valid) {
    const uint64_t size = GetU64(data.data() + sizeof(kMagic) + kKeySize);
    const uint64_t sum = GetU64(data.data() + sizeof(kMagic) + kKeySize + 8);
    valid = size == data.size() - kHeaderSize && Checksum(key, data.data() + kHeaderSize, size) == sum;
  }
  if (!valid) {
    // Never trusted: removed here and rebuilt by the compile that follows.
    corrupt_ = true;
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    return false;
  }
  loaded_key_ = key;
  loaded_object_ = data.substr(kHeaderSize);
  return true;
}

std::unique_ptr<llvm::MemoryBuffer> DiskObjectCache::getObject(const llvm::Module* module) {
  const std::string key = module->getModuleIdentifier();
  if (key != loaded_key_ && !Lookup(key)) return nullptr;
  return llvm::MemoryBuffer::getMemBufferCopy(loaded_object_, key);
}

// Written to a temporary file and renamed, so a reader never sees half an entry.
void DiskObjectCache::notifyObjectCompiled(const llvm::Module* module, llvm::MemoryBufferRef object) {
  const std::string key = module->getModuleIdentifier();
  if (dir_.empty() || key.size() != kKeySize) return;
  std::error_code ec;
  // The parents as any directory; the cache itself readable by its user only.
  const std::filesystem::path parent = std::filesystem::path(dir_).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (!ec && ::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) ec = std::error_code(errno, std::generic_category());
  if (ec) {
    write_error_ = dir_ + ": " + ec.message();
    return;
  }
  std::string data(kMagic, sizeof(kMagic));
  data += key;
  const llvm::StringRef bytes = object.getBuffer();
  PutU64(data, bytes.size());
  PutU64(data, Checksum(key, bytes.data(), bytes.size()));
  data.append(bytes.data(), bytes.size());
  static std::atomic<uint64_t> serial{0};
  const std::string temp =
      PathOf(key) + ".tmp" + std::to_string(::getpid()) + "." + std::to_string(serial++);
  {
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    bool ok = fd >= 0;
    for (size_t done = 0; ok && done < data.size();) {
      const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
      if (n < 0 && errno == EINTR) continue;
      ok = n > 0;
      done += ok ? static_cast<size_t>(n) : 0;
    }
    if (fd >= 0 && ::close(fd) != 0) ok = false;
    if (!ok) {
      write_error_ = "cannot write " + temp;
      std::filesystem::remove(temp, ec);
      return;
    }
  }
  std::filesystem::rename(temp, PathOf(key), ec);
  if (ec) {
    write_error_ = ec.message();
    std::filesystem::remove(temp, ec);
  }
}

}  // namespace polc::jit
