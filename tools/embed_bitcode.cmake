# Writes the bytes of INPUT (the protocol's bitcode) as a C++ array to OUTPUT:
#   cmake -DINPUT=protocol.bc -DOUTPUT=protocol_bitcode.cpp -P embed_bitcode.cmake
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){32})" "\\1\n" bytes "${bytes}")
file(WRITE "${OUTPUT}" "// Generated from runtime/protocol.cpp by tools/embed_bitcode.cmake; not committed.
#include <cstddef>
namespace polc::jit {
extern const unsigned char kProtocolBitcode[] = {
${bytes}
};
extern const size_t kProtocolBitcodeSize = ${size};
}  // namespace polc::jit
")
