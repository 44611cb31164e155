#include "rasterbench/display.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <string>

#include "rasterbench/error.h"

namespace rb {

std::vector<int> DisplaySettings::default_bands(int count) {
    if (count >= 3)
        return {1, 2, 3};
    if (count >= 1)
        return {1};
    return {};
}

namespace {

// Comma-separated numbers; nullopt when any is not a number.
std::optional<std::vector<double>> numbers(std::string_view text) {
    std::vector<double> out;
    std::string item;
    const std::string all(text);
    std::size_t start = 0;
    while (start <= all.size()) {
        const std::size_t comma = std::min(all.find(',', start), all.size());
        item = all.substr(start, comma - start);
        try {
            std::size_t used = 0;
            out.push_back(std::stod(item, &used));
            if (used != item.size())
                return std::nullopt;
        } catch (const std::exception&) {
            return std::nullopt;
        }
        start = comma + 1;
    }
    return out;
}

} // namespace

std::optional<StretchOptions> parse_stretch(std::string_view text) {
    StretchOptions o;
    const auto colon = text.find(':');
    const std::string_view kind = text.substr(0, colon);
    const std::string_view args = colon == std::string_view::npos ? "" : text.substr(colon + 1);
    if (kind == "minmax" && args.empty()) {
        o.mode = StretchMode::MinMax;
    } else if (kind == "pct") {
        o.mode = StretchMode::PercentClip;
        if (!args.empty()) {
            const auto n = numbers(args);
            if (!n || n->size() != 2 || (*n)[0] < 0 || (*n)[1] > 100 || (*n)[0] >= (*n)[1])
                return std::nullopt;
            o.low_percent = (*n)[0];
            o.high_percent = (*n)[1];
        }
    } else if (kind == "std") {
        o.mode = StretchMode::StdDev;
        if (!args.empty()) {
            const auto n = numbers(args);
            if (!n || n->size() != 1 || !((*n)[0] > 0))
                return std::nullopt;
            o.stddev_k = (*n)[0];
        }
    } else if (kind == "manual" && !args.empty()) {
        o.mode = StretchMode::Manual;
        std::size_t start = 0;
        const std::string all(args);
        while (start <= all.size()) {
            const std::size_t slash = std::min(all.find('/', start), all.size());
            const auto n = numbers(std::string_view(all).substr(start, slash - start));
            if (!n || n->size() != 2)
                return std::nullopt;
            o.manual.push_back({(*n)[0], (*n)[1]});
            start = slash + 1;
        }
        if (o.manual.size() != 1 && o.manual.size() != 3)
            return std::nullopt;
    } else {
        return std::nullopt;
    }
    return o;
}

std::optional<std::vector<int>> parse_band_list(std::string_view text) {
    const auto n = numbers(text);
    if (!n || (n->size() != 1 && n->size() != 3))
        return std::nullopt;
    std::vector<int> bands;
    for (double v : *n) {
        if (v < 1 || v != std::floor(v) || v > 65535)
            return std::nullopt;
        bands.push_back(int(v));
    }
    return bands;
}

namespace {

int index_of(const std::vector<int>& source_bands, int band) {
    const auto it = std::find(source_bands.begin(), source_bands.end(), band);
    if (it == source_bands.end())
        throw ArgumentError("render: band " + std::to_string(band) + " was not read");
    return int(it - source_bands.begin());
}

Rgba8Image render_single(const Raster& r, int b, const DisplaySettings& s) {
    Rgba8Image img;
    img.width = r.cols();
    img.height = r.rows();
    img.pixels.assign(r.band_size(), 0u);
    const auto mask = r.mask(b);
    const bool categorical = s.colormap == Colormap::Categorical;
    const auto& table = colormap_table(s.colormap);
    // Gamma folded into the 256-step lookup, as render_rgba does.
    std::uint8_t gamma_lut[256];
    const double g = s.gamma > 0 ? s.gamma : 1.0;
    for (int i = 0; i < 256; ++i)
        gamma_lut[i] = std::uint8_t(std::lround(255.0 * std::pow(i / 255.0, 1.0 / g)));
    const StretchRange range = s.stretch.empty() ? StretchRange{0, 1} : s.stretch.front();
    const double span = range.hi - range.lo;
    const double scale = span != 0 ? 255.0 / span : 0.0;
    visit_dtype(r.dtype(), [&](auto x) {
        using T = decltype(x);
        const auto data = r.band<T>(b);
        for (std::size_t i = 0; i < data.size(); ++i) {
            const double v = double(data[i]);
            if ((!mask.empty() && mask[i] == kInvalid) || std::isnan(v))
                continue;
            if (categorical) {
                img.pixels[i] = categorical_color(std::llround(v));
                continue;
            }
            const double t = span != 0 ? (v - range.lo) * scale : (v >= range.hi ? 255.0 : 0.0);
            img.pixels[i] = table[gamma_lut[int(std::clamp(t, 0.0, 255.0) + 0.5)]];
        }
    });
    return img;
}

} // namespace

Rgba8Image render_display(const Raster& r, const std::vector<int>& source_bands,
                          const DisplaySettings& s) {
    if (s.bands.size() != 1 && s.bands.size() != 3)
        throw ArgumentError("render needs 1 or 3 displayed bands, got " +
                            std::to_string(s.bands.size()));
    if (int(source_bands.size()) != r.bands())
        throw ArgumentError("render: " + std::to_string(source_bands.size()) +
                            " source bands named for a raster of " + std::to_string(r.bands()));
    if (!s.rgb())
        return render_single(r, index_of(source_bands, s.bands.front()), s);
    RenderOptions options;
    options.gamma = s.gamma;
    std::vector<StretchRange> stretch(std::size_t(r.bands()), StretchRange{0, 1});
    for (std::size_t k = 0; k < 3; ++k) {
        const int i = index_of(source_bands, s.bands[k]);
        options.rgb_bands.push_back(i);
        if (k < s.stretch.size())
            stretch[std::size_t(i)] = s.stretch[k];
    }
    // A band shown in two channels with different stretches cannot share one slot: render
    // through a raster holding the three channels separately.
    const bool repeated = options.rgb_bands[0] == options.rgb_bands[1] ||
                          options.rgb_bands[1] == options.rgb_bands[2] ||
                          options.rgb_bands[0] == options.rgb_bands[2];
    if (!repeated)
        return render_rgba(r, stretch, options);
    Raster three(r.dtype(), 3, r.rows(), r.cols());
    const std::size_t bytes = r.band_size() * dtype_size(r.dtype());
    three.ensure_mask();
    for (int k = 0; k < 3; ++k) {
        const int i = options.rgb_bands[std::size_t(k)];
        std::copy_n(r.bytes() + bytes * std::size_t(i), bytes,
                    three.bytes() + bytes * std::size_t(k));
        const auto src = r.mask(i);
        auto dst = three.mask(k);
        if (src.empty())
            std::fill(dst.begin(), dst.end(), kValid);
        else
            std::copy(src.begin(), src.end(), dst.begin());
    }
    options.rgb_bands = {0, 1, 2};
    return render_rgba(
        three, s.stretch.size() == 3 ? s.stretch : std::vector<StretchRange>(3, {0, 1}), options);
}

} // namespace rb
