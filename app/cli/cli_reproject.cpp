// rasterbench-cli reproject: warp a raster to another CRS/grid, the grid computed the way
// gdalwarp computes it (-tr/-ts/-te/-tap equivalents), written atomically as a GeoTIFF.
#include <iostream>

#include "cli_commands.h"
#include "cli_flags.h"
#include "cli_progress.h"
#include "rasterbench/dataset.h"
#include "rasterbench/warp.h"

namespace rbcli {

namespace {

// gdalwarp's spellings and this command's earlier short flag.
const FlagAliases kWarpAliases = {
    {"-r", "--resampling"}, {"--et", "--error-threshold"}, {"-et", "--error-threshold"}};

void usage(std::ostream& os) {
    os << "usage: rasterbench-cli reproject IN OUT --dst-crs CRS [--resampling R]\n"
          "         [--res X[,Y]] [--size W,H] [--bounds L,B,R,T] [--tap]\n"
          "         [--src-nodata V] [--dst-nodata V] [--error-threshold PIXELS] [--threads N]\n"
          "         [--progress]\n\n"
          "  --dst-crs     EPSG:code, WKT, PROJ string, or any CRS PROJ understands\n"
          "  --res         target pixel size in CRS units (gdalwarp -tr)\n"
          "  --size        target size in pixels (gdalwarp -ts; 0 keeps square pixels)\n"
          "  --bounds      target extent in the target CRS (gdalwarp -te)\n"
          "  --tap         align the grid on multiples of the resolution (gdalwarp -tap)\n"
          "  The output grid is the one gdalwarp would create with the same options.\n"
       << kProgressHelp << "\n";
    print_param_flags(os, rb::ReprojectOptions::params().infos());
}

int run_reproject(const Args& args) {
    std::string crs_text;
    rb::GridOptions grid;
    rb::ReprojectOptions o;
    bool progress = false;
    const ParsedArgs parsed = parse_args(
        args, usage,
        [&](const Args& args, std::size_t& i) {
            const std::string& a = args[i];
            if (a == "--dst-crs" || a == "-t_srs") {
                crs_text = option_value(args, i);
            } else if (take_grid_flag(args, i, grid) || take_progress_flag(args, i, progress)) {
            } else if (a == "--src-nodata") {
                o.src_nodata = parse_double(option_value(args, i), "--src-nodata", true);
            } else if (a == "--dst-nodata") {
                o.dst_nodata = parse_double(option_value(args, i), "--dst-nodata", true);
            } else if (a == "--threads") {
                o.threads = parse_int(option_value(args, i), "--threads");
            } else {
                return take_param_flag(args, i, rb::ReprojectOptions::params(), o, kWarpAliases);
            }
            return true;
        },
        rb::ReprojectOptions::params().infos());
    if (parsed.answered)
        return 0;
    // IN OUT, or IN -o OUT as the other commands write it.
    std::vector<std::string> files = parsed.positional;
    if (!parsed.output.empty()) {
        if (files.size() != 1)
            throw UsageError("give the output once: IN OUT or IN -o OUT");
        files.push_back(parsed.output);
    }
    if (files.size() != 2)
        throw UsageError(
            "expects IN and OUT (usage: rasterbench-cli reproject IN OUT --dst-crs CRS)");
    if (crs_text.empty())
        throw UsageError("missing --dst-crs");
    rb::check_outputs_distinct({{"input", files[0]}}, {{"output", files[1]}});
    const rb::Crs crs = rb::Crs::from_user_input(crs_text);
    const rb::Profile p = rb::read_profile(files[0]);
    rb::check_reprojectable(files[0], p);
    rb::Grid dst;
    try {
        dst = rb::default_grid(rb::grid_of(p), crs, grid);
    } catch (const rb::ArgumentError& e) {
        throw UsageError(e.what());
    }
    rb::reproject_file(files[0], files[1], dst, o,
                       progress ? stderr_progress("reproject") : rb::Progress{});
    return 0;
}

} // namespace

RB_CLI_COMMAND("reproject", "warp to another CRS/grid: IN OUT --dst-crs CRS [--resampling R]",
               run_reproject);

} // namespace rbcli
