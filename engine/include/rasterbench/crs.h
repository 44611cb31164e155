#pragma once
// Coordinate reference systems through PROJ. `Crs` is an immutable value (its WKT2 text),
// safe to copy and share across threads; PROJ objects are made on demand with a PJ_CONTEXT
// owned by the calling thread.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rb {

class Crs {
public:
    /// An empty CRS (a raster without georeferencing).
    Crs() = default;
    /// Any user-typed definition: "EPSG:32618", WKT1/WKT2, ESRI WKT, a PROJ string
    /// ("+proj=utm +zone=18 +datum=WGS84"), PROJJSON, or a bare EPSG number.
    /// Throws CrsError whose message quotes the input and PROJ's reason.
    static Crs from_user_input(const std::string& definition);
    static Crs from_epsg(int code);

    bool empty() const { return wkt_.empty(); }
    /// WKT2 (2019) text; empty for an empty CRS.
    const std::string& to_wkt() const { return wkt_; }
    /// EPSG code when the definition carries one or PROJ identifies it with full confidence.
    std::optional<int> to_epsg() const;
    /// PROJ string (+proj=... +type=crs); empty when PROJ cannot express it.
    std::string to_proj() const;
    /// The PROJ string's parameters as key/value pairs ("proj" -> "utm", "zone" -> "18").
    std::map<std::string, std::string> proj_params() const;
    /// Human name ("WGS 84 / UTM zone 18N").
    std::string name() const;
    bool is_geographic() const;
    /// What the CRS is when it has no horizontal position a raster can be laid out in ("a
    /// vertical CRS (heights only)", "a geocentric CRS ..."); empty for projected, geographic
    /// and compound CRSs (and an empty one).
    std::string not_a_map_crs() const;
    /// Same CRS, ignoring names and metadata (PROJ's "equivalent" criterion).
    bool equivalent(const Crs& other) const;
    bool operator==(const Crs& other) const { return equivalent(other); }

private:
    explicit Crs(std::string wkt) : wkt_(std::move(wkt)) {}
    std::string wkt_;
};

/// Point transformation between two CRSs, x/y in each CRS's traditional GIS order
/// (longitude first). Owns a PROJ context: use one object per thread.
class CrsTransformer {
public:
    CrsTransformer(const Crs& src, const Crs& dst);
    ~CrsTransformer();
    CrsTransformer(CrsTransformer&&) noexcept;
    CrsTransformer& operator=(CrsTransformer&&) noexcept;
    CrsTransformer(const CrsTransformer&) = delete;
    CrsTransformer& operator=(const CrsTransformer&) = delete;

    /// Throws CrsError when the point cannot be transformed (outside the projection domain).
    std::pair<double, double> transform(double x, double y) const;
    /// Transforms in place; points that fail become NaN. Returns the number that failed.
    std::size_t transform(std::vector<double>& xs, std::vector<double>& ys) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace rb
