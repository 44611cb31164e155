#include "rasterbench/pyramid.h"

#include <cpl_conv.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <thread>

#include "rasterbench/error.h"
#include "threads.h"

namespace rb {

namespace {

// Copies sample (sy, sx[i]) of every band of `src` to row `dy` of `dst`, element by element
// in the data type's size (the values are only moved, never converted).
template <class T>
void copy_row_typed(const Raster& src, std::int64_t sy, const std::vector<std::int64_t>& sx,
                    Raster& dst, std::int64_t dy) {
    const auto* s = reinterpret_cast<const T*>(src.bytes());
    auto* d = reinterpret_cast<T*>(dst.bytes());
    const std::size_t sbs = src.band_size(), dbs = dst.band_size();
    const std::size_t srow = std::size_t(sy) * std::size_t(src.cols());
    const std::size_t drow = std::size_t(dy) * std::size_t(dst.cols());
    for (int b = 0; b < src.bands(); ++b) {
        const T* sb = s + sbs * std::size_t(b) + srow;
        T* db = d + dbs * std::size_t(b) + drow;
        for (std::size_t i = 0; i < sx.size(); ++i)
            db[i] = sb[sx[i]];
        const auto sm = src.mask(b);
        auto dm = dst.mask(b).subspan(drow, sx.size());
        if (sm.empty())
            std::fill(dm.begin(), dm.end(), kValid);
        else
            for (std::size_t i = 0; i < sx.size(); ++i)
                dm[i] = sm[srow + std::size_t(sx[i])];
    }
}

void copy_row(const Raster& src, std::int64_t sy, const std::vector<std::int64_t>& sx, Raster& dst,
              std::int64_t dy) {
    switch (dtype_size(src.dtype())) {
    case 1:
        return copy_row_typed<std::uint8_t>(src, sy, sx, dst, dy);
    case 2:
        return copy_row_typed<std::uint16_t>(src, sy, sx, dst, dy);
    case 4:
        return copy_row_typed<std::uint32_t>(src, sy, sx, dst, dy);
    case 8:
        return copy_row_typed<std::uint64_t>(src, sy, sx, dst, dy);
    default:
        throw UnsupportedError("pyramid: unsupported sample size");
    }
}

Raster make_level_raster(DataType dtype, int bands, std::int64_t rows, std::int64_t cols) {
    Raster r(dtype, bands, int(rows), int(cols));
    r.ensure_mask();
    return r;
}

// Opens a handle whose GTiff reads decode several blocks at once on `threads` threads
// (GDAL reads this setting when the dataset is opened).
std::unique_ptr<Dataset> open_threaded(const std::string& path, int threads) {
    const std::string n = std::to_string(detail::clamp_threads(threads));
    CPLSetThreadLocalConfigOption("GDAL_NUM_THREADS", n.c_str());
    try {
        auto ds = std::make_unique<Dataset>(Dataset::open(path));
        CPLSetThreadLocalConfigOption("GDAL_NUM_THREADS", nullptr);
        return ds;
    } catch (...) {
        CPLSetThreadLocalConfigOption("GDAL_NUM_THREADS", nullptr);
        throw;
    }
}

} // namespace

class RasterPyramid::Lease {
public:
    Lease(const RasterPyramid* owner, std::unique_ptr<Dataset> ds)
        : owner_(owner), ds_(std::move(ds)) {}
    Lease(Lease&&) = default;
    ~Lease() {
        if (ds_) {
            std::lock_guard lock(owner_->mutex_);
            owner_->handles_.push_back(std::move(ds_));
        }
    }
    const Dataset& operator*() const { return *ds_; }

private:
    const RasterPyramid* owner_;
    std::unique_ptr<Dataset> ds_;
};

RasterPyramid::RasterPyramid(std::string path, PyramidOptions options)
    : path_(std::move(path)), options_(options) {
    auto ds = std::make_unique<Dataset>(Dataset::open(path_));
    profile_ = ds->profile();
    handles_.push_back(std::move(ds));
    if (profile_.width <= 0 || profile_.height <= 0 || profile_.count <= 0)
        throw UnsupportedError(path_ + ": no raster bands to display");
    if (is_complex(profile_.dtype))
        throw UnsupportedError(path_ + ": complex bands cannot be displayed");
    const int tile = std::max(16, options_.tile_size);
    std::int64_t w = profile_.width, h = profile_.height;
    for (int level = 0;; ++level) {
        widths_.push_back(int(w));
        heights_.push_back(int(h));
        if (std::max(w, h) <= tile || level >= 30)
            break;
        w = (std::int64_t(profile_.width) + (std::int64_t(2) << level) - 1) >> (level + 1);
        h = (std::int64_t(profile_.height) + (std::int64_t(2) << level) - 1) >> (level + 1);
        w = std::max<std::int64_t>(1, w);
        h = std::max<std::int64_t>(1, h);
    }
    // The finest levels that still fit the budget together with every coarser one.
    const std::size_t per_sample = dtype_size(profile_.dtype) + 1; // value + mask
    std::size_t total = 0;
    first_resident_ = level_count();
    for (int level = level_count() - 1; level >= 0; --level) {
        total += std::size_t(widths_[std::size_t(level)]) *
                 std::size_t(heights_[std::size_t(level)]) * std::size_t(profile_.count) *
                 per_sample;
        if (total > options_.memory_budget)
            break;
        first_resident_ = level;
    }
    levels_.resize(std::size_t(level_count()));
}

RasterPyramid::~RasterPyramid() = default;

RasterPyramid::Lease RasterPyramid::acquire() const {
    {
        std::lock_guard lock(mutex_);
        if (!handles_.empty()) {
            auto ds = std::move(handles_.back());
            handles_.pop_back();
            return Lease(this, std::move(ds));
        }
    }
    return Lease(this, std::make_unique<Dataset>(Dataset::open(path_)));
}

std::int64_t RasterPyramid::source_col(int level, std::int64_t i) const {
    if (level == 0)
        return i;
    // GDAL's nearest decimation: the source pixel holding the output pixel's centre.
    const double ratio = double(profile_.width) / level_width(level);
    return std::min<std::int64_t>(profile_.width - 1, std::int64_t((i + 0.5) * ratio + 1e-10));
}

std::int64_t RasterPyramid::source_row(int level, std::int64_t j) const {
    if (level == 0)
        return j;
    const double ratio = double(profile_.height) / level_height(level);
    return std::min<std::int64_t>(profile_.height - 1, std::int64_t((j + 0.5) * ratio + 1e-10));
}

std::int64_t RasterPyramid::level_col(int level, double c) const {
    const double ratio = double(profile_.width) / level_width(level);
    return std::clamp<std::int64_t>(std::int64_t(std::floor(c / ratio)), 0, level_width(level) - 1);
}

std::int64_t RasterPyramid::level_row(int level, double r) const {
    const double ratio = double(profile_.height) / level_height(level);
    return std::clamp<std::int64_t>(std::int64_t(std::floor(r / ratio)), 0,
                                    level_height(level) - 1);
}

int RasterPyramid::level_for_scale(double scale) const {
    if (!(scale > 0) || scale >= 1)
        return 0;
    const int level = int(std::floor(std::log2(1.0 / scale) + 1e-9));
    return std::clamp(level, 0, level_count() - 1);
}

bool RasterPyramid::is_resident(int level) const {
    std::lock_guard lock(mutex_);
    return level >= 0 && level < level_count() && levels_[std::size_t(level)] != nullptr;
}

bool RasterPyramid::is_cheap(int level) const {
    return uses_overviews() || level < first_resident_ || is_resident(level);
}

Raster sample_level(const RasterPyramid& p, const Raster& src, std::int64_t col_off,
                    std::int64_t row_off, int level, const Window& w) {
    Raster out = make_level_raster(src.dtype(), src.bands(), w.height, w.width);
    std::vector<std::int64_t> sx(std::size_t(w.width));
    for (std::int64_t i = 0; i < w.width; ++i)
        sx[std::size_t(i)] = p.source_col(level, w.col_off + i) - col_off;
    for (std::int64_t j = 0; j < w.height; ++j)
        copy_row(src, p.source_row(level, w.row_off + j) - row_off, sx, out, j);
    return out;
}

Raster RasterPyramid::read(int level, const Window& window) const {
    if (level < 0 || level >= level_count())
        throw ArgumentError("pyramid level " + std::to_string(level) + " of " + path_ +
                            " does not exist");
    const Window w = window.clamped(level_width(level), level_height(level));
    if (w.empty())
        throw WindowError("window " + window.to_string() + " is outside level " +
                          std::to_string(level) + " of " + path_);
    std::shared_ptr<const Raster> resident;
    {
        std::lock_guard lock(mutex_);
        resident = levels_[std::size_t(level)];
    }
    if (!resident)
        return read_from_file(level, w);
    // A copy of the window: the caller owns its pixels, the level stays shared.
    Raster out = make_level_raster(resident->dtype(), resident->bands(), w.height, w.width);
    std::vector<std::int64_t> sx(std::size_t(w.width));
    for (std::int64_t i = 0; i < w.width; ++i)
        sx[std::size_t(i)] = w.col_off + i;
    for (std::int64_t j = 0; j < w.height; ++j)
        copy_row(*resident, w.row_off + j, sx, out, j);
    return out;
}

Raster RasterPyramid::read_from_file(int level, const Window& w) const {
    const Lease ds = acquire();
    ReadOptions read;
    if (level == 0) {
        read.window = w;
        Raster r = (*ds).read(read);
        r.ensure_mask();
        return r;
    }
    if (uses_overviews()) {
        // GDAL serves the decimated read from the best overview.
        const double rx = double(profile_.width) / level_width(level);
        const double ry = double(profile_.height) / level_height(level);
        const auto c0 = std::int64_t(std::floor(w.col_off * rx));
        const auto r0 = std::int64_t(std::floor(w.row_off * ry));
        const auto c1 =
            std::min<std::int64_t>(profile_.width, std::int64_t(std::ceil(w.col_end() * rx)));
        const auto r1 =
            std::min<std::int64_t>(profile_.height, std::int64_t(std::ceil(w.row_end() * ry)));
        read.window = Window{c0, r0, c1 - c0, r1 - r0};
        read.out_cols = int(w.width);
        read.out_rows = int(w.height);
        Raster r = (*ds).read(read);
        r.ensure_mask();
        return r;
    }
    // The full-resolution pixels spanning the window, then the level's own sampling, so a
    // window equals the same window of the whole level.
    const std::int64_t c0 = source_col(level, w.col_off), c1 = source_col(level, w.col_end() - 1);
    const std::int64_t r0 = source_row(level, w.row_off), r1 = source_row(level, w.row_end() - 1);
    read.window = Window{c0, r0, c1 - c0 + 1, r1 - r0 + 1};
    const Raster src = (*ds).read(read);
    return sample_level(*this, src, c0, r0, level, w);
}

void RasterPyramid::build(Progress progress) {
    std::lock_guard build_lock(build_mutex_);
    if (built_.load())
        return;
    const int first = first_resident_;
    std::vector<std::shared_ptr<const Raster>> made(static_cast<std::size_t>(level_count()));
    if (first < level_count()) {
        if (uses_overviews()) {
            for (int level = first; level < level_count(); ++level) {
                made[std::size_t(level)] = std::make_shared<const Raster>(
                    read_from_file(level, Window::full(level_width(level), level_height(level))));
                progress.report(double(level - first + 1) / (level_count() - first));
            }
        } else {
            // One pass over the file in whole block rows; each resident level takes the rows
            // it samples from each strip as the strip goes by.
            // GDAL 3.6's multi-threaded GTiff decoding fails on pixel-interleaved files of
            // many bands ("Bad value for ExtraSamples"): only a few bands get threads.
            const auto ds = open_threaded(path_, profile_.count <= 4 ? options_.threads : 1);
            std::vector<Raster> levels;
            std::vector<std::int64_t> next(static_cast<std::size_t>(level_count()), 0);
            std::vector<std::vector<std::int64_t>> cols(static_cast<std::size_t>(level_count()));
            for (int level = first; level < level_count(); ++level) {
                levels.push_back(make_level_raster(profile_.dtype, profile_.count,
                                                   level_height(level), level_width(level)));
                auto& sx = cols[std::size_t(level)];
                for (std::int64_t i = 0; i < level_width(level); ++i)
                    sx.push_back(source_col(level, i));
            }
            const std::int64_t bh = std::max(1, profile_.block_height);
            const std::int64_t want = std::max<std::int64_t>(
                1, (std::int64_t(1) << 23) / (std::int64_t(profile_.width) * profile_.count));
            const std::int64_t rows = std::max(bh, want / bh * bh);
            for (std::int64_t r0 = 0; r0 < profile_.height; r0 += rows) {
                progress.check();
                const std::int64_t r1 = std::min<std::int64_t>(profile_.height, r0 + rows);
                ReadOptions read;
                read.window = Window{0, r0, profile_.width, r1 - r0};
                const Raster strip = ds->read(read);
                for (int level = first; level < level_count(); ++level) {
                    Raster& dst = levels[std::size_t(level - first)];
                    auto& j = next[std::size_t(level)];
                    while (j < level_height(level) && source_row(level, j) < r1) {
                        copy_row(strip, source_row(level, j) - r0, cols[std::size_t(level)], dst,
                                 j);
                        ++j;
                    }
                }
                progress.report(double(r1) / profile_.height);
            }
            for (int level = first; level < level_count(); ++level)
                made[std::size_t(level)] =
                    std::make_shared<const Raster>(std::move(levels[std::size_t(level - first)]));
        }
    }
    // Levels and the flag change together, so a concurrent release() sees both or neither.
    std::lock_guard lock(mutex_);
    levels_ = std::move(made);
    built_.store(true);
}

std::size_t RasterPyramid::resident_bytes() const {
    std::lock_guard lock(mutex_);
    std::size_t total = 0;
    for (const auto& level : levels_)
        if (level)
            total += level->band_size() * std::size_t(level->bands()) *
                     (dtype_size(level->dtype()) + (level->has_mask() ? 1 : 0));
    return total;
}

void RasterPyramid::release() {
    std::lock_guard lock(mutex_);
    for (auto& level : levels_)
        level.reset();
    built_.store(false);
}

std::size_t PyramidBudget::limit() const {
    std::lock_guard lock(mutex_);
    return limit_;
}

void PyramidBudget::set_limit(std::size_t bytes) {
    std::lock_guard lock(mutex_);
    limit_ = bytes;
    const auto newest =
        std::max_element(entries_.begin(), entries_.end(),
                         [](const Entry& a, const Entry& b) { return a.last_used < b.last_used; });
    enforce(newest == entries_.end() ? nullptr : newest->key);
}

int PyramidBudget::touch(const std::shared_ptr<RasterPyramid>& pyramid) {
    if (!pyramid)
        return 0;
    std::lock_guard lock(mutex_);
    auto it = std::find_if(entries_.begin(), entries_.end(),
                           [&](const Entry& e) { return e.key == pyramid.get(); });
    if (it == entries_.end() || it->pyramid.expired()) {
        if (it != entries_.end())
            entries_.erase(it); // a new pyramid at a freed address
        entries_.push_back({pyramid, pyramid.get(), 0});
        it = entries_.end() - 1;
    }
    it->last_used = ++clock_;
    return enforce(pyramid.get());
}

std::size_t PyramidBudget::used() const {
    std::lock_guard lock(mutex_);
    std::size_t total = 0;
    for (const Entry& e : entries_)
        if (const auto p = e.pyramid.lock())
            total += p->resident_bytes();
    return total;
}

int PyramidBudget::enforce(const RasterPyramid* keep) {
    std::erase_if(entries_, [](const Entry& e) { return e.pyramid.expired(); });
    std::vector<std::pair<std::shared_ptr<RasterPyramid>, std::uint64_t>> live;
    std::size_t total = 0;
    for (const Entry& e : entries_)
        if (auto p = e.pyramid.lock()) {
            total += p->resident_bytes();
            live.emplace_back(std::move(p), e.last_used);
        }
    std::sort(live.begin(), live.end(),
              [](const auto& a, const auto& b) { return a.second < b.second; });
    int released = 0;
    for (auto& [p, used] : live) {
        if (total <= limit_)
            break;
        const std::size_t bytes = p->resident_bytes();
        if (p.get() == keep || bytes == 0)
            continue;
        p->release();
        total -= bytes;
        ++released;
    }
    return released;
}

int RasterPyramid::preview_level() const {
    for (int level = 0; level < level_count(); ++level)
        if (std::max(level_width(level), level_height(level)) <= options_.preview_size)
            return level;
    return level_count() - 1;
}

PyramidPreview RasterPyramid::preview() const {
    const int level = preview_level();
    const Window whole = Window::full(level_width(level), level_height(level));
    const std::size_t samples =
        std::size_t(profile_.width) * std::size_t(profile_.height) * std::size_t(profile_.count);
    if (is_resident(level) || uses_overviews() || samples <= options_.small_scene_samples)
        return {read(level, whole), level, true};

    // Sparse: one block per k x k group of the file's blocks, upsampled over its group.
    const std::int64_t W = profile_.width, H = profile_.height;
    const std::int64_t bw = std::clamp<std::int64_t>(profile_.block_width, 1, W);
    const std::int64_t bh = std::clamp<std::int64_t>(profile_.block_height, 1, H);
    const std::int64_t nbx = (W + bw - 1) / bw, nby = (H + bh - 1) / bh;
    std::int64_t k = 1;
    while (((nbx + k - 1) / k) * ((nby + k - 1) / k) > std::max(1, options_.preview_max_blocks))
        ++k;
    const std::int64_t ngx = (nbx + k - 1) / k, ngy = (nby + k - 1) / k;
    auto chosen = [k](std::int64_t g, std::int64_t nb) {
        const std::int64_t begin = g * k, count = std::min(k, nb - begin);
        return begin + count / 2;
    };
    std::vector<Raster> blocks(std::size_t(ngx * ngy));
    std::vector<Window> block_windows(blocks.size());
    for (std::int64_t gy = 0; gy < ngy; ++gy)
        for (std::int64_t gx = 0; gx < ngx; ++gx)
            block_windows[std::size_t(gy * ngx + gx)] =
                Window{chosen(gx, nbx) * bw, chosen(gy, nby) * bh, bw, bh}.clamped(W, H);
    // Blocks are independent: decode them on a few threads, each with its own handle.
    std::atomic<std::size_t> next{0};
    std::exception_ptr error;
    std::mutex error_mutex;
    auto worker = [&] {
        try {
            const Lease ds = acquire();
            for (std::size_t i = next++; i < blocks.size(); i = next++) {
                ReadOptions read;
                read.window = block_windows[i];
                blocks[i] = (*ds).read(read);
            }
        } catch (...) {
            std::lock_guard lock(error_mutex);
            error = std::current_exception();
        }
    };
    std::vector<std::thread> threads;
    for (int t = 1; t < std::max(1, options_.threads); ++t)
        threads.emplace_back(worker);
    worker();
    for (auto& t : threads)
        t.join();
    if (error)
        std::rethrow_exception(error);

    // For each level column: its group, and the column inside that group's block.
    struct Pick {
        std::int64_t group, offset;
    };
    auto picks = [&](std::int64_t n, std::int64_t full, std::int64_t bsize, std::int64_t nb,
                     auto source) {
        std::vector<Pick> out(static_cast<std::size_t>(n));
        for (std::int64_t i = 0; i < n; ++i) {
            const std::int64_t s = source(i), b = s / bsize, g = b / k, cb = chosen(g, nb);
            const std::int64_t cb0 = cb * bsize, csize = std::min(bsize, full - cb0);
            if (b == cb) {
                out[std::size_t(i)] = {g, s - cb0};
                continue;
            }
            const std::int64_t g0 = g * k * bsize, g1 = std::min(full, (g * k + k) * bsize);
            const double rel = (double(s - g0) + 0.5) / double(g1 - g0);
            out[std::size_t(i)] = {g, std::min(csize - 1, std::int64_t(rel * double(csize)))};
        }
        return out;
    };
    const auto px =
        picks(whole.width, W, bw, nbx, [&](std::int64_t i) { return source_col(level, i); });
    const auto py =
        picks(whole.height, H, bh, nby, [&](std::int64_t j) { return source_row(level, j); });
    Raster out = make_level_raster(profile_.dtype, profile_.count, whole.height, whole.width);
    const std::size_t size = dtype_size(profile_.dtype);
    for (std::int64_t j = 0; j < whole.height; ++j) {
        for (std::int64_t i = 0; i < whole.width; ++i) {
            const Raster& b =
                blocks[std::size_t(py[std::size_t(j)].group * ngx + px[std::size_t(i)].group)];
            const std::size_t src = std::size_t(py[std::size_t(j)].offset) * std::size_t(b.cols()) +
                                    std::size_t(px[std::size_t(i)].offset);
            const std::size_t dst = std::size_t(j) * std::size_t(whole.width) + std::size_t(i);
            for (int band = 0; band < profile_.count; ++band) {
                std::memcpy(out.bytes() + (out.band_size() * std::size_t(band) + dst) * size,
                            b.bytes() + (b.band_size() * std::size_t(band) + src) * size, size);
                const auto m = b.mask(band);
                out.mask(band)[dst] = m.empty() ? kValid : m[src];
            }
        }
    }
    return {std::move(out), level, k == 1};
}

} // namespace rb
