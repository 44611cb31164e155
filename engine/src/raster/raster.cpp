#include "rasterbench/raster.h"

#include <algorithm>
#include <sstream>
#include <string>

namespace rb {

namespace {
// Absurd sizes are refused up front rather than failing deep inside an allocation.
constexpr std::size_t kMaxBytes = std::size_t(1) << 40; // 1 TiB
} // namespace

Raster::Raster(DataType dtype, int bands, int rows, int cols)
    : Raster(dtype, bands, rows, cols, Uninitialized{}) {
    if (!data_.empty())
        std::memset(data_.data(), 0, data_.size());
}

Raster Raster::uninitialized(DataType dtype, int bands, int rows, int cols) {
    return Raster(dtype, bands, rows, cols, Uninitialized{});
}

Raster::Raster(DataType dtype, int bands, int rows, int cols, Uninitialized)
    : dtype_(dtype), bands_(bands), rows_(rows), cols_(cols) {
    if (is_complex(dtype))
        throw UnsupportedError("rasters of complex type " + std::string(gdal_type_name(dtype)) +
                               " are not supported");
    if (bands < 0 || rows < 0 || cols < 0) {
        std::ostringstream os;
        os << "invalid raster shape " << bands << "x" << rows << "x" << cols;
        throw ArgumentError(os.str());
    }
    const double bytes = double(bands) * rows * cols * double(dtype_size(dtype));
    if (bytes > double(kMaxBytes)) {
        std::ostringstream os;
        os << "raster of " << bands << "x" << rows << "x" << cols << " " << dtype_name(dtype)
           << " needs " << bytes / double(1 << 30) << " GiB, beyond the 1 TiB limit";
        throw ArgumentError(os.str());
    }
    data_.resize(size() * dtype_size(dtype));
}

void Raster::check_type(std::size_t size, bool floating) const {
    if (size != dtype_size(dtype_) || floating != is_floating(dtype_))
        throw ArgumentError("typed access does not match the raster's type " +
                            std::string(dtype_name(dtype_)));
}

double Raster::value(int b, int r, int c) const {
    const std::size_t i = band_size() * std::size_t(b) + std::size_t(r) * cols_ + c;
    return visit_dtype(dtype_, [&](auto x) {
        using T = decltype(x);
        return double(reinterpret_cast<const T*>(data_.data())[i]);
    });
}

void Raster::set_value(int b, int r, int c, double v) {
    const std::size_t i = band_size() * std::size_t(b) + std::size_t(r) * cols_ + c;
    visit_dtype(dtype_, [&](auto x) {
        using T = decltype(x);
        reinterpret_cast<T*>(data_.data())[i] = static_cast<T>(v);
    });
}

std::span<std::uint8_t> Raster::mask(int b) {
    ensure_mask();
    return {mask_.data() + band_size() * std::size_t(b), band_size()};
}

std::span<const std::uint8_t> Raster::mask(int b) const {
    if (mask_.empty())
        return {};
    return {mask_.data() + band_size() * std::size_t(b), band_size()};
}

void Raster::ensure_mask() {
    if (mask_.empty())
        mask_.assign(size(), kValid);
}

Raster select_band(const Raster& r, int b) {
    if (b < 0 || b >= r.bands())
        throw ArgumentError("select_band: band " + std::to_string(b) + " of a raster of " +
                            std::to_string(r.bands()) + " bands");
    Raster out(r.dtype(), 1, r.rows(), r.cols());
    const std::size_t bytes = r.band_size() * dtype_size(r.dtype());
    std::copy(r.bytes() + bytes * std::size_t(b), r.bytes() + bytes * std::size_t(b + 1),
              out.bytes());
    if (r.has_mask()) {
        const auto m = r.mask(b);
        std::copy(m.begin(), m.end(), out.mask(0).begin());
    }
    return out;
}

} // namespace rb
