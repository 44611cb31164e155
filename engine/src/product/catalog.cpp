// The scene catalog: folders, list files and STAC JSON read into rows; selection by date,
// season, cloud and sensor.
#include "rasterbench/catalog.h"
#include "rasterbench/catalog_progress.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include <gdal.h>
#include <nlohmann/json.hpp>

#include "rasterbench/bands.h"
#include "rasterbench/dataset.h"
#include "rasterbench/error.h"
#include "rasterbench/product.h"
#include "rasterbench/quality.h"
#include "rasterbench/raster.h"

#include "gdal_util.h"
#include "json_message.h"
#include "json_nesting.h"

namespace fs = std::filesystem;

namespace rb {

namespace {

std::string lower(std::string s) {
    for (char& c : s)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_raster_name(const std::string& name) {
    const std::string l = lower(name);
    return ends_with(l, ".tif") || ends_with(l, ".tiff") || ends_with(l, ".jp2") ||
           ends_with(l, ".vrt") || ends_with(l, ".img");
}

// Whether GDAL recognizes the file as a raster (a PNG, an ERDAS or ENVI file...).
bool identified_as_raster(const std::string& path) {
    detail::GdalErrorCapture quiet; // registers the drivers too
    return GDALIdentifyDriverEx(path.c_str(), GDAL_OF_RASTER, nullptr, nullptr) != nullptr;
}

bool is_metadata_name(const std::string& name) {
    return ends_with(name, "_MTL.txt") || ends_with(name, "_MTL.json") ||
           name == "MTD_MSIL1C.xml" || name == "MTD_MSIL2A.xml" ||
           ends_with(name, "_MTD_MSIL1C.xml") || ends_with(name, "_MTD_MSIL2A.xml");
}

/// A quality raster by its name: never a scene of its own.
bool is_quality_name(const std::string& name) {
    const std::string l = lower(name);
    for (const char* k : {"_bqa.", "_qa_pixel.", "_scl.", "_scl_", "fmask", "_qa_radsat.",
                          "_qa_aerosol.", "_sr_cloud_qa.", "_pixel_qa."})
        if (l.find(k) != std::string::npos)
            return true;
    return false;
}

std::string normalise_sensor(const std::string& s) {
    std::string out;
    for (char c : lower(s))
        if (c != '-' && c != '_' && c != ' ')
            out += c;
    return out;
}

/// CRS and size of a raster, and its date from its metadata or name, when it can be opened.
void fill_from_raster(CatalogEntry& e, const std::string& raster) {
    Profile p;
    try {
        p = read_profile(raster);
    } catch (const Error& err) {
        e.problem = err.what();
        return;
    }
    e.width = p.width;
    e.height = p.height;
    if (!p.crs.empty()) {
        const std::optional<int> epsg = p.crs.to_epsg();
        e.crs = epsg ? "EPSG:" + std::to_string(*epsg) : p.crs.name();
    }
    if (!e.date)
        e.date = scene_date(p.metadata, raster);
}

/// Share of cloud (cloud, cloud edge, cirrus) among the non-fill pixels of a quality file,
/// and the share of non-fill pixels, from a decimated nearest-neighbour view.
bool cloud_from_quality(CatalogEntry& e, const std::string& qa_path, int sample) {
    try {
        const Dataset ds = Dataset::open(qa_path);
        BandLayout layout;
        layout.count = ds.count();
        layout.descriptions = ds.profile().descriptions;
        const std::optional<QualityPreset> preset = detect_quality_preset(layout, 0, {qa_path});
        if (!preset)
            return false;
        ReadOptions ro;
        ro.bands = {1};
        const double scale =
            std::max(1.0, double(std::max(ds.width(), ds.height())) / std::max(1, sample));
        ro.out_cols = std::max(1, int(std::lround(ds.width() / scale)));
        ro.out_rows = std::max(1, int(std::lround(ds.height() / scale)));
        ro.with_mask = false;
        const Raster r = ds.read(ro);
        std::size_t valid = 0, cloud = 0, total = 0;
        for (int row = 0; row < r.rows(); ++row)
            for (int col = 0; col < r.cols(); ++col) {
                ++total;
                const double v = r.value(0, row, col);
                const QualityClass c = classify_quality(*preset, v < 0 ? 0u : std::uint32_t(v));
                if (c == QualityClass::Fill)
                    continue;
                ++valid;
                if (c == QualityClass::Cloud || c == QualityClass::CloudEdge ||
                    c == QualityClass::Cirrus)
                    ++cloud;
            }
        if (total == 0)
            return false;
        e.valid_share = double(valid) / double(total);
        if (!e.cloud_cover && valid > 0) {
            e.cloud_cover = 100.0 * double(cloud) / double(valid);
            e.cloud_source = "qa";
        }
        return true;
    } catch (const Error&) {
        return false;
    }
}

struct Reader {
    const CatalogReadOptions& options;
    std::vector<CatalogEntry> rows;
    std::set<std::string> seen;
    std::set<std::string> products; ///< product ids already listed
    Progress progress;              ///< per folder or ItemCollection

    std::string quality_beside(const std::string& raster) const {
        if (options.qa_from.empty())
            return {};
        const fs::path p(raster);
        std::string name = p.filename().string();
        const std::size_t at = name.rfind(options.qa_from);
        if (at == std::string::npos)
            return {};
        name.replace(at, options.qa_from.size(), options.qa_to);
        const fs::path q = p.parent_path() / name;
        std::error_code ec;
        return fs::exists(q, ec) ? q.string() : std::string();
    }

    void finish(CatalogEntry e) {
        if (!e.quality_file.empty())
            cloud_from_quality(e, e.quality_file, options.qa_sample_size);
        if (!seen.insert(e.path).second)
            return;
        rows.push_back(std::move(e));
    }

    /// A product given by its metadata; `bands` are the rasters of the folder.
    void add_metadata(const std::string& path, const std::vector<fs::path>& bands,
                      std::set<std::string>& claimed) {
        const ProductMetadata m = read_product_metadata(path);
        // The same product as text and JSON (MTL.txt beside MTL.json) is one scene.
        if (!m.product_id.empty() && !products.insert(m.product_id).second)
            return;
        CatalogEntry e;
        e.path = path;
        e.date = m.date;
        e.sensor = sensor_from_text(m.platform);
        if (e.sensor.empty())
            e.sensor = sensor_from_text(m.product_id);
        e.cloud_cover = m.cloud_cover;
        if (e.cloud_cover)
            e.cloud_source = "metadata";
        const fs::path dir = fs::path(path).parent_path();
        std::error_code ec;
        if (!m.quality_file.empty() && fs::exists(dir / m.quality_file, ec))
            e.quality_file = (dir / m.quality_file).string();
        // The product's band files: named by the metadata, or with its id in their name.
        std::string first_band;
        for (const fs::path& b : bands) {
            const std::string name = b.filename().string();
            bool mine = !m.product_id.empty() && name.find(m.product_id) != std::string::npos;
            for (const BandRescaling& br : m.bands)
                mine = mine || (!br.file.empty() && br.file == name);
            if (m.family == ProductFamily::Sentinel2)
                mine = mine || find_product_metadata(b.string()) == path;
            if (!mine)
                continue;
            claimed.insert(b.string());
            if (first_band.empty() && !is_quality_name(name))
                first_band = b.string();
        }
        if (!first_band.empty())
            fill_from_raster(e, first_band);
        finish(std::move(e));
    }

    void add_raster(const std::string& path) {
        CatalogEntry e;
        e.path = path;
        const std::string name = fs::path(path).filename().string();
        e.sensor = sensor_from_text(name);
        fill_from_raster(e, path);
        e.quality_file = quality_beside(path);
        if (e.quality_file.empty() && e.width > 0)
            valid_share_from_nodata(e, path);
        finish(std::move(e));
    }

    void valid_share_from_nodata(CatalogEntry& e, const std::string& path) const {
        try {
            const Dataset ds = Dataset::open(path);
            if (!ds.profile().nodata.empty() && !ds.profile().nodata[0])
                return;
            ReadOptions ro;
            ro.bands = {1};
            const double scale = std::max(1.0, double(std::max(ds.width(), ds.height())) /
                                                   std::max(1, options.qa_sample_size));
            ro.out_cols = std::max(1, int(std::lround(ds.width() / scale)));
            ro.out_rows = std::max(1, int(std::lround(ds.height() / scale)));
            const Raster r = ds.read(ro);
            std::size_t valid = 0, total = 0;
            for (int row = 0; row < r.rows(); ++row)
                for (int col = 0; col < r.cols(); ++col) {
                    ++total;
                    valid += r.valid(0, row, col) ? 1 : 0;
                }
            if (total)
                e.valid_share = double(valid) / double(total);
        } catch (const Error&) {
        }
    }

    void add_folder(const fs::path& dir) {
        std::vector<fs::path> metadata, rasters;
        std::error_code ec;
        for (auto it = fs::recursive_directory_iterator(dir, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (!it->is_regular_file(ec))
                continue;
            const std::string name = it->path().filename().string();
            if (is_metadata_name(name))
                metadata.push_back(it->path());
            else if (is_raster_name(name))
                rasters.push_back(it->path());
        }
        std::sort(metadata.begin(), metadata.end());
        std::sort(rasters.begin(), rasters.end());
        std::set<std::string> claimed;
        const double total = double(metadata.size() + rasters.size());
        double done = 0;
        for (const fs::path& m : metadata) {
            progress.report(done++ / total);
            std::vector<fs::path> siblings;
            for (const fs::path& r : rasters)
                if (r.string().rfind(m.parent_path().string(), 0) == 0)
                    siblings.push_back(r);
            // A damaged metadata file among many is a row with its problem (as an unreadable
            // raster is), not the end of the whole folder's listing.
            try {
                add_metadata(m.string(), siblings, claimed);
            } catch (const Error& err) {
                CatalogEntry e;
                e.path = m.string();
                e.problem = err.what();
                finish(std::move(e));
            }
        }
        for (const fs::path& r : rasters) {
            progress.report(done++ / total);
            if (!claimed.count(r.string()) && !is_quality_name(r.filename().string()))
                add_raster(r.string());
        }
        progress.report(1.0);
    }

    void add_stac_item(const nlohmann::json& item, const fs::path& base, const std::string& file) {
        const nlohmann::json props = item.value("properties", nlohmann::json::object());
        CatalogEntry e;
        const nlohmann::json assets = item.value("assets", nlohmann::json::object());
        auto href_of = [&](const nlohmann::json& a) {
            std::string h = a.value("href", std::string());
            if (h.rfind("http://", 0) == 0 || h.rfind("https://", 0) == 0)
                return "/vsicurl/" + h;
            if (h.rfind("s3://", 0) == 0)
                return "/vsis3/" + h.substr(5);
            if (h.rfind("file://", 0) == 0)
                h = h.substr(7);
            return fs::path(h).is_absolute() ? h : (base / h).lexically_normal().string();
        };
        std::string data, quality;
        for (const auto& [key, a] : assets.items()) {
            const std::string k = lower(key);
            const std::string type = a.value("type", std::string());
            const bool image = type.empty() || type.find("tiff") != std::string::npos ||
                               type.find("jp2") != std::string::npos;
            if (!image)
                continue;
            if (k == "qa_pixel" || k == "bqa" || k == "scl" || k == "fmask" || k == "qa") {
                if (quality.empty())
                    quality = href_of(a);
                continue;
            }
            if (k.find("thumbnail") != std::string::npos || k.find("overview") != std::string::npos)
                continue;
            bool is_data = key == "data" || key == "image" || key == "stack";
            if (a.contains("roles"))
                for (const auto& r : a["roles"])
                    is_data = is_data || (r.is_string() && r.get<std::string>() == "data");
            if (data.empty() && (is_data || !a.contains("roles")))
                data = href_of(a);
        }
        e.path = data.empty() ? file + "#" + item.value("id", std::string()) : data;
        const std::string dt = props.value("datetime", std::string());
        if (!dt.empty())
            e.date = date_from_metadata({{"ACQUISITION_DATE", dt}});
        if (props.contains("eo:cloud_cover") && props["eo:cloud_cover"].is_number()) {
            const double c = props["eo:cloud_cover"].get<double>();
            if (c >= 0 && c <= 100) { // a share, not a code
                e.cloud_cover = c;
                e.cloud_source = "metadata";
            }
        }
        e.sensor = sensor_from_text(props.value("platform", std::string()));
        if (e.sensor.empty())
            e.sensor = sensor_from_text(item.value("id", std::string()));
        // Integers in range only: a cast of 1e300 or 2^63 to int is no size or code.
        const auto positive_int = [](const nlohmann::json& v) -> int {
            if (!v.is_number_integer())
                return 0;
            const auto n = v.get<std::int64_t>();
            return n > 0 && n <= std::numeric_limits<int>::max() ? int(n) : 0;
        };
        if (props.contains("proj:epsg"))
            if (const int code = positive_int(props["proj:epsg"]); code > 0)
                e.crs = "EPSG:" + std::to_string(code);
        if (props.contains("proj:shape") && props["proj:shape"].is_array() &&
            props["proj:shape"].size() == 2) {
            const int h = positive_int(props["proj:shape"][0]),
                      w = positive_int(props["proj:shape"][1]);
            if (h > 0 && w > 0) {
                e.height = h;
                e.width = w;
            }
        }
        std::error_code ec;
        if (!data.empty() && e.width == 0 && fs::exists(data, ec))
            fill_from_raster(e, data);
        if (!e.date)
            e.date = date_from_name(item.value("id", std::string()));
        if (!quality.empty() && fs::exists(quality, ec))
            e.quality_file = quality;
        finish(std::move(e));
    }

    void add_json(const std::string& path) {
        std::ifstream in(path);
        std::stringstream ss;
        ss << in.rdbuf();
        const std::string text = ss.str();
        detail::check_json_nesting(text, "'" + path + "'");
        const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
        if (j.is_discarded() || !j.is_object())
            throw ArgumentError("'" + path + "': not valid JSON");
        if (j.contains("L1_METADATA_FILE") || j.contains("LANDSAT_METADATA_FILE")) {
            std::set<std::string> claimed;
            add_metadata(path, {}, claimed);
            return;
        }
        const fs::path base = fs::path(path).parent_path();
        const std::string type = j.value("type", std::string());
        // A member of the wrong type ("datetime": null) is named with its file and item.
        const auto item = [&](const nlohmann::json& f, const std::string& which) {
            try {
                add_stac_item(f, base, path);
            } catch (const nlohmann::json::exception& e) {
                throw ArgumentError("'" + path + "': " + which + ": " +
                                    detail::json_message(e.what()));
            }
        };
        if (type == "Feature")
            item(j, "the item");
        else if (type == "FeatureCollection" && j.contains("features") &&
                 j["features"].is_array()) {
            const double total = double(j["features"].size());
            double done = 0;
            for (const auto& f : j["features"]) {
                progress.report(done / total);
                item(f, "feature " + std::to_string(std::size_t(done++)));
            }
        } else
            throw ArgumentError("'" + path +
                                "': not a STAC Item or ItemCollection (no \"type\": \"Feature\" "
                                "or \"FeatureCollection\")");
    }

    void add_list(const std::string& path, int depth) {
        std::ifstream in(path);
        if (!in)
            throw IoError("'" + path + "': cannot be read");
        const fs::path base = fs::path(path).parent_path();
        std::string line;
        for (int number = 1; std::getline(in, line); ++number) {
            // Paths are text: a control character means some other kind of file.
            if (std::any_of(line.begin(), line.end(), [](char c) {
                    return static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\r';
                }))
                throw ArgumentError("'" + path +
                                    "': neither a raster GDAL reads nor a list of paths (line " +
                                    std::to_string(number) + " is not text)");
            while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
                line.pop_back();
            std::size_t s = 0;
            while (s < line.size() && std::isspace(static_cast<unsigned char>(line[s])))
                ++s;
            line = line.substr(s);
            if (line.empty() || line[0] == '#')
                continue;
            const fs::path p = fs::path(line).is_absolute() ? fs::path(line) : base / line;
            add(p.lexically_normal().string(), depth + 1);
        }
    }

    void add(const std::string& path, int depth = 0) {
        std::error_code ec;
        if (path.rfind("/vsi", 0) == 0) {
            add_raster(path);
            return;
        }
        if (!fs::exists(path, ec))
            throw IoError("'" + path + "': no such file or folder");
        const std::string name = fs::path(path).filename().string();
        if (fs::is_directory(path, ec))
            add_folder(path);
        else if (is_metadata_name(name) || ends_with(name, "MTD_TL.xml")) {
            std::set<std::string> claimed;
            add_metadata(path, {}, claimed);
        } else if (ends_with(lower(name), ".json") || ends_with(lower(name), ".geojson"))
            add_json(path);
        else if (is_raster_name(name) || identified_as_raster(path))
            add_raster(path);
        else if (depth < 4)
            add_list(path, depth);
        else
            throw ArgumentError("'" + path + "': list files nest too deeply");
    }
};

bool leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

} // namespace

/// The sensor of a product id ("LC08", "LE07", "S2B", "LC8..." pre-collection); empty
/// when the token is none.
static std::string sensor_from_token(const std::string& u);

int CatalogEntry::doy() const {
    if (!date)
        return 0;
    static const int before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    return before[date->month - 1] + date->day + (date->month > 2 && leap(date->year) ? 1 : 0);
}

std::string sensor_from_text(const std::string& text) {
    const std::string t = normalise_sensor(text);
    // Landsat product ids and platform names.
    static const std::pair<const char*, const char*> landsat[] = {{"landsat9", "landsat-9"},
                                                                  {"landsat8", "landsat-8"},
                                                                  {"landsat7", "landsat-7"},
                                                                  {"landsat5", "landsat-5"},
                                                                  {"landsat4", "landsat-4"}};
    for (const auto& [k, v] : landsat)
        if (t.find(k) != std::string::npos)
            return v;
    static const std::pair<const char*, const char*> s2[] = {{"sentinel2a", "sentinel-2a"},
                                                             {"sentinel2b", "sentinel-2b"},
                                                             {"sentinel2c", "sentinel-2c"}};
    for (const auto& [k, v] : s2)
        if (t.find(k) != std::string::npos)
            return v;
    // Product ids anywhere in a file name: tiny_LC81390452014295LGN00_B5.TIF.
    std::vector<std::string> tokens(1);
    for (char c : fs::path(text).filename().string())
        if (c == '_' || c == '.' || c == '-')
            tokens.emplace_back();
        else
            tokens.back() += c;
    for (const std::string& u : tokens) {
        const std::string found = sensor_from_token(u);
        if (!found.empty())
            return found;
    }
    return {};
}

static std::string sensor_from_token(const std::string& u) {
    auto starts = [&](const char* p) { return u.rfind(p, 0) == 0; };
    for (const char* p : {"LC09", "LO09", "LC9"})
        if (starts(p))
            return "landsat-9";
    for (const char* p : {"LC08", "LO08", "LT08", "LC8"})
        if (starts(p))
            return "landsat-8";
    for (const char* p : {"LE07", "LE7"})
        if (starts(p))
            return "landsat-7";
    for (const char* p : {"LT05", "LT5", "LM05"})
        if (starts(p))
            return "landsat-5";
    for (const char* p : {"LT04", "LT4"})
        if (starts(p))
            return "landsat-4";
    for (const char* p : {"S2A", "S2B", "S2C"})
        if (starts(p))
            return std::string("sentinel-2") + char(std::tolower(p[2]));
    return {};
}

std::pair<int, int> CatalogSelection::parse_doy(const std::string& text) {
    const std::size_t dash = text.find('-');
    try {
        if (dash != std::string::npos && dash > 0) {
            std::size_t used1 = 0, used2 = 0;
            const int a = std::stoi(text.substr(0, dash), &used1);
            const int b = std::stoi(text.substr(dash + 1), &used2);
            if (used1 == dash && used2 == text.size() - dash - 1 && a >= 1 && a <= 366 && b >= 1 &&
                b <= 366)
                return {a, b};
        }
    } catch (const std::exception&) {
    }
    throw ArgumentError("day-of-year window '" + text +
                        "': expected A-B with days 1..366 (335-59 wraps the new year)");
}

bool CatalogSelection::matches(const CatalogEntry& e) const {
    if ((from || to || doy) && !e.date)
        return false;
    if (from && *e.date < *from)
        return false;
    if (to && *to < *e.date)
        return false;
    if (doy) {
        const int d = e.doy();
        const bool in = doy->first <= doy->second ? (d >= doy->first && d <= doy->second)
                                                  : (d >= doy->first || d <= doy->second);
        if (!in)
            return false;
    }
    if (max_cloud && (!e.cloud_cover || *e.cloud_cover > *max_cloud))
        return false;
    if (!sensors.empty()) {
        const std::string s = normalise_sensor(e.sensor);
        bool any = false;
        for (const std::string& want : sensors) {
            const std::string w = normalise_sensor(want);
            any = any || (!w.empty() && s.rfind(w, 0) == 0);
        }
        if (!any)
            return false;
    }
    return true;
}

std::vector<CatalogEntry> select_scenes(const std::vector<CatalogEntry>& entries,
                                        const CatalogSelection& selection) {
    std::vector<CatalogEntry> out;
    for (const CatalogEntry& e : entries)
        if (selection.matches(e))
            out.push_back(e);
    return out;
}

std::vector<CatalogEntry> read_catalog(const std::vector<std::string>& paths,
                                       const CatalogReadOptions& options) {
    return read_catalog(paths, options, ProgressFn());
}

std::vector<CatalogEntry> read_catalog(const std::vector<std::string>& paths,
                                       const CatalogReadOptions& options,
                                       const ProgressFn& progress) {
    Reader reader{options, {}, {}, {}, Progress(progress)};
    for (const std::string& p : paths)
        reader.add(p);
    std::stable_sort(reader.rows.begin(), reader.rows.end(),
                     [](const CatalogEntry& a, const CatalogEntry& b) {
                         if (a.date != b.date)
                             return a.date < b.date; // undated (nullopt) first
                         return a.path < b.path;
                     });
    return std::move(reader.rows);
}

std::string catalog_json(const std::vector<CatalogEntry>& entries) {
    nlohmann::json arr = nlohmann::json::array();
    for (const CatalogEntry& e : entries) {
        nlohmann::json o;
        o["path"] = e.path;
        o["date"] = e.date ? nlohmann::json(e.date->iso()) : nlohmann::json();
        o["doy"] = e.date ? nlohmann::json(e.doy()) : nlohmann::json();
        o["sensor"] = e.sensor.empty() ? nlohmann::json() : nlohmann::json(e.sensor);
        o["cloud_cover"] = e.cloud_cover ? nlohmann::json(*e.cloud_cover) : nlohmann::json();
        o["cloud_source"] =
            e.cloud_source.empty() ? nlohmann::json() : nlohmann::json(e.cloud_source);
        o["valid_share"] = e.valid_share ? nlohmann::json(*e.valid_share) : nlohmann::json();
        o["crs"] = e.crs.empty() ? nlohmann::json() : nlohmann::json(e.crs);
        o["width"] = e.width;
        o["height"] = e.height;
        arr.push_back(std::move(o));
    }
    return arr.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string catalog_text(const std::vector<CatalogEntry>& entries) {
    std::ostringstream os;
    os << "date\tdoy\tsensor\tcloud\tcloud_source\tvalid\tcrs\tsize\tpath\n";
    os.setf(std::ios::fixed);
    for (const CatalogEntry& e : entries) {
        os << (e.date ? e.date->iso() : "-") << '\t' << (e.date ? std::to_string(e.doy()) : "-")
           << '\t' << (e.sensor.empty() ? "-" : e.sensor) << '\t';
        if (e.cloud_cover)
            os.precision(2), os << *e.cloud_cover;
        else
            os << '-';
        os << '\t' << (e.cloud_source.empty() ? "-" : e.cloud_source) << '\t';
        if (e.valid_share)
            os.precision(3), os << *e.valid_share;
        else
            os << '-';
        os << '\t' << (e.crs.empty() ? "-" : e.crs) << '\t' << e.width << 'x' << e.height << '\t'
           << e.path << '\n';
    }
    return os.str();
}

} // namespace rb
