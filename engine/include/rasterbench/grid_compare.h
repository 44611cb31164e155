#pragma once
// Whether two rasters share one pixel grid (same CRS, geotransform and size), and if not,
// how they differ, in words a layer list can show.
#include <string>

#include "rasterbench/dataset.h"

namespace rb {

struct GridComparison {
    bool same_crs = true;
    bool same_transform = true; ///< within 1e-6 of a pixel at the far corner
    bool same_size = true;
    /// "origin +3300.0, +0.0 (map units); pixel 3024.08 x 3031.56 vs 3020.13 x 3031.56"; empty
    /// when the grids are the same.
    std::string summary;

    bool aligned() const { return same_crs && same_transform && same_size; }
};

/// Compares `other`'s grid with `reference`'s (PROJ's equivalence for the CRSs).
GridComparison compare_grids(const Profile& reference, const Profile& other);

} // namespace rb
