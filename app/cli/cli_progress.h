#pragma once
// --progress on stderr: on a terminal, one bar redrawn in place; in a log file or a pipe,
// one line per tenth, so a cluster job's log stays readable.
#include <cstddef>
#include <string>
#include <vector>

#include "rasterbench/progress.h"

namespace rbcli {

/// Progress that prints to stderr under `label` ("composite", "run", ...).
rb::Progress stderr_progress(const std::string& label);

/// When args[i] is --progress, sets `on` and returns true: one spelling and one help line
/// for every command that runs long work.
bool take_progress_flag(const std::vector<std::string>& args, std::size_t i, bool& on);

/// The help line of --progress.
constexpr const char* kProgressHelp =
    "  --progress    print progress on stderr (a bar on a terminal, a line per tenth in a log)\n";

} // namespace rbcli
