// Pixel memory: where every Raster's samples and masks come from (detail::allocate_pixels).
//
// Large buffers are kept for reuse when they are freed instead of going back to the system.
// Why: a buffer of a few MiB is mapped fresh by the C library for each allocation and every
// one of its pages faults on first touch. On a virtual machine a fault costs microseconds,
// and the workbench frees and allocates such buffers on every parameter change (a view's
// scores, its composite, its planes). Measured on the 2-core development VM, compositing 12
// scenes of 1200 x 1200 pixels (composite() into fresh results, darkness scores): 96-98 ms
// with fresh memory, 18-19 ms when the same composite reuses its storage; the difference was
// page faults. With this pool the fresh-result composite takes the reuse time.
//
// The pool holds at most 512 MiB or a sixteenth of the machine's memory, whichever is less
// (RASTERBENCH_PIXEL_POOL_MB sets another capacity, 0 turning the pool off),
// and gives the oldest buffers back when a newer one would not fit. Sizes from 1 MiB up are
// rounded up to one of eight steps per power of two, so a freed buffer serves any request of
// its step (at most 12.5 % larger than asked); smaller buffers go to the C library as
// before, which reuses them without faults.
#include <algorithm>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <new>

#include <unistd.h>

#include "pixel_pool.h"
#include "rasterbench/raster.h"

namespace rb::detail {

namespace {

constexpr std::align_val_t kPixelAlignment{64};
constexpr std::size_t kMinPooled = std::size_t(1) << 20;
constexpr std::size_t kDefaultCapacity = std::size_t(512) << 20;

// Transparent huge pages (2 MiB-aligned buffers of 4 MiB or more, with madvise) were tried
// before the pool and left out. In the workbench (bench_ui_widgets score, 12 scenes of
// 1200 x 1200 px, five alternating runs each) the first read of a view went from 580-670 to
// 370-490 ms, but the first parameter changes after opening the stack went from 63-85 to
// 107-232 ms to the full viewport, and later changes were unchanged.

/// `bytes` rounded up to its step: an eighth of the largest power of two not above it.
std::size_t pooled_size(std::size_t bytes) {
    std::size_t top = kMinPooled;
    while (top <= bytes / 2)
        top *= 2;
    const std::size_t step = top / 8;
    return (bytes + step - 1) / step * step;
}

/// kDefaultCapacity, but at most a sixteenth of the machine's memory; none under
/// AddressSanitizer, which can only catch a use after free in memory really freed.
std::size_t default_capacity() {
#if defined(__SANITIZE_ADDRESS__)
    return 0;
#else
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0)
        return kDefaultCapacity;
    return std::min(kDefaultCapacity, std::size_t(pages) / 16 * std::size_t(page));
#endif
}

std::size_t capacity_from_environment() {
    const char* env = std::getenv("RASTERBENCH_PIXEL_POOL_MB");
    if (!env || !*env)
        return default_capacity();
    char* end = nullptr;
    const unsigned long long mb = std::strtoull(env, &end, 10);
    if (end == env || *end != '\0')
        return default_capacity(); // not a number: the default, rather than no pool at all
    return std::size_t(std::min<unsigned long long>(mb, 1ull << 20)) << 20;
}

struct Pool {
    std::mutex mutex;
    struct Buffer {
        std::size_t bytes;
        void* p;
    };
    std::deque<Buffer> free; ///< oldest first
    std::size_t held = 0;
    std::size_t capacity = capacity_from_environment();
};

/// Never destroyed: rasters held by static objects are freed after every destructor of this
/// file would have run. What it holds at exit is the process's to give back.
Pool& pool() {
    static Pool* p = new Pool;
    return *p;
}

} // namespace

void* allocate_pixels(std::size_t bytes) {
    if (bytes < kMinPooled)
        return ::operator new(bytes, kPixelAlignment);
    const std::size_t size = pooled_size(bytes);
    Pool& pl = pool();
    {
        const std::lock_guard<std::mutex> lock(pl.mutex);
        // The newest buffer of the size: the likeliest still to be in the caches.
        for (auto it = pl.free.rbegin(); it != pl.free.rend(); ++it)
            if (it->bytes == size) {
                void* p = it->p;
                pl.held -= size;
                pl.free.erase(std::next(it).base());
                return p;
            }
    }
    return ::operator new(size, kPixelAlignment);
}

void free_pixels(void* p, std::size_t bytes) noexcept {
    if (!p)
        return;
    if (bytes < kMinPooled) {
        ::operator delete(p, kPixelAlignment);
        return;
    }
    const std::size_t size = pooled_size(bytes);
    Pool& pl = pool();
    const std::lock_guard<std::mutex> lock(pl.mutex);
    if (size > pl.capacity) {
        ::operator delete(p, kPixelAlignment);
        return;
    }
    while (pl.held + size > pl.capacity && !pl.free.empty()) {
        ::operator delete(pl.free.front().p, kPixelAlignment);
        pl.held -= pl.free.front().bytes;
        pl.free.pop_front();
    }
    try {
        pl.free.push_back({size, p});
        pl.held += size;
    } catch (...) { // no memory for the bookkeeping: give the buffer back instead
        ::operator delete(p, kPixelAlignment);
    }
}

std::size_t pixel_pool_bytes() noexcept {
    Pool& pl = pool();
    const std::lock_guard<std::mutex> lock(pl.mutex);
    return pl.held;
}

std::size_t set_pixel_pool_capacity(std::size_t bytes) noexcept {
    Pool& pl = pool();
    const std::lock_guard<std::mutex> lock(pl.mutex);
    const std::size_t previous = pl.capacity;
    pl.capacity = bytes;
    while (pl.held > pl.capacity && !pl.free.empty()) {
        ::operator delete(pl.free.front().p, kPixelAlignment);
        pl.held -= pl.free.front().bytes;
        pl.free.pop_front();
    }
    return previous;
}

void release_pixel_pool() noexcept {
    Pool& pl = pool();
    const std::lock_guard<std::mutex> lock(pl.mutex);
    for (const auto& b : pl.free)
        ::operator delete(b.p, kPixelAlignment);
    pl.free.clear();
    pl.held = 0;
}

} // namespace rb::detail
