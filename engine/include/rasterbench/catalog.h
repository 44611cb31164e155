#pragma once
// A scene catalog: the products found in folders, list files or STAC Items /
// ItemCollections, one row per scene with its date, sensor, cloud cover and grid, and the
// selection of scenes by date range, season (day of year, wrapping the new year), cloud
// cover and sensor that analysts make before compositing.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rasterbench/scene_date.h"

namespace rb {

struct CatalogEntry {
    std::string path; ///< the scene's raster (or its metadata file when its bands are separate)
    std::optional<SceneDate> date;
    std::string sensor;                ///< "landsat-8", "sentinel-2b", ... empty when unknown
    std::optional<double> cloud_cover; ///< percent
    std::string cloud_source;          ///< "metadata", "qa", or empty when unknown
    std::optional<double> valid_share; ///< 0..1 share of valid pixels (quality file or nodata)
    std::string crs;                   ///< "EPSG:32618", or the CRS name; empty when none
    int width = 0, height = 0;
    std::string quality_file; ///< the scene's quality raster, empty when none was found
    /// Why the scene's raster cannot be read (GDAL's reason); empty when it can. Such a row
    /// holds what its name and metadata told, and no size.
    std::string problem;
    /// Day of the year (1..366), 0 without a date.
    int doy() const;
};

struct CatalogReadOptions {
    /// Quality file beside each raster: its name with `qa_from` replaced by `qa_to`
    /// ("_stack.tif" -> "_BQA.tif"). Empty: the metadata's quality file, if any.
    std::string qa_from, qa_to;
    /// Compute cloud cover from the quality file when the metadata gives none (and the
    /// valid share from it), reading a decimated view of at most this many pixels a side.
    int qa_sample_size = 512;
};

/// Reads every PATH: a folder (searched recursively for product metadata and rasters), a
/// raster, a product metadata file, a STAC Item or ItemCollection (.json; asset hrefs
/// relative to it or absolute), or a list file (one path per line, '#' comments, relative
/// to the list). A file of another name is a raster when GDAL recognizes it, else a list
/// file. Rows come sorted by date, then path; a raster that cannot be read is a row with its
/// CatalogEntry::problem. Throws IoError naming a path that does not exist, ArgumentError
/// naming a JSON file that is no STAC Item/ItemCollection or a file that is neither a raster
/// nor a list of paths.
std::vector<CatalogEntry> read_catalog(const std::vector<std::string>& paths,
                                       const CatalogReadOptions& options = {});

/// Which scenes to keep. Unset fields select everything.
struct CatalogSelection {
    std::optional<SceneDate> from, to; ///< inclusive
    /// Day-of-year window, inclusive; first > second wraps the new year (335-59: winter).
    std::optional<std::pair<int, int>> doy;
    std::optional<double> max_cloud; ///< percent; scenes without a cloud cover are dropped
    /// Sensor prefixes, case and '-'/'_' ignored: "landsat" keeps all Landsat, "sentinel-2a"
    /// only S2A, "landsat-8" only Landsat 8.
    std::vector<std::string> sensors;

    bool matches(const CatalogEntry& e) const;
    /// From "A-B" (1..366 each); ArgumentError otherwise.
    static std::pair<int, int> parse_doy(const std::string& text);
};

std::vector<CatalogEntry> select_scenes(const std::vector<CatalogEntry>& entries,
                                        const CatalogSelection& selection);

/// A JSON array of objects with the keys path, date, doy, sensor, cloud_cover,
/// cloud_source, valid_share, crs, width, height (null where unknown).
std::string catalog_json(const std::vector<CatalogEntry>& entries);
/// One tab-separated line per row, under a header line.
std::string catalog_text(const std::vector<CatalogEntry>& entries);

/// "landsat-8" from LC08/LE07/LT05 ids or LANDSAT_8 platforms, "sentinel-2a" from S2A or
/// Sentinel-2A; empty when the text names no known sensor.
std::string sensor_from_text(const std::string& text);

} // namespace rb
