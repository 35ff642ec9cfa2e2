// libFuzzer harness for the front end: any bytes as a policy file, parsed and checked (the
// same call as `polc check`). A crash, a sanitizer report or a hang is a bug; diagnostics are
// the expected outcome for almost every input. Built by tools/run-fuzz.sh (clang only).
#include <cstddef>
#include <cstdint>
#include <string>

#include "compiler/driver/compile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Named inside a directory of its own: a `csv "…"` table it names stays confined there.
  auto compiled = polc::driver::CompileText("fuzz-policy/input.policy",
                                            std::string(reinterpret_cast<const char*>(data), size));
  if (compiled->ok) {
    // What check prints on success touches the whole IR.
    (void)compiled->program.tables.size();
  }
  (void)compiled->diagnostics.Render();
  return 0;
}
