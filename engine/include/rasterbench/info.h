#pragma once
// What `rasterbench-cli info` reports: a dataset's profile as text or JSON.
#include <string>

#include "rasterbench/dataset.h"
#include "rasterbench/progress.h"

namespace rb {

struct InfoOptions {
    bool stats = false; ///< exact per-band statistics (reads every pixel)
};

/// JSON object with keys driver, width, height, count, dtype, crs, epsg, transform,
/// bounds, nodata, blocksize, overviews, bands (see the CLI contract in README).
std::string info_json(const Dataset& ds, const InfoOptions& options = {});
/// The same facts as readable text.
std::string info_text(const Dataset& ds, const InfoOptions& options = {});

} // namespace rb
