#include "rasterbench/info.h"

#include <cmath>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

namespace rb {

namespace {

using json = nlohmann::ordered_json;

// JSON has no NaN/Infinity: nodata values that are not finite are written as strings.
json number_or_string(double v) {
    if (std::isnan(v))
        return "nan";
    if (std::isinf(v))
        return v > 0 ? "inf" : "-inf";
    return v;
}

json nodata_json(const std::optional<double>& nd) {
    return nd ? number_or_string(*nd) : json(nullptr);
}

json stats_json(const BandStats& s) {
    json j;
    j["valid_count"] = s.valid_count;
    if (s.valid_count == 0) {
        j["min"] = j["max"] = j["mean"] = j["stddev"] = nullptr;
    } else {
        j["min"] = s.min;
        j["max"] = s.max;
        j["mean"] = s.mean;
        j["stddev"] = s.stddev;
    }
    return j;
}

std::string fmt(double v) {
    std::ostringstream os;
    os << std::setprecision(15) << v;
    return os.str();
}

} // namespace

std::string info_json(const Dataset& ds, const InfoOptions& o) {
    const Profile& p = ds.profile();
    json j;
    j["driver"] = p.driver;
    j["width"] = p.width;
    j["height"] = p.height;
    j["count"] = p.count;
    j["dtype"] = dtype_name(p.dtype);
    j["crs"] = p.crs.empty() ? json(nullptr) : json(p.crs.to_wkt());
    const auto epsg = p.crs.to_epsg();
    j["epsg"] = epsg ? json(*epsg) : json(nullptr);
    const auto gt = p.transform.to_gdal();
    j["transform"] = json::array({gt[0], gt[1], gt[2], gt[3], gt[4], gt[5]});
    const Bounds b = p.bounds();
    j["bounds"] = json::array({b.left, b.bottom, b.right, b.top});
    json nodata = json::array();
    for (const auto& nd : p.nodata)
        nodata.push_back(nodata_json(nd));
    j["nodata"] = nodata;
    j["blocksize"] = json::array({p.block_width, p.block_height});
    j["overviews"] = p.overview_factors;
    json bands = json::array();
    for (int i = 0; i < p.count; ++i) {
        json band;
        band["index"] = i + 1;
        band["dtype"] = dtype_name(p.dtype);
        band["nodata"] = nodata_json(p.nodata[std::size_t(i)]);
        band["colorinterp"] = p.colorinterp[std::size_t(i)];
        band["description"] = p.descriptions[std::size_t(i)];
        if (o.stats)
            band["stats"] = stats_json(ds.statistics(i + 1));
        bands.push_back(band);
    }
    j["bands"] = bands;
    return j.dump(2);
}

std::string info_text(const Dataset& ds, const InfoOptions& o) {
    const Profile& p = ds.profile();
    std::ostringstream os;
    os << "File:        " << ds.path() << "\n";
    os << "Driver:      " << p.driver << "\n";
    os << "Size:        " << p.width << " x " << p.height << ", " << p.count << " band(s), "
       << dtype_name(p.dtype) << "\n";
    if (p.crs.empty()) {
        os << "CRS:         none\n";
    } else {
        const auto epsg = p.crs.to_epsg();
        os << "CRS:         " << p.crs.name();
        if (epsg)
            os << " (EPSG:" << *epsg << ")";
        os << "\n";
    }
    const auto gt = p.transform.to_gdal();
    os << "Transform:   " << (p.has_transform ? "" : "(none) ");
    for (int i = 0; i < 6; ++i)
        os << (i ? ", " : "") << fmt(gt[std::size_t(i)]);
    os << "\n";
    if (!p.transform.is_rectilinear())
        os << "             rotated or sheared grid\n";
    const Bounds b = p.bounds();
    os << "Bounds:      left " << fmt(b.left) << ", bottom " << fmt(b.bottom) << ", right "
       << fmt(b.right) << ", top " << fmt(b.top) << "\n";
    os << "Block size:  " << p.block_width << " x " << p.block_height << "\n";
    if (!p.compression.empty())
        os << "Compression: " << p.compression << "\n";
    os << "Overviews:   ";
    if (p.overview_factors.empty())
        os << "none";
    for (std::size_t i = 0; i < p.overview_factors.size(); ++i)
        os << (i ? ", " : "") << p.overview_factors[i] << "x";
    os << "\n";
    for (int i = 0; i < p.count; ++i) {
        const auto& nd = p.nodata[std::size_t(i)];
        os << "Band " << i + 1 << ":      " << dtype_name(p.dtype) << ", "
           << p.colorinterp[std::size_t(i)];
        if (!p.descriptions[std::size_t(i)].empty())
            os << ", \"" << p.descriptions[std::size_t(i)] << "\"";
        os << ", nodata " << (nd ? fmt(*nd) : std::string("none")) << "\n";
        if (o.stats) {
            const BandStats s = ds.statistics(i + 1);
            if (s.valid_count == 0)
                os << "             no valid pixels\n";
            else
                os << "             min " << fmt(s.min) << ", max " << fmt(s.max) << ", mean "
                   << fmt(s.mean) << ", stddev " << fmt(s.stddev) << ", valid " << s.valid_count
                   << "\n";
        }
    }
    return os.str();
}

} // namespace rb
