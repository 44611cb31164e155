#pragma once
// Stored numbers to physical values with a product's metadata: Landsat digital numbers to
// radiance, top-of-atmosphere reflectance (sun-elevation corrected) or brightness
// temperature; Collection 2 Level-2 numbers to surface reflectance and temperature;
// Sentinel-2 numbers to reflectance with the baseline's offset; and an image-based
// dark-object subtraction (DOS1) as an approximate surface reflectance.
#include <optional>
#include <string>
#include <vector>

#include "rasterbench/param_table.h"
#include "rasterbench/product.h"
#include "rasterbench/progress.h"
#include "rasterbench/raster.h"

namespace rb {

enum class CalibrationTarget { Radiance, Toa, Sr, SrDos };
/// The sun's angle in Landsat reflectance: the scene centre's elevation, or each pixel's
/// zenith angle from the product's solar zenith band (a 185 km scene spans about 2 degrees
/// of sun angle: several percent of reflectance at low sun).
enum class SunGeometry { Scene, Pixel };

struct CalibrateOptions {
    /// radiance (Landsat L1), toa (reflectance; thermal bands as brightness temperature in
    /// degrees C), sr (Landsat C2 Level-2 or Sentinel-2 L2A surface reflectance), sr-dos
    /// (toa minus each band's haze from its darkest pixels: DOS1, approximate).
    CalibrationTarget to = CalibrationTarget::Toa;
    /// DOS1's dark object: the value below which this share of a band's valid pixels lie.
    double dark_fraction = 1e-4;
    SunGeometry sun = SunGeometry::Scene;

    static const ParamTable<CalibrateOptions>& params();
};

struct CalibrationReport {
    std::vector<std::string> bands; ///< the product band of each raster band ("B5")
    /// sr-dos: per band, the haze reflectance subtracted (0 for thermal bands).
    std::vector<double> haze;
};

/// A band's conversion from stored numbers: value = mult * DN + add, then, for thermal
/// bands, brightness temperature from that radiance (K1/K2, in degrees C), less
/// `kelvin_shift` (Level-2 surface temperature in C). One per band, made once per product.
struct CalibrationMap {
    double mult = 1, add = 0;
    std::optional<double> k1, k2;
    double kelvin_shift = 0;
    bool thermal = false;
};

/// The map of product band `band` ("B5") to `to`. ArgumentError naming `where` and the band
/// when the metadata lacks what the target needs. sr-dos maps as toa (its haze needs the
/// whole band; calibrate() subtracts it).
CalibrationMap calibration_map(const ProductMetadata& metadata, const std::string& band,
                               CalibrationTarget to, const std::string& where);

/// Band `band` of `dn` converted with `map` into Float32 band `out_band` of `out` (which has
/// a mask): invalid pixels, integer 0 (the fill value of both families) and non-finite
/// results become NaN and invalid.
void apply_calibration(const Raster& dn, int band, const CalibrationMap& map, Raster& out,
                       int out_band);
/// The same, each pixel's value divided by the cosine of its solar zenith angle (band 0 of
/// `solar_zenith`, hundredths of a degree, the size of `dn`); a zenith of 89 degrees or
/// more gives NaN.
void apply_calibration(const Raster& dn, int band, const CalibrationMap& map, Raster& out,
                       int out_band, const Raster& solar_zenith);

/// `map` (of a non-thermal band, to toa or sr-dos) without the scene centre's sun
/// correction, for apply_calibration with a solar zenith raster; thermal maps unchanged.
CalibrationMap without_scene_sun(CalibrationMap map, const ProductMetadata& metadata);

/// The solar zenith band the Landsat metadata at `metadata_path` names, beside it.
/// ArgumentError naming the metadata when it names none, or the band when it is missing.
std::string solar_zenith_path(const ProductMetadata& metadata, const std::string& metadata_path);

/// How score and composite read scenes: their stored numbers, or converted on the fly with
/// each scene's product metadata (found beside its first file), with no intermediate files.
struct SceneCalibration {
    /// none, radiance, toa or sr (sr-dos needs a whole band's histogram: calibrate first).
    std::string calibrate = "none";
    /// toa from Landsat: the scene centre's sun, or each pixel's from the product's solar
    /// zenith band (found beside the metadata), read window by window with the scene.
    SunGeometry sun = SunGeometry::Scene;

    bool enabled() const { return !calibrate.empty() && calibrate != "none"; }
    static const ParamTable<SceneCalibration>& params();
};

/// The product band of each band of a raster: its description ("B5", "B05", "B8A"), else,
/// for a one-band file, the band in its file name (..._B5.TIF), else the metadata's bands
/// in order when the counts agree. ArgumentError naming `label` when neither works.
std::vector<std::string> match_product_bands(const std::vector<std::string>& descriptions,
                                             const std::string& label,
                                             const ProductMetadata& metadata);

/// `dn` calibrated band by band (band_names from match_product_bands): Float32, invalid
/// pixels stay invalid, and so do integer pixels of 0 (both families' fill value, whether
/// the file declares it or not). ArgumentError naming the band when the metadata lacks what the
/// target needs (a Level-1 product asked for sr, a Sentinel-2 product for radiance).
/// options.sun = Pixel needs `solar_zenith` (see apply_calibration) for Landsat reflectance.
Raster calibrate(const Raster& dn, const std::vector<std::string>& band_names,
                 const ProductMetadata& metadata, const CalibrateOptions& options,
                 CalibrationReport* report = nullptr, const Raster* solar_zenith = nullptr);

/// calibrate() from file to file: Float32 GeoTIFF (nodata NaN), band descriptions kept (the
/// product's band names), written atomically. `metadata_path` empty: the metadata beside
/// the file (find_product_metadata), else an error naming the file. options.sun = Pixel
/// reads the solar zenith band the metadata names, beside the metadata.
CalibrationReport calibrate_file(const std::string& in, const std::string& out,
                                 const std::string& metadata_path, const CalibrateOptions& options,
                                 Progress progress = {});

} // namespace rb
