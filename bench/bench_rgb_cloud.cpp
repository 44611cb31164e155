// Composites of three-band RGB stacks (no nir, no swir) against their clear truth.
//
//   build/bench/bench_rgb_cloud [--seeds N] [--seed-base S] [--gain-sd G] [--offset-sd O] [--param
//   NAME=VALUE]...
//
// Generates 8-date stacks from crops of the sample scene (resources/sample/RGB.byte.tif):
// semi-transparent clouds with soft edges over 10-55 % of each date, shadows offset from
// them, SLC-off gaps in every other date and a gain/offset per date (tests/common/
// stack_generator.h), then prints, per stack and on average, the PSNR against the clear base
// and the share of composite pixels taken from a date that is cloudy there (opacity above
// 0.03) for the cloud score (default parameters plus any --param), median-distance and the
// per-pixel median, and for the least cloudy date per pixel (the truth's opacity as the
// score: what a perfect mask reaches; some pixels are cloudy on every valid date). The goal
// for cloud: at least 30 dB and under 0.5 % of pixels from cloudy dates where a clear date
// was valid (the picks a perfect mask avoids). Exit code 1 when a stack
// misses it. RB_BENCH_DETAIL=1 adds, per stack, the shares at opacities 0.05 and 0.1, the
// squared error by what the winner is (clear, shadow, thin or thick cloud), the cloudy picks
// a perfect mask avoids, and the PSNR of the stack's background and median themselves.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "rasterbench/composite.h"
#include "rasterbench/dataset.h"
#include "stack_generator.h"

using namespace rb;

namespace {

struct Measured {
    double psnr = 0, cloudy = 0, avoidable = 0;
};

Measured measure(const rbtest::GeneratedStack& st, const Raster& base, const ScoreOptions& so,
                 const CompositeOptions& co) {
    BandLayout l;
    l.count = 3;
    l.dtype = DataType::UInt8;
    l.colorinterp = {"Red", "Green", "Blue"};
    l.label = "rgb";
    const Scorer scorer(so, l);
    const auto scores = score_stack(st.scenes, scorer);
    const CompositeResult c = composite(st.scenes, scores, co);
    std::vector<int> src(c.index.band_size(), -1);
    for (int y = 0; y < c.index.rows(); ++y)
        for (int x = 0; x < c.index.cols(); ++x)
            if (c.index.valid(0, y, x))
                src[std::size_t(y * c.index.cols() + x)] = int(c.index.value(0, y, x));
    if (std::getenv("RB_BENCH_DETAIL")) {
        // Where a clear date existed but a cloudy one won: how cloudy, how it scored.
        int hist[4] = {0, 0, 0, 0};
        int cnt = 0;
        for (std::size_t p = 0; p < src.size(); ++p) {
            if (src[p] < 0)
                continue;
            const float a = st.cloud[std::size_t(src[p])][p];
            if (a <= rbtest::kCloudyOpacity)
                continue;
            int best_clear = -1;
            for (std::size_t d = 0; d < st.scenes.size(); ++d)
                if (pixel_validity(st.scenes[d])[p] && st.cloud[d][p] <= rbtest::kCloudyOpacity)
                    best_clear = int(d);
            if (best_clear < 0)
                continue;
            hist[a < 0.1f ? 0 : a < 0.3f ? 1 : a < 0.6f ? 2 : 3]++;
            ++cnt;
        }
        // Squared error by what the winner is: clear, shadowed (>0.1), thin cloud (<0.1),
        // cloud; and avoidable or not.
        double se[5] = {0, 0, 0, 0, 0};
        int ct[5] = {0, 0, 0, 0, 0};
        for (std::size_t p = 0; p < src.size(); ++p) {
            if (src[p] < 0)
                continue;
            const std::size_t d = std::size_t(src[p]);
            const int y = int(p) / base.cols(), x = int(p) % base.cols();
            double e = 0;
            for (int b = 0; b < 3; ++b) {
                const double v = c.composite.value(b, y, x) - base.value(b, y, x);
                e += v * v / 3;
            }
            const float a = st.cloud[d][p], sh = st.shadow[d][p] * (1 - a);
            const int k = a > 0.1f ? 3 : a > rbtest::kCloudyOpacity ? 2 : sh > 0.1f ? 1 : 0;
            se[k] += e;
            ct[k]++;
        }
        const double n = double(src.size());
        std::printf("  MSE share: clear %.2f (%d px), shadow %.2f (%d), thin %.2f (%d), cloud "
                    "%.2f (%d)\n",
                    se[0] / n, ct[0], se[1] / n, ct[1], se[2] / n, ct[2], se[3] / n, ct[3]);
        std::printf("  avoidable cloudy picks by opacity: <0.1 %d, <0.3 %d, <0.6 %d, more %d\n",
                    hist[0], hist[1], hist[2], hist[3]);
    }
    if (std::getenv("RB_BENCH_DETAIL"))
        std::printf("  cloudy share at opacity 0.05: %.3f %%, 0.1: %.3f %%\n",
                    100 * rbtest::cloudy_share(st, src, 0.05f),
                    100 * rbtest::cloudy_share(st, src, 0.1f));
    return {rbtest::psnr(c.composite, base), rbtest::cloudy_share(st, src),
            rbtest::avoidable_cloudy_share(st, src)};
}

// The least cloudy date per pixel (the truth's opacity as the score): what a perfect cloud
// mask reaches, and the share of pixels cloudy on every valid date.
Measured oracle(const rbtest::GeneratedStack& st, const Raster& base) {
    std::vector<Raster> scores;
    for (std::size_t d = 0; d < st.scenes.size(); ++d) {
        Raster s(DataType::Float32, 1, base.rows(), base.cols());
        const auto valid = pixel_validity(st.scenes[d]);
        for (std::size_t p = 0; p < valid.size(); ++p) {
            s.band<float>(0)[p] = -st.cloud[d][p] - 0.5f * st.shadow[d][p];
            if (!valid[p])
                s.mask(0)[p] = kInvalid;
        }
        scores.push_back(std::move(s));
    }
    const CompositeResult c = composite(st.scenes, scores, {});
    std::vector<int> src(c.index.band_size(), -1);
    for (int y = 0; y < c.index.rows(); ++y)
        for (int x = 0; x < c.index.cols(); ++x)
            if (c.index.valid(0, y, x))
                src[std::size_t(y * c.index.cols() + x)] = int(c.index.value(0, y, x));
    if (std::getenv("RB_BENCH_DETAIL"))
        std::printf("  oracle cloudy share at opacity 0.05: %.3f %%, 0.1: %.3f %%\n",
                    100 * rbtest::cloudy_share(st, src, 0.05f),
                    100 * rbtest::cloudy_share(st, src, 0.1f));
    return {rbtest::psnr(c.composite, base), rbtest::cloudy_share(st, src)};
}

} // namespace

int main(int argc, char** argv) {
    int seeds = 4;
    unsigned seed_base = 100;
    rbtest::RgbStackOptions g;
    std::vector<std::pair<std::string, std::string>> params;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--seeds" && i + 1 < argc) {
            seeds = std::stoi(argv[++i]);
        } else if (a == "--seed-base" && i + 1 < argc) {
            seed_base = unsigned(std::stoul(argv[++i]));
        } else if (a == "--gain-sd" && i + 1 < argc) {
            g.gain_sd = std::stod(argv[++i]);
        } else if (a == "--offset-sd" && i + 1 < argc) {
            g.offset_sd = std::stod(argv[++i]);
        } else if ((a == "--param" || a == "-p") && i + 1 < argc) {
            const std::string kv = argv[++i];
            const auto eq = kv.find('=');
            if (eq == std::string::npos) {
                std::cerr << "--param expects NAME=VALUE, got '" << kv << "'\n";
                return 2;
            }
            params.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
        } else {
            std::cout << "usage: bench_rgb_cloud [--seeds N] [--seed-base S] [--gain-sd G] "
                         "[--offset-sd O] "
                         "[--param NAME=VALUE]...\n";
            return a == "--help" || a == "-h" ? 0 : 2;
        }
    }
    try {
        // 200 x 200 crops of the sample where every band is valid.
        const std::pair<int, int> crops[] = {{120, 220}, {320, 420}, {100, 250}, {340, 420}};
        ScoreOptions cloud = make_score_options("cloud");
        for (const auto& [k, v] : params)
            set_score_param(cloud, k, v);
        CompositeOptions median;
        median.method = "percentile";
        median.percentile = 50;
        std::printf("%-22s %10s %9s %10s %9s %10s %9s %10s %9s\n", "stack", "cloud dB", "cloudy %",
                    "mdist dB", "cloudy %", "median dB", "cloudy %", "oracle dB", "cloudy %");
        Measured sum_c, sum_d, sum_m;
        bool ok = true;
        for (int s = 0; s < seeds; ++s) {
            const auto [col, row] = crops[std::size_t(s) % std::size(crops)];
            ReadOptions ro;
            ro.window = Window{col, row, 200, 200};
            const Raster base = Dataset::open(RB_SAMPLE).read(ro);
            const auto bv = pixel_validity(base);
            if (std::count(bv.begin(), bv.end(), kInvalid) != 0)
                throw std::runtime_error("the sample's crop has nodata");
            g.seed = seed_base + unsigned(s);
            const auto st = rbtest::generate_rgb_stack(base, g);
            const Measured c = measure(st, base, cloud, {});
            const Measured d = measure(st, base, make_score_options("median-distance"), {});
            const Measured m = measure(st, base, make_score_options("darkness"), median);
            const Measured o = oracle(st, base);
            if (std::getenv("RB_BENCH_DETAIL")) {
                StackStatsNeeds nd;
                nd.background = nd.median = true;
                nd.background_tolerance = 2.55;
                const StackStats ss = stack_statistics(st.scenes, nd);
                Raster bgr(DataType::Float32, 3, base.rows(), base.cols());
                Raster mdr(DataType::Float32, 3, base.rows(), base.cols());
                for (int b = 0; b < 3; ++b) {
                    const auto pl = ss.plane(ss.background, b);
                    std::copy(pl.begin(), pl.end(), bgr.band<float>(b).begin());
                    const auto pm = ss.plane(ss.median, b);
                    std::copy(pm.begin(), pm.end(), mdr.band<float>(b).begin());
                }
                auto est = [&](auto f) {
                    Raster r(DataType::Float32, 3, base.rows(), base.cols());
                    std::vector<double> v;
                    for (int b = 0; b < 3; ++b)
                        for (std::size_t p = 0; p < base.band_size(); ++p) {
                            v.clear();
                            for (const auto& sc : st.scenes)
                                if (sc.mask(b).empty() || sc.mask(b)[p])
                                    v.push_back(sc.band<std::uint8_t>(b)[p]);
                            std::sort(v.begin(), v.end());
                            r.band<float>(b)[p] = v.empty() ? 0.0f : float(f(v));
                        }
                    return rbtest::psnr(r, base);
                };
                std::printf(
                    "  min %.2f  2nd %.2f  p25 %.2f  p33 %.2f\n", est([](auto& v) { return v[0]; }),
                    est([](auto& v) { return v[std::min<std::size_t>(1, v.size() - 1)]; }),
                    est([](auto& v) { return v[std::size_t(0.25 * double(v.size() - 1) + 0.5)]; }),
                    est([](auto& v) { return v[std::size_t(0.33 * double(v.size() - 1) + 0.5)]; }));
                for (double tol : {1.0, 2.55, 5.0})
                    for (double rel : {0.03, 0.06, 0.1})
                        std::printf("  pair tol %.2f rel %.2f: %.2f\n", tol, rel, est([&](auto& v) {
                                        const std::size_t k = v.size();
                                        for (std::size_t j = 0; j + 1 < k; ++j) {
                                            const double lim = v[j] + tol + rel * v[j];
                                            std::size_t m = j + 1;
                                            while (m < k && v[m] <= lim)
                                                ++m;
                                            if (m - j >= 2) {
                                                const std::size_t h = m - j;
                                                return h % 2 ? v[j + h / 2]
                                                             : 0.5 * (v[j + h / 2 - 1] +
                                                                      v[j + h / 2]);
                                            }
                                        }
                                        return v[0];
                                    }));
                std::printf("  background PSNR %.2f dB, median %.2f dB\n", rbtest::psnr(bgr, base),
                            rbtest::psnr(mdr, base));
            }
            char name[64];
            std::snprintf(name, sizeof name, "crop %d,%d seed %u", col, row, g.seed);
            std::printf("%-22s %10.2f %9.3f %10.2f %9.3f %10.2f %9.3f %10.2f %9.3f\n", name, c.psnr,
                        100 * c.cloudy, d.psnr, 100 * d.cloudy, m.psnr, 100 * m.cloudy, o.psnr,
                        100 * o.cloudy);
            std::printf("%-22s cloud: %.3f %% from cloudy dates where a clear one was valid\n", "",
                        100 * c.avoidable);
            ok &= c.psnr >= 30 && c.avoidable < 0.005;
            for (auto [acc, x] :
                 {std::pair{&sum_c, c}, std::pair{&sum_d, d}, std::pair{&sum_m, m}}) {
                acc->psnr += x.psnr / seeds;
                acc->cloudy += x.cloudy / seeds;
            }
        }
        std::printf("%-22s %10.2f %9.3f %10.2f %9.3f %10.2f %9.3f\n", "mean", sum_c.psnr,
                    100 * sum_c.cloudy, sum_d.psnr, 100 * sum_d.cloudy, sum_m.psnr,
                    100 * sum_m.cloudy);
        std::printf(
            "goal (cloud >= 30 dB, < 0.5 %% from cloudy dates where a clear one was valid): %s\n",
            ok ? "met" : "MISSED");
        return ok ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "bench_rgb_cloud: " << e.what() << "\n";
        return 2;
    }
}
