// Internal to the features module: helpers the geometry, reading and writing files share.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "rasterbench/features.h"

namespace rb::detail {

/// Signed area of a closed ring (positive when counter-clockwise).
double ring_signed_area(const Ring& r);

/// The polygons of an OGR geometry (any nesting of polygons and collections).
void collect_polygons(void* ogr_geometry, std::vector<Polygon>& out);

/// The start of a text on one line, for messages.
std::string snippet(std::string_view text);

/// The text with NaN/Infinity literals outside strings replaced by a marker string, so that
/// nlohmann (which, like JSON, has none, while GDAL's parser accepts them) can parse it.
std::string quote_non_finite(const std::string& text);

/// Why a GeoJSON geometry object is not one RFC 7946 defines; empty when it is.
std::string geometry_problem(const nlohmann::json& g);

} // namespace rb::detail
