// A full-resolution GeoTIFF read that copies each sample once: from GDAL's block cache into
// the raster, converting its type and counting invalid samples as it goes. RasterIO makes
// the same copy; the nodata scan after it read the whole window a second time, from memory
// rather than from the cache, and cost a quarter of a read of open scenes.
#include "block_read.h"

#include <gdal_priv.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "gdal_util.h"
#include "rasterbench/error.h"

namespace rb::detail {

namespace {

// Blocks of one row held at once, at most.
constexpr std::int64_t kBlocksAtOnce = 32;

// A block of GDAL's cache, held locked (so it is not flushed) while it is copied.
class LockedBlock {
public:
    explicit LockedBlock(GDALRasterBlock* block) : block_(block) {}
    ~LockedBlock() {
        if (block_)
            block_->DropLock();
    }
    LockedBlock(LockedBlock&& other) noexcept : block_(std::exchange(other.block_, nullptr)) {}
    LockedBlock(const LockedBlock&) = delete;
    LockedBlock& operator=(const LockedBlock&) = delete;
    LockedBlock& operator=(LockedBlock&&) = delete;
    const void* data() const { return block_->GetDataRef(); }
    explicit operator bool() const { return block_ != nullptr; }

private:
    GDALRasterBlock* block_;
};

// Copies n samples, converted, and says whether any is `nodata` or NaN. Counted in chunks
// of 16-bit lanes with no branch, so the loop vectorizes; NaN compares equal to nothing, so
// a band without nodata passes NaN and only its NaN samples count.
template <class S, class D>
bool copy_finding_invalid(const S* __restrict src, D* __restrict dst, std::size_t n, S nodata) {
    constexpr std::size_t kChunk = 4096;
    bool any = false;
    for (std::size_t k0 = 0; k0 < n; k0 += kChunk) {
        const std::size_t k1 = std::min(n, k0 + kChunk);
        std::uint16_t hits = 0;
        for (std::size_t k = k0; k < k1; ++k) {
            const S s = src[k];
            dst[k] = static_cast<D>(s);
            hits = std::uint16_t(hits + ((s == nodata) | (s != s) ? 1 : 0));
        }
        any = any || hits != 0;
    }
    return any;
}

template <class S>
void mark_invalid(const S* __restrict src, std::uint8_t* __restrict mask, std::size_t n, S nodata) {
    for (std::size_t k = 0; k < n; ++k)
        mask[k] = (src[k] == nodata) | (src[k] != src[k]) ? kInvalid : mask[k];
}

// How a band's samples are checked: against a nodata value, for NaN only, or not at all.
struct BandCheck {
    bool check = false;
    double nodata = std::numeric_limits<double>::quiet_NaN();
};

// The band's check, or nothing when its validity needs GDAL's mask band (a mask or alpha
// band): then RasterIO reads it.
std::optional<BandCheck> band_check(GDALRasterBandH band, const Profile& profile, int b,
                                    bool with_mask) {
    BandCheck c;
    if (!with_mask)
        return c;
    const int flags = GDALGetMaskFlags(band);
    c.check = is_floating(profile.dtype); // NaN
    if (const auto nodata = compared_nodata(profile, b, flags)) {
        c.check = true;
        c.nodata = *nodata;
        return c;
    }
    // A nodata value compared as nothing (NaN, out of the type) or no mask at all.
    if ((profile.nodata[std::size_t(b - 1)] && (flags & GMF_NODATA)) || (flags & GMF_ALL_VALID))
        return c;
    return std::nullopt;
}

} // namespace

std::optional<double> compared_nodata(const Profile& profile, int band, int mask_flags) {
    const auto& nodata = profile.nodata[std::size_t(band - 1)];
    if (nodata && (mask_flags & (GMF_NODATA | GMF_ALL_VALID)) && !std::isnan(*nodata) &&
        !is_complex(profile.dtype) && fits_dtype(profile.dtype, *nodata))
        return *nodata;
    return std::nullopt;
}

bool read_blocks(GDALDatasetH ds, const Profile& profile, const std::vector<int>& bands,
                 const Window& w, Raster& out, int first_band, bool with_mask,
                 const std::string& path) {
    GDALDriverH driver = GDALGetDatasetDriver(ds);
    if (!driver || std::strcmp(GDALGetDriverShortName(driver), "GTiff") != 0)
        return false;
    if (is_complex(profile.dtype) || profile.dtype == DataType::Int8 || is_complex(out.dtype()) ||
        w.empty())
        return false;
    // GDAL decodes a compressed request's blocks on several threads when asked to; block by
    // block they would be decoded on one.
    const char* compression = GDALGetMetadataItem(ds, "COMPRESSION", "IMAGE_STRUCTURE");
    const char* threads = CPLGetConfigOption("GDAL_NUM_THREADS", nullptr);
    if (compression && !EQUAL(compression, "NONE") && threads && !EQUAL(threads, "1"))
        return false;
    const GDALDataType type = to_gdal_type(profile.dtype);
    std::vector<BandCheck> checks;
    for (int b : bands) {
        GDALRasterBandH hb = GDALGetRasterBand(ds, b);
        if (!hb || GDALGetRasterDataType(hb) != type)
            return false;
        // GDAL reads a signed-byte band as bytes; its nodata and values are then another
        // type's.
        const char* pixel = GDALGetMetadataItem(hb, "PIXELTYPE", "IMAGE_STRUCTURE");
        if (pixel && EQUAL(pixel, "SIGNEDBYTE"))
            return false;
        const auto check = band_check(hb, profile, b, with_mask);
        if (!check)
            return false;
        checks.push_back(*check);
    }

    GdalErrorCapture cap;
    const std::size_t cols = std::size_t(w.width);
    for (std::size_t i = 0; i < bands.size(); ++i) {
        auto* band = GDALRasterBand::FromHandle(GDALGetRasterBand(ds, bands[i]));
        const int ob = first_band + int(i);
        int bw = 0, bh = 0;
        band->GetBlockSize(&bw, &bh);
        const BandCheck& check = checks[i];
        visit_dtype(profile.dtype, [&](auto s) {
            using S = decltype(s);
            visit_dtype(out.dtype(), [&](auto d) {
                using D = decltype(d);
                D* dst = out.band<D>(ob).data();
                const S nodata =
                    check.check && !std::isnan(check.nodata)
                        ? static_cast<S>(check.nodata)
                        : (std::is_floating_point_v<S> ? std::numeric_limits<S>::quiet_NaN() : S{});
                const std::int64_t bx_first = w.col_off / bw;
                const std::int64_t bx_end = (w.col_off + w.width + bw - 1) / bw;
                std::vector<LockedBlock> locked;
                std::vector<const S*> block_data;
                for (std::int64_t by = w.row_off / bh; by * bh < w.row_off + w.height; ++by) {
                    const std::int64_t r0 = std::max(w.row_off, by * bh);
                    const std::int64_t r1 = std::min(w.row_off + w.height, (by + 1) * bh);
                    // A run of the row's blocks held at once, so that each output row is
                    // written from left to right (a bounded run: locked blocks stay in
                    // GDAL's cache whatever its size).
                    for (std::int64_t b0 = bx_first; b0 < bx_end; b0 += kBlocksAtOnce) {
                        const std::int64_t b1 = std::min(bx_end, b0 + kBlocksAtOnce);
                        locked.clear();
                        block_data.clear();
                        for (std::int64_t bx = b0; bx < b1; ++bx) {
                            locked.emplace_back(band->GetLockedBlockRef(int(bx), int(by)));
                            if (!locked.back())
                                throw IoError("cannot read '" + path + "': block " +
                                              std::to_string(bx) + "," + std::to_string(by) +
                                              " of band " + std::to_string(bands[i]) + ": " +
                                              reason(cap, "read failed"));
                            block_data.push_back(static_cast<const S*>(locked.back().data()));
                        }
                        for (std::int64_t r = r0; r < r1; ++r) {
                            for (std::int64_t bx = b0; bx < b1; ++bx) {
                                // The part of this block inside the window.
                                const std::int64_t c0 = std::max(w.col_off, bx * bw);
                                const std::int64_t c1 =
                                    std::min(w.col_off + w.width, (bx + 1) * bw);
                                const std::size_t n = std::size_t(c1 - c0);
                                const S* src = block_data[std::size_t(bx - b0)] +
                                               std::size_t(r - by * bh) * std::size_t(bw) +
                                               std::size_t(c0 - bx * bw);
                                const std::size_t at =
                                    std::size_t(r - w.row_off) * cols + std::size_t(c0 - w.col_off);
                                if (!check.check) {
                                    if constexpr (std::is_same_v<S, D>)
                                        std::memcpy(dst + at, src, n * sizeof(S));
                                    else
                                        std::transform(src, src + n, dst + at,
                                                       [](S v) { return static_cast<D>(v); });
                                } else if (copy_finding_invalid(src, dst + at, n, nodata)) {
                                    mark_invalid(src, out.mask(ob).data() + at, n, nodata);
                                }
                            }
                        }
                    }
                }
            });
        });
    }
    return true;
}

} // namespace rb::detail
