// Runs work on a thread with a large stack: the front end and the interpreter recurse once
// per nesting level of a policy, and the parse limits keep that depth bounded well below it.
#pragma once

#include <functional>

namespace polc {

// Runs `work` to completion on a thread with `stack_bytes` of stack; exceptions propagate.
void RunOnLargeStack(const std::function<void()>& work, size_t stack_bytes = 512u << 20);

}  // namespace polc
