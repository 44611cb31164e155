#include "composite_best_row.h"

namespace rb::detail {

BestRows::BestRows(std::span<const Raster> scenes, const std::vector<int>& bands,
                   CompositeResult& res)
    : dtype_(res.composite.dtype()), cols_(std::size_t(res.composite.cols())) {
    by_band_.resize(bands.size());
    for (std::size_t j = 0; j < bands.size(); ++j) {
        for (const Raster& scene : scenes)
            by_band_[j].push_back(scene.bytes() + scene.band_size() * std::size_t(bands[j]) *
                                                      dtype_size(scene.dtype()));
        comp_.push_back(res.composite.bytes() + res.composite.band_size() * j * dtype_size(dtype_));
        comp_mask_.push_back(res.composite.mask(int(j)).data());
    }
    out_ = {res.index.band<std::uint16_t>(0).data(), res.score.band<float>(0).data(),
            res.count.band<std::uint16_t>(0).data(), res.index.mask(0).data(),
            res.score.mask(0).data()};
}

void BestRows::write(int y0, int y1, const float* best, const std::int32_t* winner,
                     const std::int32_t* count) const {
    visit_dtype(dtype_, [&](auto tag) {
        using T = decltype(tag);
        std::vector<std::vector<const T*>> by_band(by_band_.size());
        std::vector<T*> comp;
        for (std::size_t j = 0; j < by_band_.size(); ++j) {
            for (const void* p : by_band_[j])
                by_band[j].push_back(static_cast<const T*>(p));
            comp.push_back(static_cast<T*>(comp_[j]));
        }
        BestRowScratch scratch;
        for (int y = y0; y < y1; ++y) {
            const std::size_t base = std::size_t(y) * cols_, at = std::size_t(y - y0) * cols_;
            const std::int32_t* scene = winner + at;
            // The winners' samples are scattered over the scenes' bands, which no hardware
            // prefetcher follows: asking for all of this row's first keeps many misses in
            // flight, where the copy would wait for each.
            for (std::size_t c = 0; c < cols_; c += 16)
                if (scene[c] >= 0)
                    for (const auto& band : by_band)
                        __builtin_prefetch(band[std::size_t(scene[c])] + base + c);
            write_best_row(best + at, scene, count + at, cols_, base, by_band, comp, comp_mask_,
                           out_, scratch);
        }
    });
}

} // namespace rb::detail
