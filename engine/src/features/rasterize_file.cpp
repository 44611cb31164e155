// rasterize_file(): the strips of rasterize() streamed into the GeoTIFF while later ones burn,
// written in place where GDAL lays the file out uncompressed, else through GDAL.
#include <cpl_vsi.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <optional>
#include <sstream>
#include <unistd.h>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include "gdal_util.h"
#include "partial_file.h"
#include "rasterbench/dataset.h"
#include "rasterbench/diagnostics.h"
#include "rasterbench/error.h"
#include "rasterbench/features.h"
#include "rasterize_burner.h"
#include "threads.h"

namespace rb {

using detail::Burner;
using detail::check_grid;
using detail::check_values;
using detail::fill_with;
using detail::GdalErrorCapture;
using detail::reason;
using detail::shapes_of;

namespace {

std::string quoted(const std::string& path) {
    return "'" + path + "'";
}

// Where the samples of an uncompressed one-band GeoTIFF that GDAL has just laid out start,
// when they run row after row to the end (strips in order, native byte order): then rows can
// be written in place, many strips per call and from several threads, without going
// through GDAL's block cache and libtiff's per-strip writes. nullopt for any other layout.
std::optional<std::uint64_t> contiguous_samples(const std::string& path, const Grid& grid,
                                                DataType t) {
    GdalErrorCapture cap;
    const char* const drivers[] = {"GTiff", nullptr};
    detail::DatasetPtr ds(
        GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, drivers, nullptr, nullptr));
    if (!ds || GDALGetRasterCount(ds.get()) != 1)
        return std::nullopt;
    GDALRasterBandH band = GDALGetRasterBand(ds.get(), 1);
    if (GDALGetMetadataItem(ds.get(), "COMPRESSION", "IMAGE_STRUCTURE") ||
        GDALGetMetadataItem(band, "NBITS", "IMAGE_STRUCTURE") ||
        GDALGetRasterDataType(band) != detail::to_gdal_type(t))
        return std::nullopt;
    int bw = 0, bh = 0;
    GDALGetBlockSize(band, &bw, &bh);
    if (bw != grid.width || bh <= 0)
        return std::nullopt;
    const std::uint64_t row_bytes = std::uint64_t(grid.width) * dtype_size(t);
    const int blocks = (grid.height + bh - 1) / bh;
    std::uint64_t first = 0;
    for (int k = 0; k < blocks; ++k) {
        const std::string key = "_0_" + std::to_string(k);
        const char* off = GDALGetMetadataItem(band, ("BLOCK_OFFSET" + key).c_str(), "TIFF");
        const char* size = GDALGetMetadataItem(band, ("BLOCK_SIZE" + key).c_str(), "TIFF");
        if (!off || !size)
            return std::nullopt;
        const std::uint64_t o = std::strtoull(off, nullptr, 10);
        const std::uint64_t rows = std::uint64_t(std::min(bh, grid.height - k * bh));
        if (k == 0)
            first = o;
        if (o == 0 || o != first + std::uint64_t(k) * std::uint64_t(bh) * row_bytes ||
            std::strtoull(size, nullptr, 10) < rows * row_bytes)
            return std::nullopt;
    }
    ds.reset();
    // Samples are written as they lie in memory: the file must be in this machine's order.
    char magic[2] = {};
    VSILFILE* f = VSIFOpenL(path.c_str(), "rb");
    if (!f)
        return std::nullopt;
    const bool read = VSIFReadL(magic, 1, 2, f) == 2;
    VSIFCloseL(f);
    const bool native = std::endian::native == std::endian::little
                            ? magic[0] == 'I' && magic[1] == 'I'
                            : magic[0] == 'M' && magic[1] == 'M';
    if (!read || !native)
        return std::nullopt;
    return first;
}

void write_all(int fd, const std::byte* data, std::size_t n, std::uint64_t offset,
               const std::string& path) {
    while (n > 0) {
        const ssize_t w = ::pwrite(fd, data, n, off_t(offset));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            throw IoError("cannot write " + quoted(path) + ": " +
                          (w < 0 ? std::strerror(errno) : "nothing written"));
        data += w;
        n -= std::size_t(w);
        offset += std::uint64_t(w);
    }
}

Profile output_profile(const Grid& grid, DataType t, const RasterizeFileOptions& file) {
    Profile p;
    p.driver = "GTiff";
    p.width = grid.width;
    p.height = grid.height;
    p.count = 1;
    p.dtype = t;
    p.crs = grid.crs;
    p.transform = grid.transform;
    p.has_transform = true;
    if (file.compression != "NONE")
        p.compression = file.compression;
    if (file.nodata)
        p.set_nodata(file.nodata);
    return p;
}

// Strips burn in parallel and each is written in place by the thread that burnt it, in one
// call, as soon as it is burnt. False, having written nothing, when the file GDAL laid out
// is not one whose rows can be written in place.
bool write_in_place(const Burner& burner, const Grid& grid, const RasterizeOptions& o,
                    const std::string& dst_path, const std::string& tmp, Progress& progress) {
    const auto first = contiguous_samples(tmp, grid, o.dtype);
    if (!first)
        return false;
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct Closer {
        int fd;
        ~Closer() {
            if (fd >= 0)
                ::close(fd);
        }
    } closer{fd};
    const std::size_t row_bytes = std::size_t(grid.width) * dtype_size(o.dtype);
#ifdef __linux__
    // Blocks for the samples' hole in one call: filling a hole page by page costs the
    // filesystem more (delayed allocation per page). Only a hint: failure changes nothing.
    (void)::fallocate(fd, 0, off_t(*first), off_t(row_bytes * std::size_t(grid.height)));
#endif
    const int n = burner.strip_rows();
    const int nstrips = (grid.height + n - 1) / n;
    // One buffer per thread, reused: a fresh one per strip would cost a page fault per
    // 4 KiB (the kernel zeroes each page) on every strip.
    tbb::enumerable_thread_specific<std::vector<std::byte>> buffers;
    std::mutex progress_mutex;
    std::atomic<int> done{0};
    tbb::task_arena arena(detail::arena_threads(o.threads));
    arena.execute([&] {
        tbb::parallel_for(0, nstrips, [&](int s) {
            const int row0 = s * n, rows = std::min(n, grid.height - row0);
            std::vector<std::byte>& buf = buffers.local();
            buf.resize(std::size_t(n) * row_bytes);
            fill_with(o.dtype, buf.data(), std::size_t(rows) * std::size_t(grid.width), o.fill);
            burner.burn(row0, rows, buf.data());
            write_all(fd, buf.data(), std::size_t(rows) * row_bytes,
                      *first + std::uint64_t(row0) * row_bytes, dst_path);
            const int k = ++done;
            std::lock_guard lock(progress_mutex);
            progress.report(0.2 + 0.8 * double(k) / nstrips);
        });
    });
    const int fd_ = closer.fd;
    closer.fd = -1;
    if (::close(fd_) != 0)
        throw IoError("cannot write " + quoted(dst_path) + ": " + std::strerror(errno));
    return true;
}

// Strips burn in parallel and GDAL writes them in order as soon as they are ready, so the
// (serial) writing overlaps the burning; memory is a few strips.
void write_through_gdal(const Burner& burner, const Grid& grid, const RasterizeOptions& o,
                        Dataset& out, Progress& progress) {
    const int n = burner.strip_rows();
    const int nstrips = (grid.height + n - 1) / n;
    int next = 0, written = 0;
    tbb::task_arena arena(detail::arena_threads(o.threads));
    const std::size_t tokens = std::size_t(std::max(2, 2 * arena.max_concurrency()));
    // One strip buffer per token, reused (see write_in_place).
    std::vector<Raster> pool;
    pool.reserve(tokens);
    for (std::size_t i = 0; i < tokens; ++i)
        pool.emplace_back(o.dtype, 1, std::min(n, grid.height), grid.width);
    std::vector<Raster*> free_buffers;
    for (auto& r : pool)
        free_buffers.push_back(&r);
    std::mutex pool_mutex;
    arena.execute([&] {
        tbb::parallel_pipeline(
            tokens,
            tbb::make_filter<void, int>(tbb::filter_mode::serial_in_order,
                                        [&](tbb::flow_control& fc_) {
                                            if (next >= nstrips) {
                                                fc_.stop();
                                                return 0;
                                            }
                                            return next++;
                                        }) &
                tbb::make_filter<int, std::pair<int, Raster*>>(
                    tbb::filter_mode::parallel,
                    [&](int s) {
                        Raster* r = nullptr;
                        {
                            // At most `tokens` strips are in flight: never empty here.
                            std::lock_guard lock(pool_mutex);
                            r = free_buffers.back();
                            free_buffers.pop_back();
                        }
                        const int rows = std::min(n, grid.height - s * n);
                        if (r->rows() != rows)
                            r->reset(o.dtype, 1, rows, grid.width);
                        fill_with(o.dtype, r->bytes(), r->band_size(), o.fill);
                        burner.burn(s * n, rows, r->bytes());
                        return std::pair<int, Raster*>(s, r);
                    }) &
                tbb::make_filter<std::pair<int, Raster*>, void>(
                    tbb::filter_mode::serial_in_order, [&](const std::pair<int, Raster*>& sr) {
                        const auto& [s, r] = sr;
                        out.write(*r, {}, Window{0, std::int64_t(s) * n, grid.width, r->rows()});
                        {
                            std::lock_guard lock(pool_mutex);
                            free_buffers.push_back(r);
                        }
                        ++written;
                        progress.report(0.2 + 0.8 * double(written) / nstrips);
                    }));
    });
}

} // namespace

void rasterize_file(const std::string& vector_path, const std::string& dst_path, const Grid& grid,
                    const RasterizeOptions& o, const VectorReadOptions& read, Progress progress) {
    rasterize_file(vector_path, dst_path, grid, o, read, RasterizeFileOptions{},
                   std::move(progress));
}

void rasterize_file(const std::string& vector_path, const std::string& dst_path, const Grid& grid,
                    const RasterizeOptions& o_in, const VectorReadOptions& read,
                    const RasterizeFileOptions& file, Progress progress) {
    check_grid(grid, o_in.dtype);
    check_values(o_in);
    // A nodata value the band cannot hold would be declared as something else (GDAL keeps
    // -1 on a Byte band, which readers take as 255 or as no nodata at all).
    if (file.nodata && !fits_dtype(o_in.dtype, *file.nodata)) {
        std::ostringstream t;
        t << "nodata value " << *file.nodata << " does not fit the output type "
          << dtype_name(o_in.dtype) << ": choose another value or a wider type";
        throw ArgumentError(t.str());
    }
    RasterizeOptions o = o_in;
    o.window.reset();
    // Only the burnt property is converted (by read_features' own rules): the rest of each
    // feature's attributes would be read and dropped.
    VectorReadOptions only = read;
    only.fields =
        o.property.empty() ? std::vector<std::string>{} : std::vector<std::string>{o.property};
    const FeatureCollection fc = read_features(vector_path, only);
    const std::string source = quoted(vector_path);
    if (fc.features.empty()) {
        const std::string why =
            source + " has no features" +
            (read.where.empty() ? std::string() : " matching '" + read.where + "'");
        if (!file.allow_empty)
            throw ArgumentError(why + " (nothing to burn)");
        std::ostringstream fill;
        fill << o.fill;
        warn(why + ": the output is all fill value " + fill.str());
    }
    progress.report(0.1);
    std::vector<std::pair<Geometry, double>> shapes;
    try {
        shapes = shapes_of(fc, grid, o);
    } catch (const ArgumentError& e) {
        throw ArgumentError(source + ": " + e.what());
    }
    // Features that all miss the grid burn nothing; the output would be fill alone, without
    // a word (most often the features are in another CRS than they say).
    if (!fc.features.empty()) {
        const Bounds g = grid.bounds();
        const bool meets = std::any_of(shapes.begin(), shapes.end(), [&](const auto& s) {
            const auto b = s.first.bounds();
            return b && b->left <= g.right && b->right >= g.left && b->bottom <= g.top &&
                   b->top >= g.bottom;
        });
        if (!meets) {
            std::ostringstream fill;
            fill << o.fill;
            warn(source + ": no feature meets the output grid, which stays all fill value " +
                 fill.str() +
                 " (are the features in the CRS they declare? GeoJSON without a 'crs' member is "
                 "read as WGS 84 longitudes and latitudes)");
        }
    }
    const Burner burner(shapes, grid, o);
    progress.report(0.2);
    const Profile p = output_profile(grid, o.dtype, file);

    // Uncompressed, to a local file: GDAL lays the GeoTIFF out (header, tags, strip offsets;
    // the samples are a hole until written) and the burnt strips go straight to their place.
    if (p.compression.empty() && dst_path.rfind("/vsi", 0) != 0) {
        const std::string tmp = detail::begin_partial(dst_path);
        struct Untrack {
            const std::string& tmp;
            ~Untrack() { detail::end_partial(tmp); }
        } untrack{tmp};
        try {
            Dataset::create(tmp, p).close();
            if (write_in_place(burner, grid, o, dst_path, tmp, progress)) {
                if (VSIRename(tmp.c_str(), dst_path.c_str()) != 0)
                    throw IoError("cannot write " + quoted(dst_path) +
                                  ": renaming the finished file into place failed");
                return;
            }
        } catch (...) {
            VSIUnlink(tmp.c_str());
            throw;
        }
        VSIUnlink(tmp.c_str());
    }
    Dataset out = Dataset::create(dst_path, p);
    progress.check();
    write_through_gdal(burner, grid, o, out, progress);
    out.close();
}

} // namespace rb
