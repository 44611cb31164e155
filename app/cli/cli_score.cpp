#include <iostream>

#include "cli_commands.h"
#include "cli_flags.h"
#include "cli_score_common.h"
#include "rasterbench/composite.h"

namespace rbcli {

namespace {

const char* kScoreUsage =
    "usage: rasterbench-cli score --method M [--param NAME=VALUE]... SCENE -o SCORE.tif\n"
    "                             [--stack SCENE...]\n";

int run_score(const Args& args) {
    ScoreFlags flags;
    std::string out, scene;
    std::vector<std::string> stack;
    bool in_stack = false;
    auto usage = [](std::ostream& os) {
        os << kScoreUsage
           << "\nScores every pixel of SCENE (higher = better) into a Float32 raster,\n"
              "nodata NaN where the scene is invalid. The stack supplies per-pixel\n"
              "statistics (median-distance, expressions using median_bN, ...).\n\n"
              "  --method M            "
           << ScoreFlags::method_list() << "\n"
           << "  -o, --output FILE     the score raster\n"
              "  --stack SCENE...      the scenes giving the statistics\n"
           << ScoreFlags::shared_help();
    };
    const ParsedArgs parsed = parse_args(args, usage, [&](const Args& args, std::size_t& i) {
        const std::string& a = args[i];
        if (flags.take(args, i, "--method") || a == "-o" || a == "--output") {
            in_stack = false; // -o itself is read by parse_args
            return a != "-o" && a != "--output";
        }
        if (a == "--stack") {
            in_stack = true;
            return true;
        }
        if (in_stack && !a.empty() && a[0] != '-') {
            stack.push_back(a);
            return true;
        }
        return false;
    });
    if (parsed.answered)
        return 0;
    out = parsed.output;
    if (parsed.positional.size() > 1)
        throw UsageError("expects one SCENE, got '" + parsed.positional[0] + "' and '" +
                         parsed.positional[1] + "' (stack scenes follow --stack)");
    if (!parsed.positional.empty())
        scene = parsed.positional[0];
    if (flags.list_params) {
        ScoreFlags::print_params(std::cout, flags.method.empty() ? "darkness" : flags.method);
        return 0;
    }
    const rb::ScoreOptions options = flags.options();
    if (scene.empty())
        throw UsageError(std::string("missing SCENE (") + kScoreUsage + ")");
    if (out.empty())
        throw UsageError("missing the output file (-o SCORE.tif)");
    std::vector<rb::SceneSource> stack_sources;
    for (const auto& s : stack)
        stack_sources.push_back(flags.scene(s));
    std::vector<rb::FileRole> inputs = scene_roles({flags.scene(scene)});
    for (rb::FileRole& r : scene_roles(stack_sources))
        inputs.push_back({"stack " + r.role, r.path});
    for (const auto& r : flags.grid_inputs())
        inputs.push_back(r);
    rb::check_outputs_distinct(inputs, {{"output", out}});
    flags.report_roles(flags.scene(scene), options, "score");
    // The scene first: its grid is the default one, and stack scenes on others are warped.
    std::vector<rb::SceneSource> all{flags.scene(scene)};
    all.insert(all.end(), stack_sources.begin(), stack_sources.end());
    const rb::AlignedScenes aligned(all, flags.target_grid(all), flags.grid.resampling);
    const std::vector<rb::SceneSource> aligned_stack(aligned.scenes().begin() + 1,
                                                     aligned.scenes().end());
    rb::score_file(aligned.scenes().front(), aligned_stack, options, out, flags.stream,
                   flags.make_progress("score"));
    return 0;
}

} // namespace

RB_CLI_COMMAND("score",
               "score every pixel: --method M [--param N=V]... SCENE -o OUT [--stack SCENE...]",
               run_score);

} // namespace rbcli
