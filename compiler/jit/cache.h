// The compile cache, as Gandiva keeps one: object code on disk, keyed by everything that
// determines it (the printed unoptimized module, the LLVM version, the options, the target
// CPU and its features), handed to ORC through llvm::ObjectCache. An entry carries its key
// and a checksum, so a corrupt, truncated or foreign file is detected, removed and rebuilt.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <llvm/ExecutionEngine/ObjectCache.h>

#include "compiler/jit/engine.h"  // DefaultCacheDir

namespace llvm {
class Module;
}  // namespace llvm

namespace polc::jit {

class DiskObjectCache : public llvm::ObjectCache {
 public:
  explicit DiskObjectCache(std::string dir) : dir_(std::move(dir)) {}

  // The key of `module` (unoptimized, data layout and triple set) compiled with `options`
  // for `cpu` with `features`: a hex digest, also used as the file name.
  static std::string Key(const llvm::Module& module, const std::string& options,
                         const std::string& cpu, const std::string& features);

  // Loads and checks the entry for `key`; true when it is valid (then getObject serves it).
  bool Lookup(const std::string& key);

  // llvm::ObjectCache: modules are identified by their key (Module::getModuleIdentifier).
  void notifyObjectCompiled(const llvm::Module* module, llvm::MemoryBufferRef object) override;
  std::unique_ptr<llvm::MemoryBuffer> getObject(const llvm::Module* module) override;

  bool Corrupt() const { return corrupt_; }       // an entry was found broken and removed
  const std::string& WriteError() const { return write_error_; }  // the last failed store

 private:
  std::string PathOf(const std::string& key) const;

  std::string dir_;
  std::string loaded_key_;
  std::string loaded_object_;
  bool corrupt_ = false;
  std::string write_error_;
};

}  // namespace polc::jit
