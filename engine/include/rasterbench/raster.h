#pragma once
// Typed band x row x col pixel buffers with an optional per-sample validity mask.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "rasterbench/dtype.h"

namespace rb {

/// Mask values, GDAL's convention: 0 = invalid (nodata, NaN, masked), 255 = valid.
inline constexpr std::uint8_t kInvalid = 0;
inline constexpr std::uint8_t kValid = 255;

namespace detail {
/// Storage of `bytes` for pixels or masks, aligned to 64 bytes (out of line: one place to
/// change how pixel memory is obtained).
void* allocate_pixels(std::size_t bytes);
/// Frees what allocate_pixels(bytes) returned. Buffers of 1 MiB or more are kept for reuse
/// (up to 512 MiB or a sixteenth of the machine's memory, RASTERBENCH_PIXEL_POOL_MB to
/// change; pixel_pool.cpp says why).
void free_pixels(void* p, std::size_t bytes) noexcept;
/// Bytes of freed pixel memory kept for reuse.
std::size_t pixel_pool_bytes() noexcept;
/// Gives the kept pixel memory back to the system (when a workbench closes its scenes).
void release_pixel_pool() noexcept;

/// Pixel and mask storage: aligned to 64 bytes, because FFTW's SIMD plans need aligned
/// arrays (plain operator new gives 16, and an FFT of a misaligned band then goes through a
/// copy) and vector loads prefer it; and default-initialized when it grows, so that a reader
/// that writes every sample does not pay a zero-fill first (Raster zero-fills where it
/// promises).
template <class T> struct PixelAllocator {
    using value_type = T;
    PixelAllocator() = default;
    template <class U> PixelAllocator(const PixelAllocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return static_cast<T*>(allocate_pixels(n * sizeof(T))); }
    void deallocate(T* p, std::size_t n) noexcept { free_pixels(p, n * sizeof(T)); }
    template <class U> void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
        ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... A> void construct(U* p, A&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<A>(args)...);
    }
    template <class U> bool operator==(const PixelAllocator<U>&) const noexcept { return true; }
};
} // namespace detail

class Raster {
public:
    Raster() = default;
    /// Zero-filled raster; throws ArgumentError for negative or absurd sizes.
    Raster(DataType dtype, int bands, int rows, int cols);
    /// The same shape checks, but the samples are unspecified: for code that writes every one
    /// of them (a read, a transform's output) and would otherwise pay a zero-fill first.
    static Raster uninitialized(DataType dtype, int bands, int rows, int cols);

    /// Gives the raster a new type and shape, keeping its storage: streaming code reuses one
    /// buffer per thread instead of page-faulting a fresh zero-filled one for every block.
    /// The samples are unspecified afterwards (old contents, or old pixels of other rasters
    /// where the storage grew) and the mask is dropped (its storage kept for the next
    /// ensure_mask()). Throws as the constructor does.
    void reset(DataType dtype, int bands, int rows, int cols) {
        const std::size_t kept = data_.size();
        reset_unset(dtype, bands, rows, cols);
        if (data_.size() > kept)
            std::memset(data_.data() + kept, 0, data_.size() - kept);
    }
    /// reset() without zero-filling where the storage grew: for code that writes every
    /// sample. Fresh pages then fault in where they are written (on the threads that write
    /// them) instead of in a fill first.
    void reset_unset(DataType dtype, int bands, int rows, int cols) {
        if (is_complex(dtype) || bands < 0 || rows < 0 || cols < 0 ||
            double(bands) * rows * cols * double(dtype_size(dtype)) >
                double(std::size_t(1) << 40)) {
            *this = Raster(dtype, bands, rows, cols); // throws the constructor's error
            return;
        }
        dtype_ = dtype;
        bands_ = bands;
        rows_ = rows;
        cols_ = cols;
        data_.resize(size() * dtype_size(dtype));
        mask_.clear();
    }

    DataType dtype() const { return dtype_; }
    int bands() const { return bands_; }
    int rows() const { return rows_; }
    int cols() const { return cols_; }
    std::size_t band_size() const { return std::size_t(rows_) * std::size_t(cols_); }
    std::size_t size() const { return band_size() * std::size_t(bands_); }
    bool empty() const { return size() == 0; }

    std::byte* bytes() { return data_.data(); }
    const std::byte* bytes() const { return data_.data(); }
    std::size_t byte_size() const { return data_.size(); }

    /// Typed access; T must match dtype() (checked; throws ArgumentError otherwise).
    template <class T> std::span<T> band(int b) {
        check_type(sizeof(T), is_float_type<T>());
        return {reinterpret_cast<T*>(data_.data()) + band_size() * std::size_t(b), band_size()};
    }
    template <class T> std::span<const T> band(int b) const {
        check_type(sizeof(T), is_float_type<T>());
        return {reinterpret_cast<const T*>(data_.data()) + band_size() * std::size_t(b),
                band_size()};
    }
    /// Any sample as double (slow path: inspection, tests).
    double value(int band, int row, int col) const;
    void set_value(int band, int row, int col, double v);

    /// Validity mask, same layout as the data; empty when every sample is valid.
    bool has_mask() const { return !mask_.empty(); }
    std::span<std::uint8_t> mask(int b);
    std::span<const std::uint8_t> mask(int b) const;
    bool valid(int band, int row, int col) const {
        return mask_.empty() ||
               mask_[band_size() * std::size_t(band) + std::size_t(row) * cols_ + col] != 0;
    }
    /// Creates an all-valid mask if there is none.
    void ensure_mask();
    /// Creates a mask if there is none, its bytes unspecified (old contents of the storage):
    /// for code that writes every one of them and would otherwise pay a fill first.
    void ensure_mask_unset() {
        if (mask_.empty())
            mask_.resize(size()); // default-initialized (PixelAllocator)
    }
    void drop_mask() { mask_.clear(); }

private:
    template <class T> static constexpr bool is_float_type() { return T(0.5) != T(0); }
    void check_type(std::size_t size, bool floating) const;

    struct Uninitialized {};
    Raster(DataType dtype, int bands, int rows, int cols, Uninitialized);

    DataType dtype_ = DataType::UInt8;
    int bands_ = 0, rows_ = 0, cols_ = 0;
    std::vector<std::byte, detail::PixelAllocator<std::byte>> data_;
    std::vector<std::uint8_t, detail::PixelAllocator<std::uint8_t>> mask_;
};

/// Band `b` (0-based) of `r` as a one-band raster (data and mask copied).
Raster select_band(const Raster& r, int b);

/// Calls f(value) for each valid, non-NaN sample of band `b` (0-based), with the value in
/// the raster's own C++ type: the type is chosen once per call, not per pixel.
template <class F> void for_each_valid(const Raster& r, int b, F&& f) {
    const auto mask = r.mask(b);
    visit_dtype(r.dtype(), [&](auto x) {
        using T = decltype(x);
        const auto data = r.template band<T>(b);
        for (std::size_t i = 0; i < data.size(); ++i) {
            if (!mask.empty() && mask[i] == kInvalid)
                continue;
            if constexpr (std::is_floating_point_v<T>)
                if (std::isnan(data[i]))
                    continue;
            f(data[i]);
        }
    });
}

} // namespace rb
