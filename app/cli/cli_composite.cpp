#include <cstdio>
#include <iostream>
#include <variant>

#include "cli_commands.h"
#include "cli_flags.h"
#include "cli_score_common.h"
#include "rasterbench/composite.h"

namespace rbcli {

namespace {

const char* kCompositeUsage =
    "usage: rasterbench-cli composite --score M [--param NAME=VALUE]...\n"
    "           [--method best|best-k-mean|best-k-median|percentile] [--k K] [--percentile P]\n"
    "           [--harmonize] -o OUT.tif [--index INDEX.tif] [--score-out SCORE.tif]\n"
    "           [--count COUNT.tif] [--bap-info INFO.tif] SCENE...\n";

// "R:FILE" for the rank image flags.
std::pair<int, std::string> rank_and_file(const std::string& text, const std::string& flag) {
    const auto colon = text.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
        throw UsageError(flag + " expects RANK:FILE, got '" + text + "'");
    const int r = parse_int(text.substr(0, colon), flag + " rank");
    if (r < 1)
        throw UsageError(flag + ": rank must be 1 or more, got " + std::to_string(r));
    return {r, text.substr(colon + 1)};
}

// The fitted gain and offset of every scene and band: reference ~ gain * scene + offset.
void print_normalization(std::ostream& os, const rb::NormalizationFit& fit,
                         const std::vector<std::string>& scenes) {
    if (fit.empty())
        return;
    os << "normalization (" << fit.method << "): reference scene " << fit.reference + 1 << " '"
       << scenes[std::size_t(fit.reference)] << "'; reference = gain * scene + offset\n";
    for (std::size_t i = 0; i < fit.fits.size(); ++i) {
        os << "  scene " << i + 1 << " '" << scenes[i] << "' (" << fit.pixels[i] << " pixels):";
        for (std::size_t b = 0; b < fit.fits[i].size(); ++b) {
            char buf[96];
            std::snprintf(buf, sizeof buf, " b%zu %.5f %+.5g", b + 1, fit.fits[i][b].gain,
                          fit.fits[i][b].offset);
            os << buf;
        }
        os << "\n";
    }
}

int run_composite(const Args& args) {
    ScoreFlags flags;
    rb::CompositeOptions options;
    rb::CompositeOutputs outputs;
    std::vector<std::string> scenes;
    auto usage = [](std::ostream& os) {
        os << kCompositeUsage
           << "\nScores every pixel of every SCENE (all on one grid), orders the scenes by\n"
              "score per pixel (ties: --tie, by default the earliest acquisition) and keeps\n"
              "the best.\n\n"
              "  --score M             score method: "
           << ScoreFlags::method_list()
           << "\n"
              "  -o, --output FILE     the composite (the scenes' type and bands)\n"
              "  --index FILE          0-based position of the winning scene among the\n"
              "                        SCENE arguments; nodata where none is valid\n"
              "  --score-out FILE      the winning score (Float32, nodata NaN); with --score bap\n"
              "                        one band per component: total, doy, year, cloud,\n"
              "                        haze, sensor, clear\n"
              "  --bap-info FILE       --score bap: the winner's day of year, year, sensor\n"
              "                        code and the clear observations (Int16, nodata -1)\n"
              "  --count FILE          valid observations per pixel (UInt16)\n"
              "  --best-rank R:FILE    the R-th best valid pixel (repeatable)\n"
              "  --worst-rank R:FILE   the R-th worst valid pixel (repeatable)\n"
           << ScoreFlags::shared_help() << "\nComposite parameters:\n";
        print_param_flags(os, rb::CompositeOptions::params().infos());
    };
    const ParsedArgs parsed = parse_args(args, usage, [&](const Args& args, std::size_t& i) {
        const std::string& a = args[i];
        if (flags.take(args, i, "--score") ||
            take_param_flag(args, i, rb::CompositeOptions::params(), options))
            return true;
        if (a == "--index")
            outputs.index = option_value(args, i);
        else if (a == "--score-out")
            outputs.score = option_value(args, i);
        else if (a == "--count")
            outputs.count = option_value(args, i);
        else if (a == "--bap-info")
            outputs.bap_info = option_value(args, i);
        else if (a == "--best-rank")
            outputs.best_ranks.push_back(rank_and_file(option_value(args, i), a));
        else if (a == "--worst-rank")
            outputs.worst_ranks.push_back(rank_and_file(option_value(args, i), a));
        else
            return false;
        return true;
    });
    if (parsed.answered)
        return 0;
    outputs.composite = parsed.output;
    scenes = parsed.positional;
    if (flags.list_params) {
        ScoreFlags::print_params(std::cout, flags.method.empty() ? "darkness" : flags.method);
        return 0;
    }
    const rb::ScoreOptions score = flags.options();
    if (scenes.empty())
        throw UsageError(std::string("missing SCENE files (") + kCompositeUsage + ")");
    if (outputs.composite.empty())
        throw UsageError("missing the output file (-o OUT.tif)");
    if (options.harmonize && options.method != "best")
        throw UsageError("--harmonize works with --method best only");
    const bool bap = std::holds_alternative<rb::BapOptions>(score.method);
    if (!outputs.bap_info.empty() && !bap)
        throw UsageError("--bap-info needs --score bap");
    if (bap && !outputs.score.empty()) // every component, the total first
        std::swap(outputs.score, outputs.components);
    std::vector<rb::SceneSource> sources;
    for (const auto& s : scenes)
        sources.push_back(flags.scene(s));
    std::vector<rb::FileRole> written = {
        {"output", outputs.composite},        {"index output", outputs.index},
        {"score output", outputs.score},      {"count output", outputs.count},
        {"score output", outputs.components}, {"bap information output", outputs.bap_info}};
    for (const auto& [rank, path] : outputs.best_ranks)
        written.push_back({"best-rank " + std::to_string(rank) + " output", path});
    for (const auto& [rank, path] : outputs.worst_ranks)
        written.push_back({"worst-rank " + std::to_string(rank) + " output", path});
    std::vector<rb::FileRole> read = scene_roles(sources);
    for (const auto& r : flags.grid_inputs())
        read.push_back(r);
    rb::check_outputs_distinct(read, written);
    const rb::AlignedScenes aligned(sources, flags.target_grid(sources), flags.grid.resampling);
    if (aligned.warped() > 0)
        std::cerr << "note: " << aligned.warped() << " of " << sources.size()
                  << " scenes are warped onto the grid of the composite as they are read\n";
    flags.report_roles(sources.front(), score, "composite", sources.size());
    const rb::CompositeReport report = rb::composite_files(
        aligned.scenes(), score, options, outputs, flags.stream, flags.make_progress("composite"));
    print_normalization(std::cout, report.normalization, scenes);
    return 0;
}

} // namespace

RB_CLI_COMMAND("composite",
               "best-pixel composite: --score M [--param N=V]... -o OUT [--index ...] SCENE...",
               run_composite);

} // namespace rbcli
