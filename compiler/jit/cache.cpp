// DiskObjectCache: key digests, the entry format and its checks, atomic stores.
//
// Entry: "POLCOBJ1" | key (40 hex) | u64 object size | u64 xxh3 of the object | object.
#include "compiler/jit/cache.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <llvm/Config/llvm-config.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_sha1_ostream.h>
#include <llvm/Support/xxhash.h>
#include <unistd.h>

namespace polc::jit {

namespace {

constexpr char kMagic[8] = {'P', 'O', 'L', 'C', 'O', 'B', 'J', '1'};
constexpr size_t kKeySize = 40;
constexpr size_t kHeaderSize = sizeof(kMagic) + kKeySize + 16;
// Bump when the ABI (abi.h) or the lowering's conventions change in a way the printed module
// would not show.
constexpr const char* kFormat = "polc-jit-2";

void PutU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
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
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string data = buffer.str();
  bool valid = data.size() >= kHeaderSize && std::memcmp(data.data(), kMagic, sizeof(kMagic)) == 0 &&
               data.compare(sizeof(kMagic), kKeySize, key) == 0;
  if (valid) {
    const uint64_t size = GetU64(data.data() + sizeof(kMagic) + kKeySize);
    const uint64_t sum = GetU64(data.data() + sizeof(kMagic) + kKeySize + 8);
    valid = size == data.size() - kHeaderSize &&
            llvm::xxh3_64bits(llvm::ArrayRef<uint8_t>(
                reinterpret_cast<const uint8_t*>(data.data() + kHeaderSize), size)) == sum;
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
  std::filesystem::create_directories(dir_, ec);
  if (ec) {
    write_error_ = ec.message();
    return;
  }
  std::string data(kMagic, sizeof(kMagic));
  data += key;
  const llvm::StringRef bytes = object.getBuffer();
  PutU64(data, bytes.size());
  PutU64(data, llvm::xxh3_64bits(llvm::ArrayRef<uint8_t>(
                   reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size())));
  data.append(bytes.data(), bytes.size());
  static std::atomic<uint64_t> serial{0};
  const std::string temp =
      PathOf(key) + ".tmp" + std::to_string(::getpid()) + "." + std::to_string(serial++);
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out) {
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
