#pragma once
// The plain best-pixel composite's outputs written a row at a time from each pixel's winner
// (engine-internal): composite.cpp's rows, and the scorer's strips', which make the winners.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "rasterbench/composite.h"
#include "rasterbench/score.h"
#include "running_best.h"
#include "stream_store.h"

namespace rb::detail {

struct BestOutputs {
    std::uint16_t* index;
    float* score;
    std::uint16_t* count;
    std::uint8_t* index_mask;
    std::uint8_t* score_mask;
};

// One row of the best pixel's outputs, per thread: made in the cache, then stored past it
// (stream_store), since each output plane is written whole and not read again soon.
struct BestRowScratch {
    std::vector<std::uint16_t> index, count;
    std::vector<float> score;
    std::vector<std::uint8_t> mask; ///< every output's: valid where the pixel has a winner
    std::vector<unsigned char> band;
};

// One row (from pixel `base`, `cols` long) of the best pixel without rank images, from the
// running best's winners (`scene` -1 where `count` is 0): the index, score, count and their
// masks in one pass, then each band's winning samples in a pass of its own, every output
// sample written (masked ones 0).
template <class T>
void write_best_row(const float* best, const std::int32_t* scene, const std::int32_t* count,
                    std::size_t cols, std::size_t base,
                    const std::vector<std::vector<const T*>>& by_band, const std::vector<T*>& comp,
                    const std::vector<std::uint8_t*>& comp_mask, const BestOutputs& out,
                    BestRowScratch& row) {
    row.index.resize(cols);
    row.count.resize(cols);
    row.score.resize(cols);
    row.mask.resize(cols);
    row.band.resize(cols * sizeof(T));
    for (std::size_t c = 0; c < cols; ++c) {
        const bool has = count[c] != 0;
        row.count[c] = std::uint16_t(count[c]);
        row.index[c] = has ? std::uint16_t(scene[c]) : std::uint16_t(65535);
        row.score[c] = has ? best[c] : kInvalidScore;
        row.mask[c] = has ? kValid : kInvalid;
    }
    stream_store(out.count + base, row.count.data(), cols * sizeof(std::uint16_t));
    stream_store(out.index + base, row.index.data(), cols * sizeof(std::uint16_t));
    stream_store(out.score + base, row.score.data(), cols * sizeof(float));
    stream_store(out.index_mask + base, row.mask.data(), cols);
    stream_store(out.score_mask + base, row.mask.data(), cols);
    T* samples = reinterpret_cast<T*>(row.band.data());
    for (std::size_t j = 0; j < comp.size(); ++j) {
        const T* const* from = by_band[j].data();
        for (std::size_t c = 0; c < cols; ++c)
            samples[c] = count[c] != 0 ? from[scene[c]][base + c] : T(0);
        stream_store(comp[j] + base, samples, cols * sizeof(T));
        stream_store(comp_mask[j] + base, row.mask.data(), cols);
    }
}

/// A composite's plain best-pixel outputs (composite, index, score, count, each with its
/// mask; no rank images), already shaped, written for blocks of rows from their winners.
/// Blocks of different rows may be written at once, from several threads.
class BestRows {
public:
    /// `res`'s outputs, shaped for `scenes` (checked alike) and the scenes' bands `bands`.
    BestRows(std::span<const Raster> scenes, const std::vector<int>& bands, CompositeResult& res);
    /// Rows [y0, y1) from their winners (running_best's: the best score, its scene, -1 where
    /// the count of candidates is 0), from the block's first pixel.
    void write(int y0, int y1, const float* best, const std::int32_t* scene,
               const std::int32_t* count) const;

private:
    DataType dtype_;
    std::size_t cols_ = 0;
    std::vector<std::vector<const void*>> by_band_; ///< per output band, each scene's samples
    std::vector<void*> comp_;
    std::vector<std::uint8_t*> comp_mask_;
    BestOutputs out_{};
};

} // namespace rb::detail
