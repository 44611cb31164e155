#pragma once
// Acquisition dates of scenes: from what the file says (metadata such as ACQUISITION_DATE)
// or, failing that, from the naming conventions of Landsat and Sentinel products. A stack
// of scenes is ordered and charted by these dates.
#include <compare>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rb {

class Raster;

struct SceneDate {
    int year = 0, month = 0, day = 0;

    /// "2018-01-31".
    std::string iso() const;
    /// Days since 1970-01-01 (proleptic Gregorian), for charts and sorting.
    long long days_since_epoch() const;
    /// Calendar-valid date between 1950 and 2100 (anything else is not a scene date).
    bool valid() const;
    auto operator<=>(const SceneDate&) const = default;
};

/// Year + day of year (Landsat scene ids) to a date; nullopt when out of range.
std::optional<SceneDate> date_from_day_of_year(int year, int day_of_year);

/// First of ACQUISITION_DATE, ACQUISITION_DATETIME, DATE_ACQUIRED, SENSING_TIME,
/// SENSING_DATE, DATATAKE_1_DATATAKE_SENSING_START, PRODUCT_START_TIME, IMAGE_DATE whose value
/// starts with a date ("2008-04-27", "2008-04-27T10:21:01Z", "20080427", "2008:04:27").
std::optional<SceneDate> date_from_metadata(const std::map<std::string, std::string>& metadata);

/// From a file name: Landsat collection product ids (LC08_L1TP_013032_20180131_20180207_01_T1:
/// the fourth field is the acquisition), pre-collection scene ids (LE70350322008118EDC00:
/// year and day of year), Sentinel-2 names (..._20170216T102101_...), then an ISO date
/// (2008-04-27) or a bare valid YYYYMMDD.
std::optional<SceneDate> date_from_name(std::string_view file_name);

/// Metadata first (what the file states beats what its name suggests), then the name of
/// `path` (directories ignored).
std::optional<SceneDate> scene_date(const std::map<std::string, std::string>& metadata,
                                    const std::string& path);

/// The sensor that took a scene, as a short code: LT04, LT05, LE07, LC08, LC09 (Landsat
/// collection prefixes), S2A, S2B, S2C; empty when neither the metadata (SPACECRAFT_ID,
/// SPACECRAFT_NAME, SATELLITE) nor the name (Landsat product or scene ids, Sentinel-2 names)
/// says which.
std::string scene_sensor(const std::map<std::string, std::string>& metadata,
                         const std::string& path);

/// What scorers that weigh scenes by date and sensor (bap) and the composite's tie rule know
/// about each scene of a stack.
struct SceneInfo {
    std::string label; ///< the scene's name, for messages
    std::optional<SceneDate> date;
    std::string sensor;
    /// A decimated read of the scene's bands (SceneReader::sampled_layout()'s sample), or
    /// null. The cloud method takes each date's clear-sky statistics from its own sample
    /// (Scorer::uses_scene_samples()); without one a date past the first keeps the fixed
    /// thresholds.
    std::shared_ptr<const Raster> sample;
    /// Landsat 7 after the scan line corrector failed (2003-05-31): "slc-off" in a bap
    /// sensor_scores list applies to it.
    bool slc_off() const;
};

SceneInfo scene_info(const std::map<std::string, std::string>& metadata, const std::string& path);

} // namespace rb
