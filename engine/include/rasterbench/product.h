#pragma once
// Satellite product metadata: Landsat MTL (Collection 1 and 2, ODL text or JSON) and
// Sentinel-2 product and tile metadata (MTD_MSIL1C.xml, MTD_MSIL2A.xml, MTD_TL.xml). What
// selection, band roles and calibration need: acquisition, platform, path/row or tile,
// cloud cover, sun angles, and per band the rescaling from stored numbers to radiance,
// reflectance or temperature.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rasterbench/scene_date.h"

namespace rb {

enum class ProductFamily { Landsat, Sentinel2 };

/// How one band's stored numbers become physical values.
struct BandRescaling {
    std::string name; ///< the product's band name: "B5", "B10", "B8A"
    /// Landsat: radiance = DN * radiance_mult + radiance_add; top-of-atmosphere reflectance
    /// (without the sun correction) = DN * reflectance_mult + reflectance_add.
    std::optional<double> radiance_mult, radiance_add, reflectance_mult, reflectance_add;
    /// Landsat thermal bands: brightness temperature (K) = k2 / ln(k1 / radiance + 1).
    std::optional<double> k1, k2;
    /// Collection 2 Level-2: surface reflectance = DN * sr_mult + sr_add; surface
    /// temperature (K) = DN * st_mult + st_add.
    std::optional<double> sr_mult, sr_add, st_mult, st_add;
    /// Sentinel-2: reflectance = (DN + offset) / quantification (RADIO_ADD_OFFSET or
    /// BOA_ADD_OFFSET, processing baseline 04.00 on; 0 before).
    double offset = 0;
    std::string file; ///< the band's file named by the metadata (may be empty)
};

/// Angles a product gives on a coarse grid of nodes (Sentinel-2 tile metadata: every 5 km
/// over the tile, the first node at its upper-left corner), in degrees; NaN where a node has
/// none. Smooth fields: interpolated bilinearly between nodes.
struct AngleGrid {
    std::string crs;               ///< the tile's CRS ("EPSG:32633")
    double x0 = 0, y0 = 0;         ///< the first node (upper left), in `crs`
    double step_x = 0, step_y = 0; ///< node spacing; step_y < 0 (rows go south)
    int rows = 0, cols = 0;
    std::vector<double> values; ///< row-major, rows x cols

    double node(int row, int col) const { return values[std::size_t(row) * cols + col]; }
    /// The angle at (`x`, `y`) in `crs`: bilinear between the four nodes around it; NaN
    /// outside the nodes' extent or next to a node without a value.
    double at(double x, double y) const;
    /// Smallest and largest value over the nodes that have one (NaN, NaN when none has).
    std::pair<double, double> range() const;
};

struct ProductMetadata {
    std::string source; ///< the metadata file read
    ProductFamily family = ProductFamily::Landsat;
    std::string product_id;          ///< LANDSAT_PRODUCT_ID / scene id, or the SAFE name
    std::string platform;            ///< "LANDSAT_8", "Sentinel-2B"
    std::string sensor;              ///< "OLI_TIRS", "ETM", "TM", "MSI"
    std::string level;               ///< "L1TP", "L2SP", "Level-1C", "Level-2A"
    int collection = 0;              ///< Landsat collection (1 or 2; 0 for pre-collection)
    std::string processing_baseline; ///< Sentinel-2 "04.00"
    std::optional<SceneDate> date;
    std::string time;                    ///< scene centre / sensing time, UTC, as the file gives it
    std::string location;                ///< "188/018" (WRS path/row) or "T33XWJ" (MGRS tile)
    std::optional<double> cloud_cover;   ///< percent
    std::optional<double> sun_elevation; ///< degrees, scene centre
    std::optional<double> sun_azimuth;   ///< degrees, scene centre
    std::optional<double> earth_sun_distance; ///< astronomical units
    double quantification = 10000;            ///< Sentinel-2 reflectance scale
    std::vector<BandRescaling> bands;
    std::string quality_file; ///< BQA / QA_PIXEL file named by the metadata (may be empty)
    /// Landsat Collection 2: the per-pixel solar zenith angle band (_SZA.TIF, Int16 in
    /// hundredths of a degree) named by the metadata; empty when it names none.
    std::string solar_zenith_file;
    /// Sentinel-2 tile metadata: the sun's zenith and azimuth over the tile (Sun_Angles_Grid).
    std::optional<AngleGrid> sun_zenith_grid, sun_azimuth_grid;

    /// The band named `name` ("B5", "b05", "5" and "B8A" alike), or nullptr.
    const BandRescaling* band(const std::string& name) const;
    /// A line per field, for `rasterbench-cli product`.
    std::string text() const;
    /// The same as a JSON object.
    std::string json() const;
};

/// Reads a metadata file: Landsat *_MTL.txt (ODL) or *_MTL.json, Sentinel-2 MTD_MSIL1C.xml,
/// MTD_MSIL2A.xml or MTD_TL.xml (tile: sun angles, tile id, sensing time). Throws IoError
/// for a file that cannot be read, ArgumentError naming the file for one that is not a
/// product metadata file or lacks what every product states (the acquisition date).
ProductMetadata read_product_metadata(const std::string& path);

/// The metadata file beside a band file: the *_MTL.txt / *_MTL.json of a Landsat product
/// whose id starts the file name, or MTD_MSIL*.xml in a SAFE folder above it; empty when
/// there is none.
std::string find_product_metadata(const std::string& raster_path);

/// Canonical band name: "B05" / "b5" / "5" -> "B5", "B8A" stays.
std::string canonical_band_name(const std::string& name);

} // namespace rb
