// The recipe's step types, their tables and equality, and the notches a deband step applies.
#include "rasterbench/recipe.h"

#include <sstream>

#include "recipe_access.h"

namespace rb {

using namespace recipe_detail;

namespace {

/// Equal as their tables write them (the shortest text that reads back to each value).
template <class O> bool same_params(const O& a, const O& b) {
    return O::params().values(a) == O::params().values(b);
}

bool same_bounds(const std::optional<Bounds>& x, const std::optional<Bounds>& y) {
    if (!x || !y)
        return !x && !y;
    return x->left == y->left && x->bottom == y->bottom && x->right == y->right && x->top == y->top;
}

} // namespace

// ---- tables ----------------------------------------------------------------------------------

const ParamTable<ReprojectStep>& reproject_params() {
    static const ParamTable<ReprojectStep> t = [] {
        ParamTable<ReprojectStep> t;
        t.add(&ReprojectStep::dst_crs, "dst_crs",
              "target CRS: EPSG:code, WKT, PROJ string, or any CRS PROJ understands");
        t.add(&ReprojectStep::tap, "tap",
              "align the grid on multiples of the resolution (gdalwarp -tap)");
        return t;
    }();
    return t;
}

const ParamTable<StreamOptions>& output_params() {
    static const ParamTable<StreamOptions> t = [] {
        ParamTable<StreamOptions> t;
        t.add_choice(&StreamOptions::compression, "compression",
                     {"NONE", "DEFLATE", "LZW", "ZSTD", "LZMA", "PACKBITS"},
                     "GeoTIFF compression of the files written");
        t.add(&StreamOptions::compression_level, "compression_level",
              "DEFLATE/ZSTD/LZMA level (0 = GDAL's default)", 0, 22);
        t.add(&StreamOptions::tile_size, "tile_size", "GeoTIFF tile size (multiple of 16)", 16,
              4096, "px");
        t.require_multiple(16);
        t.add(&StreamOptions::block_size, "block_size", "composite processing block in pixels", 16,
              16384);
        return t;
    }();
    return t;
}

// ---- steps -----------------------------------------------------------------------------------

std::vector<std::string> recipe_step_types() {
    return {"composite", "deband", "fill", "reproject"};
}

std::string recipe_step_type(const RecipeStep& step) {
    return recipe_step_types()[step.index()];
}

RecipeStep make_recipe_step(std::string_view type) {
    if (type == "composite")
        return CompositeStep{};
    if (type == "deband")
        return DebandStep{};
    if (type == "fill")
        return FillStep{};
    if (type == "reproject")
        return ReprojectStep{};
    throw ArgumentError("unknown step type '" + std::string(type) +
                        "' (types: " + list_text(recipe_step_types()) + ")");
}

bool operator==(const CompositeStep& a, const CompositeStep& b) {
    const auto& t = CompositeOptions::params();
    return score_method_name(a.score) == score_method_name(b.score) &&
           score_param_values(a.score) == score_param_values(b.score) &&
           t.values(a.options) == t.values(b.options) && a.options.bands == b.options.bands &&
           a.index == b.index && a.score_out == b.score_out && a.count == b.count &&
           a.best_ranks == b.best_ranks && a.worst_ranks == b.worst_ranks &&
           same_params(a.grid, b.grid) && a.grid.target.res_x == b.grid.target.res_x &&
           a.grid.target.res_y == b.grid.target.res_y &&
           a.grid.target.width == b.grid.target.width &&
           a.grid.target.height == b.grid.target.height &&
           same_bounds(a.grid.target.bounds, b.grid.target.bounds) &&
           a.calibration.calibrate == b.calibration.calibrate;
}

bool operator==(const DebandStep& a, const DebandStep& b) {
    return a.band == b.band && a.notches == b.notches && a.auto_find == b.auto_find &&
           a.angle == b.angle && a.shared == b.shared && same_params(a.peak, b.peak) &&
           same_params(a.orientation, b.orientation) && same_params(a.options, b.options);
}

bool operator==(const FillStep& a, const FillStep& b) {
    return a.options.max_distance == b.options.max_distance &&
           a.options.smoothing == b.options.smoothing && a.options.threads == b.options.threads;
}

bool operator==(const ReprojectStep& a, const ReprojectStep& b) {
    return a.dst_crs == b.dst_crs && same_params(a.options, b.options) && a.tap == b.tap &&
           a.res_x == b.res_x && a.res_y == b.res_y && a.width == b.width && a.height == b.height &&
           same_bounds(a.bounds, b.bounds) && a.options.src_nodata == b.options.src_nodata &&
           a.options.dst_nodata == b.options.dst_nodata;
}

bool operator==(const RecipeOutput& a, const RecipeOutput& b) {
    return a.path == b.path && a.pattern == b.pattern &&
           a.stream.block_size == b.stream.block_size && a.stream.threads == b.stream.threads &&
           a.stream.compression == b.stream.compression &&
           a.stream.compression_level == b.stream.compression_level &&
           a.stream.tile_size == b.stream.tile_size;
}

bool operator==(const Recipe& a, const Recipe& b) {
    if (a.scenes.size() != b.scenes.size())
        return false;
    for (std::size_t k = 0; k < a.scenes.size(); ++k)
        if (a.scenes[k].files != b.scenes[k].files)
            return false;
    auto same_catalog = [](const std::optional<SceneCatalog>& x,
                           const std::optional<SceneCatalog>& y) {
        if (!x || !y)
            return !x && !y;
        const CatalogSelection &p = x->select, &q = y->select;
        return x->paths == y->paths && p.from == q.from && p.to == q.to && p.doy == q.doy &&
               p.max_cloud == q.max_cloud && p.sensors == q.sensors;
    };
    return same_catalog(a.catalog, b.catalog) && a.description == b.description &&
           a.qa_from == b.qa_from && a.qa_to == b.qa_to && a.steps == b.steps &&
           a.output == b.output;
}

// ---- deband notches --------------------------------------------------------------------------

std::vector<fft::NotchSet> deband_step_notches(const Raster& data, const DebandStep& step,
                                               const std::vector<int>& file_bands,
                                               std::vector<std::string>* notes) {
    std::vector<fft::NotchSet> per(std::size_t(data.bands()), step.notches);
    if (!step.auto_find)
        return per;
    for (int b = 0; b < data.bands(); ++b) {
        if (step.shared && b > 0) {
            per[std::size_t(b)] = per[0];
            continue;
        }
        const Raster one = select_band(data, b);
        fft::Orientation o;
        if (step.angle) {
            o.angle_deg = *step.angle;
            o.source = fft::OrientationSource::None;
        } else {
            o = fft::estimate_orientation(one, 0, step.orientation);
        }
        std::ostringstream note;
        note << "band " << (b < int(file_bands.size()) ? file_bands[std::size_t(b)] : b + 1)
             << ": orientation " << o.angle_deg << " deg ("
             << (step.angle ? std::string("given") : std::string(fft::source_name(o.source)))
             << ")";
        if (!step.angle && o.source == fft::OrientationSource::None) {
            if (notes)
                notes->push_back(note.str() + ": no stripe orientation found, no automatic "
                                              "notches");
            continue;
        }
        const fft::PeakResult r = fft::find_peaks(fft::compute_spectrum(one, 0), o, step.peak);
        note << ", " << r.peaks.size() << " peaks";
        if (r.period > 0)
            note << ", period " << r.period << " px";
        if (notes)
            notes->push_back(note.str());
        auto& n = per[std::size_t(b)];
        n.points.insert(n.points.end(), r.notches.points.begin(), r.notches.points.end());
    }
    return per;
}

} // namespace rb
