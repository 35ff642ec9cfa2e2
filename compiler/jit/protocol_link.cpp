// LinkProtocol (protocol_link.h): load the embedded bitcode into the module's context and link
// only the functions the module calls.
#include "compiler/jit/protocol_link.h"

#include <cstddef>
#include <set>

#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/IR/Module.h>
#include <llvm/Linker/Linker.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>

namespace polc::jit {

extern const unsigned char kProtocolBitcode[];  // generated: protocol_bitcode.cpp
extern const size_t kProtocolBitcodeSize;

bool LinkProtocol(llvm::Module& module, bool inline_them, std::string& error) {
  const llvm::StringRef bytes(reinterpret_cast<const char*>(kProtocolBitcode), kProtocolBitcodeSize);
  // Lazily: the linker reads only the bodies the module calls (the bytes are static).
  llvm::Expected<std::unique_ptr<llvm::Module>> parsed =
      llvm::getLazyBitcodeModule(llvm::MemoryBufferRef(bytes, "protocol.bc"), module.getContext());
  if (!parsed) {
    error = "the embedded protocol bitcode does not load: " + llvm::toString(parsed.takeError());
    return false;
  }
  std::unique_ptr<llvm::Module> protocol = std::move(*parsed);
  protocol->setDataLayout(module.getDataLayout());
  protocol->setTargetTriple(module.getTargetTriple());
  // The module's own flags and identification stay the module's.
  if (llvm::NamedMDNode* flags = protocol->getModuleFlagsMetadata()) protocol->eraseNamedMetadata(flags);
  std::set<std::string> defined;
  for (llvm::Function& fn : *protocol) {
    if (fn.isDeclaration()) continue;
    defined.insert(fn.getName().str());
    // Compiled for the generic CPU; inlined, they take the JIT's target.
    fn.removeFnAttr("target-cpu");
    fn.removeFnAttr("target-features");
    fn.removeFnAttr("tune-cpu");
    if (inline_them) {
      fn.removeFnAttr(llvm::Attribute::NoInline);
      fn.removeFnAttr(llvm::Attribute::OptimizeNone);
      fn.addFnAttr(llvm::Attribute::AlwaysInline);
    }
  }
  if (llvm::Linker::linkModules(module, std::move(protocol), llvm::Linker::LinkOnlyNeeded)) {
    error = "the protocol bitcode does not link into the module";
    return false;
  }
  for (const std::string& name : defined) {
    if (llvm::Function* fn = module.getFunction(name); fn != nullptr && !fn->isDeclaration()) {
      fn->setLinkage(llvm::GlobalValue::InternalLinkage);
    }
  }
  return true;
}

}  // namespace polc::jit
