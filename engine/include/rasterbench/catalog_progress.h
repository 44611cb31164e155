#pragma once
// Reading a catalog with progress and cancellation, for callers that read large folders in
// the background (the workbench's Catalog panel).
#include <string>
#include <vector>

#include "rasterbench/catalog.h"
#include "rasterbench/progress.h"

namespace rb {

/// read_catalog(paths, options), reporting to `progress` the share of the current folder's
/// (or ItemCollection's) products read so far; when it returns false the reading stops and
/// Cancelled is thrown.
std::vector<CatalogEntry> read_catalog(const std::vector<std::string>& paths,
                                       const CatalogReadOptions& options,
                                       const ProgressFn& progress);

} // namespace rb
