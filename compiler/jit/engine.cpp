// ORC LLJIT setup: native target, the optimizing (kFunctionPipeline) or unoptimized pipeline, the runtime helpers as
// absolute symbols, and the lookup of the entry points.
#include "compiler/jit/engine.h"

#include <mutex>

#include <fmt/format.h>
#include <llvm/ExecutionEngine/Orc/CompileUtils.h>
#include <llvm/ExecutionEngine/Orc/Core.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include "compiler/jit/cache.h"
#include "compiler/jit/protocol_link.h"
#include "runtime/abi.h"

namespace polc::jit {

namespace {

void InitializeLlvm() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
}

std::string Message(llvm::Error error) { return llvm::toString(std::move(error)); }

bool HostMachine(const EngineOptions& options, llvm::orc::JITTargetMachineBuilder& builder,
                 std::unique_ptr<llvm::TargetMachine>& machine, std::string& error) {
  InitializeLlvm();
  auto detected = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!detected) {
    error = Message(detected.takeError());
    return false;
  }
  builder = std::move(*detected);
  builder.setCodeGenOptLevel(options.optimize ? llvm::CodeGenOptLevel::Default
                                              : llvm::CodeGenOptLevel::None);
  auto made = builder.createTargetMachine();
  if (!made) {
    error = Message(made.takeError());
    return false;
  }
  machine = std::move(*made);
  return true;
}

// Past this many instructions (the shipped policies have about 4,000) a module is compiled
// as with optimize off: LLVM's value propagation (LazyValueInfo, in JumpThreading and
// CorrelatedValuePropagation), SimplifyCFG and the -O2 code generator are quadratic in a
// function's chain of checked operations, so a rule summing 1,000 terms took 28 s to compile
// and 9,000 terms far longer. The unoptimized code gives the same results (docs/performance.md).
constexpr uint64_t kMaxOptimizedInstructions = 20000;

// Whether `module` is small enough for -O2.
bool KeepOptimizing(llvm::Module& module) {
  uint64_t instructions = 0;
  for (const llvm::Function& f : module) instructions += f.getInstructionCount();
  return instructions <= kMaxOptimizedInstructions;
}

// The -O2 function simplification passes without the inliner and the module passes: the
// lowering leaves nothing to inline (each definition is emitted once where it is read; the
// rules other stages call stay out of line), and these alone gave the same settlement speed
// as -O2 for about two thirds of its time (docs/performance.md, section 3).
constexpr const char* kFunctionPipeline =
    "always-inline,function(sroa<modify-cfg>,early-cse<memssa>,jump-threading,correlated-propagation,"
    "simplifycfg<bonus-inst-threshold=1;switch-range-to-icmp;keep-loops;speculate-blocks;simplify-cond-branch>,"
    "instcombine<max-iterations=1>,"
    "simplifycfg<bonus-inst-threshold=1;switch-range-to-icmp;keep-loops;speculate-blocks;simplify-cond-branch>,"
    "reassociate,constraint-elimination,"
    "simplifycfg<bonus-inst-threshold=1;switch-range-to-icmp;keep-loops;speculate-blocks;simplify-cond-branch>,"
    "instcombine<max-iterations=1>,sroa<modify-cfg>,gvn<>,sccp,bdce,instcombine<max-iterations=1>,"
    "jump-threading,correlated-propagation,adce,memcpyopt,dse,"
    "simplifycfg<bonus-inst-threshold=1;switch-range-to-icmp;keep-loops;hoist-common-insts;sink-common-insts;speculate-blocks;simplify-cond-branch>,"
    "instcombine<max-iterations=1>,instcombine<max-iterations=1>,"
    "simplifycfg<bonus-inst-threshold=1;forward-switch-cond;switch-range-to-icmp;switch-to-lookup;no-keep-loops;hoist-common-insts;sink-common-insts;speculate-blocks;simplify-cond-branch>,"
    "instcombine<max-iterations=1>,div-rem-pairs,"
    "simplifycfg<bonus-inst-threshold=1;switch-range-to-icmp;keep-loops;speculate-blocks;simplify-cond-branch>)";

void Optimize(llvm::Module& module, llvm::TargetMachine& machine, bool optimize) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder passes(&machine);
  passes.registerModuleAnalyses(mam);
  passes.registerCGSCCAnalyses(cgam);
  passes.registerFunctionAnalyses(fam);
  passes.registerLoopAnalyses(lam);
  passes.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager pipeline;
  if (!optimize) {
    pipeline = passes.buildO0DefaultPipeline(llvm::OptimizationLevel::O0);
  } else if (llvm::Error e = passes.parsePassPipeline(pipeline, kFunctionPipeline)) {
    llvm::consumeError(std::move(e));  // a pass this LLVM does not know: its full -O2
    pipeline = passes.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
  }
  pipeline.run(module, mam);
}

// Lowers into `context` for the machine that will run the code (optimizing is separate: a
// cache hit skips it).
bool BuildModule(const ir::Program& program, const EngineOptions& options,
                 llvm::TargetMachine& machine, llvm::LLVMContext& context, Lowered& lowered,
                 std::string& error) {
  LowerOptions lower_options;
  lower_options.inline_definitions = options.optimize;
  lower_options.params = &options.params.values;
  if (!Lower(program, context, lower_options, lowered, error)) return false;
  lowered.module->setDataLayout(machine.createDataLayout());
  lowered.module->setTargetTriple(machine.getTargetTriple().str());
  // Unoptimized, the protocol's functions are called where the interpreter calls them (the
  // same natively compiled source, registered as absolute symbols with the runtime helpers):
  // linking and compiling their bitcode at -O0 cost more than the calls save.
  if (!options.optimize) return true;
  return LinkProtocol(*lowered.module, true, error);
}

}  // namespace

Engine::Engine(const ir::Program& program) : program_(program) {}
Engine::~Engine() = default;

bool Engine::ReplacedCorruptEntry() const { return cache_ != nullptr && cache_->Corrupt(); }

std::unique_ptr<Engine> Engine::Create(const ir::Program& program, const EngineOptions& options,
                                       std::string& error) {
  // optimize_only_if_cached without a cache, or when the cache has no optimized object.
  auto unoptimized = [&] {
    EngineOptions fast = options;
    fast.optimize = false;
    return Create(program, fast, error);
  };
  if (options.optimize && options.optimize_only_if_cached && options.cache_dir.empty()) return unoptimized();
  llvm::orc::JITTargetMachineBuilder builder{llvm::Triple()};
  std::unique_ptr<llvm::TargetMachine> machine;
  if (!HostMachine(options, builder, machine, error)) return nullptr;
  auto context = std::make_unique<llvm::LLVMContext>();
  Lowered lowered;
  if (!BuildModule(program, options, *machine, *context, lowered, error)) return nullptr;

  const bool optimize = options.optimize && KeepOptimizing(*lowered.module);
  if (!optimize) builder.setCodeGenOptLevel(llvm::CodeGenOptLevel::None);

  std::unique_ptr<Engine> engine(new Engine(program));
  engine->layout_ = std::move(lowered.layout);
  if (!options.cache_dir.empty()) {
    engine->cache_ = std::make_unique<DiskObjectCache>(options.cache_dir);
    const std::string key =
        DiskObjectCache::Key(*lowered.module, optimize ? "O2" : "O0", builder.getCPU(),
                             builder.getFeatures().getString());
    // The cache finds a module's entry by its identifier.
    lowered.module->setModuleIdentifier(key);
    engine->from_cache_ = engine->cache_->Lookup(key);
    if (!engine->from_cache_ && optimize && options.optimize_only_if_cached) return unoptimized();
  }
  engine->optimized_ = optimize;
  if (!engine->from_cache_) Optimize(*lowered.module, *machine, optimize);

  DiskObjectCache* cache = engine->cache_.get();
  // The compiler takes over the machine made above (LLJIT calls this creator once, inside
  // create()) instead of making another, unless a module over the size limit set the builder
  // to -O0 after that machine was made at -O2.
  std::unique_ptr<llvm::TargetMachine>* spare = optimize == options.optimize ? &machine : nullptr;
  auto jit = llvm::orc::LLJITBuilder()
                 .setJITTargetMachineBuilder(builder)
                 .setCompileFunctionCreator(
                     [cache, spare](llvm::orc::JITTargetMachineBuilder target)
                         -> llvm::Expected<std::unique_ptr<llvm::orc::IRCompileLayer::IRCompiler>> {
                       if (spare != nullptr && *spare != nullptr) {
                         return std::make_unique<llvm::orc::TMOwningSimpleCompiler>(std::move(*spare), cache);
                       }
                       auto made = target.createTargetMachine();
                       if (!made) return made.takeError();
                       return std::make_unique<llvm::orc::TMOwningSimpleCompiler>(std::move(*made), cache);
                     })
                 .create();
  if (!jit) {
    error = Message(jit.takeError());
    return nullptr;
  }
  engine->jit_ = std::move(*jit);
  llvm::orc::LLJIT& lljit = *engine->jit_;

  // The helpers by address: a static library links only what something references, so the
  // process's own symbol table may not have them.
  llvm::orc::SymbolMap symbols;
  for (const rt::AbiSymbol& symbol : rt::AbiSymbols()) {
    symbols[lljit.mangleAndIntern(symbol.name)] = {
        llvm::orc::ExecutorAddr::fromPtr(symbol.address),
        llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
  }
  if (llvm::Error e = lljit.getMainJITDylib().define(llvm::orc::absoluteSymbols(std::move(symbols)))) {
    error = Message(std::move(e));
    return nullptr;
  }
  if (llvm::Error e = lljit.addIRModule(
          llvm::orc::ThreadSafeModule(std::move(lowered.module), std::move(context)))) {
    error = Message(std::move(e));
    return nullptr;
  }
  auto find = [&](const char* name, auto& out) {
    auto address = lljit.lookup(name);
    if (!address) {
      error = Message(address.takeError());
      return false;
    }
    out = address->toPtr<std::remove_reference_t<decltype(out)>>();
    return true;
  };
  EntryPoints& e = engine->entries_;
  if (!find(kInitName, e.init) || !find(kBeginSubjectName, e.begin_subject) ||
      !find(kSubjectName, e.subject) || !find(kEventName, e.event) || !find(kEventsName, e.events) ||
      !find(kYearEndName, e.year_end)) {
    return nullptr;
  }
  return engine;
}

bool EmitLlvm(const ir::Program& program, const EngineOptions& options, std::string& text,
              std::string& error) {
  llvm::orc::JITTargetMachineBuilder builder{llvm::Triple()};
  std::unique_ptr<llvm::TargetMachine> machine;
  if (!HostMachine(options, builder, machine, error)) return false;
  llvm::LLVMContext context;
  Lowered lowered;
  if (!BuildModule(program, options, *machine, context, lowered, error)) return false;
  Optimize(*lowered.module, *machine, options.optimize && KeepOptimizing(*lowered.module));
  llvm::raw_string_ostream os(text);
  lowered.module->print(os, nullptr);
  return true;
}

}  // namespace polc::jit
