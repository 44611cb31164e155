#pragma once
// Datasets: RAII over a GDAL raster dataset, read and written with windows and arrays, in
// Rasterio's model. Profiles are plain values copied from a source to create a like output.
#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rasterbench/affine.h"
#include "rasterbench/crs.h"
#include "rasterbench/dtype.h"
#include "rasterbench/raster.h"
#include "rasterbench/window.h"

namespace rb {

/// Everything needed to describe (and create) a raster, like Rasterio's `profile`/`meta`.
struct Profile {
    std::string driver = "GTiff";
    int width = 0, height = 0, count = 0;
    DataType dtype = DataType::UInt8;
    Crs crs;
    Affine transform;
    bool has_transform = false; ///< false: no geotransform in the file (identity reported)
    /// Per-band nodata (nullopt: none). A value outside the dtype's range is kept as declared.
    std::vector<std::optional<double>> nodata;
    int block_width = 0, block_height = 0;
    std::string compression;              ///< "DEFLATE", "LZW", ... empty for none
    std::string interleave;               ///< "PIXEL" or "BAND" (empty: driver default)
    std::vector<int> overview_factors;    ///< decimation factor of each overview level
    std::vector<std::string> colorinterp; ///< per band, GDAL names ("Red", "Gray", "Alpha")
    std::vector<std::string> descriptions;
    std::map<std::string, std::string> metadata; ///< dataset metadata, default domain
    bool tiled = false;
    /// Extra driver creation options (KEY=VALUE) used by Dataset::create.
    std::map<std::string, std::string> creation_options;

    /// Map bounds (axis-aligned envelope of the grid's corners).
    Bounds bounds() const;
    /// Sets nodata for every band.
    void set_nodata(std::optional<double> value);
};

enum class Resampling { Nearest, Bilinear, Cubic, CubicSpline, Lanczos, Average, Mode };

enum class OpenMode { ReadOnly, Update };

struct ReadOptions {
    std::vector<int> bands;         ///< 1-based; empty = all bands
    std::optional<Window> window;   ///< default: the whole raster
    int out_rows = 0, out_cols = 0; ///< decimated/enlarged output; 0 = window size
    Resampling resampling = Resampling::Nearest;
    bool with_mask = true; ///< compute the validity mask
    /// Window partly outside the raster: clip it (true) or throw WindowError (false).
    bool boundless_clip = false;
};

/// Exact per-band statistics over valid samples.
struct BandStats {
    double min = 0, max = 0, mean = 0, stddev = 0;
    std::uint64_t valid_count = 0;
};

class Dataset {
public:
    /// Opens any GDAL raster. Throws IoError naming the file and GDAL's reason.
    static Dataset open(const std::string& path, OpenMode mode = OpenMode::ReadOnly);
    /// Creates a new raster from a profile. The file is written to a temporary sibling
    /// and renamed onto `path` by close(); if the dataset is destroyed during stack
    /// unwinding (an exception) the temporary is removed and `path` is left untouched.
    static Dataset create(const std::string& path, const Profile& profile);

    Dataset(Dataset&&) noexcept;
    Dataset& operator=(Dataset&&) noexcept;
    ~Dataset();

    const std::string& path() const { return path_; }
    const Profile& profile() const { return profile_; }
    int width() const { return profile_.width; }
    int height() const { return profile_.height; }
    int count() const { return profile_.count; }

    /// Reads bands (and optionally a window, resampled to an output shape: overviews are
    /// used when the output is smaller). Complex bands come back as Float64 magnitude.
    Raster read(const ReadOptions& options = {}) const;
    /// read() into bands [first_band, first_band + n) of `out` (n: the bands read), in
    /// out's type as GDAL converts, without an intermediate raster: how a scene's files are
    /// stacked. `out` must have the output shape; its mask is made (kValid elsewhere) on
    /// the first invalid pixel of a band read. Complex bands: ArgumentError (use read()).
    void read_into(const ReadOptions& options, Raster& out, int first_band) const;
    /// Validity mask of one band (1-based) for a window/out shape, 0 = invalid.
    std::vector<std::uint8_t> read_mask(int band, const Window& window, int out_rows,
                                        int out_cols) const;
    /// Writes a raster's bands to `bands` (1-based; empty = 1..n) at `window` (default:
    /// the whole raster; its size must match the raster's). Converts types as GDAL does.
    void write(const Raster& data, const std::vector<int>& bands = {},
               std::optional<Window> window = std::nullopt);
    /// Exact statistics of one band (1-based) over valid samples, reading block by block.
    BandStats statistics(int band) const;

    /// Flushes and, for created datasets, moves the file into place. Idempotent.
    void close();

private:
    struct Handle;
    Dataset();
    void load_profile();
    std::unique_ptr<Handle> h_;
    std::string path_;
    Profile profile_;
};

/// Rasterio's `with rasterio.open()` for a one-off: the profile of a file.
Profile read_profile(const std::string& path);

/// The most pixels per band an operation that streams a whole file (reproject, score,
/// composite, statistics) takes on: 2^36, about 69 gigapixels (a 262144 x 262144 grid).
/// Beyond it a run takes days and terabytes, so a header claiming such a size is refused
/// before any output is created.
inline constexpr std::int64_t kMaxPixels = std::int64_t(1) << 36;

/// Throws ArgumentError naming `path` and its size when the profile has more than
/// kMaxPixels pixels per band.
void check_pixel_count(const std::string& path, const Profile& p);

} // namespace rb
