// Internal to the fft module: what the notch, session and deband files share.
#pragma once

#include <cstddef>

#include "rasterbench/deband.h"

namespace rb::fft::detail {

/// Throws ArgumentError naming the first notch with a non-finite or non-positive size.
void check_notches(const NotchSet& n);

/// The calling thread's reusable spectrum buffer of at least n values (release_scratch()
/// frees it).
cfloat* scratch(std::size_t n);

/// True when no 8-neighbour of the interior bin (row, col) of `s` is larger: a peak
/// candidate.
inline bool is_local_max(const Spectrum& s, int row, int col) {
    const float l = s.at(row, col);
    for (int dr = -1; dr <= 1; ++dr)
        for (int dc = -1; dc <= 1; ++dc)
            if ((dr || dc) && s.at(row + dr, col + dc) > l)
                return false;
    return true;
}

} // namespace rb::fft::detail
