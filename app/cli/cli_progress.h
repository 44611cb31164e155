#pragma once
// --progress on stderr: on a terminal, one bar redrawn in place; in a log file or a pipe,
// one line per tenth, so a cluster job's log stays readable.
#include <string>

#include "rasterbench/progress.h"

namespace rbcli {

/// Progress that prints to stderr under `label` ("composite", "run", ...).
rb::Progress stderr_progress(const std::string& label);

} // namespace rbcli
