// The pixel pool behind every Raster (engine/src/raster/pixel_pool.cpp): freed buffers of
// 1 MiB and more are reused instead of mapped fresh, within a capacity, and reuse never
// leaks old pixels into a raster that promises zeros or into a new mask.
#include <QtTest>

#include <algorithm>
#include <cstdint>

#include "pixel_pool.h"
#include "rasterbench/raster.h"

using namespace rb;

namespace {

constexpr std::size_t kMiB = std::size_t(1) << 20;

/// A 1-band UInt8 raster of `mib` MiB with every sample set to `v`.
Raster filled(int mib, std::uint8_t v) {
    Raster r = Raster::uninitialized(DataType::UInt8, 1, mib * 1024, 1024);
    std::fill(r.band<std::uint8_t>(0).begin(), r.band<std::uint8_t>(0).end(), v);
    return r;
}

} // namespace

class PixelPoolTest : public QObject {
    Q_OBJECT
private slots:
    // A capacity of its own: the default depends on the machine's memory (and is none
    // under AddressSanitizer).
    void initTestCase() { capacity_ = detail::set_pixel_pool_capacity(64 * kMiB); }
    void cleanupTestCase() { detail::set_pixel_pool_capacity(capacity_); }
    void init() { detail::release_pixel_pool(); }

    void freedBuffersAreReused() {
        const void* first = nullptr;
        {
            const Raster r = filled(3, 7);
            first = r.band<std::uint8_t>(0).data();
        }
        QVERIFY(detail::pixel_pool_bytes() >= 3 * kMiB);
        const Raster again = Raster::uninitialized(DataType::UInt8, 1, 3 * 1024, 1024);
        QCOMPARE(static_cast<const void*>(again.band<std::uint8_t>(0).data()), first);
        QCOMPARE(detail::pixel_pool_bytes(), std::size_t(0));
        // A request a little smaller falls in the same step (an eighth of 2 MiB) and is
        // served by a freed buffer too; a small one is not pooled at all.
        { const Raster r = filled(3, 1); }
        const Raster smaller = Raster::uninitialized(DataType::UInt8, 1, 3 * 1024 - 100, 1024);
        QCOMPARE(detail::pixel_pool_bytes(), std::size_t(0));
        { const Raster small(DataType::UInt8, 1, 512, 1024); }
        QCOMPARE(detail::pixel_pool_bytes(), std::size_t(0));
    }

    void reuseKeepsPromisedContents() {
        { const Raster r = filled(2, 0x5a); }
        QVERIFY(detail::pixel_pool_bytes() > 0);
        // The zero-filling constructor still gives zeros on reused memory.
        Raster z(DataType::UInt8, 1, 2 * 1024, 1024);
        QCOMPARE(detail::pixel_pool_bytes(), std::size_t(0));
        const auto b = z.band<std::uint8_t>(0);
        QVERIFY(std::all_of(b.begin(), b.end(), [](std::uint8_t v) { return v == 0; }));
        // A new mask is all valid, whatever the reused buffer held.
        { const Raster r = filled(2, kInvalid); }
        z.ensure_mask();
        const auto m = std::as_const(z).mask(0);
        QVERIFY(std::all_of(m.begin(), m.end(), [](std::uint8_t v) { return v == kValid; }));
    }

    void capacityBoundsWhatIsKept() {
        const std::size_t before = detail::set_pixel_pool_capacity(5 * kMiB);
        { const Raster a = filled(2, 1), b = filled(2, 2), c = filled(2, 3); }
        // Three 2 MiB buffers freed, room for two: the oldest went back to the system.
        QCOMPARE(detail::pixel_pool_bytes(), 4 * kMiB);
        { const Raster big = filled(8, 4); } // larger than the whole capacity: not kept
        QCOMPARE(detail::pixel_pool_bytes(), 4 * kMiB);
        detail::set_pixel_pool_capacity(2 * kMiB); // shrinking gives back the excess
        QCOMPARE(detail::pixel_pool_bytes(), 2 * kMiB);
        detail::release_pixel_pool();
        QCOMPARE(detail::pixel_pool_bytes(), std::size_t(0));
        detail::set_pixel_pool_capacity(before);
    }

private:
    std::size_t capacity_ = 0;
};

QTEST_APPLESS_MAIN(PixelPoolTest)
#include "tst_pixel_pool.moc"
