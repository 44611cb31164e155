// Entry points shared by the libFuzzer targets and the regression test (fuzz_entries.h).
#include "fuzz_entries.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_vsi.h>
#include <gdal.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>
#include <vector>

#include "rasterbench/crs.h"
#include "rasterbench/dataset.h"
#include "rasterbench/deband.h"
#include "rasterbench/error.h"
#include "rasterbench/features.h"
#include "rasterbench/recipe.h"
#include "rasterbench/score.h"

namespace rb::fuzz {

namespace {

/// A property the engine promises, broken: not an input error but a bug.
[[noreturn]] void broken(const std::string& what) {
    throw std::logic_error("fuzz invariant broken: " + what);
}

/// Runs `body`; rb::Error is the engine's way of refusing an input, so it counts as a
/// rejection. Everything else propagates to the fuzzer (or the test).
template <class F> bool accepted(F&& body) {
    try {
        body();
        return true;
    } catch (const rb::Error&) {
        return false;
    }
}

} // namespace

void init() {
    // Warnings from GDAL's drivers on corrupt files would flood the fuzzer's output; the
    // engine captures what it needs in its own scoped handlers.
    CPLSetErrorHandler(CPLQuietErrorHandler);
    GDALAllRegister();
}

bool geojson(std::string_view text) {
    return accepted([&] {
        const FeatureCollection fc = parse_geojson(text);
        for (const Feature& f : fc.features) {
            const Geometry& g = f.geometry;
            (void)g.is_empty();
            (void)g.bounds();
            (void)g.area();
            (void)g.point_count();
            for (const Polygon& p : g.polygons()) {
                (void)p.vertex_count();
                (void)p.area();
            }
            for (const auto& [name, value] : f.properties)
                (void)f.number(name);
        }
        (void)to_geojson(fc);
    });
}

bool recipe(std::string_view text) {
    return accepted([&] {
        const Recipe r = parse_recipe(text, "fuzz.json");
        for (const RecipeStep& step : r.steps)
            (void)describe_recipe_step(step);
        // A recipe the parser accepts must survive being saved and loaded again unchanged:
        // the GUI exports recipes with write_recipe.
        const std::string written = write_recipe(r);
        Recipe again;
        try {
            again = parse_recipe(written, "rewritten.json");
        } catch (const rb::Error& e) {
            broken(std::string("write_recipe output does not parse: ") + e.what());
        }
        if (!(again == r))
            broken("write_recipe/parse_recipe round trip changed the recipe");
    });
}

bool crs(std::string_view text) {
    return accepted([&] {
        const Crs c = Crs::from_user_input(std::string(text));
        (void)c.to_epsg();
        (void)c.to_proj();
        (void)c.proj_params();
        (void)c.name();
        (void)c.is_geographic();
        if (!c.empty() && !c.equivalent(c))
            broken("a CRS is not equivalent to itself");
    });
}

bool score_expression(std::string_view text) {
    return accepted([&] {
        ScoreOptions options = make_score_options("expression");
        std::get<ExpressionOptions>(options.method).expression = std::string(text);
        BandLayout layout;
        layout.count = 3;
        layout.dtype = DataType::Float32;
        layout.label = "fuzz";
        const Scorer scorer(options, layout);
        // A small stack with zeros, negatives and invalid pixels, so division by zero, logs
        // of negatives and NaN all reach the evaluator.
        std::vector<Raster> scenes;
        for (int s = 0; s < 2; ++s) {
            Raster r(DataType::Float32, 3, 2, 3);
            for (int b = 0; b < 3; ++b) {
                auto px = r.band<float>(b);
                for (std::size_t i = 0; i < px.size(); ++i)
                    px[i] = float(int(i) - 2) * float(b + s + 1);
            }
            r.ensure_mask();
            r.mask(s)[1] = 0;
            scenes.push_back(std::move(r));
        }
        const StackStats stats = stack_statistics(scenes, scorer.stack_needs());
        for (const Raster& scene : scenes)
            (void)scorer.score(scene, &stats);
    });
}

bool notches(std::string_view text) {
    return accepted([&] {
        const fft::NotchSet n = fft::notches_from_json(text, "fuzz.json");
        // What save_notches writes must load back as the same set.
        fft::NotchSet again;
        try {
            again = fft::notches_from_json(fft::to_json(n), "rewritten.json");
        } catch (const rb::Error& e) {
            broken(std::string("to_json output does not parse: ") + e.what());
        }
        if (!(again == n))
            broken("to_json/notches_from_json round trip changed the notches");
        (void)fft::mask_value(n, 0.1, -0.2);
        (void)fft::centred_mask(n, 7, 8);
        // A half spectrum (rows x (cols / 2 + 1)) the mask is applied to.
        constexpr int rows = 9, cols = 8;
        std::vector<fft::cfloat> half(std::size_t(rows) * (cols / 2 + 1), fft::cfloat(1, 1));
        (void)fft::apply_mask(half.data(), rows, cols, n);
    });
}

bool dataset(const std::uint8_t* data, std::size_t size) {
    const std::string path = "/vsimem/rb_fuzz_input.tif";
    // GDAL reads the bytes in place; a copy keeps the caller's buffer const.
    std::vector<GByte> bytes(data, data + size);
    VSILFILE* f = VSIFileFromMemBuffer(path.c_str(), bytes.data(), bytes.size(), FALSE);
    if (!f)
        throw std::runtime_error("cannot create " + path);
    VSIFCloseL(f);
    struct Unlink {
        std::string path;
        ~Unlink() { VSIUnlink(path.c_str()); }
    } unlink{path};
    return accepted([&] {
        Dataset ds = Dataset::open(path);
        const Profile& p = ds.profile();
        // Reads are bounded so a header claiming a huge raster costs a decimated read, not
        // gigabytes: the fuzzer looks for memory errors, not for GDAL's allocation limits.
        ReadOptions ro;
        ro.out_rows = std::min(p.height, 16);
        ro.out_cols = std::min(p.width, 16);
        if (p.count > 4) {
            ro.bands = {1, p.count};
        }
        (void)ds.read(ro);
        if (double(p.width) * p.height <= 4096.0)
            (void)ds.statistics(1);
    });
}

} // namespace rb::fuzz
