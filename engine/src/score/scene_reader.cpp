// Reading a scene's files as one stack of bands (types promoted losslessly), and the check
// that scenes share one grid.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>

#include "rasterbench/composite.h"
#include "rasterbench/product.h"

namespace rb {

namespace {

// Smallest type holding every value of all `types` exactly.
DataType promote(const std::vector<DataType>& types) {
    const DataType first = types.front();
    if (std::all_of(types.begin(), types.end(), [&](DataType t) { return t == first; }))
        return first;
    bool any_float32 = false, wide = false, all_unsigned = true, any_uint16 = false;
    for (DataType t : types) {
        any_float32 = any_float32 || t == DataType::Float32;
        wide = wide || t == DataType::Float64 || (!is_floating(t) && dtype_size(t) > 2);
        all_unsigned = all_unsigned && (t == DataType::UInt8 || t == DataType::UInt16);
        any_uint16 = any_uint16 || t == DataType::UInt16;
    }
    if (wide)
        return DataType::Float64; // 32-bit integers or doubles: only Float64 holds them all
    if (any_float32)
        return DataType::Float32; // exact for every integer of 16 bits or fewer
    if (all_unsigned)
        return DataType::UInt16;
    return any_uint16 ? DataType::Int32 : DataType::Int16;
}

std::string quoted(const std::string& s) {
    return "'" + s + "'";
}

} // namespace

SceneReader::SceneReader(const SceneSource& source) : source_(source) {
    if (source.files.empty())
        throw ArgumentError("a scene needs at least one file");
    std::vector<DataType> types;
    for (const auto& f : source.files) {
        datasets_.push_back(Dataset::open(f));
        types.push_back(datasets_.back().profile().dtype);
    }
    const Profile& p0 = datasets_.front().profile();
    for (std::size_t i = 1; i < datasets_.size(); ++i) {
        const Profile& p = datasets_[i].profile();
        if (p.width != p0.width || p.height != p0.height ||
            !p.transform.almost_equals(p0.transform, 1e-6 * std::abs(p0.transform.a)))
            throw ArgumentError("file " + quoted(source.files[i]) + " is not on the grid of " +
                                quoted(source.files[0]) + " (a scene's files must align)");
        // The same numbers in another CRS are another place (a file without a CRS is taken
        // as the scene's).
        if (!p.crs.empty() && !p0.crs.empty() && !(p.crs == p0.crs))
            throw ArgumentError("file " + quoted(source.files[i]) + " is in " + p.crs.name() +
                                ", " + quoted(source.files[0]) + " in " + p0.crs.name() +
                                " (a scene's files must be on one grid)");
    }
    stored_dtype_ = promote(types);
    layout_.dtype = stored_dtype_;
    layout_.label = source.label();
    layout_.files = source.files;
    if (!p0.crs.empty()) {
        const double side = std::max(std::hypot(p0.transform.a, p0.transform.d),
                                     std::hypot(p0.transform.b, p0.transform.e));
        if (p0.crs.is_geographic()) {
            layout_.pixel_size_m = side * 111320.0; // a degree of latitude
        } else {
            const auto params = p0.crs.proj_params();
            const auto u = params.find("units");
            const std::string unit = u == params.end() ? "m" : u->second;
            layout_.pixel_size_m = unit == "m"       ? side
                                   : unit == "us-ft" ? side * 1200.0 / 3937.0
                                   : unit == "ft"    ? side * 0.3048
                                                     : 0.0;
        }
    }
    // The sensor hint: the file's name and the metadata items that name a product.
    layout_.product = source.label().substr(source.label().find_last_of("/\\") + 1);
    for (const auto& [key, value] : p0.metadata)
        for (std::string_view k :
             {"PRODUCT", "SCENE_ID", "SPACECRAFT", "SENSOR", "PLATFORM", "MISSION", "SATELLITE"})
            if (key.find(k) != std::string::npos) {
                layout_.product += " " + value;
                break;
            }
    for (std::size_t i = 0; i < datasets_.size(); ++i) {
        const Profile& p = datasets_[i].profile();
        if (i == 1)
            layout_.qa_band = layout_.count;
        layout_.count += p.count;
        for (int b = 0; b < p.count; ++b) {
            layout_.descriptions.push_back(
                std::size_t(b) < p.descriptions.size() ? p.descriptions[std::size_t(b)] : "");
            layout_.colorinterp.push_back(
                std::size_t(b) < p.colorinterp.size() ? p.colorinterp[std::size_t(b)] : "");
        }
    }
    if (!source.calibrate.empty() && source.calibrate != "none")
        prepare_calibration();
}

void SceneReader::prepare_calibration() {
    const std::string& label = source_.label();
    const std::string where = "scene '" + label + "' (calibrate " + source_.calibrate + ")";
    CalibrateOptions o;
    try {
        CalibrateOptions::params().set(o, "to", source_.calibrate);
    } catch (const ArgumentError&) {
        throw ArgumentError(where + ": not a calibration target (radiance, toa or sr)");
    }
    if (o.to == CalibrationTarget::SrDos)
        throw ArgumentError(where + ": sr-dos needs each band's darkest pixels over the whole "
                                    "scene; write it first with 'rasterbench-cli calibrate'");
    const std::string path = scene_metadata_path(source_, where);
    const ProductMetadata m = read_product_metadata(path);
    const int n = datasets_.front().count();
    const std::vector<std::string> primary(layout_.descriptions.begin(),
                                           layout_.descriptions.begin() + n);
    for (const auto& band : match_product_bands(primary, label, m))
        calibration_.push_back(calibration_map(m, band, o.to, where));
    if (source_.sun == SunGeometry::Pixel)
        open_solar_zenith(m, path, o.to, where);
    layout_.dtype = is_floating(stored_dtype_) && dtype_size(stored_dtype_) > 4 ? stored_dtype_
                                                                                : DataType::Float32;
    layout_.calibration = source_.calibrate;
    if (!m.product_id.empty())
        layout_.product += " " + m.product_id;
}

void SceneReader::open_solar_zenith(const ProductMetadata& m, const std::string& metadata_path,
                                    CalibrationTarget to, const std::string& where) {
    if (m.family != ProductFamily::Landsat || to != CalibrationTarget::Toa)
        throw ArgumentError(where + ": the per-pixel sun enters only Landsat top-of-atmosphere "
                                    "reflectance (calibrate toa); use sun=scene");
    const std::string path =
        source_.solar_zenith.empty() ? solar_zenith_path(m, metadata_path) : source_.solar_zenith;
    solar_zenith_.emplace(Dataset::open(path));
    const Profile& z = solar_zenith_->profile();
    const Profile& p = profile();
    if (z.width != p.width || z.height != p.height)
        throw ArgumentError(where + ": its solar zenith band '" + path + "' is " +
                            std::to_string(z.width) + " x " + std::to_string(z.height) +
                            ", the scene " + std::to_string(p.width) + " x " +
                            std::to_string(p.height) + ": not the scene's grid");
    for (auto& map : calibration_)
        map = without_scene_sun(map, m);
}

Raster SceneReader::read(const Window& window, int out_rows, int out_cols,
                         Resampling resampling) const {
    Raster stored = read_stored(window, out_rows, out_cols, resampling);
    if (calibration_.empty())
        return stored;
    Raster out(layout_.dtype, layout_.count, stored.rows(), stored.cols());
    out.ensure_mask();
    const int n = int(calibration_.size());
    std::optional<Raster> zenith;
    if (solar_zenith_) {
        ReadOptions ro;
        ro.bands = {1};
        ro.window = window;
        ro.out_rows = stored.rows();
        ro.out_cols = stored.cols();
        ro.resampling = resampling;
        zenith = solar_zenith_->read(ro);
    }
    // Reflective bands take each pixel's sun; thermal bands have none.
    const auto calibrate_band = [&](int b, Raster& dst) {
        const CalibrationMap& map = calibration_[std::size_t(b)];
        if (zenith && !map.thermal)
            apply_calibration(stored, b, map, dst, b, *zenith);
        else
            apply_calibration(stored, b, map, dst, b);
    };
    if (layout_.dtype == DataType::Float32) {
        for (int b = 0; b < n; ++b)
            calibrate_band(b, out);
    } else {
        // Float64 (a quality file of 32-bit integers): calibrate in Float32, then widen.
        Raster f(DataType::Float32, n, stored.rows(), stored.cols());
        f.ensure_mask();
        for (int b = 0; b < n; ++b) {
            calibrate_band(b, f);
            const auto src = f.band<float>(b);
            std::copy(src.begin(), src.end(), out.band<double>(b).begin());
            std::memcpy(out.mask(b).data(), f.mask(b).data(), f.mask(b).size());
        }
    }
    // The quality files' numbers unchanged (exact in Float32: at most 16 bits).
    for (int b = n; b < layout_.count; ++b) {
        visit_dtype(stored.dtype(), [&](auto s) {
            using S = decltype(s);
            visit_dtype(layout_.dtype, [&](auto d) {
                using D = decltype(d);
                const auto src = stored.band<S>(b);
                auto dst = out.band<D>(b);
                for (std::size_t i = 0; i < src.size(); ++i)
                    dst[i] = static_cast<D>(src[i]);
            });
        });
        if (stored.has_mask())
            std::memcpy(out.mask(b).data(), stored.mask(b).data(), stored.mask(b).size());
    }
    return out;
}

Raster SceneReader::read_stored(const Window& window, int out_rows, int out_cols,
                                Resampling resampling) const {
    ReadOptions ro;
    ro.window = window;
    ro.out_rows = out_rows;
    ro.out_cols = out_cols;
    ro.resampling = resampling;
    if (datasets_.size() == 1 && stored_dtype_ == datasets_.front().profile().dtype)
        return datasets_.front().read(ro);
    const bool complex = std::any_of(datasets_.begin(), datasets_.end(), [](const Dataset& d) {
        return is_complex(d.profile().dtype);
    });
    // A window outside the grid takes the per-file path, whose read names the file.
    if (!complex && !window.empty() &&
        window == window.clamped(profile().width, profile().height)) {
        // Each file straight into its bands of the stack, GDAL converting the type: no
        // per-file raster and no second copy.
        const int rows = out_rows > 0 ? out_rows : int(window.height);
        const int cols = out_cols > 0 ? out_cols : int(window.width);
        // The files' bands fill the stack's: no zero-fill before they are read over it.
        int files_bands = 0;
        for (const auto& d : datasets_)
            files_bands += d.count();
        Raster out = files_bands == layout_.count
                         ? Raster::uninitialized(stored_dtype_, layout_.count, rows, cols)
                         : Raster(stored_dtype_, layout_.count, rows, cols);
        int ob = 0;
        for (const auto& d : datasets_) {
            d.read_into(ro, out, ob);
            ob += d.count();
        }
        return out;
    }
    std::vector<Raster> parts;
    for (const auto& d : datasets_)
        parts.push_back(d.read(ro));
    const int rows = parts.front().rows(), cols = parts.front().cols();
    Raster out(stored_dtype_, layout_.count, rows, cols);
    const bool any_mask =
        std::any_of(parts.begin(), parts.end(), [](const Raster& r) { return r.has_mask(); });
    if (any_mask)
        out.ensure_mask();
    int ob = 0;
    for (const auto& part : parts) {
        visit_dtype(part.dtype(), [&](auto s) {
            using S = decltype(s);
            visit_dtype(stored_dtype_, [&](auto d) {
                using D = decltype(d);
                for (int b = 0; b < part.bands(); ++b) {
                    const auto src = part.band<S>(b);
                    auto dst = out.band<D>(ob + b);
                    for (std::size_t i = 0; i < src.size(); ++i)
                        dst[i] = static_cast<D>(src[i]);
                }
            });
        });
        if (part.has_mask())
            for (int b = 0; b < part.bands(); ++b) {
                const auto m = part.mask(b);
                std::memcpy(out.mask(ob + b).data(), m.data(), m.size());
            }
        ob += part.bands();
    }
    return out;
}

BandLayout SceneReader::sampled_layout(int max_side) const {
    BandLayout out = layout_;
    const Profile& p = profile();
    const int side = std::max(1, max_side);
    // With overviews a decimated read of the whole scene is cheap; without, it would read
    // every block of a tiled file, so the sample is the centre (16 times the side).
    Window w = Window::full(p.width, p.height);
    if (p.overview_factors.empty()) {
        const std::int64_t cap = std::int64_t(side) * 16;
        const std::int64_t ww = std::min<std::int64_t>(p.width, cap);
        const std::int64_t hh = std::min<std::int64_t>(p.height, cap);
        w = Window{(p.width - ww) / 2, (p.height - hh) / 2, ww, hh};
    }
    const double f = std::max(1.0, double(std::max(w.width, w.height)) / double(side));
    const int rows = std::max(1, int(std::lround(double(w.height) / f)));
    const int cols = std::max(1, int(std::lround(double(w.width) / f)));
    auto sample = std::make_shared<Raster>(read(w, rows, cols));
    out.ranges = sample_band_ranges(*sample);
    if (!out.ranges.empty())
        out.sample = std::move(sample);
    return out;
}

Scorer stack_scorer(ScoreOptions options, const BandLayout& layout,
                    const std::vector<SceneSource>& scenes) {
    Scorer scorer(options, layout);
    if (!scorer.uses_scene_samples() || scenes.size() < 2)
        return scorer;
    if (options.scenes.size() < scenes.size())
        options.scenes.resize(scenes.size());
    bool added = false;
    for (std::size_t i = 0; i < scenes.size(); ++i) {
        auto& sample = options.scenes[i].sample;
        if (sample)
            continue;
        sample = i == 0 && layout.sample ? layout.sample
                                         : SceneReader(scenes[i]).sampled_layout().sample;
        added = added || sample != nullptr;
    }
    return added ? Scorer(options, layout) : scorer;
}

std::string scene_metadata_path(const SceneSource& scene, const std::string& where) {
    std::string path = scene.metadata;
    const std::string label = scene.label();
    // A scene name ending in a metadata file's name is the metadata's own product; else
    // look beside the scene (and beside the first file, for a stand-in under another name).
    if (path.empty())
        path = find_product_metadata(label);
    if (path.empty() && !scene.files.empty() && label != scene.files.front())
        path = find_product_metadata(scene.files.front());
    if (path.empty())
        throw ArgumentError(where + ": no product metadata beside it (an *_MTL.txt / "
                                    "*_MTL.json, or a SAFE folder's MTD_MSIL*.xml)");
    return path;
}

void resolve_solar_zenith(SceneSource& s) {
    if (s.sun != SunGeometry::Pixel || s.calibrate != "toa" || !s.solar_zenith.empty())
        return;
    const std::string where = "scene '" + s.label() + "' (calibrate toa, sun=pixel)";
    const std::string path = scene_metadata_path(s, where);
    const ProductMetadata m = read_product_metadata(path);
    if (m.family != ProductFamily::Landsat)
        return; // the reader says the sun enters only Landsat reflectance
    try {
        s.solar_zenith = solar_zenith_path(m, path);
    } catch (const ArgumentError& e) {
        throw ArgumentError(where + ": " + e.what());
    }
}

std::vector<SceneSource> with_calibration(std::vector<SceneSource> scenes,
                                          const SceneCalibration& calibration) {
    for (auto& s : scenes) {
        s.calibrate = calibration.enabled() ? calibration.calibrate : std::string();
        s.sun = calibration.enabled() ? calibration.sun : SunGeometry::Scene;
        s.solar_zenith.clear();
        resolve_solar_zenith(s); // now, on the scene's grid, so aligning warps it with it
    }
    return scenes;
}

void check_same_grid(const std::vector<Profile>& profiles, const std::vector<int>& band_counts,
                     const std::vector<std::string>& labels,
                     const std::function<std::string(std::size_t)>& band_files) {
    if (profiles.empty())
        return;
    const Profile& a = profiles.front();
    for (std::size_t i = 1; i < profiles.size(); ++i) {
        const Profile& b = profiles[i];
        const std::string head =
            "scene " + quoted(labels[i]) + " is not on the grid of " + quoted(labels[0]) + ": ";
        const std::string tail = " (align the scenes first, e.g. reproject them onto one grid)";
        if (a.width != b.width || a.height != b.height)
            throw ArgumentError(head + "size " + std::to_string(b.width) + "x" +
                                std::to_string(b.height) + " vs " + std::to_string(a.width) + "x" +
                                std::to_string(a.height) + tail);
        const double tol = 1e-6 * std::max(std::abs(a.transform.a), std::abs(a.transform.e));
        if (!a.transform.almost_equals(b.transform, tol)) {
            const auto ga = a.transform.to_gdal(), gb = b.transform.to_gdal();
            auto text = [](const std::array<double, 6>& g) {
                std::string s = "(";
                for (int k = 0; k < 6; ++k)
                    s += (k ? ", " : "") + format_param_value(g[std::size_t(k)]);
                return s + ")";
            };
            throw ArgumentError(head + "geotransform " + text(gb) + " vs " + text(ga) + tail);
        }
        if (!(a.crs.empty() && b.crs.empty()) && !(a.crs == b.crs))
            throw ArgumentError(head + "CRS " + (b.crs.empty() ? "none" : b.crs.name()) + " vs " +
                                (a.crs.empty() ? "none" : a.crs.name()) + tail);
        if (band_counts[i] != band_counts[0]) {
            // A scene's count is that of its files together (bands and quality file): which
            // file differs is what the user fixes.
            const auto from = [&](std::size_t k) {
                const std::string f = band_files ? band_files(k) : std::string();
                return f.empty() ? f : " (" + f + ")";
            };
            throw ArgumentError("scene " + quoted(labels[i]) + " has " +
                                std::to_string(band_counts[i]) + " bands" + from(i) + " but " +
                                quoted(labels[0]) + " has " + std::to_string(band_counts[0]) +
                                from(0));
        }
    }
}

} // namespace rb
