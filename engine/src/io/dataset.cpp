#include "rasterbench/dataset.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_srs_api.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <complex>
#include <cstdio>
#include <exception>
#include <new>
#include <span>
#include <sstream>
#include <unistd.h>

#include "block_read.h"
#include "gdal_util.h"
#include "partial_file.h"
#include "rasterbench/error.h"
#include "rasterbench/stats.h"

namespace rb {

using detail::GdalErrorCapture;
using detail::reason;

namespace {

// Largest single read we accept: larger requests are almost certainly a mistake (a typo in
// an output shape) and would otherwise fail deep inside an allocation.
constexpr double kMaxReadBytes = 64.0 * (1ull << 30);

// kMaxReadBytes, but at most the machine's memory: a larger read cannot succeed (it failed in
// an allocation, or the system killed the process), so it is refused up front.
double read_limit_bytes() {
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? std::min(kMaxReadBytes, double(pages) * double(page))
                                 : kMaxReadBytes;
}

std::string gib(double bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f GiB", bytes / double(1ull << 30));
    return text;
}
// GDAL's own limit on raster dimensions (int) and a sanity limit on band counts.
constexpr int kMaxBands = 65535;

std::string quoted(const std::string& path) {
    return "'" + path + "'";
}

struct CslDeleter {
    void operator()(char** p) const { CSLDestroy(p); }
};
using CslPtr = std::unique_ptr<char*, CslDeleter>;

struct SrsDeleter {
    void operator()(OGRSpatialReferenceH h) const { OSRDestroySpatialReference(h); }
};

bool path_exists(const std::string& path) {
    VSIStatBufL st;
    return VSIStatExL(path.c_str(), &st, VSI_STAT_EXISTS_FLAG) == 0;
}

std::string image_structure(GDALMajorObjectH h, const char* key) {
    const char* v = GDALGetMetadataItem(h, key, "IMAGE_STRUCTURE");
    return v ? v : "";
}

} // namespace

struct Dataset::Handle {
    detail::DatasetPtr ds;
    bool created = false; // opened by create(): lives at tmp_path until close()
    std::string tmp_path;
    std::string driver;  // final driver when writing through MEM + CreateCopy
    CslPtr copy_options; // creation options for CreateCopy
    std::vector<int> overview_factors;
    int uncaught_at_create = 0;
};

Dataset::Dataset() : h_(std::make_unique<Handle>()) {}
Dataset::Dataset(Dataset&&) noexcept = default;
Dataset& Dataset::operator=(Dataset&& o) noexcept {
    if (this != &o) {
        if (h_ && h_->ds) {
            try {
                close();
            } catch (...) {
            }
        }
        h_ = std::move(o.h_);
        path_ = std::move(o.path_);
        profile_ = std::move(o.profile_);
    }
    return *this;
}

Dataset::~Dataset() {
    if (!h_ || !h_->ds)
        return;
    if (h_->created && std::uncaught_exceptions() > h_->uncaught_at_create) {
        // Unwinding from an error: discard the partial output, never publish it.
        h_->ds.reset();
        VSIUnlink(h_->tmp_path.c_str());
        detail::end_partial(h_->tmp_path);
        return;
    }
    try {
        close();
    } catch (...) {
        // A destructor cannot report; callers who need the error call close() themselves.
    }
}

Dataset Dataset::open(const std::string& path, OpenMode mode) {
    GdalErrorCapture cap;
    if (path.empty())
        throw IoError("cannot open raster: empty file name");
    if (path.rfind("/vsi", 0) != 0 && !path_exists(path))
        throw IoError("cannot open " + quoted(path) + ": no such file");
    VSIStatBufL st;
    if (path.rfind("/vsi", 0) != 0 && VSIStatL(path.c_str(), &st) == 0 && VSI_ISREG(st.st_mode) &&
        st.st_size == 0)
        throw IoError("cannot open " + quoted(path) + ": file is empty (0 bytes)");
    const unsigned flags = GDAL_OF_RASTER | GDAL_OF_VERBOSE_ERROR |
                           (mode == OpenMode::Update ? GDAL_OF_UPDATE : GDAL_OF_READONLY);
    Dataset d;
    d.h_->ds.reset(GDALOpenEx(path.c_str(), flags, nullptr, nullptr, nullptr));
    if (!d.h_->ds) {
        // Some formats are folders (an Arc/Info grid, a .SAFE product): only a folder GDAL
        // does not take is reported as one.
        if (path.rfind("/vsi", 0) != 0 && VSIStatL(path.c_str(), &st) == 0 && VSI_ISDIR(st.st_mode))
            throw IoError("cannot open " + quoted(path) +
                          ": it is a folder, not a raster GDAL reads; name a raster file in it");
        throw IoError("cannot open " + quoted(path) + ": " +
                      reason(cap, "not a raster format GDAL recognizes"));
    }
    if (GDALGetRasterCount(d.h_->ds.get()) == 0)
        throw IoError("cannot open " + quoted(path) + ": it contains no raster bands");
    d.path_ = path;
    d.load_profile();
    return d;
}

void Dataset::load_profile() {
    GDALDatasetH h = h_->ds.get();
    Profile& p = profile_;
    p = Profile{};
    GDALDriverH drv = GDALGetDatasetDriver(h);
    p.driver = h_->driver.empty() ? (drv ? GDALGetDriverShortName(drv) : "") : h_->driver;
    p.width = GDALGetRasterXSize(h);
    p.height = GDALGetRasterYSize(h);
    p.count = GDALGetRasterCount(h);
    GDALRasterBandH b1 = GDALGetRasterBand(h, 1);
    const bool signed_byte = image_structure(b1, "PIXELTYPE") == "SIGNEDBYTE";
    p.dtype = detail::from_gdal_type(GDALGetRasterDataType(b1), signed_byte);
    p.crs = detail::crs_from_srs(GDALGetSpatialRef(h));
    std::array<double, 6> gt{0, 1, 0, 0, 0, 1};
    p.has_transform = GDALGetGeoTransform(h, gt.data()) == CE_None;
    p.transform = Affine::from_gdal(gt);
    GDALGetBlockSize(b1, &p.block_width, &p.block_height);
    p.tiled = p.block_width < p.width && p.block_height > 1;
    p.compression = image_structure(h, "COMPRESSION");
    p.interleave = image_structure(h, "INTERLEAVE");
    const int ovs = GDALGetOverviewCount(b1);
    for (int i = 0; i < ovs; ++i) {
        GDALRasterBandH ov = GDALGetOverview(b1, i);
        if (ov && GDALGetRasterBandXSize(ov) > 0)
            p.overview_factors.push_back(
                int(std::lround(double(p.width) / GDALGetRasterBandXSize(ov))));
    }
    for (int b = 1; b <= p.count; ++b) {
        GDALRasterBandH band = GDALGetRasterBand(h, b);
        int has = 0;
        const double nd = GDALGetRasterNoDataValue(band, &has);
        p.nodata.push_back(has ? std::optional<double>(nd) : std::nullopt);
        p.colorinterp.emplace_back(
            GDALGetColorInterpretationName(GDALGetRasterColorInterpretation(band)));
        const char* desc = GDALGetDescription(band);
        p.descriptions.emplace_back(desc ? desc : "");
    }
    if (char** md = GDALGetMetadata(h, nullptr)) {
        for (char** kv = md; *kv; ++kv) {
            char* key = nullptr;
            const char* value = CPLParseNameValue(*kv, &key);
            if (key) {
                p.metadata[key] = value ? value : "";
                CPLFree(key);
            }
        }
    }
}

Dataset Dataset::create(const std::string& path, const Profile& profile) {
    GdalErrorCapture cap;
    const Profile& p = profile;
    auto fail = [&](const std::string& why) -> IoError {
        return IoError("cannot create " + quoted(path) + ": " + why);
    };
    if (p.width <= 0 || p.height <= 0 || p.count <= 0 || p.count > kMaxBands) {
        std::ostringstream os;
        os << "invalid size " << p.width << "x" << p.height << " with " << p.count << " bands";
        throw fail(os.str());
    }
    if (double(p.width) * p.height * p.count * double(dtype_size(p.dtype)) > 4e12)
        throw fail("absurd size " + std::to_string(p.width) + "x" + std::to_string(p.height) + "x" +
                   std::to_string(p.count));
    if (is_complex(p.dtype))
        throw fail("complex data type " + std::string(gdal_type_name(p.dtype)) +
                   " cannot be written");
    if (!p.nodata.empty() && p.nodata.size() != std::size_t(p.count) && p.nodata.size() != 1)
        throw fail("nodata lists " + std::to_string(p.nodata.size()) + " values for " +
                   std::to_string(p.count) + " bands");
    GDALDriverH drv = GDALGetDriverByName(p.driver.c_str());
    if (!drv)
        throw fail("unknown GDAL driver '" + p.driver + "'");
    const bool can_create = GDALGetMetadataItem(drv, GDAL_DCAP_CREATE, nullptr) != nullptr;
    const bool can_copy = GDALGetMetadataItem(drv, GDAL_DCAP_CREATECOPY, nullptr) != nullptr;
    if (!can_create && !can_copy)
        throw fail("GDAL driver '" + p.driver + "' cannot write files");

    CslPtr options;
    auto set = [&](const std::string& k, const std::string& v) {
        options.reset(CSLSetNameValue(options.release(), k.c_str(), v.c_str()));
    };
    const bool gtiff = p.driver == "GTiff";
    if (gtiff) {
        if (!p.compression.empty() && p.compression != "NONE")
            set("COMPRESS", p.compression);
        if (p.tiled) {
            set("TILED", "YES");
            // GTiff tiles must be multiples of 16.
            if (p.block_width > 0 && p.block_width % 16 == 0)
                set("BLOCKXSIZE", std::to_string(p.block_width));
            if (p.block_height > 0 && p.block_height % 16 == 0)
                set("BLOCKYSIZE", std::to_string(p.block_height));
        }
        if (p.interleave == "PIXEL" || p.interleave == "BAND")
            set("INTERLEAVE", p.interleave);
        if (p.dtype == DataType::Int8)
            set("PIXELTYPE", "SIGNEDBYTE");
        if (double(p.width) * p.height * p.count * double(dtype_size(p.dtype)) > 3.5e9)
            set("BIGTIFF", "IF_SAFER");
    }
    for (const auto& [k, v] : p.creation_options)
        set(k, v);
    // GDAL writes on past an option it does not know or a value it does not take, with a
    // warning only (COMPRESS=BOGUS wrote an uncompressed file): refused here, with its reason.
    {
        GdalErrorCapture check;
        if (!GDALValidateCreationOptions(drv, options.get())) {
            const std::string fallback = "invalid creation options for GDAL driver " + p.driver;
            throw ArgumentError("cannot create " + quoted(path) + ": " +
                                reason(check, fallback.c_str()));
        }
    }

    Dataset d;
    d.path_ = path;
    d.h_->created = true;
    d.h_->uncaught_at_create = std::uncaught_exceptions();
    d.h_->tmp_path = detail::begin_partial(path);
    d.h_->overview_factors = p.overview_factors;
    const GDALDataType type = detail::to_gdal_type(p.dtype);
    if (can_create) {
        d.h_->ds.reset(GDALCreate(drv, d.h_->tmp_path.c_str(), p.width, p.height, p.count, type,
                                  options.get()));
    } else {
        // Drivers such as PNG only write by copy: build in memory, copy on close().
        d.h_->driver = p.driver;
        d.h_->copy_options = std::move(options);
        d.h_->ds.reset(
            GDALCreate(GDALGetDriverByName("MEM"), "", p.width, p.height, p.count, type, nullptr));
    }
    if (!d.h_->ds) {
        VSIUnlink(d.h_->tmp_path.c_str());
        detail::end_partial(d.h_->tmp_path);
        throw fail(detail::name_target(reason(cap, "GDAL could not create the file"),
                                       d.h_->tmp_path, path));
    }
    GDALDatasetH h = d.h_->ds.get();
    if (p.has_transform || !(p.transform == Affine{})) {
        auto gt = p.transform.to_gdal();
        GDALSetGeoTransform(h, gt.data());
    }
    if (!p.crs.empty()) {
        std::unique_ptr<std::remove_pointer_t<OGRSpatialReferenceH>, SrsDeleter> srs(
            OSRNewSpatialReference(nullptr));
        if (OSRSetFromUserInput(srs.get(), p.crs.to_wkt().c_str()) == OGRERR_NONE)
            GDALSetSpatialRef(h, srs.get());
    }
    for (int b = 1; b <= p.count; ++b) {
        GDALRasterBandH band = GDALGetRasterBand(h, b);
        const std::size_t i = std::size_t(b - 1);
        const auto nd =
            p.nodata.size() == 1 ? p.nodata[0] : (i < p.nodata.size() ? p.nodata[i] : std::nullopt);
        if (nd)
            GDALSetRasterNoDataValue(band, *nd);
        if (i < p.colorinterp.size() && !p.colorinterp[i].empty())
            GDALSetRasterColorInterpretation(
                band, GDALGetColorInterpretationByName(p.colorinterp[i].c_str()));
        if (i < p.descriptions.size() && !p.descriptions[i].empty())
            GDALSetDescription(band, p.descriptions[i].c_str());
    }
    for (const auto& [k, v] : p.metadata)
        GDALSetMetadataItem(h, k.c_str(), v.c_str(), nullptr);
    d.load_profile();
    return d;
}

void Dataset::close() {
    if (!h_ || !h_->ds)
        return;
    GdalErrorCapture cap;
    if (!h_->created) {
        h_->ds.reset();
        return;
    }
    auto discard = [&](const std::string& why) {
        h_->ds.reset();
        VSIUnlink(h_->tmp_path.c_str());
        detail::end_partial(h_->tmp_path);
        throw IoError("cannot write " + quoted(path_) + ": " +
                      detail::name_target(why, h_->tmp_path, path_));
    };
    if (!h_->overview_factors.empty()) {
        std::vector<int> f = h_->overview_factors;
        if (GDALBuildOverviews(h_->ds.get(), "AVERAGE", int(f.size()), f.data(), 0, nullptr,
                               nullptr, nullptr) != CE_None)
            discard(reason(cap, "building overviews failed"));
    }
    if (!h_->driver.empty()) {
        detail::DatasetPtr copy(GDALCreateCopy(GDALGetDriverByName(h_->driver.c_str()),
                                               h_->tmp_path.c_str(), h_->ds.get(), FALSE,
                                               h_->copy_options.get(), nullptr, nullptr));
        if (!copy)
            discard(reason(cap, "GDAL could not write the file"));
        copy.reset();
    }
    GDALFlushCache(h_->ds.get());
    h_->ds.reset();
    if (cap.failed())
        discard(reason(cap, "GDAL reported an error while closing"));
    const bool renamed = VSIRename(h_->tmp_path.c_str(), path_.c_str()) == 0;
    if (!renamed)
        VSIUnlink(h_->tmp_path.c_str());
    detail::end_partial(h_->tmp_path);
    if (!renamed) {
        throw IoError("cannot write " + quoted(path_) +
                      ": renaming the finished file into place failed");
    }
}

namespace {

void check_bands(const std::vector<int>& bands, int count, const std::string& path) {
    for (int b : bands)
        if (b < 1 || b > count)
            throw ArgumentError("band " + std::to_string(b) + " does not exist in " + quoted(path) +
                                " (" + std::to_string(count) + " bands)");
}

Window resolve_window(const ReadOptions& o, const Profile& p, const std::string& path) {
    Window w = o.window.value_or(Window::full(p.width, p.height));
    if (o.boundless_clip)
        w = w.clamped(p.width, p.height);
    try {
        w.require_inside(p.width, p.height);
    } catch (const WindowError& e) {
        throw WindowError(std::string(e.what()) + " of " + quoted(path));
    }
    return w;
}

/// What a read covers: its 1-based bands (all when none given), source window and output
/// shape, checked against the dataset.
struct ReadShape {
    std::vector<int> bands;
    Window window;
    int rows = 0, cols = 0;
};

ReadShape read_shape(const ReadOptions& o, int count, const Profile& p, const std::string& path) {
    ReadShape r;
    r.bands = o.bands;
    if (r.bands.empty())
        for (int b = 1; b <= count; ++b)
            r.bands.push_back(b);
    check_bands(r.bands, count, path);
    r.window = resolve_window(o, p, path);
    r.rows = o.out_rows > 0 ? o.out_rows : int(r.window.height);
    r.cols = o.out_cols > 0 ? o.out_cols : int(r.window.width);
    return r;
}

} // namespace

namespace {

// GDAL's own mask band (per-dataset mask, alpha), resampled like the data.
void read_gdal_mask(GDALRasterBandH band, const Window& w, std::span<std::uint8_t> dst, int rows,
                    int cols, const std::string& what) {
    GdalErrorCapture cap;
    GDALRasterIOExtraArg extra;
    INIT_RASTERIO_EXTRA_ARG(extra);
    extra.eResampleAlg = GRIORA_NearestNeighbour;
    if (GDALRasterIOEx(GDALGetMaskBand(band), GF_Read, int(w.col_off), int(w.row_off), int(w.width),
                       int(w.height), dst.data(), cols, rows, GDT_Byte, 0, 0, &extra) != CE_None)
        throw IoError("cannot read the mask of " + what + " at " + w.to_string() + ": " +
                      reason(cap, "read failed"));
    // Alpha bands carry partial opacity; anything not fully transparent counts as valid.
    for (auto& m : dst)
        m = m ? kValid : kInvalid;
}

} // namespace

std::vector<std::uint8_t> Dataset::read_mask(int band, const Window& w, int out_rows,
                                             int out_cols) const {
    ReadOptions o;
    o.bands = {band};
    o.window = w;
    o.out_rows = out_rows;
    o.out_cols = out_cols;
    const Raster r = read(o);
    if (!r.has_mask())
        return std::vector<std::uint8_t>(r.band_size(), kValid);
    const auto m = r.mask(0);
    return {m.begin(), m.end()};
}

// Marks the invalid samples of `bands` (read into `out` from band `first_band` on) in its
// mask: the file's nodata compared in its own type, else GDAL's mask band, and NaN. A band
// without an invalid sample costs one vectorized scan and gets no mask, so a raster without
// any keeps none (what Dataset::read and read_into promise).
static void mask_invalid(GDALDatasetH ds, const Profile& profile, const std::vector<int>& bands,
                         const Window& w, int rows, int cols, Raster& out, int first_band,
                         const std::string& path) {
    for (std::size_t i = 0; i < bands.size(); ++i) {
        const int ob = first_band + int(i);
        GDALRasterBandH hb = GDALGetRasterBand(ds, bands[i]);
        const int flags = GDALGetMaskFlags(hb);
        const auto& nodata = profile.nodata[std::size_t(bands[i] - 1)];
        visit_dtype(out.dtype(), [&](auto x) {
            using T = decltype(x);
            const auto data = std::span<const T>(out.band<T>(ob));
            if (const auto compared = detail::compared_nodata(profile, bands[i], flags)) {
                const T nd = static_cast<T>(*compared);
                // Blocks without nodata (most) cost one branch-free, vectorized scan and
                // no mask. Raw restrict pointers: a byte store may alias anything, and the
                // vectorizer must know the mask does not overlap the data.
                constexpr std::size_t kBlock = 4096;
                const T* __restrict d = data.data();
                for (std::size_t k0 = 0; k0 < data.size(); k0 += kBlock) {
                    const std::size_t k1 = std::min(data.size(), k0 + kBlock);
                    // 16-bit counts (a block has 4096 samples): eight lanes per compare.
                    std::uint16_t hits = 0;
                    for (std::size_t k = k0; k < k1; ++k)
                        hits = std::uint16_t(hits + (d[k] == nd ? 1 : 0));
                    if (hits == 0)
                        continue;
                    std::uint8_t* __restrict m = out.mask(ob).data();
                    for (std::size_t k = k0; k < k1; ++k)
                        m[k] = d[k] == nd ? kInvalid : m[k];
                }
            } else if (!(nodata && (flags & (GMF_NODATA | GMF_ALL_VALID))) &&
                       !(flags & GMF_ALL_VALID)) {
                std::vector<std::uint8_t> m(data.size());
                read_gdal_mask(hb, w, m, rows, cols,
                               "band " + std::to_string(bands[i]) + " of " + quoted(path));
                if (std::find(m.begin(), m.end(), kInvalid) != m.end())
                    std::copy(m.begin(), m.end(), out.mask(ob).begin());
            }
            if constexpr (std::is_floating_point_v<T>) {
                // NaN is never a valid observation, declared nodata or not; the mask is
                // touched only when there is one.
                const T* __restrict d = data.data();
                unsigned nans = 0;
                for (std::size_t k = 0; k < data.size(); ++k)
                    nans += d[k] != d[k] ? 1u : 0u;
                if (nans > 0) {
                    std::uint8_t* __restrict m = out.mask(ob).data();
                    for (std::size_t k = 0; k < data.size(); ++k)
                        m[k] = d[k] != d[k] ? kInvalid : m[k];
                }
            }
        });
    }
}

Raster Dataset::read(const ReadOptions& o) const {
    if (!h_ || !h_->ds)
        throw IoError("cannot read " + quoted(path_) + ": dataset is closed");
    GdalErrorCapture cap;
    ReadShape shape = read_shape(o, count(), profile_, path_);
    std::vector<int>& bands = shape.bands; // GDAL takes the list as non-const
    const Window& w = shape.window;
    const int rows = shape.rows, cols = shape.cols;
    if (o.out_rows < 0 || o.out_cols < 0)
        throw ArgumentError("invalid output shape " + std::to_string(o.out_rows) + "x" +
                            std::to_string(o.out_cols) + " for " + quoted(path_));
    const bool complex = is_complex(profile_.dtype);
    const DataType out_type = complex ? DataType::Float64 : profile_.dtype;
    const double bytes =
        double(rows) * cols * double(bands.size()) * double(complex ? 16 : dtype_size(out_type));
    const std::string what = "read of " + std::to_string(cols) + "x" + std::to_string(rows) + "x" +
                             std::to_string(bands.size()) + " from " + quoted(path_);
    if (bytes > read_limit_bytes())
        throw ArgumentError(what + " is too large (" + gib(bytes) + "; at most " +
                            gib(read_limit_bytes()) +
                            ", the smaller of 64 GiB and this machine's "
                            "memory)");

    // GDAL writes every sample of the buffer (the window is inside the dataset).
    Raster out;
    try {
        out = Raster::uninitialized(out_type, int(bands.size()), rows, cols);
    } catch (const std::bad_alloc&) {
        throw IoError(what + ": not enough memory for its " + gib(bytes));
    }
    if (!complex && rows == w.height && cols == w.width &&
        detail::read_blocks(h_->ds.get(), profile_, bands, w, out, 0, o.with_mask, path_))
        return out;
    GDALRasterIOExtraArg extra;
    INIT_RASTERIO_EXTRA_ARG(extra);
    extra.eResampleAlg = detail::to_gdal_resampling(int(o.resampling));
    std::vector<std::complex<double>> cbuf;
    void* buf = out.bytes();
    GDALDataType buf_type = detail::to_gdal_type(out_type);
    if (complex) {
        cbuf.resize(out.size());
        buf = cbuf.data();
        buf_type = GDT_CFloat64;
    }
    if (GDALDatasetRasterIOEx(h_->ds.get(), GF_Read, int(w.col_off), int(w.row_off), int(w.width),
                              int(w.height), buf, cols, rows, buf_type, int(bands.size()),
                              bands.data(), 0, 0, 0, &extra) != CE_None)
        throw IoError("cannot read " + quoted(path_) + " at " + w.to_string() + ": " +
                      reason(cap, "read failed"));
    if (complex) {
        auto* dst = reinterpret_cast<double*>(out.bytes());
        for (std::size_t i = 0; i < cbuf.size(); ++i)
            dst[i] = std::abs(cbuf[i]);
    }
    if (o.with_mask)
        mask_invalid(h_->ds.get(), profile_, bands, w, rows, cols, out, 0, path_);
    return out;
}

void Dataset::read_into(const ReadOptions& o, Raster& out, int first_band) const {
    if (!h_ || !h_->ds)
        throw IoError("cannot read " + quoted(path_) + ": dataset is closed");
    GdalErrorCapture cap;
    ReadShape shape = read_shape(o, count(), profile_, path_);
    std::vector<int>& bands = shape.bands; // GDAL takes the list as non-const
    const Window& w = shape.window;
    const int rows = shape.rows, cols = shape.cols;
    if (is_complex(profile_.dtype) || is_complex(out.dtype()))
        throw ArgumentError("read of " + quoted(path_) + " into a stack: complex bands");
    if (out.rows() != rows || out.cols() != cols || first_band < 0 ||
        first_band + int(bands.size()) > out.bands())
        throw ArgumentError("read of " + quoted(path_) + ": " + std::to_string(bands.size()) +
                            " bands of " + std::to_string(cols) + "x" + std::to_string(rows) +
                            " do not fit bands " + std::to_string(first_band) + "+ of a " +
                            std::to_string(out.cols()) + "x" + std::to_string(out.rows()) + "x" +
                            std::to_string(out.bands()) + " raster");
    if (rows == w.height && cols == w.width &&
        detail::read_blocks(h_->ds.get(), profile_, bands, w, out, first_band, o.with_mask, path_))
        return;
    GDALRasterIOExtraArg extra;
    INIT_RASTERIO_EXTRA_ARG(extra);
    extra.eResampleAlg = detail::to_gdal_resampling(int(o.resampling));
    const std::size_t px = dtype_size(out.dtype());
    const auto band_space = GSpacing(out.band_size() * px);
    std::byte* buf = out.bytes() + std::size_t(first_band) * out.band_size() * px;
    if (GDALDatasetRasterIOEx(h_->ds.get(), GF_Read, int(w.col_off), int(w.row_off), int(w.width),
                              int(w.height), buf, cols, rows, detail::to_gdal_type(out.dtype()),
                              int(bands.size()), bands.data(), GSpacing(px), GSpacing(px) * cols,
                              band_space, &extra) != CE_None)
        throw IoError("cannot read " + quoted(path_) + " at " + w.to_string() + ": " +
                      reason(cap, "read failed"));
    if (o.with_mask)
        mask_invalid(h_->ds.get(), profile_, bands, w, rows, cols, out, first_band, path_);
}

void Dataset::write(const Raster& data, const std::vector<int>& bands_in,
                    std::optional<Window> window) {
    if (!h_ || !h_->ds)
        throw IoError("cannot write " + quoted(path_) + ": dataset is closed");
    GdalErrorCapture cap;
    std::vector<int> bands = bands_in;
    if (bands.empty())
        for (int b = 1; b <= data.bands(); ++b)
            bands.push_back(b);
    if (int(bands.size()) != data.bands())
        throw ArgumentError("writing " + std::to_string(data.bands()) + " bands of data to " +
                            std::to_string(bands.size()) + " bands of " + quoted(path_));
    check_bands(bands, count(), path_);
    const Window w = window.value_or(Window{0, 0, data.cols(), data.rows()});
    try {
        w.require_inside(width(), height());
    } catch (const WindowError& e) {
        throw WindowError(std::string(e.what()) + " of " + quoted(path_));
    }
    if (w.width != data.cols() || w.height != data.rows())
        throw ArgumentError("data of " + std::to_string(data.cols()) + "x" +
                            std::to_string(data.rows()) + " does not fit window " + w.to_string() +
                            " of " + quoted(path_));
    // Invalid samples are written as the band's nodata value where it has one.
    const Raster* src = &data;
    Raster patched;
    if (data.has_mask()) {
        patched = data;
        for (int i = 0; i < data.bands(); ++i) {
            const auto nd = profile_.nodata[std::size_t(bands[std::size_t(i)] - 1)];
            if (!nd)
                continue;
            const auto m = data.mask(i);
            for (int r = 0; r < data.rows(); ++r)
                for (int c = 0; c < data.cols(); ++c)
                    if (m[std::size_t(r) * data.cols() + c] == kInvalid)
                        patched.set_value(i, r, c, *nd);
        }
        src = &patched;
    }
    if (GDALDatasetRasterIO(h_->ds.get(), GF_Write, int(w.col_off), int(w.row_off), int(w.width),
                            int(w.height), const_cast<std::byte*>(src->bytes()), data.cols(),
                            data.rows(), detail::to_gdal_type(data.dtype()), int(bands.size()),
                            bands.data(), 0, 0, 0) != CE_None)
        throw IoError("cannot write " + quoted(path_) + " at " + w.to_string() + ": " +
                      reason(cap, "write failed"));
}

BandStats Dataset::statistics(int band) const {
    check_bands({band}, count(), path_);
    check_pixel_count(path_, profile_);
    // Strips of whole blocks keep memory bounded whatever the raster size.
    const int bh = std::max(1, profile_.block_height);
    const int strip = std::max(bh, (1 << 22) / std::max(1, width()) / bh * bh);
    StatsAccumulator acc;
    for (int row = 0; row < height(); row += strip) {
        ReadOptions o;
        o.bands = {band};
        o.window = Window{0, row, width(), std::min(strip, height() - row)};
        const Raster r = read(o);
        accumulate(r, 0, acc);
    }
    return acc.result();
}

Bounds Profile::bounds() const {
    return Window::full(width, height).bounds(transform);
}

void Profile::set_nodata(std::optional<double> value) {
    nodata.assign(std::size_t(std::max(count, 1)), value);
}

void check_pixel_count(const std::string& path, const Profile& p) {
    if (std::int64_t(p.width) * std::int64_t(p.height) > kMaxPixels)
        throw ArgumentError("'" + path + "' is " + std::to_string(p.width) + " x " +
                            std::to_string(p.height) +
                            " pixels, more than the 2^36 per band rasterbench processes; crop it "
                            "first (gdal_translate -srcwin)");
}

Profile read_profile(const std::string& path) {
    return Dataset::open(path).profile();
}

} // namespace rb
