// rt::EscapeMarkup: text made safe for HTML/XML element text and quoted attributes.
#include <gtest/gtest.h>

#include "runtime/markup.h"

namespace polc {
namespace {

TEST(RuntimeMarkup, EscapesTheFourSpecialCharacters) {
  EXPECT_EQ(rt::EscapeMarkup(R"(<a href="x">&</a>)"), "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
}

TEST(RuntimeMarkup, LeavesOtherTextAsItIs) {
  EXPECT_EQ(rt::EscapeMarkup("基本医保 1,234.50 'q'"), "基本医保 1,234.50 'q'");
  EXPECT_EQ(rt::EscapeMarkup(""), "");
}

}  // namespace
}  // namespace polc
