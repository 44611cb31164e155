// The tiles a job's reprojection task reads (warp_source_tiles): on a synthetic layout of
// 8 x 8 tiles of a UTM mosaic warped to geographic coordinates, a corner window reads only a
// few tiles (those of the warp's whole tile when the window is smaller), and for every window of
// the warp's grid every source pixel its kernel reaches (each destination pixel's centre
// transformed to the source, widened by the kernel) lies in a tile it reads; also downsampled (the
// kernel stretched), on the same CRS, and a window beyond the source.
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <set>

#include "rasterbench/job.h"
#include "rasterbench/warp.h"

using namespace rb;

namespace {

constexpr int kSide = 1200, kTile = 150; // 8 x 8 tiles

/// The warp's options: `resampling`, and tiles of the job's tile size (a window is one of
/// the warp's tiles).
ReprojectOptions warp(WarpResampling resampling, int tile = kTile) {
    ReprojectOptions o;
    o.resampling = resampling;
    o.tile_size = tile;
    return o;
}

Grid utm_grid() {
    Grid g;
    g.width = g.height = kSide;
    g.transform = Affine::translation(500000, 4500000) * Affine::scale(100, -100);
    g.crs = Crs::from_epsg(32618);
    return g;
}

std::vector<Window> lattice(const Grid& g, int tile) {
    std::vector<Window> out;
    for (std::int64_t y = 0; y < g.height; y += tile)
        for (std::int64_t x = 0; x < g.width; x += tile)
            out.push_back(Window{x, y, std::min<std::int64_t>(tile, g.width - x),
                                 std::min<std::int64_t>(tile, g.height - y)});
    return out;
}

/// Windows of `dst`'s tiles where some source pixel within `radius` source pixels of a
/// destination pixel's centre (on the source grid) is in a tile the selection leaves out.
int uncovered(const Grid& src, const std::vector<Window>& tiles, const Grid& dst, int tile,
              WarpResampling resampling, double radius) {
    const CrsTransformer to_src(dst.crs, src.crs);
    const Affine inv = src.transform.inverse();
    int bad = 0;
    for (const Window& w : lattice(dst, tile)) {
        const auto chosen = warp_source_tiles(src, tiles, dst, w, warp(resampling, tile));
        const std::set<std::size_t> in(chosen.begin(), chosen.end());
        std::vector<double> xs, ys;
        for (std::int64_t r = w.row_off; r < w.row_end(); ++r)
            for (std::int64_t c = w.col_off; c < w.col_end(); ++c) {
                const auto [x, y] = dst.transform.apply(double(c) + 0.5, double(r) + 0.5);
                xs.push_back(x);
                ys.push_back(y);
            }
        to_src.transform(xs, ys);
        bool ok = true;
        for (std::size_t k = 0; k < xs.size() && ok; ++k) {
            const auto [sc, sr] = inv.apply(xs[k], ys[k]);
            const Window reach{
                std::int64_t(std::floor(sc - radius)), std::int64_t(std::floor(sr - radius)),
                std::int64_t(std::ceil(sc + radius)) - std::int64_t(std::floor(sc - radius)),
                std::int64_t(std::ceil(sr + radius)) - std::int64_t(std::floor(sr - radius))};
            for (std::size_t i = 0; i < tiles.size(); ++i)
                if (!tiles[i].intersection(reach).empty() && !in.count(i))
                    ok = false;
        }
        bad += ok ? 0 : 1;
    }
    return bad;
}

} // namespace

class TestJobWarpSources : public QObject {
    Q_OBJECT
private slots:
    void cornerReadsFewTiles() {
        const Grid src = utm_grid();
        const auto tiles = lattice(src, kTile);
        QCOMPARE(tiles.size(), std::size_t(64));
        const Grid dst = default_grid(src, Crs::from_epsg(4326));
        QVERIFY(dst.width > 2 * kTile && dst.height > 2 * kTile);
        const auto corner = warp_source_tiles(src, tiles, dst, Window{0, 0, kTile, kTile},
                                              warp(WarpResampling::Bilinear));
        QVERIFY2(!corner.empty() && corner.size() <= 9, qPrintable(QString::number(corner.size())));
        // The top left corner of a north-up warp reads the source's top left tile.
        QCOMPARE(corner.front(), std::size_t(0));
        // Across the whole grid, no window reads more than a 3 x 3 block of tiles, and
        // together they read every tile.
        std::set<std::size_t> union_of;
        for (const Window& w : lattice(dst, kTile)) {
            const auto chosen =
                warp_source_tiles(src, tiles, dst, w, warp(WarpResampling::Bilinear));
            QVERIFY(chosen.size() <= 9);
            union_of.insert(chosen.begin(), chosen.end());
        }
        QCOMPARE(union_of.size(), tiles.size());
        // The warp computes tiles of its own (512 px here) with the source window of the
        // whole tile: a smaller window reads what its warp tile reads.
        const Window big{0, 0, 512, 512};
        QCOMPARE(warp_source_tiles(src, tiles, dst, Window{0, 0, kTile, kTile},
                                   warp(WarpResampling::Bilinear, 512)),
                 warp_source_tiles(src, tiles, dst, big, warp(WarpResampling::Bilinear, 512)));
        QVERIFY(
            warp_source_tiles(src, tiles, dst, big, warp(WarpResampling::Bilinear, 512)).size() >
            corner.size());
    }

    void everyReachedPixelIsRead() {
        const Grid src = utm_grid();
        const auto tiles = lattice(src, kTile);
        const Grid dst = default_grid(src, Crs::from_epsg(4326));
        // Bilinear reads the 2 x 2 pixels around a centre (1 px each way); cubic 4 x 4.
        QCOMPARE(uncovered(src, tiles, dst, kTile, WarpResampling::Bilinear, 1), 0);
        QCOMPARE(uncovered(src, tiles, dst, kTile, WarpResampling::Cubic, 2), 0);
        QCOMPARE(uncovered(src, tiles, dst, kTile, WarpResampling::Nearest, 0.5), 0);
        // The check can fail: a kernel wider than the selection assumes reaches further.
        QVERIFY(uncovered(src, tiles, dst, kTile, WarpResampling::Nearest, 4) > 0);
    }

    void downsamplingStretchesTheKernel() {
        const Grid src = utm_grid();
        const auto tiles = lattice(src, kTile);
        GridOptions o;
        o.res_x = 0.005; // about 4 source pixels per destination pixel
        const Grid dst = default_grid(src, Crs::from_epsg(4326), o);
        QVERIFY(dst.width < kSide / 3);
        // Bilinear downsampling: GDAL stretches the kernel over the scale (4.2 x 5.6 px here).
        QCOMPARE(uncovered(src, tiles, dst, 64, WarpResampling::Bilinear, 6), 0);
    }

    void sameCrs() {
        const Grid src = utm_grid();
        const auto tiles = lattice(src, kTile);
        // The source's own grid: tile 9's window reads itself and its neighbours within the
        // kernel and safety pixels, all 3 x 3 around it.
        const auto chosen =
            warp_source_tiles(src, tiles, src, tiles[9], warp(WarpResampling::Bilinear));
        QCOMPARE(chosen, (std::vector<std::size_t>{0, 1, 2, 8, 9, 10, 16, 17, 18}));
        // A grid shifted by a third of a tile: the window inside one source tile plus margins.
        Grid shifted = src;
        shifted.transform =
            Affine::translation(500000 + 50 * 100, 4500000 - 50 * 100) * Affine::scale(100, -100);
        QCOMPARE(warp_source_tiles(src, tiles, shifted, Window{0, 0, 50, 50},
                                   warp(WarpResampling::Nearest, 50)),
                 std::vector<std::size_t>{0});
    }

    void beyondTheSource() {
        const Grid src = utm_grid();
        const auto tiles = lattice(src, kTile);
        Grid far = src;
        far.transform = Affine::translation(900000, 4500000) * Affine::scale(100, -100);
        // Nothing in reach: the first tile alone (the warp needs a source for its bands).
        QCOMPARE(warp_source_tiles(src, tiles, far, Window{0, 0, 100, 100},
                                   warp(WarpResampling::Bilinear)),
                 std::vector<std::size_t>{0});
    }
};

QTEST_MAIN(TestJobWarpSources)
#include "tst_job_warp_sources.moc"
