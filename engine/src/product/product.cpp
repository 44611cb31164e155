// Reading product metadata of any family, and the metadata value's text and JSON forms.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "product_detail.h"
#include "rasterbench/error.h"

namespace rb {

namespace fs = std::filesystem;

std::string canonical_band_name(const std::string& name) {
    std::string s;
    for (char c : name)
        s += char(std::toupper(static_cast<unsigned char>(c)));
    if (!s.empty() && s[0] == 'B')
        s = s.substr(1);
    while (s.size() > 1 && s[0] == '0')
        s = s.substr(1);
    return "B" + s;
}

const BandRescaling* ProductMetadata::band(const std::string& name) const {
    const std::string want = canonical_band_name(name);
    for (const auto& b : bands)
        if (canonical_band_name(b.name) == want)
            return &b;
    return nullptr;
}

namespace {

std::string opt(const std::optional<double>& v) {
    if (!v)
        return "unknown";
    std::ostringstream os;
    os << *v;
    return os.str();
}

} // namespace

double AngleGrid::at(double x, double y) const {
    const double fx = (x - x0) / step_x, fy = (y - y0) / step_y;
    if (!(fx >= 0 && fy >= 0 && fx <= cols - 1 && fy <= rows - 1))
        return std::numeric_limits<double>::quiet_NaN();
    const int c = std::min(int(fx), std::max(cols - 2, 0));
    const int r = std::min(int(fy), std::max(rows - 2, 0));
    const int c1 = std::min(c + 1, cols - 1), r1 = std::min(r + 1, rows - 1);
    const double tx = fx - c, ty = fy - r;
    // NaN at any of the four nodes spreads: no value is made up beyond the product's own.
    const double top = node(r, c) * (1 - tx) + node(r, c1) * tx;
    const double bottom = node(r1, c) * (1 - tx) + node(r1, c1) * tx;
    return top * (1 - ty) + bottom * ty;
}

std::pair<double, double> AngleGrid::range() const {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : values)
        if (std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    if (lo > hi)
        return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
    return {lo, hi};
}

std::string ProductMetadata::text() const {
    std::ostringstream os;
    os << "File:         " << source << "\n"
       << "Product:      " << product_id << "\n"
       << "Family:       " << (family == ProductFamily::Landsat ? "Landsat" : "Sentinel-2") << "\n"
       << "Platform:     " << platform << " " << sensor << "\n"
       << "Level:        " << level;
    if (family == ProductFamily::Landsat)
        os << " (collection " << collection << ")";
    else if (!processing_baseline.empty())
        os << " (baseline " << processing_baseline << ")";
    os << "\nAcquired:     " << (date ? date->iso() : "unknown") << " " << time << "\n"
       << "Location:     " << location << "\n"
       << "Cloud cover:  " << opt(cloud_cover) << " %\n"
       << "Sun:          elevation " << opt(sun_elevation) << ", azimuth " << opt(sun_azimuth)
       << " degrees\n";
    if (sun_zenith_grid) {
        const auto [lo, hi] = sun_zenith_grid->range();
        os << "Sun grid:     zenith " << lo << " to " << hi << " degrees, " << sun_zenith_grid->cols
           << " x " << sun_zenith_grid->rows << " nodes every " << sun_zenith_grid->step_x << " m ("
           << sun_zenith_grid->crs << ")\n";
    }
    if (!quality_file.empty())
        os << "Quality file: " << quality_file << "\n";
    os << "Bands:        ";
    for (std::size_t k = 0; k < bands.size(); ++k)
        os << (k ? " " : "") << bands[k].name;
    os << "\n";
    return os.str();
}

std::string ProductMetadata::json() const {
    nlohmann::ordered_json j;
    auto o = [](const std::optional<double>& v) {
        return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
    };
    j["source"] = source;
    j["family"] = family == ProductFamily::Landsat ? "landsat" : "sentinel2";
    j["product_id"] = product_id;
    j["platform"] = platform;
    j["sensor"] = sensor;
    j["level"] = level;
    j["collection"] = collection;
    j["processing_baseline"] = processing_baseline;
    j["date"] = date ? nlohmann::ordered_json(date->iso()) : nlohmann::ordered_json(nullptr);
    j["time"] = time;
    j["location"] = location;
    j["cloud_cover"] = o(cloud_cover);
    j["sun_elevation"] = o(sun_elevation);
    j["sun_azimuth"] = o(sun_azimuth);
    for (const auto& [key, grid] : {std::pair{"sun_zenith_grid", &sun_zenith_grid},
                                    {"sun_azimuth_grid", &sun_azimuth_grid}}) {
        if (!*grid)
            continue;
        const AngleGrid& g = **grid;
        nlohmann::ordered_json e;
        e["crs"] = g.crs;
        e["x0"] = g.x0;
        e["y0"] = g.y0;
        e["step_x"] = g.step_x;
        e["step_y"] = g.step_y;
        e["rows"] = g.rows;
        e["cols"] = g.cols;
        nlohmann::ordered_json rows = nlohmann::ordered_json::array();
        for (int r = 0; r < g.rows; ++r) {
            nlohmann::ordered_json row = nlohmann::ordered_json::array();
            for (int c = 0; c < g.cols; ++c)
                row.push_back(
                    o(std::isfinite(g.node(r, c)) ? std::optional(g.node(r, c)) : std::nullopt));
            rows.push_back(row);
        }
        e["values"] = rows; // null where the product has no value
        j[key] = e;
    }
    j["quality_file"] = quality_file;
    j["quantification"] = quantification;
    nlohmann::ordered_json bs = nlohmann::ordered_json::array();
    for (const auto& b : bands) {
        nlohmann::ordered_json e;
        e["name"] = b.name;
        for (const auto& [k, v] : {std::pair{"radiance_mult", b.radiance_mult},
                                   {"radiance_add", b.radiance_add},
                                   {"reflectance_mult", b.reflectance_mult},
                                   {"reflectance_add", b.reflectance_add},
                                   {"k1", b.k1},
                                   {"k2", b.k2},
                                   {"sr_mult", b.sr_mult},
                                   {"sr_add", b.sr_add}})
            if (v)
                e[k] = *v;
        if (family == ProductFamily::Sentinel2)
            e["offset"] = b.offset;
        if (!b.file.empty())
            e["file"] = b.file;
        bs.push_back(e);
    }
    j["bands"] = bs;
    // Text from the file may hold bytes that are not UTF-8: replaced, not a JSON exception.
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

ProductMetadata read_product_metadata(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw IoError("cannot open '" + path + "': no such file or not readable");
    std::ostringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    if (text.empty())
        throw ArgumentError("'" + path + "': empty file (not product metadata)");
    if (text.size() > (64u << 20))
        throw ArgumentError("'" + path + "': " + std::to_string(text.size() >> 20) +
                            " MiB is too large for product metadata");
    const auto first = text.find_first_not_of(" \t\r\n\xef\xbb\xbf");
    std::optional<ProductMetadata> m;
    if (first != std::string::npos && text[first] == '<')
        m = detail::read_sentinel2_mtd(path, text);
    else if (text.find("L1_METADATA_FILE") != std::string::npos ||
             text.find("LANDSAT_METADATA_FILE") != std::string::npos)
        m = detail::read_landsat_mtl(path, text);
    if (m) {
        // A cloud cover outside 0..100 is a code (Landsat's -1: not assessed), not a share.
        if (m->cloud_cover && !(*m->cloud_cover >= 0 && *m->cloud_cover <= 100))
            m->cloud_cover.reset();
        return *m;
    }
    throw ArgumentError("'" + path +
                        "': not Landsat MTL (text or JSON) or Sentinel-2 MTD XML metadata");
}

std::string find_product_metadata(const std::string& raster_path) {
    const fs::path p(raster_path);
    const std::string stem = p.filename().string();
    std::error_code ec;
    // Landsat: the product id starts every file name of the product.
    for (const auto& entry :
         fs::directory_iterator(p.parent_path().empty() ? "." : p.parent_path(), ec)) {
        const std::string name = entry.path().filename().string();
        for (const char* suffix : {"_MTL.txt", "_MTL.json"}) {
            const std::string sfx = suffix;
            if (name.size() > sfx.size() &&
                name.compare(name.size() - sfx.size(), sfx.size(), sfx) == 0 &&
                stem.rfind(name.substr(0, name.size() - sfx.size()), 0) == 0)
                return entry.path().string();
        }
    }
    // Sentinel-2 SAFE: MTD_MSIL*.xml in a folder above the band file.
    for (fs::path dir = p.parent_path(); !dir.empty() && dir != dir.root_path();
         dir = dir.parent_path()) {
        for (const char* n : {"MTD_MSIL2A.xml", "MTD_MSIL1C.xml"})
            if (fs::exists(dir / n, ec))
                return (dir / n).string();
        if (dir.extension() == ".SAFE")
            break;
    }
    return {};
}

} // namespace rb
