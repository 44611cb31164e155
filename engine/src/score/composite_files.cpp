// Streaming drivers: score and composite scenes stored in files, block by block.
#include <gdal.h>
#include <tbb/concurrent_queue.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "composite_extras.h"
#include "gdal_util.h"
#include "rasterbench/composite.h"
#include "rasterbench/diagnostics.h"
#include "running_best.h"
#include "scene_by_scene_best.h"
#include "threads.h"
#include "tie_rule.h"

namespace rb {

namespace {

std::string quoted(const std::string& s) {
    return "'" + s + "'";
}

// Everything a streaming run needs about its inputs, checked once.
struct StackInfo {
    Profile profile; // first scene's first file
    BandLayout layout;
    int primary_bands = 0;
    std::vector<std::string> labels;
    std::vector<SceneInfo> scenes; // dates and sensors
};

StackInfo inspect(const std::vector<SceneSource>& scenes) {
    if (scenes.empty())
        throw ArgumentError("no scenes given");
    StackInfo info;
    std::vector<Profile> profiles;
    std::vector<int> counts;
    std::vector<DataType> types;
    for (const auto& s : scenes) {
        SceneReader r(s);
        check_pixel_count(s.label(), r.profile());
        profiles.push_back(r.profile());
        counts.push_back(r.layout().count);
        types.push_back(r.dtype());
        info.labels.push_back(s.label());
        info.scenes.push_back(scene_info(r.profile().metadata, s.label()));
        if (profiles.size() == 1) {
            info.layout = r.sampled_layout();
            info.primary_bands = r.primary_bands();
        }
    }
    check_same_grid(profiles, counts, info.labels, [&](std::size_t k) {
        std::string t;
        if (scenes[k].files.size() > 1)
            for (const auto& f : scenes[k].files)
                t += (t.empty() ? "" : " + ") + std::to_string(read_profile(f).count) + " in " +
                     quoted(f);
        return t;
    });
    // A scene of several files reads as the widest of their types: name the file that made it.
    const auto type_of = [&](std::size_t k) {
        std::string t = quoted(info.labels[k]) + " is " + std::string(dtype_name(types[k]));
        if (scenes[k].files.size() > 1) {
            t += " (its files:";
            for (const auto& f : scenes[k].files)
                t += " " + quoted(f) + " " + std::string(dtype_name(read_profile(f).dtype));
            t += ")";
        }
        return t;
    };
    for (std::size_t i = 1; i < types.size(); ++i)
        if (types[i] != types[0])
            throw ArgumentError("scene " + type_of(i) + " but " + type_of(0) +
                                " (convert the scenes to one type first)");
    info.profile = profiles.front();
    return info;
}

// Whether `v` occurs in `d`: a pass over every sample of every block, written for the
// vectorizer (an OR over a chunk, then an early exit) and built with AVX2 where the CPU has
// it, so that 16-bit samples (the usual satellite type) are compared 16 at a time.
template <class T>
__attribute__((target_clones("avx2", "default"))) bool contains(std::span<const T> d, T v) {
    constexpr std::size_t kChunk = 4096;
    for (std::size_t i0 = 0; i0 < d.size(); i0 += kChunk) {
        const std::size_t i1 = std::min(d.size(), i0 + kChunk);
        unsigned hits = 0; // a sum: GCC 12 vectorizes it, not an OR of bools
        for (std::size_t i = i0; i < i1; ++i)
            hits += d[i] == v ? 1u : 0u;
        if (hits != 0)
            return true;
    }
    return false;
}

// A scene's only file, read straight into a reused buffer. Used only where that gives
// exactly what SceneReader::read() gives: one file (no type promotion), a real type, and
// per band either a nodata value GDAL masks by (GMF_NODATA) or no mask at all
// (GMF_ALL_VALID). Anything else (mask bands, alpha) goes through SceneReader.
class DirectReader {
public:
    DirectReader(const SceneSource& source, const SceneReader& reader) {
        if (source.files.size() != 1 || is_complex(reader.dtype()) ||
            !reader.layout().calibration.empty())
            return;
        const Profile& p = reader.profile();
        GDALDatasetH h = GDALOpenEx(source.files.front().c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY,
                                    nullptr, nullptr, nullptr);
        if (!h)
            return; // SceneReader, which opened it already, reports errors
        ds_.reset(h);
        if (GDALGetRasterCount(h) != p.count || p.nodata.size() != std::size_t(p.count)) {
            ds_.reset();
            return;
        }
        for (int b = 0; b < p.count; ++b) {
            const int flags = GDALGetMaskFlags(GDALGetRasterBand(h, b + 1));
            const auto& nd = p.nodata[std::size_t(b)];
            if (nd ? !(flags & (GMF_NODATA | GMF_ALL_VALID)) : !(flags & GMF_ALL_VALID)) {
                ds_.reset();
                return;
            }
        }
        dtype_ = reader.dtype();
        nodata_ = p.nodata;
    }
    bool usable() const { return ds_ != nullptr; }

    // As SceneReader::read(window), into `out`'s storage; the mask exists only when some
    // sample is invalid, as Dataset::read() leaves it.
    void read(const Window& w, Raster& out) const {
        const int nb = int(nodata_.size());
        out.reset(dtype_, nb, int(w.height), int(w.width));
        detail::GdalErrorCapture cap;
        if (GDALDatasetRasterIO(ds_.get(), GF_Read, int(w.col_off), int(w.row_off), int(w.width),
                                int(w.height), out.bytes(), int(w.width), int(w.height),
                                detail::to_gdal_type(dtype_), nb, nullptr, 0, 0, 0) != CE_None)
            throw IoError("cannot read " + quoted(GDALGetDescription(ds_.get())) + " at " +
                          w.to_string() + ": " + detail::reason(cap, "read failed"));
        visit_dtype(dtype_, [&](auto x) {
            using T = decltype(x);
            for (int b = 0; b < nb; ++b) {
                const std::span<const T> d = std::as_const(out).band<T>(b);
                const auto& nd = nodata_[std::size_t(b)];
                // Compared exactly in the band's type, as Dataset::read() does.
                if (nd && !std::isnan(*nd) && fits_dtype(dtype_, *nd)) {
                    const T v = static_cast<T>(*nd);
                    // A scan first: most blocks have no nodata and then get no mask at all.
                    if (contains(d, v)) {
                        auto m = out.mask(b);
                        for (std::size_t k = 0; k < d.size(); ++k)
                            if (d[k] == v)
                                m[k] = kInvalid;
                    }
                }
                if constexpr (std::is_floating_point_v<T>) {
                    const auto nan = [](T t) { return std::isnan(t); };
                    if (std::find_if(d.begin(), d.end(), nan) != d.end()) {
                        auto m = out.mask(b);
                        for (std::size_t k = 0; k < d.size(); ++k)
                            if (std::isnan(d[k]))
                                m[k] = kInvalid;
                    }
                }
            }
        });
    }

private:
    struct Close {
        void operator()(void* h) const { GDALClose(h); }
    };
    std::unique_ptr<void, Close> ds_;
    DataType dtype_ = DataType::UInt8;
    std::vector<std::optional<double>> nodata_;
};

// Everything one block task needs, owned by whichever task holds it: one reader per scene
// (a Dataset is single-threaded) and buffers reused from block to block, so the steady
// state allocates (and page-faults) nothing per block.
struct Workspace {
    std::vector<SceneReader> readers;
    std::vector<DirectReader> direct;
    std::vector<Raster> data, scores;
    CompositeResult result, cropped;
    Raster score_crop;
    detail::SceneBySceneBest by_scene;
};

// Scene k's window `w` into `out`'s storage.
void read_scene(Workspace& ws, std::size_t k, const Window& w, Raster& out) {
    if (ws.direct[k].usable())
        ws.direct[k].read(w, out);
    else
        out = ws.readers[k].read(w);
}

class WorkspacePool {
public:
    explicit WorkspacePool(const std::vector<SceneSource>& scenes) : scenes_(scenes) {}
    std::unique_ptr<Workspace> acquire() {
        std::unique_ptr<Workspace> s;
        if (pool_.try_pop(s))
            return s;
        s = std::make_unique<Workspace>();
        s->readers.reserve(scenes_.size());
        s->direct.reserve(scenes_.size());
        for (const auto& src : scenes_) {
            s->readers.emplace_back(src);
            s->direct.emplace_back(src, s->readers.back());
        }
        s->data.resize(scenes_.size());
        s->scores.resize(scenes_.size());
        return s;
    }
    void release(std::unique_ptr<Workspace> s) { pool_.push(std::move(s)); }

private:
    const std::vector<SceneSource>& scenes_;
    tbb::concurrent_queue<std::unique_ptr<Workspace>> pool_;
};

} // namespace

void apply_stream_options(Profile& p, const StreamOptions& s) {
    p.tiled = true;
    p.block_width = p.block_height = s.tile_size;
    p.compression = s.compression == "NONE" ? "" : s.compression;
    if (!p.compression.empty() && p.compression != "JPEG")
        p.creation_options["PREDICTOR"] = is_floating(p.dtype) ? "1" : "2";
    if (s.compression_level > 0) {
        // GDAL ignores a level outside the codec's range with a warning only.
        const auto check = [&](int lo, int hi) {
            if (s.compression_level < lo || s.compression_level > hi)
                throw ArgumentError("compression level " + std::to_string(s.compression_level) +
                                    " is outside " + p.compression + "'s " + std::to_string(lo) +
                                    ".." + std::to_string(hi));
        };
        if (p.compression == "DEFLATE")
            check(1, 12);
        else if (p.compression == "ZSTD")
            check(1, 22);
        else if (p.compression == "LZMA")
            check(0, 9);
        if (p.compression == "DEFLATE")
            p.creation_options["ZLEVEL"] = std::to_string(s.compression_level);
        else if (p.compression == "ZSTD")
            p.creation_options["ZSTD_LEVEL"] = std::to_string(s.compression_level);
        else if (p.compression == "LZMA")
            p.creation_options["LZMA_PRESET"] = std::to_string(s.compression_level);
    }
    // Tiles are compressed when GDAL flushes its cache, mostly at close(): let GDAL's GTiff
    // driver compress them on as many threads as the blocks were computed on.
    if (!p.compression.empty())
        p.creation_options["NUM_THREADS"] =
            s.threads > 0 ? std::to_string(detail::clamp_threads(s.threads)) : "ALL_CPUS";
}

namespace {

Profile output_profile(const Profile& src, int count, DataType dtype,
                       std::vector<std::optional<double>> nodata, const StreamOptions& stream,
                       const Window& region = {}) {
    Profile p;
    p.driver = "GTiff";
    p.width = region.empty() ? src.width : int(region.width);
    p.height = region.empty() ? src.height : int(region.height);
    p.count = count;
    p.dtype = dtype;
    p.crs = src.crs;
    p.transform = region.empty() ? src.transform
                                 : src.transform * Affine::translation(double(region.col_off),
                                                                       double(region.row_off));
    p.has_transform = src.has_transform;
    p.nodata = std::move(nodata);
    p.interleave = "BAND";
    apply_stream_options(p, stream);
    return p;
}

struct Block {
    Window inner, outer;
};

std::vector<Block> plan_blocks(int width, int height, int block, int halo,
                               const Window& region = {}) {
    std::vector<Block> out;
    const Window r = region.empty() ? Window::full(width, height) : region;
    // Blocks stay on the grid's block lattice (clipped to the region) so that a region gives
    // the pixels of the whole run.
    const std::int64_t y0 = r.row_off - r.row_off % block, x0 = r.col_off - r.col_off % block;
    for (std::int64_t y = y0; y < r.row_end(); y += block)
        for (std::int64_t x = x0; x < r.col_end(); x += block) {
            Block b;
            const Window lattice{x, y, std::min<std::int64_t>(block, width - x),
                                 std::min<std::int64_t>(block, height - y)};
            b.inner = lattice.intersection(r);
            if (b.inner.empty())
                continue;
            b.outer = Window{lattice.col_off - halo, lattice.row_off - halo,
                             lattice.width + 2 * halo, lattice.height + 2 * halo}
                          .clamped(width, height);
            out.push_back(b);
        }
    return out;
}

// Runs `work(block, workspace)` over every block in parallel, with the block's window of
// every scene read into workspace.data unless `work` reads them itself (!read_all);
// `work` returns a closure that writes its results (from the workspace's buffers), which
// runs under one lock with the progress report.
template <class Work>
void run_blocks(const std::vector<SceneSource>& scenes, const std::vector<Block>& blocks,
                const StreamOptions& stream, Progress& progress, Work&& work,
                bool read_all = true) {
    WorkspacePool pool(scenes);
    std::mutex write_mutex;
    std::size_t done = 0;
    tbb::task_arena arena(detail::arena_threads(stream.threads));
    arena.execute([&] {
        tbb::parallel_for(std::size_t(0), blocks.size(), std::size_t(1), [&](std::size_t i) {
            {
                std::lock_guard lock(write_mutex);
                progress.check();
            }
            auto ws = pool.acquire();
            for (std::size_t k = 0; k < scenes.size() && read_all; ++k)
                read_scene(*ws, k, blocks[i].outer, ws->data[k]);
            auto write = work(blocks[i], *ws);
            {
                std::lock_guard lock(write_mutex);
                write();
                progress.report(double(++done) / double(blocks.size()));
            }
            pool.release(std::move(ws));
        });
    });
}

void validate_stream(const StreamOptions& s) {
    if (s.block_size < 16 || s.block_size > 16384)
        throw ArgumentError("block size " + std::to_string(s.block_size) + " is outside 16..16384");
    if (s.tile_size < 16 || s.tile_size % 16 != 0)
        throw ArgumentError("tile size " + std::to_string(s.tile_size) +
                            " must be a multiple of 16");
}

// Drops a mask with no invalid sample: Dataset::write() then writes the data as it is
// instead of copying it to patch in nodata values.
void drop_empty_mask(Raster& r) {
    if (r.has_mask()) {
        bool any = false;
        for (int b = 0; b < r.bands() && !any; ++b) {
            const auto m = std::as_const(r).mask(b);
            any = std::memchr(m.data(), kInvalid, m.size()) != nullptr;
        }
        if (!any)
            r.drop_mask();
    }
}

// crop() into `out`'s storage.
void crop_into(const Raster& r, const Window& w, Raster& out) {
    w.require_inside(r.cols(), r.rows());
    out.reset(r.dtype(), r.bands(), int(w.height), int(w.width));
    const std::size_t es = dtype_size(r.dtype());
    const auto rows = std::size_t(w.height), cols = std::size_t(w.width);
    for (int b = 0; b < r.bands(); ++b) {
        const std::byte* src = r.bytes() + r.band_size() * std::size_t(b) * es;
        std::byte* dst = out.bytes() + out.band_size() * std::size_t(b) * es;
        for (std::size_t y = 0; y < rows; ++y)
            std::memcpy(dst + y * cols * es,
                        src + ((std::size_t(w.row_off) + y) * std::size_t(r.cols()) +
                               std::size_t(w.col_off)) *
                                  es,
                        cols * es);
    }
    if (r.has_mask())
        for (int b = 0; b < r.bands(); ++b) {
            const auto src = r.mask(b);
            auto dst = out.mask(b);
            for (std::size_t y = 0; y < rows; ++y)
                std::memcpy(dst.data() + y * cols,
                            src.data() + (std::size_t(w.row_off) + y) * std::size_t(r.cols()) +
                                std::size_t(w.col_off),
                            cols);
        }
}

// The block's inner window out of `full` (computed on the outer window): `full` itself when
// there is no halo, else a crop into `buffer`. Empty masks dropped either way.
Raster& inner_part(Raster& full, const Window& in, Raster& buffer) {
    Raster* r = &full;
    if (in.row_off != 0 || in.col_off != 0 || in.width != full.cols() || in.height != full.rows()) {
        crop_into(full, in, buffer);
        r = &buffer;
    }
    drop_empty_mask(*r);
    return *r;
}

} // namespace

CompositeReport composite_files(const std::vector<SceneSource>& scenes,
                                const ScoreOptions& score_in, const CompositeOptions& options,
                                const CompositeOutputs& outputs, const StreamOptions& stream,
                                Progress progress) {
    validate_stream(stream);
    if (outputs.composite.empty())
        throw ArgumentError("composite: no output file given");
    detail::check_composite_scene_count(scenes.size()); // before opening any of them
    const StackInfo info = inspect(scenes);
    ScoreOptions score = score_in;
    if (score.scenes.empty())
        score.scenes = info.scenes;
    const Scorer scorer = stack_scorer(score, info.layout, scenes);
    CompositeOptions opts = options;
    if (opts.scene_dates.empty())
        for (const auto& s : info.scenes)
            opts.scene_dates.push_back(s.date);
    if (opts.bands.empty())
        for (int b = 0; b < info.primary_bands; ++b)
            opts.bands.push_back(b);
    for (const auto& [r, path] : outputs.best_ranks)
        opts.best_ranks.push_back(r);
    for (const auto& [r, path] : outputs.worst_ranks)
        opts.worst_ranks.push_back(r);
    {
        // Reject bad options before any file is created.
        Raster z(info.layout.dtype, info.layout.count, 1, 1), zs(DataType::Float32, 1, 1, 1);
        const std::vector<Raster> one{z}, one_s{zs};
        composite(one, one_s, opts);
    }
    const int nb = int(opts.bands.size());
    const Profile& src = info.profile;
    const Window region = outputs.region;
    if (!region.empty() && !Window::full(src.width, src.height).contains(region))
        throw ArgumentError("composite: region is outside the scenes' " +
                            std::to_string(src.width) + " x " + std::to_string(src.height) +
                            " grid");

    // Calibrated scenes are read as Float32 with NaN where invalid, whatever the files hold.
    const bool calibrated = !info.layout.calibration.empty();
    std::vector<std::optional<double>> nd;
    for (int b : opts.bands) {
        std::optional<double> v;
        if (b < int(src.nodata.size()) && !calibrated)
            v = src.nodata[std::size_t(b)];
        if (!v && is_floating(info.layout.dtype))
            v = std::numeric_limits<double>::quiet_NaN();
        nd.push_back(v);
    }
    // Bands of the first file keep its type (the stacked type only widens it losslessly).
    const bool primary_only =
        !calibrated && std::all_of(opts.bands.begin(), opts.bands.end(),
                                   [&](int b) { return b < info.primary_bands; });
    Profile comp_p =
        output_profile(src, nb, primary_only ? src.dtype : info.layout.dtype, nd, stream, region);
    for (int b : opts.bands) {
        comp_p.descriptions.push_back(std::size_t(b) < info.layout.descriptions.size()
                                          ? info.layout.descriptions[std::size_t(b)]
                                          : "");
    }
    const bool small = scenes.size() < 255;
    struct Out {
        std::optional<Dataset> ds;
    };
    Out comp, index, sc, count;
    std::vector<Dataset> best_ds, worst_ds;
    comp.ds.emplace(Dataset::create(outputs.composite, comp_p));
    if (!outputs.index.empty())
        index.ds.emplace(Dataset::create(
            outputs.index, output_profile(src, 1, small ? DataType::UInt8 : DataType::UInt16,
                                          {small ? 255.0 : 65535.0}, stream, region)));
    if (!outputs.score.empty())
        sc.ds.emplace(Dataset::create(outputs.score,
                                      output_profile(src, 1, DataType::Float32,
                                                     {std::numeric_limits<double>::quiet_NaN()},
                                                     stream, region)));
    if (!outputs.count.empty())
        count.ds.emplace(
            Dataset::create(outputs.count, output_profile(src, 1, DataType::UInt16, {std::nullopt},
                                                          stream, region)));
    for (const auto& [r, path] : outputs.best_ranks)
        best_ds.push_back(Dataset::create(path, comp_p));
    for (const auto& [r, path] : outputs.worst_ranks)
        worst_ds.push_back(Dataset::create(path, comp_p));

    CompositeReport report;
    if (opts.normalize != "none")
        report.normalization = detail::fit_stack_normalization(scenes, opts);
    std::optional<detail::ComponentOutputs> extras;
    if (!outputs.components.empty() || !outputs.bap_info.empty())
        extras.emplace(scorer, score.scenes, outputs,
                       [&](int count, DataType dt, std::optional<double> nd) {
                           return output_profile(src, count, dt, {nd}, stream, region);
                       });

    const int halo = scorer.halo() + (opts.harmonize ? opts.harmonize_radius : 0);
    const auto blocks = plan_blocks(src.width, src.height, stream.block_size, halo, region);
    const StackStatsNeeds needs = scorer.stack_needs();
    // The plain best pixel from per-pixel scores: each scene's block is read, scored and
    // folded in while it is in the cache (detail::SceneBySceneBest), not held until every
    // scene is read. Anything needing the whole stack at once takes the general path.
    const bool by_scene = opts.method == "best" && opts.best_ranks.empty() &&
                          opts.worst_ranks.empty() && !opts.harmonize && !extras && !needs.any() &&
                          halo == 0;
    const std::vector<std::uint16_t> tie_order = detail::tie_order(opts, scenes.size());
    const float min_score = detail::candidate_floor(opts.min_score);
    // Whether any pixel had a candidate: an all-empty composite (every sample invalid, a
    // quality band whose codes the preset does not know, a min_score above every score) was
    // written as a success without a word.
    std::atomic<bool> any_candidate{false};
    auto work = [&](const Block& blk, Workspace& ws) {
        CompositeResult& res = ws.result;
        std::optional<StackStats> stats;
        if (by_scene) {
            Raster& scene = ws.data.front();
            const Window& w = blk.outer;
            for (std::size_t i = 0; i < tie_order.size(); ++i) {
                const std::uint16_t k = tie_order[i];
                read_scene(ws, k, w, scene);
                if (!report.normalization.empty())
                    apply_normalization(scene, report.normalization.fits[k]);
                if (i == 0) // inspect() checked that every scene reads as this type
                    ws.by_scene.begin(res, scene.dtype(), nb, int(w.height), int(w.width),
                                      min_score);
                ws.by_scene.add(scene, scorer, opts.bands, k);
            }
            ws.by_scene.finish();
        } else {
            if (!report.normalization.empty())
                for (std::size_t k = 0; k < ws.data.size(); ++k)
                    apply_normalization(ws.data[k], report.normalization.fits[k]);
            if (needs.any())
                stats = stack_statistics(ws.data, needs);
            score_composite_into(ws.data, scorer, stats ? &*stats : nullptr, opts, ws.scores, res);
        }
        if (!any_candidate.load(std::memory_order_relaxed)) {
            const auto m = std::as_const(res.composite).mask(0);
            if (m.empty() || std::find(m.begin(), m.end(), kValid) != m.end())
                any_candidate.store(true, std::memory_order_relaxed);
        }
        const std::vector<Raster>& data = ws.data;
        const Window in{blk.inner.col_off - blk.outer.col_off,
                        blk.inner.row_off - blk.outer.row_off, blk.inner.width, blk.inner.height};
        std::function<void()> write_extras;
        if (extras)
            write_extras = extras->compute(data, stats ? &*stats : nullptr, res.index, in,
                                           Window{blk.inner.col_off - region.col_off,
                                                  blk.inner.row_off - region.row_off,
                                                  blk.inner.width, blk.inner.height});
        CompositeResult& c = ws.cropped;
        c.best_rank.resize(res.best_rank.size());
        c.worst_rank.resize(res.worst_rank.size());
        Raster* comp_r = &inner_part(res.composite, in, c.composite);
        Raster* index_r = index.ds ? &inner_part(res.index, in, c.index) : nullptr;
        Raster* score_r = sc.ds ? &inner_part(res.score, in, c.score) : nullptr;
        // The count is always valid (no mask), as its output has no nodata.
        Raster* count_r = count.ds ? &inner_part(res.count, in, c.count) : nullptr;
        std::vector<Raster*> best_r, worst_r;
        for (std::size_t i = 0; i < res.best_rank.size(); ++i)
            best_r.push_back(&inner_part(res.best_rank[i], in, c.best_rank[i]));
        for (std::size_t i = 0; i < res.worst_rank.size(); ++i)
            worst_r.push_back(&inner_part(res.worst_rank[i], in, c.worst_rank[i]));
        return [&, comp_r, index_r, score_r, count_r, best_r = std::move(best_r),
                worst_r = std::move(worst_r), write_extras = std::move(write_extras),
                w = Window{blk.inner.col_off - region.col_off, blk.inner.row_off - region.row_off,
                           blk.inner.width, blk.inner.height}] {
            comp.ds->write(*comp_r, {}, w);
            if (index_r)
                index.ds->write(*index_r, {}, w);
            if (score_r)
                sc.ds->write(*score_r, {}, w);
            if (count_r)
                count.ds->write(*count_r, {}, w);
            for (std::size_t i = 0; i < best_ds.size(); ++i)
                best_ds[i].write(*best_r[i], {}, w);
            for (std::size_t i = 0; i < worst_ds.size(); ++i)
                worst_ds[i].write(*worst_r[i], {}, w);
            if (write_extras)
                write_extras();
        };
    };
    run_blocks(scenes, blocks, stream, progress, work, !by_scene);
    comp.ds->close();
    if (index.ds)
        index.ds->close();
    if (sc.ds)
        sc.ds->close();
    if (count.ds)
        count.ds->close();
    for (auto& d : best_ds)
        d.close();
    for (auto& d : worst_ds)
        d.close();
    if (extras)
        extras->close();
    if (!any_candidate.load())
        warn("the composite has no valid pixel: no scene had a candidate anywhere (every "
             "sample invalid, quality codes the preset does not know, or min_score above "
             "every score)");
    return report;
}

void score_file(const SceneSource& scene, const std::vector<SceneSource>& stack,
                const ScoreOptions& score, const std::string& out, const StreamOptions& stream,
                Progress progress) {
    validate_stream(stream);
    std::vector<SceneSource> all{scene};
    all.insert(all.end(), stack.begin(), stack.end());
    const StackInfo info = inspect(all);
    ScoreOptions opts = score;
    if (opts.scenes.empty())
        opts.scenes = info.scenes;
    const Scorer scorer = stack_scorer(opts, info.layout, all);
    const StackStatsNeeds needs = scorer.stack_needs();
    if (scorer.requires_stack() && stack.empty())
        throw ArgumentError("score method '" + score_method_name(score) +
                            "' needs a stack for its per-pixel statistics (scene '" +
                            scene.label() + "'): give the stack's scenes too");
    Dataset ds =
        Dataset::create(out, output_profile(info.profile, 1, DataType::Float32,
                                            {std::numeric_limits<double>::quiet_NaN()}, stream));
    const auto blocks =
        plan_blocks(info.profile.width, info.profile.height, stream.block_size, scorer.halo());
    run_blocks(all, blocks, stream, progress, [&](const Block& blk, Workspace& ws) {
        const std::vector<Raster>& data = ws.data;
        std::optional<StackStats> stats;
        if (needs.any() && data.size() > 1)
            stats = stack_statistics(std::span<const Raster>(data).subspan(1), needs);
        scorer.score_into(data.front(), stats ? &*stats : nullptr, ws.scores.front(), 0);
        const Window in{blk.inner.col_off - blk.outer.col_off,
                        blk.inner.row_off - blk.outer.row_off, blk.inner.width, blk.inner.height};
        Raster* r = &inner_part(ws.scores.front(), in, ws.score_crop);
        return [&ds, r, w = blk.inner] { ds.write(*r, {}, w); };
    });
    ds.close();
}

} // namespace rb
