#pragma once
// The baseline of the Score panel's benchmarks: GDAL alone reading a window of every file,
// each in its own type, one file after another (open, read, close).
#include <gdal.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "bench_util.h"
#include "rasterbench/error.h"
#include "rasterbench/window.h"

namespace rbbench {

inline double gdal_read_ms(const std::vector<std::string>& files, const rb::Window& win) {
    const auto t0 = std::chrono::steady_clock::now();
    for (const auto& f : files) {
        GDALDatasetH h = GDALOpen(f.c_str(), GA_ReadOnly);
        if (!h)
            throw rb::IoError("cannot open " + f);
        const int nb = GDALGetRasterCount(h);
        const GDALDataType t = GDALGetRasterDataType(GDALGetRasterBand(h, 1));
        std::vector<std::uint8_t> buf(std::size_t(win.width * win.height) * std::size_t(nb) *
                                      std::size_t(GDALGetDataTypeSizeBytes(t)));
        const CPLErr err = GDALDatasetRasterIO(
            h, GF_Read, int(win.col_off), int(win.row_off), int(win.width), int(win.height),
            buf.data(), int(win.width), int(win.height), t, nb, nullptr, 0, 0, 0);
        GDALClose(h);
        if (err != CE_None)
            throw rb::IoError("cannot read " + f);
    }
    return ms_since(t0);
}

/// GDAL reading the window of every file already open (what a new view of open scenes
/// costs): the best of `n` runs after one that warms the page cache.
inline double gdal_read_open_best_ms(const std::vector<std::string>& files, const rb::Window& win,
                                     int n = 2) {
    std::vector<GDALDatasetH> open;
    for (const auto& f : files) {
        open.push_back(GDALOpen(f.c_str(), GA_ReadOnly));
        if (!open.back()) {
            for (GDALDatasetH h : open)
                if (h)
                    GDALClose(h);
            throw rb::IoError("cannot open " + f);
        }
    }
    double best = 1e300;
    bool ok = true;
    for (int r = 0; r <= n && ok; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        for (GDALDatasetH h : open) {
            const int nb = GDALGetRasterCount(h);
            const GDALDataType t = GDALGetRasterDataType(GDALGetRasterBand(h, 1));
            std::vector<std::uint8_t> buf(std::size_t(win.width * win.height) * std::size_t(nb) *
                                          std::size_t(GDALGetDataTypeSizeBytes(t)));
            ok = ok &&
                 GDALDatasetRasterIO(h, GF_Read, int(win.col_off), int(win.row_off), int(win.width),
                                     int(win.height), buf.data(), int(win.width), int(win.height),
                                     t, nb, nullptr, 0, 0, 0) == CE_None;
        }
        if (r > 0)
            best = std::min(best, ms_since(t0));
    }
    for (GDALDatasetH h : open)
        GDALClose(h);
    if (!ok)
        throw rb::IoError("cannot read the window of " + files.front() + "...");
    return best;
}

/// The best of `n` runs after one that warms the page cache.
inline double gdal_read_best_ms(const std::vector<std::string>& files, const rb::Window& win,
                                int n = 2) {
    gdal_read_ms(files, win);
    double best = 1e300;
    for (int i = 0; i < n; ++i)
        best = std::min(best, gdal_read_ms(files, win));
    return best;
}

} // namespace rbbench
