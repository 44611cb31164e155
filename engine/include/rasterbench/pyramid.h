#pragma once
// A multi-resolution view of a raster for interactive display. Level L has 2^L times fewer
// pixels per side (ceil); level pixel (i, j) is the full-resolution pixel GDAL's nearest
// decimation of the whole level would pick, so a level equals GDAL's own decimated read
// and every value shown is a real value of the file.
//
// Files with overviews are read through them (GDAL picks the overview). Files without get
// an in-memory pyramid: build() reads the file once, block row by block row, and keeps the
// coarse levels that fit `memory_budget`; finer levels are read from the file per window.
// Until the build is done, preview() gives a coarse stand-in for the whole scene quickly,
// decoding only a sparse lattice of the file's blocks (one per k x k group, upsampled over
// its group), which is what makes the first paint of a huge file without overviews fast.
//
// Thread-safe: reads, preview and build may run on different threads at once (each uses
// its own GDAL handle from a small pool).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "rasterbench/dataset.h"
#include "rasterbench/progress.h"
#include "rasterbench/raster.h"
#include "rasterbench/window.h"

namespace rb {

struct PyramidOptions {
    int tile_size = 256;                                ///< coarsest level fits one tile
    std::size_t memory_budget = std::size_t(160) << 20; ///< bytes of resident levels (+masks)
    int preview_size = 512;      ///< longest side of the preview level (at most)
    int preview_max_blocks = 40; ///< file blocks decoded for a sparse preview
    /// Scenes with at most this many samples (all bands) are read whole for the preview.
    std::size_t small_scene_samples = std::size_t(1) << 22;
    int threads = 2; ///< decoding threads of build() and preview()
};

struct PyramidPreview {
    Raster data; ///< every band of the level
    int level = 0;
    bool exact = true; ///< false: parts were filled from neighbouring blocks (sparse)
};

class RasterPyramid {
public:
    /// Opens `path` (throws IoError). Bands: every band of the file.
    explicit RasterPyramid(std::string path, PyramidOptions options = {});
    ~RasterPyramid();
    RasterPyramid(const RasterPyramid&) = delete;
    RasterPyramid& operator=(const RasterPyramid&) = delete;

    const std::string& path() const { return path_; }
    const Profile& profile() const { return profile_; }
    const PyramidOptions& options() const { return options_; }

    int level_count() const { return int(widths_.size()); }
    int level_width(int level) const { return widths_.at(std::size_t(level)); }
    int level_height(int level) const { return heights_.at(std::size_t(level)); }
    /// Full-resolution column / row that level pixel `i` / `j` shows.
    std::int64_t source_col(int level, std::int64_t i) const;
    std::int64_t source_row(int level, std::int64_t j) const;
    /// Level pixel showing full-resolution column / row `c` / `r` (its nearest sample).
    std::int64_t level_col(int level, double c) const;
    std::int64_t level_row(int level, double r) const;
    /// Coarsest level with at least one level pixel per screen pixel at `scale` (screen
    /// pixels per file pixel).
    int level_for_scale(double scale) const;

    /// True when the file has overviews (every level is then cheap to read).
    bool uses_overviews() const { return !profile_.overview_factors.empty(); }
    /// Levels from this one to the coarsest are kept in memory once built.
    int first_resident_level() const { return first_resident_; }
    bool is_resident(int level) const;
    /// True when reading a window of `level` decodes about as many pixels as it returns
    /// (resident, finer than the resident ones, or served by overviews).
    bool is_cheap(int level) const;
    bool built() const { return built_.load(); }
    /// Bytes held by the resident levels (values and masks); 0 until built or once released.
    std::size_t resident_bytes() const;
    /// Drops the resident levels (a memory budget shared by many pyramids evicts this one);
    /// built() is false again and a later build() reads them anew. Readers holding a level
    /// keep it alive until they finish; a build running meanwhile still completes.
    void release();

    /// All bands of `level_window` (level pixels, clipped to the level) with validity masks.
    Raster read(int level, const Window& level_window) const;
    /// Reads the file once and keeps the resident levels. Idempotent; Cancelled when the
    /// progress callback says stop (nothing is kept then).
    void build(Progress progress = {});
    /// A coarse image of the whole scene (see the header comment); exact once built.
    PyramidPreview preview() const;
    /// The level preview() uses.
    int preview_level() const;

private:
    class Lease;
    Lease acquire() const;
    Raster read_from_file(int level, const Window& w) const;

    std::string path_;
    PyramidOptions options_;
    Profile profile_;
    std::vector<int> widths_, heights_;
    int first_resident_ = 0;

    mutable std::mutex mutex_;
    mutable std::vector<std::unique_ptr<Dataset>> handles_;
    std::vector<std::shared_ptr<const Raster>> levels_;
    std::atomic<bool> built_{false};
    std::mutex build_mutex_;
};

/// Level pixels of full-resolution raster `src` (whose upper-left is file pixel
/// (col_off, row_off)) for `level_window` of `pyramid`'s `level`: the sampling step shared by
/// build() and window reads, exposed for tests.
/// One memory budget for the resident levels of many pyramids (every scene of a stack, in
/// every view): when the built pyramids together hold more than `limit` bytes, the least
/// recently used ones are released (rebuilt when viewed again). The pyramid touched last is
/// never released by its own touch, so one scene larger than the budget still displays.
/// Holds weak references only: a pyramid's lifetime stays with the scenes that show it.
/// Thread-safe.
class PyramidBudget {
public:
    explicit PyramidBudget(std::size_t limit = std::size_t(512) << 20) : limit_(limit) {}

    std::size_t limit() const;
    /// A new limit, enforced at once (the most recently used pyramid is kept).
    void set_limit(std::size_t bytes);
    /// Marks `pyramid` as just viewed (or just built) and releases least recently used
    /// pyramids while the total exceeds the limit. Returns how many were released.
    int touch(const std::shared_ptr<RasterPyramid>& pyramid);
    /// Bytes resident in the pyramids this budget knows of.
    std::size_t used() const;

private:
    int enforce(const RasterPyramid* keep);

    struct Entry {
        std::weak_ptr<RasterPyramid> pyramid;
        const RasterPyramid* key = nullptr;
        std::uint64_t last_used = 0;
    };
    mutable std::mutex mutex_;
    std::size_t limit_;
    std::uint64_t clock_ = 0;
    std::vector<Entry> entries_;
};

Raster sample_level(const RasterPyramid& pyramid, const Raster& src, std::int64_t col_off,
                    std::int64_t row_off, int level, const Window& level_window);

} // namespace rb
