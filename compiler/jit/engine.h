// The native engine: lowers a checked program (lower.h), optimizes it and compiles it with
// ORC LLJIT, resolving the shared runtime helpers (runtime/abi.h), and hands out the entry
// points of abi.h.
#pragma once

#include <memory>
#include <string>

#include "compiler/ir/ir.h"
#include "compiler/jit/abi.h"
#include "compiler/jit/lower.h"
#include "compiler/settle/seam.h"

namespace llvm::orc {
class LLJIT;
}  // namespace llvm::orc

namespace polc::jit {

class DiskObjectCache;

// $XDG_CACHE_HOME/polc, else $HOME/.cache/polc, else "" (no cache). Defined in cache.cpp.
std::string DefaultCacheDir();

struct EngineOptions {
  // -O2 for settlement runs; false: no IR passes and the fast instruction selector, for
  // tests and `explain`, where compile time matters more than speed.
  bool optimize = true;
  // With `optimize`: only when the optimized object is in the cache; otherwise the fast
  // unoptimized compile (polc run on inputs too small for -O2's compile time to pay off).
  bool optimize_only_if_cached = false;
  // Object code cache directory (DefaultCacheDir() for `polc run`); empty: no cache.
  std::string cache_dir;
  // The parameters' values from the settle layer, compiled in as constants; when empty, the
  // compiled init computes them (and fails as the interpreter does).
  settle::ParamValues params;
};

struct EntryPoints {
  InitFn init = nullptr;
  BeginSubjectFn begin_subject = nullptr;
  SubjectFn subject = nullptr;
  EventFn event = nullptr;
  EventsFn events = nullptr;
  YearEndFn year_end = nullptr;
};

class Engine {
 public:
  // Null with `error` set when the program cannot be lowered or compiled.
  static std::unique_ptr<Engine> Create(const ir::Program& program, const EngineOptions& options,
                                        std::string& error);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const ir::Program& Program() const { return program_; }
  const Layout& GetLayout() const { return layout_; }
  const EntryPoints& Entries() const { return entries_; }
  // Whether the object code came from the cache, and whether a broken entry was replaced.
  bool FromCache() const { return from_cache_; }
  bool ReplacedCorruptEntry() const;
  // Whether the code is optimized (false past the module size limit, or when
  // optimize_only_if_cached found no optimized object).
  bool Optimized() const { return optimized_; }

 private:
  explicit Engine(const ir::Program& program);

  const ir::Program& program_;
  Layout layout_;
  EntryPoints entries_;
  bool from_cache_ = false;
  bool optimized_ = false;
  std::unique_ptr<DiskObjectCache> cache_;  // outlives jit_, which compiles on lookup
  std::unique_ptr<llvm::orc::LLJIT> jit_;
};

// `polc --emit=llvm`: the module as the engine compiles it (after the pipeline `options`
// selects). False with `error` set when the program cannot be lowered.
bool EmitLlvm(const ir::Program& program, const EngineOptions& options, std::string& text,
              std::string& error);

}  // namespace polc::jit
