#pragma once
// Helpers shared by the job files: checksums, job.json paths, the done-marker's name.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "rasterbench/composite.h"
#include "rasterbench/window.h"

namespace rb::detail {

/// FNV-1a 64 of the file's first `limit` bytes (all of it for -1), as 16 hex digits.
std::string file_checksum(const std::string& path, std::int64_t limit = -1);
std::string job_file(const std::string& dir); ///< DIR/job.json
std::string done_marker(const std::string& dir, const std::string& stage, int index);
std::string failed_marker(const std::string& dir, const std::string& stage, int index);

/// A scratch folder, created empty now and removed with everything in it when this goes
/// out of scope (after an exception too).
class ScratchDir {
public:
    explicit ScratchDir(std::filesystem::path path);
    ~ScratchDir();
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};
/// DIR/work/NAME-PID: a task's own scratch folder in the job (PID: retries never collide).
std::filesystem::path task_scratch(const std::string& job_dir, const std::string& name);

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
/// A VRT of `files` (tiles of one grid) at `vrt`; IoError naming it.
void build_vrt(const std::string& vrt, const std::vector<std::string>& files);
/// GDALTranslate of `from` (or of its window `srcwin`) to `to`: format "COG" (with overviews),
/// "GTiff" (tiled) with the recipe's compression, or "VRT" (a window referring to `from`).
void translate_raster(const std::string& from, const std::string& to, const std::string& format,
                      const StreamOptions& stream, int threads,
                      const std::optional<Window>& srcwin = std::nullopt);

/// DIR/running/STAGE-INDEX.json: the host and process id of a task while it runs.
std::string running_marker(const std::string& dir, const std::string& stage, int index);

} // namespace rb::detail
