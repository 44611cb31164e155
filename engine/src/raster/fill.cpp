// fill_nodata(): GDALFillNodata per band on buffers aliased by MEM datasets.
#include "rasterbench/fill.h"

#include <gdal_alg.h>

#include <algorithm>
#include <mutex>

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "gdal_util.h"
#include "rasterbench/error.h"
#include "threads.h"
#include "warp_mem.h"

namespace rb {

using detail::GdalErrorCapture;
using detail::reason;

namespace {

// GDALFillNodata on one buffer, gaps where `mask` is 0.
void fill_buffer(void* data, GDALDataType type, int cols, int rows,
                 const std::vector<std::uint8_t>& mask01, const FillOptions& o,
                 const std::string& what) {
    GdalErrorCapture cap;
    detail::DatasetPtr ds = detail::mem_dataset(cols, rows);
    detail::add_band_view(ds.get(), type, data);
    detail::DatasetPtr mds = detail::mem_dataset(cols, rows);
    detail::add_band_view(mds.get(), GDT_Byte, mask01.data());
    // GDAL's work planes in memory: by default they are GeoTIFFs in the current folder,
    // which a killed run left behind there (and an unwritable current folder failed the fill
    // with "Could not create Y index work file"). The buffer is in memory already; the work
    // planes add, per pixel, GDAL's 32-bit row index, a copy of the value and a byte mask.
    const char* const options[] = {"TEMP_FILE_DRIVER=MEM", nullptr};
    if (GDALFillNodata(GDALGetRasterBand(ds.get(), 1), GDALGetRasterBand(mds.get(), 1),
                       o.max_distance, 0, o.smoothing, const_cast<char**>(options), nullptr,
                       nullptr) != CE_None)
        throw ArgumentError("cannot fill " + what + ": " + reason(cap, "GDALFillNodata failed"));
}

} // namespace

const ParamTable<FillOptions>& FillOptions::params() {
    static const ParamTable<FillOptions> t = [] {
        ParamTable<FillOptions> t;
        // The upper limits keep a typo from starting a search the size of a continent; they
        // are far beyond any scan-line gap (Landsat 7's are at most about 14 pixels wide).
        t.add(&FillOptions::max_distance, "max_distance",
              "gaps farther from any valid pixel stay nodata (gdal_fillnodata -md)", 0, 10000,
              "px");
        t.add(&FillOptions::smoothing, "smoothing",
              "3x3 smoothing passes over the filled pixels (gdal_fillnodata -si)", 0, 100,
              "passes");
        return t;
    }();
    return t;
}

Raster fill_nodata(const Raster& src, const FillOptions& o, Progress progress) {
    FillOptions::params().validate(o);
    if (is_complex(src.dtype()) || src.dtype() == DataType::Int8)
        throw UnsupportedError("cannot fill data type " + std::string(dtype_name(src.dtype())));
    Raster out = src;
    if (!src.has_mask() || src.empty())
        return out;
    const GDALDataType type = detail::to_gdal_type(src.dtype());
    const int nb = src.bands();

    // Which gaps got filled is not reported by GDAL: fill an indicator band (1 on valid
    // pixels) with the same mask alongside; filled gap pixels average ones, the rest stay 0.
    // Bands sharing a mask share the indicator.
    std::vector<int> mask_owner(static_cast<std::size_t>(nb));
    for (int b = 0; b < nb; ++b) {
        mask_owner[std::size_t(b)] = b;
        for (int a = 0; a < b; ++a)
            if (mask_owner[std::size_t(a)] == a &&
                std::equal(src.mask(a).begin(), src.mask(a).end(), src.mask(b).begin())) {
                mask_owner[std::size_t(b)] = a;
                break;
            }
    }
    std::vector<std::vector<std::uint8_t>> masks(static_cast<std::size_t>(nb));
    std::vector<std::vector<float>> indicators(static_cast<std::size_t>(nb));
    for (int b = 0; b < nb; ++b) {
        if (mask_owner[std::size_t(b)] != b)
            continue;
        const auto m = src.mask(b);
        masks[std::size_t(b)].resize(m.size());
        indicators[std::size_t(b)].resize(m.size());
        for (std::size_t i = 0; i < m.size(); ++i) {
            masks[std::size_t(b)][i] = m[i] != kInvalid;
            indicators[std::size_t(b)][i] = m[i] != kInvalid ? 1.0f : 0.0f;
        }
    }
    // Jobs: every band, plus one indicator per distinct mask (negative index).
    std::vector<int> jobs;
    for (int b = 0; b < nb; ++b) {
        jobs.push_back(b);
        if (mask_owner[std::size_t(b)] == b)
            jobs.push_back(-1 - b);
    }
    std::mutex progress_mutex;
    std::size_t done = 0;
    progress.check();
    tbb::task_arena arena(detail::arena_threads(o.threads));
    arena.execute([&] {
        tbb::parallel_for(std::size_t(0), jobs.size(), [&](std::size_t j) {
            const int job = jobs[j];
            if (job >= 0) {
                const int owner = mask_owner[std::size_t(job)];
                fill_buffer(detail::band_ptr(out, job), type, src.cols(), src.rows(),
                            masks[std::size_t(owner)], o, "band " + std::to_string(job));
            } else {
                const int b = -1 - job;
                fill_buffer(indicators[std::size_t(b)].data(), GDT_Float32, src.cols(), src.rows(),
                            masks[std::size_t(b)], o, "the gap mask of band " + std::to_string(b));
            }
            std::lock_guard lock(progress_mutex);
            progress.report(double(++done) / double(jobs.size()));
        });
    });
    bool any_invalid = false;
    for (int b = 0; b < nb; ++b) {
        const auto& ind = indicators[std::size_t(mask_owner[std::size_t(b)])];
        auto m = out.mask(b);
        for (std::size_t i = 0; i < m.size(); ++i) {
            if (m[i] == kInvalid && ind[i] > 0.5f)
                m[i] = kValid;
            any_invalid = any_invalid || m[i] == kInvalid;
        }
    }
    if (!any_invalid)
        out.drop_mask();
    return out;
}

} // namespace rb
