#pragma once
// Internal to the product module: the readers of each family.
#include <string>

#include "rasterbench/product.h"

namespace rb::detail {

/// Landsat MTL, ODL text or JSON (`text` is the whole file).
ProductMetadata read_landsat_mtl(const std::string& path, const std::string& text);
/// Sentinel-2 MTD_MSIL1C / MTD_MSIL2A / MTD_TL XML.
ProductMetadata read_sentinel2_mtd(const std::string& path, const std::string& text);

} // namespace rb::detail
