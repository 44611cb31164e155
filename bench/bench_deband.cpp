// Deband benchmark (built, not run by CI). Run: build/bench/bench_deband [SIZE] [REPEATS]
//
// 1. Full deband of a SIZE x SIZE (default 8000) Float32 band against raw FFTW forward +
//    inverse of the same size with the same planner flags and threads, in the same run.
//    Target: ratio <= 1.3, for rb::fft::deband_in_place (what the CLI runs: checks, forward,
//    notches, inverse, normalization). Also printed: rb::fft::deband (which allocates and
//    copies a new output raster) and the same band with a nodata collar and SLC-off gaps
//    (adds the fill and the restore of invalid pixels).
// 2. Notch-edit-to-preview latency on a 2048 x 2048 area: DebandSession::apply after moving
//    one notch (copy of the cached spectrum, mask, inverse, nodata restore). Target <= 16 ms.
// Minimum and median of REPEATS (default 5) interleaved runs: on a shared machine the minimum
// is the cost of the work itself, the median adds other processes' interference. Data are
// generated in memory.
#include <fftw3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numbers>
#include <thread>
#include <vector>

#include "rasterbench/deband.h"
#include "rasterbench/fft.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

/// Texture (a few octaves of hashed value noise) plus oblique SLC-off-like bands.
rb::Raster make_scene(int n, bool gaps) {
    rb::Raster r(rb::DataType::Float32, 1, n, n);
    auto px = r.band<float>(0);
    const double a = 8 * std::numbers::pi / 180;
    auto hash = [](std::uint32_t x) {
        x ^= x >> 16;
        x *= 0x7feb352dU;
        x ^= x >> 15;
        x *= 0x846ca68bU;
        x ^= x >> 16;
        return float(x & 0xffff) / 65535.0f;
    };
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            const float noise = hash(std::uint32_t(i) * 9781u + std::uint32_t(j) * 6271u) * 20 +
                                hash(std::uint32_t(i / 8) * 3301u + std::uint32_t(j / 8)) * 60;
            const double s = j * std::sin(a) + i * std::cos(a);
            const bool band = std::fmod(s, 33.0) < 6.0;
            px[std::size_t(i) * n + j] = 500 + noise + (band ? 15.0f : 0.0f);
        }
    if (gaps) {
        auto m = r.mask(0);
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j) {
                const double s = j * std::sin(a) + i * std::cos(a);
                const bool collar = j < n / 20 + i / 10 || j > n - n / 20 - (n - i) / 10;
                const bool gap = std::fmod(s + 16, 33.0) < 3.0 * std::abs(j - n / 2.0) / n * 2;
                if (collar || gap)
                    m[std::size_t(i) * n + j] = rb::kInvalid;
            }
    }
    return r;
}

} // namespace

int main(int argc, char** argv) {
    const int n = argc > 1 ? std::atoi(argv[1]) : 8000;
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
    const int threads = int(std::max(1u, std::thread::hardware_concurrency()));
    std::printf("deband benchmark: %dx%d Float32, %d threads, FFTW %s\n", n, n, threads,
                fftwf_version);

    auto t0 = Clock::now();
    const rb::Raster scene = make_scene(n, false);
    const rb::Raster gappy = make_scene(n, true);
    std::printf("data generated in %.0f ms\n", ms_since(t0));

    rb::fft::NotchSet notches;
    const double a = 8 * std::numbers::pi / 180;
    for (int k = 1; k <= 8; ++k)
        notches.points.push_back({k * std::sin(a) / 33, k * std::cos(a) / 33, 2.0 / n,
                                  rb::fft::NotchShape::Gaussian, 2});

    // Planning (FFTW_MEASURE, wisdom cached) is a one-off per shape: done before timing.
    t0 = Clock::now();
    const rb::fft::Transform2D t(n, n);
    std::printf("planning (ours, incl. wisdom) %.0f ms\n", ms_since(t0));

    // Raw FFTW, same flags and threads, its own plans and arrays.
    fftwf_init_threads();
    fftwf_plan_with_nthreads(n * n >= 128 * 128 ? threads : 1);
    float* in = fftwf_alloc_real(std::size_t(n) * n);
    fftwf_complex* spec = fftwf_alloc_complex(std::size_t(n) * (n / 2 + 1));
    t0 = Clock::now();
    fftwf_plan fwd = fftwf_plan_dft_r2c_2d(n, n, in, spec, FFTW_MEASURE);
    fftwf_plan inv = fftwf_plan_dft_c2r_2d(n, n, spec, in, FFTW_MEASURE);
    std::printf("planning (raw FFTW, from wisdom) %.0f ms\n", ms_since(t0));
    std::memcpy(in, scene.band<float>(0).data(), sizeof(float) * std::size_t(n) * n);

    std::vector<double> raw, inplace, ours, oursGaps;
    rb::Raster work = scene;
    for (int r = 0; r < repeats; ++r) {
        t0 = Clock::now();
        fftwf_execute(fwd);
        fftwf_execute(inv);
        raw.push_back(ms_since(t0));
        std::memcpy(in, scene.band<float>(0).data(), sizeof(float) * std::size_t(n) * n);

        std::memcpy(work.band<float>(0).data(), scene.band<float>(0).data(),
                    sizeof(float) * std::size_t(n) * n);
        t0 = Clock::now();
        rb::fft::deband_in_place(work, {notches});
        inplace.push_back(ms_since(t0));

        t0 = Clock::now();
        const rb::Raster out = rb::fft::deband(scene, notches);
        ours.push_back(ms_since(t0));

        t0 = Clock::now();
        const rb::Raster out2 = rb::fft::deband(gappy, notches);
        oursGaps.push_back(ms_since(t0));
    }
    auto mn = [](const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); };
    std::printf("\n%-34s %9s %9s %12s\n", "", "min ms", "median ms", "ratio (min)");
    auto row = [&](const char* name, const std::vector<double>& v) {
        std::printf("%-34s %9.1f %9.1f %12.2f\n", name, mn(v), median(v), mn(v) / mn(raw));
    };
    row("raw FFTW forward+inverse", raw);
    row("deband_in_place (target <= 1.30)", inplace);
    row("deband, new output raster", ours);
    row("deband, collar + SLC-off gaps", oursGaps);
    fftwf_destroy_plan(fwd);
    fftwf_destroy_plan(inv);
    fftwf_free(in);
    fftwf_free(spec);

    // Notch-edit latency on a 2048 x 2048 area with gaps (the preview path).
    const int m = 2048;
    const rb::Raster area = make_scene(m, true);
    t0 = Clock::now();
    const rb::fft::DebandSession session(area, 0);
    std::printf("\npreview session %dx%d (fill + forward, once per area): %.1f ms\n", m, m,
                ms_since(t0));
    std::vector<float> preview(std::size_t(m) * m);
    rb::fft::NotchSet edit = notches;
    for (auto& p : edit.points)
        p.radius = 2.0 / m;
    session.apply(edit, preview.data()); // first touch of the scratch buffer
    std::vector<double> lat;
    const int edits = std::max(25, repeats * 8);
    for (int e = 0; e < edits; ++e) {
        edit.points[0].u += 0.25 / m; // the user drags a notch
        t0 = Clock::now();
        session.apply(edit, preview.data());
        lat.push_back(ms_since(t0));
    }
    std::sort(lat.begin(), lat.end());
    std::printf("notch edit -> preview %dx%d: min %.2f ms, median %.2f ms, p90 %.2f ms "
                "(target <= 16)\n",
                m, m, lat.front(), median(lat), lat[std::size_t(0.9 * double(lat.size() - 1))]);
    return 0;
}
