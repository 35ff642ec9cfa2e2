// The per-claim protocol of runtime/protocol.h in every module: the lowering calls its
// functions by name; LinkProtocol links their bodies (runtime/protocol.cpp compiled to bitcode
// at build time) into the module, internal (and always-inline when optimizing), so the compiled
// code runs the very functions the interpreter calls.
#pragma once

#include <string>

namespace llvm {
class Module;
}  // namespace llvm

namespace polc::jit {

// Links the protocol functions `module` calls into it, always-inline when `inline_them` (the
// -O2 pipeline starts with the always-inliner). The engine links only when optimizing: -O0 code
// calls the natively compiled functions (rt::AbiSymbols). False with `error`
// set if the embedded bitcode does not load (a build problem).
bool LinkProtocol(llvm::Module& module, bool inline_them, std::string& error);

}  // namespace polc::jit
