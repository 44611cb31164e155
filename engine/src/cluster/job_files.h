#pragma once
// Helpers shared by the job files: checksums, job.json paths, the done-marker's name.
#include <cstdint>
#include <string>

namespace rb::detail {

/// FNV-1a 64 of the file's first `limit` bytes (all of it for -1), as 16 hex digits.
std::string file_checksum(const std::string& path, std::int64_t limit = -1);
std::string job_file(const std::string& dir); ///< DIR/job.json
std::string done_marker(const std::string& dir, const std::string& stage, int index);
std::string failed_marker(const std::string& dir, const std::string& stage, int index);
/// DIR/running/STAGE-INDEX.json: the host and process id of a task while it runs.
std::string running_marker(const std::string& dir, const std::string& stage, int index);

} // namespace rb::detail
