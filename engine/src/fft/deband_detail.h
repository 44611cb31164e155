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

} // namespace rb::fft::detail
