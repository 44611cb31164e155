#pragma once
// Helpers shared by the job files: checksums, job.json paths, the done-marker's name.
#include <cstdint>
#include <string>
#include <vector>

namespace rb::detail {

/// FNV-1a 64 of the file's first `limit` bytes (all of it for -1), as 16 hex digits.
std::string file_checksum(const std::string& path, std::int64_t limit = -1);
std::string job_file(const std::string& dir); ///< DIR/job.json
std::string done_marker(const std::string& dir, const std::string& stage, int index);
std::string failed_marker(const std::string& dir, const std::string& stage, int index);

/// Outputs written together: each through the engine's partial file beside its target (so a
/// terminating signal or the next run removes what a killed task left), renamed into place
/// only by commit(); the ones not committed are removed on destruction.
class PartialOutputs {
public:
    explicit PartialOutputs(std::vector<std::string> targets);
    ~PartialOutputs();
    PartialOutputs(const PartialOutputs&) = delete;
    PartialOutputs& operator=(const PartialOutputs&) = delete;

    /// Where output `k` is written meanwhile.
    const std::string& partial(std::size_t k) const { return partials_.at(k); }
    /// Renames every partial file over its target.
    void commit();

private:
    std::vector<std::string> targets_, partials_;
    bool committed_ = false;
};
/// DIR/running/STAGE-INDEX.json: the host and process id of a task while it runs.
std::string running_marker(const std::string& dir, const std::string& stage, int index);

} // namespace rb::detail
