// Source files and positions: every AST node, IR node, diagnostic and trace step points here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace polc {

// A half-open range of a source file, as 1-based lines and 1-based columns counted in
// Unicode code points (what an editor shows for UTF-8 text).
struct SourceRange {
  uint32_t begin_line = 0, begin_col = 0;
  uint32_t end_line = 0, end_col = 0;
  bool Valid() const { return begin_line != 0; }
  bool operator<(const SourceRange& o) const {
    return begin_line != o.begin_line ? begin_line < o.begin_line : begin_col < o.begin_col;
  }
};

// One loaded file. The text is kept for diagnostics (the source line under a caret).
class SourceFile {
 public:
  SourceFile(std::string name, std::string text);
  const std::string& Name() const { return name_; }
  const std::string& Text() const { return text_; }
  // The text of a 1-based line, without its line end; empty past the end.
  std::string_view Line(uint32_t line) const;
  uint32_t LineCount() const { return static_cast<uint32_t>(line_starts_.size()); }

 private:
  std::string name_;
  std::string text_;
  std::vector<size_t> line_starts_;
};

// Reads a whole regular file of at most `max_bytes` (rt::ReadInput); false with a message
// naming the path when it cannot be read, `too_large` set when the limit was the reason.
bool ReadFile(const std::string& path, std::string& text, std::string& error,
              uint64_t max_bytes = UINT64_MAX, bool* too_large = nullptr);

// `text` as a policy-language string literal: in double quotes, with `"`, `\`, newline and tab
// escaped (what the parser's Unquote reads back). The formatter, the AST dump and the IR
// listing all spell strings this way.
std::string QuoteString(std::string_view text);

// The byte offset of the first invalid UTF-8 sequence, or npos when the text is valid.
size_t FindInvalidUtf8(std::string_view text);

}  // namespace polc
