// The per-claim protocol of runtime/protocol.h in every module: the lowering calls its
// functions by name; LinkProtocol links their bodies (runtime/protocol.cpp compiled to bitcode
// at build time) into the module, internal and always-inline, so the compiled code inlines
// the very functions the interpreter calls.
#pragma once

#include <string>

namespace llvm {
class Module;
}  // namespace llvm

namespace polc::jit {

// Links the protocol functions `module` calls into it; false with `error` set if the embedded
// bitcode does not load (a build problem).
bool LinkProtocol(llvm::Module& module, std::string& error);

}  // namespace polc::jit
