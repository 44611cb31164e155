#pragma once
// Band roles: which band of a scene is blue, red, nir, ... Score methods ask for roles, not
// band numbers, so one method works with whatever bands a product has (the eo-box Landsat
// stack has only red, nir and swir1; Sentinel-2 L1C has all thirteen).
//
// Roles come from what the file says before where a band sits:
// 1. explicit `roles` parameters win over everything ("cirrus=none" removes a role);
// 2. band descriptions naming sensor bands ("B4", "B04", "B8A", "SR_B5") are mapped through
//    the sensor's band table (Landsat 8-9 OLI/TIRS, Landsat 4-7 TM/ETM+, Sentinel-2 MSI),
//    the sensor coming from the `layout` parameter or, under auto, from the product's name
//    and the band names themselves; descriptions in words ("red", "nir08", "swir16",
//    "Near Infrared") name roles directly; colour interpretations fill red, green, blue;
// 3. only when nothing names the bands does a `layout` assign roles by position, and then
//    the scene must have exactly the layout's band count, and a position whose data cannot
//    be what the layout says (a "cirrus" brighter than the visible bands) is dropped with a
//    warning.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rasterbench/dtype.h"
#include "rasterbench/param_table.h"

namespace rb {

class Raster;

enum class BandRole { Blue, Green, Red, Nir, Swir1, Swir2, Thermal, Cirrus, Qa };
inline constexpr int kBandRoleCount = 9;

/// "blue", "green", "red", "nir", "swir1", "swir2", "thermal", "cirrus", "qa".
std::string_view role_name(BandRole r);
std::optional<BandRole> parse_role(std::string_view name);

/// Values of one band in a sample of the scene, over pixels valid in every band.
struct BandRange {
    double low = 0;    ///< 2nd percentile
    double median = 0; ///< 50th percentile
    double high = 0;   ///< 98th percentile
};

/// What role detection looks at: a scene's band layout (from its profile(s)).
struct BandLayout {
    int count = 0;
    DataType dtype = DataType::Float32;
    std::vector<std::string> descriptions; ///< per band, may be empty
    std::vector<std::string> colorinterp;  ///< per band, GDAL names, may be empty
    /// 0-based index of the first band of an appended quality file (-1: none). Detection
    /// gives it the qa role when no other rule does.
    int qa_band = -1;
    std::string label;              ///< the scene's name, for messages
    std::vector<std::string> files; ///< the scene's files (quality presets read their names)
    /// Text naming the product (file name, product id, spacecraft), searched for the sensor
    /// ("LC08", "LE07", "S2A", "LANDSAT_8") when the layout is auto. Empty: the label's.
    std::string product;
    /// Per band, from a sample of the scene; empty when nobody sampled it. Position-only
    /// layouts and score methods check roles against it.
    std::vector<BandRange> ranges;
    /// The sampled pixels the ranges come from (null when nobody sampled the scene): methods
    /// that need scene-wide statistics of several bands together (the cloud score's clear-sky
    /// temperatures) compute them from it once, so every block and view of the scene shares
    /// them.
    std::shared_ptr<const Raster> sample;
    /// Ground size of a pixel in metres (the larger side); 0 when unknown. Operations that
    /// grow regions by pixels (cloud dilation) cap the growth on coarse grids with it.
    double pixel_size_m = 0;
    /// What the reader converted the primary bands to ("radiance", "toa", "sr"); empty:
    /// stored numbers. Thermal bands are then in degrees C.
    std::string calibration;
};

/// Where a resolved role came from.
enum class RoleSource : std::uint8_t { None, Description, ColorInterp, Layout, Parameter, QaFile };

/// 0-based band index per role, -1 when the scene has no such band; where each came from,
/// the sensor whose band table was used, and warnings about roles dropped or guessed.
class BandRoles {
public:
    BandRoles() {
        index_.fill(-1);
        source_.fill(RoleSource::None);
    }
    int operator[](BandRole r) const { return index_[std::size_t(r)]; }
    bool has(BandRole r) const { return (*this)[r] >= 0; }
    void set(BandRole r, int band0, RoleSource source = RoleSource::Parameter) {
        index_[std::size_t(r)] = band0;
        source_[std::size_t(r)] = band0 >= 0 ? source : RoleSource::None;
    }
    void remove(BandRole r) { set(r, -1); }
    RoleSource source(BandRole r) const { return source_[std::size_t(r)]; }
    /// "Landsat 8-9 OLI/TIRS", "Sentinel-2 MSI", ... or empty when no band table was used.
    const std::string& sensor() const { return sensor_; }
    void set_sensor(std::string s) { sensor_ = std::move(s); }
    /// Roles dropped or guessed, one sentence each naming the scene and band.
    const std::vector<std::string>& warnings() const { return warnings_; }
    void warn(std::string w) { warnings_.push_back(std::move(w)); }
    /// The band of role `r`; throws ArgumentError naming the method, the role, the scene and
    /// the roles it does have, and how to set one (`--param r=N`).
    int require(BandRole r, std::string_view method, std::string_view scene) const;
    /// "red=1 nir=2 swir1=3" (1-based), or "none".
    std::string describe() const;
    /// describe() with each band's description and where the role came from, then the
    /// sensor: "red=4 (B4) nir=5 (B5) ... [Landsat 8-9 OLI/TIRS band table, from band
    /// descriptions]"; what `--verbose`, recipe dry runs and the Score panel show.
    std::string explain(const BandLayout& layout) const;
    /// Same bands for the same roles (sources, sensor and warnings aside).
    bool operator==(const BandRoles& o) const { return index_ == o.index_; }

private:
    std::array<int, kBandRoleCount> index_;
    std::array<RoleSource, kBandRoleCount> source_;
    std::string sensor_;
    std::vector<std::string> warnings_;
};

/// Where roles come from. Every method's parameter table includes these rows.
struct BandRoleOptions {
    /// "red=1,nir=2" (1-based bands) overriding everything else; "cirrus=none" removes a
    /// role.
    std::string roles;
    /// Named product layout: auto (descriptions, sensor from the product), none (only
    /// explicit roles), sentinel2 (13 L1C bands B01..B12), landsat-tm (bands 1-7:
    /// blue..swir1, thermal, swir2), landsat-oli (1-11 incl. cirrus 9, thermal 10),
    /// red-nir-swir1 (the eo-box Landsat sr files). A sensor layout reads band descriptions
    /// through its band table and uses positions only when the bands are not named.
    std::string layout = "auto";

    static const ParamTable<BandRoleOptions>& params();
};

/// Roles of a layout under the options. Throws ArgumentError for a malformed `roles` text, a
/// band number outside the scene, or a position-only layout whose band count differs from
/// the scene's (naming the scene).
BandRoles resolve_band_roles(const BandLayout& layout, const BandRoleOptions& options = {});

/// A value for a message: whole numbers from 1000 up, else three significant digits.
std::string short_number(double v);

/// Per-band ranges of a sample of a scene (bands x rows x cols, pixels valid in every band).
std::vector<BandRange> sample_band_ranges(const Raster& sample);

/// Parses a band list "1,3,red,nir" (1-based numbers or role names) to 0-based indices.
/// Empty text gives `fallback`. Throws ArgumentError naming `what` and the bad entry.
std::vector<int> parse_band_list(std::string_view text, const BandRoles& roles, int band_count,
                                 std::string_view what, const std::vector<int>& fallback = {});

} // namespace rb
