#pragma once
// Where an output lives while it is being written: a hidden sibling of the target,
// ".NAME.partial-PID-N[.ext]", renamed over the target only once it is complete. Every such
// name is registered so that a SIGINT/SIGTERM/SIGHUP (see install_partial_cleanup in
// output_guard.h) removes it, and the next write to the same target removes the ones that a
// killed process (SIGKILL, power loss) left behind, recognised by a process id that is no
// longer running.
#include <string>

namespace rb::detail {

/// A fresh partial name beside `target`, registered for cleanup. `keep_extension` appends
/// the target's extension (GDAL picks some drivers' behaviour by it). Before returning, it
/// removes stale partial files of the same target whose writing process no longer exists.
std::string begin_partial(const std::string& target, bool keep_extension = true);

/// The partial file was renamed into place or removed: stop tracking it.
void end_partial(const std::string& partial);

/// A recipe's work folder: removed with everything in it on a terminating signal.
void begin_work_folder(const std::string& folder);
void end_work_folder(const std::string& folder);
/// Removes PARENT/PREFIX<PID>... folders whose process no longer exists.
void remove_stale_work_folders(const std::string& parent, const std::string& prefix);

/// Replaces every occurrence of `partial` in `message` with `target`, so that errors name the
/// user's file and never the internal temporary one.
std::string name_target(std::string message, const std::string& partial, const std::string& target);

} // namespace rb::detail
