#include "rasterbench/stretch_stats.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "rasterbench/error.h"
#include "rasterbench/stats.h"

namespace rb {

namespace {

constexpr int kBins = 65536;

bool is_small_integer(DataType t) {
    return t == DataType::UInt8 || t == DataType::Int8 || t == DataType::UInt16 ||
           t == DataType::Int16;
}

std::uint64_t rank_of(double percent, std::uint64_t n) {
    const double p = std::clamp(percent, 0.0, 100.0) / 100.0;
    return std::uint64_t(std::llround(p * double(n - 1)));
}

// One pass over the data: the raster's bands in strips. `visit(strip)` gets each strip.
using StripSource = std::function<void(const std::function<void(const Raster&)>&, Progress&)>;

struct BandState {
    BandDistribution d;
    StatsAccumulator acc;
    // Percentile targets of pass 3: bin and rank within the bin.
    struct Target {
        double percent;
        int bin;
        std::uint64_t rank_in_bin;
    };
    std::vector<Target> targets;
    std::map<int, std::vector<double>> collected;

    int bin_of(double v) const {
        return std::clamp(int((v - d.lo) / d.width), 0, int(d.counts.size()) - 1);
    }
};

// Integer types up to 16 bits: the full-resolution histogram gives everything exactly.
void finish_small_integer(BandState& s, const std::vector<std::uint64_t>& hist, int offset) {
    std::uint64_t n = 0;
    int first = -1, last = -1;
    long double sum = 0;
    for (int i = 0; i < int(hist.size()); ++i)
        if (hist[std::size_t(i)]) {
            if (first < 0)
                first = i;
            last = i;
            n += hist[std::size_t(i)];
            sum += (long double)(i - offset) * (long double)hist[std::size_t(i)];
        }
    BandDistribution& d = s.d;
    if (n == 0) {
        d.stats = StatsAccumulator{}.result();
        return;
    }
    const long double mean = sum / (long double)n;
    long double m2 = 0;
    for (int i = first; i <= last; ++i)
        if (hist[std::size_t(i)]) {
            const long double dv = (long double)(i - offset) - mean;
            m2 += dv * dv * (long double)hist[std::size_t(i)];
        }
    d.stats.valid_count = n;
    d.stats.min = first - offset;
    d.stats.max = last - offset;
    d.stats.mean = double(mean);
    d.stats.stddev = double(std::sqrt(m2 / (long double)n));
    d.exact_bins = true;
    d.lo = first - offset - 0.5;
    d.width = 1;
    d.counts.assign(hist.begin() + first, hist.begin() + last + 1);
}

std::vector<BandDistribution> run(DataType dtype, int nbands, const StripSource& source,
                                  const std::vector<double>& percents, Progress progress) {
    std::vector<BandState> states(static_cast<std::size_t>(nbands));
    if (is_small_integer(dtype)) {
        const int size = dtype == DataType::UInt8 || dtype == DataType::Int8 ? 256 : kBins;
        const int offset = dtype == DataType::Int8 ? 128 : dtype == DataType::Int16 ? 32768 : 0;
        std::vector<std::vector<std::uint64_t>> hists(std::size_t(nbands),
                                                      std::vector<std::uint64_t>(size, 0));
        Progress p = progress.sub(0, 1);
        source(
            [&](const Raster& strip) {
                for (int b = 0; b < nbands; ++b) {
                    auto& h = hists[std::size_t(b)];
                    for_each_valid(strip, b, [&](auto v) { ++h[std::size_t(int(v) + offset)]; });
                }
            },
            p);
        for (int b = 0; b < nbands; ++b)
            finish_small_integer(states[std::size_t(b)], hists[std::size_t(b)], offset);
        std::vector<BandDistribution> out;
        for (auto& s : states)
            out.push_back(std::move(s.d));
        return out;
    }

    // Pass 1: exact statistics (and the range the histogram spans).
    Progress p1 = progress.sub(0, 1.0 / 3);
    source(
        [&](const Raster& strip) {
            for (int b = 0; b < nbands; ++b)
                accumulate(strip, b, states[std::size_t(b)].acc);
        },
        p1);
    bool any = false;
    for (auto& s : states) {
        s.d.stats = s.acc.result();
        if (s.d.stats.valid_count == 0)
            continue;
        any = true;
        const double lo = s.d.stats.min, hi = s.d.stats.max;
        if (!is_floating(dtype) && hi - lo + 1 <= kBins) {
            s.d.exact_bins = true;
            s.d.lo = lo - 0.5;
            s.d.width = 1;
            s.d.counts.assign(std::size_t(hi - lo + 1), 0);
        } else {
            s.d.lo = lo;
            s.d.width = hi > lo ? (hi - lo) / kBins : 1.0;
            s.d.counts.assign(hi > lo ? kBins : 1, 0);
        }
    }
    if (!any) {
        std::vector<BandDistribution> out;
        for (auto& s : states)
            out.push_back(std::move(s.d));
        return out;
    }

    // Pass 2: the histogram.
    Progress p2 = progress.sub(1.0 / 3, 2.0 / 3);
    source(
        [&](const Raster& strip) {
            for (int b = 0; b < nbands; ++b) {
                BandState& s = states[std::size_t(b)];
                if (s.d.counts.empty())
                    continue;
                for_each_valid(strip, b,
                               [&](auto v) { ++s.d.counts[std::size_t(s.bin_of(double(v)))]; });
            }
        },
        p2);

    // Pass 3 (only when a histogram bin spans several values): the samples of the bins that
    // hold the requested ranks, selected exactly.
    bool third = false;
    for (auto& s : states) {
        if (s.d.exact_bins || s.d.counts.empty())
            continue;
        const std::uint64_t n = s.d.stats.valid_count;
        for (double percent : percents) {
            const std::uint64_t k = rank_of(percent, n);
            std::uint64_t before = 0;
            int bin = 0;
            for (; bin < int(s.d.counts.size()); ++bin) {
                if (before + s.d.counts[std::size_t(bin)] > k)
                    break;
                before += s.d.counts[std::size_t(bin)];
            }
            s.targets.push_back({percent, bin, k - before});
            s.collected[bin];
            third = true;
        }
    }
    if (third) {
        Progress p3 = progress.sub(2.0 / 3, 1);
        source(
            [&](const Raster& strip) {
                for (int b = 0; b < nbands; ++b) {
                    BandState& s = states[std::size_t(b)];
                    if (s.targets.empty())
                        continue;
                    for_each_valid(strip, b, [&](auto v) {
                        const auto it = s.collected.find(s.bin_of(double(v)));
                        if (it != s.collected.end())
                            it->second.push_back(double(v));
                    });
                }
            },
            p3);
        for (auto& s : states)
            for (const auto& t : s.targets) {
                auto& values = s.collected[t.bin];
                std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(t.rank_in_bin),
                                 values.end());
                s.d.selected.emplace_back(t.percent, values[std::size_t(t.rank_in_bin)]);
            }
    }
    std::vector<BandDistribution> out;
    for (auto& s : states)
        out.push_back(std::move(s.d));
    return out;
}

} // namespace

std::optional<double> BandDistribution::percentile(double percent) const {
    const std::uint64_t n = stats.valid_count;
    if (n == 0)
        return std::nullopt;
    if (percent <= 0)
        return stats.min;
    if (percent >= 100)
        return stats.max;
    if (exact_bins) {
        const std::uint64_t k = rank_of(percent, n);
        std::uint64_t before = 0;
        for (std::size_t i = 0; i < counts.size(); ++i) {
            before += counts[i];
            if (before > k)
                return lo + 0.5 + double(i);
        }
        return stats.max;
    }
    for (const auto& [p, v] : selected)
        if (std::abs(p - percent) < 1e-9)
            return v;
    return std::nullopt;
}

BandDistribution BandDistribution::coarsened(int max_bins) const {
    BandDistribution c = *this;
    if (max_bins <= 0 || int(counts.size()) <= max_bins)
        return c;
    const auto group = (counts.size() + std::size_t(max_bins) - 1) / std::size_t(max_bins);
    c.counts.assign((counts.size() + group - 1) / group, 0);
    for (std::size_t i = 0; i < counts.size(); ++i)
        c.counts[i / group] += counts[i];
    c.width = width * double(group);
    c.exact_bins = exact_bins && group == 1;
    return c;
}

std::vector<BandDistribution> band_distributions(const Dataset& ds, const std::vector<int>& bands,
                                                 const DistributionOptions& options,
                                                 Progress progress) {
    const Profile& p = ds.profile();
    Window w = options.window.value_or(Window::full(p.width, p.height));
    w = w.clamped(p.width, p.height);
    if (w.empty())
        throw WindowError("statistics window " + w.to_string() + " is outside " + ds.path());
    const std::size_t nb = bands.empty() ? std::size_t(p.count) : bands.size();
    std::int64_t rows = std::max<std::int64_t>(
        1, std::int64_t(options.strip_samples / (nb * std::size_t(w.width))));
    // Whole block rows, so each compressed block is decoded once.
    if (p.block_height > 1)
        rows = std::max<std::int64_t>(p.block_height, rows / p.block_height * p.block_height);
    const StripSource source = [&](const std::function<void(const Raster&)>& visit,
                                   Progress& pass) {
        // The first strip ends on a block boundary so later strips start on one.
        std::int64_t r = w.row_off;
        while (r < w.row_end()) {
            std::int64_t end = std::min(w.row_end(), r + rows);
            if (p.block_height > 1 && end < w.row_end())
                end = std::max(r + 1, end / p.block_height * p.block_height);
            ReadOptions read;
            read.bands = bands;
            read.window = Window{w.col_off, r, w.width, end - r};
            visit(ds.read(read));
            r = end;
            pass.report(double(r - w.row_off) / double(w.height));
        }
    };
    return run(p.dtype, int(nb), source, options.percents, progress);
}

std::vector<BandDistribution> band_distributions(const Raster& r,
                                                 const std::vector<double>& percents) {
    const StripSource source = [&](const std::function<void(const Raster&)>& visit, Progress&) {
        visit(r);
    };
    return run(r.dtype(), r.bands(), source, percents, Progress{});
}

std::optional<std::vector<StretchRange>>
stretch_from_distributions(const std::vector<BandDistribution>& ds, const StretchOptions& o) {
    std::vector<StretchRange> out;
    for (std::size_t b = 0; b < ds.size(); ++b) {
        const BandDistribution& d = ds[b];
        StretchRange s{0, 1};
        if (o.mode == StretchMode::Manual) {
            if (b < o.manual.size())
                s = o.manual[b];
        } else if (d.stats.valid_count > 0) {
            switch (o.mode) {
            case StretchMode::MinMax:
                s = {d.stats.min, d.stats.max};
                break;
            case StretchMode::StdDev:
                s = {d.stats.mean - o.stddev_k * d.stats.stddev,
                     d.stats.mean + o.stddev_k * d.stats.stddev};
                break;
            case StretchMode::PercentClip: {
                const auto lo = d.percentile(o.low_percent), hi = d.percentile(o.high_percent);
                if (!lo || !hi)
                    return std::nullopt;
                s = {*lo, *hi};
                break;
            }
            case StretchMode::Manual:
                break;
            }
        }
        out.push_back(s);
    }
    return out;
}

} // namespace rb
