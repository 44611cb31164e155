#pragma once
// Flags shared by `score` and `composite`: --param NAME=VALUE from the method's parameter
// table, --qa-from FROM=TO (append each scene's quality file), block/thread/compression
// settings and --progress.
#include <iostream>
#include <string>
#include <vector>

#include "cli_commands.h"
#include "cli_flags.h"
#include "cli_progress.h"
#include "rasterbench/composite.h"
#include "rasterbench/score.h"
#include "rasterbench/stack_grid.h"

namespace rbcli {

struct ScoreFlags {
    std::string method;
    std::vector<std::pair<std::string, std::string>> params;
    std::string qa_from, qa_to;
    rb::StreamOptions stream;
    rb::StackGridOptions grid;
    rb::SceneCalibration calibration;
    bool progress = false;
    bool list_params = false;
    bool verbose = false;

    /// Consumes args[i] (and its value) when it is one of the shared flags.
    bool take(const Args& args, std::size_t& i, const std::string& method_flag) {
        const std::string& a = args[i];
        if (a == method_flag) {
            method = option_value(args, i);
        } else if (a == "--param" || a == "-p") {
            const std::string& kv = option_value(args, i);
            const auto eq = kv.find('=');
            if (eq == std::string::npos || eq == 0)
                throw UsageError("--param expects NAME=VALUE, got '" + kv + "'");
            params.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
        } else if (a == "--qa-from") {
            const std::string& kv = option_value(args, i);
            const auto eq = kv.find('=');
            if (eq == std::string::npos || eq == 0)
                throw UsageError("--qa-from expects FROM=TO (e.g. _sr.tif=_fmask.tif), got '" + kv +
                                 "'");
            qa_from = kv.substr(0, eq);
            qa_to = kv.substr(eq + 1);
        } else if (a == "--block-size") {
            stream.block_size = parse_int(option_value(args, i), "--block-size");
        } else if (a == "--threads") {
            stream.threads = parse_int(option_value(args, i), "--threads");
        } else if (a == "--compress") {
            stream.compression = option_value(args, i);
        } else if (a == "--compress-level") {
            stream.compression_level = parse_int(option_value(args, i), "--compress-level");
        } else if (take_param_flag(args, i, rb::SceneCalibration::params(), calibration) ||
                   take_param_flag(args, i, rb::StackGridOptions::params(), grid) ||
                   take_grid_flag(args, i, grid.target)) {
        } else if (a == "--progress") {
            progress = true;
        } else if (a == "--list-params") {
            list_params = true;
        } else if (a == "--verbose" || a == "-v") {
            verbose = true;
        } else {
            return false;
        }
        return true;
    }

    /// The score options; a bad name or value is a usage error naming the parameter.
    rb::ScoreOptions options() const {
        if (method.empty())
            throw UsageError("missing the score method (methods: " + method_list() + ")");
        try {
            rb::ScoreOptions o = rb::make_score_options(method);
            for (const auto& [k, v] : params)
                rb::set_score_param(o, k, v);
            return o;
        } catch (const rb::ArgumentError& e) {
            throw UsageError(e.what());
        }
    }

    rb::SceneSource scene(const std::string& path) const {
        rb::SceneSource s{{path}};
        if (calibration.enabled())
            s = rb::with_calibration({s}, calibration).front();
        if (!qa_from.empty()) {
            const auto at = path.rfind(qa_from);
            if (at == std::string::npos)
                throw UsageError("--qa-from: scene '" + path + "' does not contain '" + qa_from +
                                 "'");
            s.files.push_back(path.substr(0, at) + qa_to + path.substr(at + qa_from.size()));
        }
        return s;
    }

    /// The band roles the score resolves on `scene` (its first file's sampled layout): on
    /// stdout with --verbose; warnings (roles dropped or guessed) on stderr always. `scenes`:
    /// the stack's size (its dates are judged by their own samples where the score says so).
    void report_roles(const rb::SceneSource& scene, const rb::ScoreOptions& options,
                      const std::string& label, std::size_t scenes = 1) const {
        const rb::SceneReader reader(scene);
        const rb::BandLayout layout = reader.sampled_layout();
        const rb::Scorer scorer(options, layout);
        if (verbose || verbose_requested()) {
            std::cout << label << ": score method " << rb::score_method_name(options)
                      << ", roles of '" << scene.label() << "': " << scorer.roles().explain(layout)
                      << "\n";
            if (!scorer.quality_preset().empty())
                std::cout << label << ": quality preset " << scorer.quality_preset() << "\n";
            if (!scorer.tests_run().empty())
                std::cout << label << ": " << scorer.tests_run() << "\n";
            if (scenes > 1 && scorer.uses_scene_samples())
                std::cout << label << ": each of the " << scenes
                          << " dates is judged against its own clear-sky statistics (from a "
                             "sample of that scene)\n";
        }
        for (const auto& w : scorer.roles().warnings())
            std::cerr << label << ": warning: " << w << "\n";
    }

    /// --progress on stderr under `label` (the subcommand), or none.
    rb::Progress make_progress(const std::string& label) const {
        return progress ? stderr_progress(label) : rb::Progress{};
    }

    static std::string method_list() {
        std::string s;
        for (const auto& m : rb::score_method_names())
            s += (s.empty() ? "" : ", ") + m;
        return s;
    }

    /// The method's parameter table as help text.
    static void print_params(std::ostream& os, const std::string& method) {
        rb::ScoreOptions o;
        try {
            o = rb::make_score_options(method);
        } catch (const rb::ArgumentError& e) {
            throw UsageError(e.what());
        }
        os << "parameters of score method '" << method << "' (--param NAME=VALUE):\n";
        for (const auto& p : rb::score_params(o)) {
            os << "  " << p.name << " (" << rb::param_type_name(p.type);
            if (p.type == rb::ParamType::Int || p.type == rb::ParamType::Double)
                os << " " << rb::format_param_value(p.min) << ".." << rb::format_param_value(p.max);
            if (p.type == rb::ParamType::Choice) {
                os << ":";
                for (const auto& c : p.choices)
                    os << " " << c;
            }
            os << ", default '" << p.default_value << "')\n      " << p.help << "\n";
        }
    }

    /// The scenes on the grid --grid, --dst-crs, --res... choose (scenes on other grids are
    /// warped on the fly), and the files the rule reads besides them (like:FILE).
    rb::Grid target_grid(const std::vector<rb::SceneSource>& scenes) const {
        // An unknown rule is a bad command line (status 2); scenes that do not overlap are
        // a data problem (status 1), as the engine reports it.
        const std::string& r = grid.grid;
        if (r != "first" && r != "union" && r != "intersection" && r.rfind("like:", 0) != 0)
            throw UsageError("--grid: '" + r + "' is not first, union, intersection or like:FILE");
        return rb::stack_grid(scenes, grid);
    }
    std::vector<rb::FileRole> grid_inputs() const {
        if (grid.grid.rfind("like:", 0) == 0)
            return {{"--grid like: raster", grid.grid.substr(5)}};
        return {};
    }

    static const char* shared_help() {
        return "  --param NAME=VALUE    set a parameter of the score method (repeatable);\n"
               "                        --list-params prints the method's table\n"
               "  --qa-from FROM=TO     append each scene's quality file, found by replacing\n"
               "                        FROM with TO in its name (e.g. _sr.tif=_fmask.tif)\n"
               "  --calibrate T         read each scene as radiance, toa (reflectance) or sr\n"
               "                        (Level-2), with the product metadata beside it\n"
               "  --sun scene|pixel     toa from Landsat: the scene centre's sun (default) or\n"
               "                        each pixel's, from the product's solar zenith band\n"
               "  --block-size N        processing block in pixels (default 512)\n"
               "  --threads N           worker threads (default: all cores)\n"
               "  --compress NAME       output compression: ZSTD (default, fast), DEFLATE\n"
               "                        (widest compatibility), LZW, LZMA, NONE\n"
               "  --compress-level N    DEFLATE/ZSTD/LZMA level (default 1, fast; 0 = GDAL's)\n"
               "  --grid RULE           scenes on different grids are warped on the fly onto\n"
               "                        one: first (default), union, intersection, like:FILE\n"
               "  --dst-crs CRS         that grid in another CRS\n"
               "  --resampling R        of the data bands when warped (default near; quality\n"
               "                        files always nearest)\n"
               "  --res, --size, --bounds, --tap   the grid's resolution, size, bounds (as\n"
               "                        reproject)\n"
               "  --progress            print progress on stderr\n"
               "  -v, --verbose         print the band roles the score uses (and why)\n";
    }
};

} // namespace rbcli
