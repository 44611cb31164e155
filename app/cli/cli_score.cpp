#include <iostream>

#include "cli_commands.h"
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
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            std::cout << kScoreUsage
                      << "\nScores every pixel of SCENE (higher = better) into a Float32 raster,\n"
                         "nodata NaN where the scene is invalid. The stack supplies per-pixel\n"
                         "statistics (median-distance, expressions using median_bN, ...).\n\n"
                         "  --method M            "
                      << ScoreFlags::method_list() << "\n"
                      << "  -o, --output FILE     the score raster\n"
                         "  --stack SCENE...      the scenes giving the statistics\n"
                      << ScoreFlags::shared_help();
            return 0;
        }
        if (flags.take(args, i, "--method")) {
            in_stack = false;
        } else if (a == "-o" || a == "--output") {
            out = option_value(args, i);
            in_stack = false;
        } else if (a == "--stack") {
            in_stack = true;
        } else if (!a.empty() && a[0] == '-') {
            throw UsageError("unknown option '" + a + "'");
        } else if (in_stack) {
            stack.push_back(a);
        } else if (scene.empty()) {
            scene = a;
        } else {
            throw UsageError("expects one SCENE, got '" + scene + "' and '" + a +
                             "' (stack scenes follow --stack)");
        }
    }
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
    rb::check_outputs_distinct(inputs, {{"output", out}});
    flags.report_roles(flags.scene(scene), options, "score");
    rb::score_file(flags.scene(scene), stack_sources, options, out, flags.stream,
                   flags.make_progress("score"));
    return 0;
}

} // namespace

RB_CLI_COMMAND("score",
               "score every pixel: --method M [--param N=V]... SCENE -o OUT [--stack SCENE...]",
               run_score);

} // namespace rbcli
