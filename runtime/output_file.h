// What makes an output file safe to write: the target is a regular file (or a new name), it is
// none of the run's inputs nor another output, and a temporary file never outlives the run
// (named temporaries are removed by a handler for SIGTERM, SIGINT and SIGHUP).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace polc::rt {

// Where an output named `path` is written: `path` itself, or, for a symbolic link, the
// regular file it points to (the link is kept). False with a message naming the path when
// the target exists and is not a regular file (device, FIFO, socket, directory) or the link
// leads nowhere.
bool ResolveOutputTarget(const std::string& path, std::string& target, std::string& error);

// A file named by a command-line option: {"--out", "r.csv"}.
using NamedPath = std::pair<std::string, std::string>;

// False with a message when an output is, or resolves to (same inode, or the same canonical
// path for a file not yet there), one of `inputs` or another output.
bool CheckOutputsApart(const std::vector<NamedPath>& outputs, const std::vector<NamedPath>& inputs,
                       std::string& error);

// Named temporary files to remove if the process is killed by SIGTERM, SIGINT or SIGHUP.
// Installing the handlers also makes SIGXFSZ ignored, so an output past the file size limit
// is a write error naming the file instead of a kill that leaves it half written.
void InstallTempCleanup();
// A slot for `path` (-1 when all are taken: the file is then only removed on a clean exit).
int RegisterTemp(const std::string& path);
void UnregisterTemp(int slot);

}  // namespace polc::rt
