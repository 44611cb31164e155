// Sentinel-2 metadata (XML, read with GDAL's CPL XML parser): the product file of a Level-1C
// or Level-2A product (date, spacecraft, baseline, cloud cover, quantification, offsets per
// band) and the tile file (tile id, sensing time, mean sun angles and their grids).
#include <cpl_minixml.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <regex>
#include <sstream>

#include "product_detail.h"
#include "rasterbench/error.h"

namespace rb::detail {

namespace {

struct XmlFree {
    void operator()(CPLXMLNode* n) const { CPLDestroyXMLNode(n); }
};

/// The first element named `name` anywhere below `n` (namespace prefixes ignored).
const CPLXMLNode* find(const CPLXMLNode* n, const char* name) {
    for (; n; n = n->psNext) {
        if (n->eType == CXT_Element) {
            const char* local = std::strchr(n->pszValue, ':');
            if (std::strcmp(local ? local + 1 : n->pszValue, name) == 0)
                return n;
            if (const CPLXMLNode* c = find(n->psChild, name))
                return c;
        }
    }
    return nullptr;
}

std::string text_of(const CPLXMLNode* n) {
    if (!n)
        return {};
    for (const CPLXMLNode* c = n->psChild; c; c = c->psNext)
        if (c->eType == CXT_Text)
            return c->pszValue;
    return {};
}

std::string value(const CPLXMLNode* root, const char* name) {
    return text_of(find(root, name));
}

/// `text` (the value of `name`) as a finite number; ArgumentError naming the file otherwise
/// (a prefix was read before: "10000abc" as 10000, and "abc" as 0).
double finite_number(const std::string& text, const char* name, const std::string& path) {
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    while (end != text.c_str() && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
        ++end;
    if (end == text.c_str() || *end || !std::isfinite(v))
        throw ArgumentError("'" + path + "': " + name + " '" + text + "' is not a number");
    return v;
}

std::optional<double> number(const CPLXMLNode* root, const char* name, const std::string& path) {
    const std::string v = value(root, name);
    if (v.empty())
        return std::nullopt;
    return finite_number(v, name, path);
}

/// The angle grid `which` ("Zenith" or "Azimuth") of the tile's Sun_Angles_Grid; nullopt
/// when the file has none. ArgumentError naming the file for rows of different lengths or a
/// value that is not a number.
std::optional<AngleGrid> sun_angle_grid(const CPLXMLNode* root, const char* which,
                                        const std::string& path) {
    const CPLXMLNode* sun = find(root, "Sun_Angles_Grid");
    const CPLXMLNode* grid = sun ? find(sun->psChild, which) : nullptr;
    const CPLXMLNode* list = grid ? find(grid->psChild, "Values_List") : nullptr;
    if (!list)
        return std::nullopt;
    const std::string where = "'" + path + "': Sun_Angles_Grid/" + which;
    AngleGrid g;
    g.crs = value(root, "HORIZONTAL_CS_CODE");
    // Every Geoposition (one per resolution) names the same upper-left corner.
    const CPLXMLNode* pos = find(root, "Geoposition");
    const auto ulx = pos ? number(pos->psChild, "ULX", path) : std::nullopt;
    const auto uly = pos ? number(pos->psChild, "ULY", path) : std::nullopt;
    const auto cs = number(grid->psChild, "COL_STEP", path),
               rs = number(grid->psChild, "ROW_STEP", path);
    if (!ulx || !uly || !cs || !rs || !(*cs > 0) || !(*rs > 0))
        throw ArgumentError(where + ": needs the tile's ULX/ULY and positive COL_STEP/ROW_STEP");
    g.x0 = *ulx;
    g.y0 = *uly;
    g.step_x = *cs;
    g.step_y = -*rs;
    for (const CPLXMLNode* row = list->psChild; row; row = row->psNext) {
        if (row->eType != CXT_Element)
            continue;
        std::istringstream in(text_of(row));
        int n = 0;
        for (std::string word; in >> word; ++n) {
            char* end = nullptr;
            const double v = std::strtod(word.c_str(), &end);
            if (end == word.c_str() || *end)
                throw ArgumentError(where + ": '" + word + "' in row " +
                                    std::to_string(g.rows + 1) + " is not a number");
            g.values.push_back(v);
        }
        if (g.rows > 0 && n != g.cols)
            throw ArgumentError(where + ": row " + std::to_string(g.rows + 1) + " has " +
                                std::to_string(n) + " values, the first " + std::to_string(g.cols));
        g.cols = n;
        ++g.rows;
    }
    if (g.rows == 0 || g.cols == 0)
        return std::nullopt;
    return g;
}

} // namespace

ProductMetadata read_sentinel2_mtd(const std::string& path, const std::string& text) {
    std::unique_ptr<CPLXMLNode, XmlFree> doc(CPLParseXMLString(text.c_str()));
    if (!doc)
        throw ArgumentError("'" + path + "': not well-formed XML");
    const CPLXMLNode* root = doc.get();
    ProductMetadata p;
    p.source = path;
    p.family = ProductFamily::Sentinel2;
    p.sensor = "MSI";
    const bool tile = find(root, "Tile_Geocoding") || find(root, "TILE_ID");
    std::string when;
    if (tile) {
        when = value(root, "SENSING_TIME");
        p.product_id = value(root, "TILE_ID");
        if (const CPLXMLNode* sun = find(root, "Mean_Sun_Angle")) {
            const std::string z = value(sun->psChild, "ZENITH_ANGLE");
            if (!z.empty())
                p.sun_elevation = 90.0 - finite_number(z, "ZENITH_ANGLE", path);
            const std::string a = value(sun->psChild, "AZIMUTH_ANGLE");
            if (!a.empty())
                p.sun_azimuth = finite_number(a, "AZIMUTH_ANGLE", path);
        }
        p.sun_zenith_grid = sun_angle_grid(root, "Zenith", path);
        p.sun_azimuth_grid = sun_angle_grid(root, "Azimuth", path);
        p.cloud_cover = number(root, "CLOUDY_PIXEL_PERCENTAGE", path);
        p.level = p.product_id.find("_L2A_") != std::string::npos ? "Level-2A" : "Level-1C";
    } else if (find(root, "Product_Info")) {
        when = value(root, "PRODUCT_START_TIME");
        p.product_id = value(root, "PRODUCT_URI");
        p.platform = value(root, "SPACECRAFT_NAME");
        p.processing_baseline = value(root, "PROCESSING_BASELINE");
        p.level = value(root, "PROCESSING_LEVEL");
        p.cloud_cover = number(root, "Cloud_Coverage_Assessment", path);
        const bool l2a = value(root, "PRODUCT_TYPE").find("2A") != std::string::npos;
        if (const auto q =
                number(root, l2a ? "BOA_QUANTIFICATION_VALUE" : "QUANTIFICATION_VALUE", path))
            p.quantification = *q;
        // Band names by index, then the offsets per index (absent before baseline 04.00).
        std::vector<std::string> names;
        if (const CPLXMLNode* info = find(root, "Spectral_Information_List"))
            for (const CPLXMLNode* c = info->psChild; c; c = c->psNext)
                if (c->eType == CXT_Element) {
                    const char* band = CPLGetXMLValue(c, "physicalBand", nullptr);
                    if (band)
                        names.push_back(band);
                }
        for (const auto& n : names) {
            BandRescaling r;
            r.name = n;
            p.bands.push_back(r);
        }
        const char* list = l2a ? "BOA_ADD_OFFSET_VALUES_LIST" : "Radiometric_Offset_List";
        if (const CPLXMLNode* offsets = find(root, list))
            for (const CPLXMLNode* c = offsets->psChild; c; c = c->psNext)
                if (c->eType == CXT_Element) {
                    const int id = std::atoi(CPLGetXMLValue(c, "band_id", "-1"));
                    if (id >= 0 && std::size_t(id) < p.bands.size())
                        p.bands[std::size_t(id)].offset =
                            finite_number(text_of(c), "the band offset", path);
                }
    } else {
        throw ArgumentError("'" + path +
                            "': no Product_Info or tile geocoding (not a Sentinel-2 MTD file)");
    }
    p.date = date_from_metadata({{"SENSING_TIME", when}});
    if (!p.date)
        throw ArgumentError("'" + path + "': no valid sensing time (got '" + when + "')");
    const auto t = when.find('T');
    p.time = t == std::string::npos ? std::string() : when.substr(t + 1);
    std::smatch m;
    static const std::regex tile_re("_(T\\d{2}[A-Z]{3})_");
    if (std::regex_search(p.product_id, m, tile_re))
        p.location = m[1];
    if (p.platform.empty()) {
        static const std::regex sat_re("^(S2[AB])");
        if (std::regex_search(p.product_id, m, sat_re))
            p.platform = std::string("Sentinel-2") + m[1].str().back();
    }
    return p;
}

} // namespace rb::detail
