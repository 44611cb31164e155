#pragma once
// Band roles: which band of a scene is blue, red, nir, ... Score methods ask for roles, not
// band numbers, so one method works with whatever bands a product has (the eo-box Landsat
// stack has only red, nir and swir1; Sentinel-2 L1C has all thirteen). Roles come from
// explicit parameters first, then a named product layout, then band descriptions and
// colour interpretations.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rasterbench/dtype.h"
#include "rasterbench/param_table.h"

namespace rb {

enum class BandRole { Blue, Green, Red, Nir, Swir1, Swir2, Thermal, Cirrus, Qa };
inline constexpr int kBandRoleCount = 9;

/// "blue", "green", "red", "nir", "swir1", "swir2", "thermal", "cirrus", "qa".
std::string_view role_name(BandRole r);
std::optional<BandRole> parse_role(std::string_view name);

/// What role detection looks at: a scene's band layout (from its profile(s)).
struct BandLayout {
    int count = 0;
    DataType dtype = DataType::Float32;
    std::vector<std::string> descriptions; ///< per band, may be empty
    std::vector<std::string> colorinterp;  ///< per band, GDAL names, may be empty
    /// 0-based index of the first band of an appended quality file (-1: none). Detection
    /// gives it the qa role when no other rule does.
    int qa_band = -1;
    std::string label; ///< the scene's name, for messages
};

/// 0-based band index per role, -1 when the scene has no such band.
class BandRoles {
public:
    BandRoles() { index_.fill(-1); }
    int operator[](BandRole r) const { return index_[std::size_t(r)]; }
    bool has(BandRole r) const { return (*this)[r] >= 0; }
    void set(BandRole r, int band0) { index_[std::size_t(r)] = band0; }
    /// The band of role `r`; throws ArgumentError naming the method, the role, the scene and
    /// the roles it does have, and how to set one (`--param r=N`).
    int require(BandRole r, std::string_view method, std::string_view scene) const;
    /// "red=1 nir=2 swir1=3" (1-based), or "none".
    std::string describe() const;
    bool operator==(const BandRoles&) const = default;

private:
    std::array<int, kBandRoleCount> index_;
};

/// Where roles come from. Every method's parameter table includes these rows.
struct BandRoleOptions {
    /// "red=1,nir=2" (1-based bands) overriding everything else.
    std::string roles;
    /// Named product layout: auto (descriptions), none, sentinel2 (13 L1C bands B01..B12),
    /// landsat-tm (bands 1-7: blue..swir1, thermal, swir2), landsat-oli (1-11 incl. cirrus 9,
    /// thermal 10), red-nir-swir1 (the eo-box Landsat sr files).
    std::string layout = "auto";

    static const ParamTable<BandRoleOptions>& params();
};

/// Roles of a layout under the options. Throws ArgumentError for a malformed `roles` text or
/// a band number outside the scene (naming the scene).
BandRoles resolve_band_roles(const BandLayout& layout, const BandRoleOptions& options = {});

/// Parses a band list "1,3,red,nir" (1-based numbers or role names) to 0-based indices.
/// Empty text gives `fallback`. Throws ArgumentError naming `what` and the bad entry.
std::vector<int> parse_band_list(std::string_view text, const BandRoles& roles, int band_count,
                                 std::string_view what, const std::vector<int>& fallback = {});

} // namespace rb
