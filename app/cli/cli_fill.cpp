// rasterbench-cli fill: fill nodata gaps (e.g. Landsat 7 SLC-off) by inverse-distance
// interpolation from the gap edges (gdal_fillnodata), written atomically.
#include <iostream>

#include "cli_commands.h"
#include "cli_flags.h"
#include "cli_progress.h"
#include "rasterbench/dataset.h"
#include "rasterbench/fill.h"

namespace rbcli {

namespace {

// GDAL's spellings, and the flag this command had before its flags came from the table.
const FlagAliases kFillAliases = {
    {"-md", "--max-distance"}, {"-si", "--smoothing"}, {"--smooth", "--smoothing"}};

void usage(std::ostream& os) {
    os << "usage: rasterbench-cli fill IN.tif -o OUT.tif [--max-distance D] [--smoothing N]\n"
          "         [--progress]\n"
          "       rasterbench-cli fill --list-params\n\n"
          "  Every band's invalid pixels (nodata, NaN, mask) are filled from valid pixels\n"
          "  within D pixels; N 3x3 smoothing passes over the filled pixels. Gaps out of reach\n"
          "  keep the nodata value. -md and -si (gdal_fillnodata) are accepted too.\n"
       << kProgressHelp << "\n";
    print_param_flags(os, rb::FillOptions::params().infos());
}

int run_fill(const Args& args) {
    rb::FillOptions o;
    bool progress = false;
    const ParsedArgs parsed = parse_args(
        args, usage,
        [&](const Args& a, std::size_t& i) {
            return take_progress_flag(a, i, progress) ||
                   take_param_flag(a, i, rb::FillOptions::params(), o, kFillAliases);
        },
        rb::FillOptions::params().infos());
    if (parsed.answered)
        return 0;
    const std::vector<std::string>& files = parsed.positional;
    const std::string& out = parsed.output;
    if (files.size() != 1)
        throw UsageError("expects one IN.tif (usage: rasterbench-cli fill IN.tif -o OUT.tif)");
    if (out.empty())
        throw UsageError("missing -o OUT.tif");
    rb::check_outputs_distinct({{"input", files[0]}}, {{"output", out}});
    const rb::Dataset ds = rb::Dataset::open(files[0]);
    const rb::Raster filled =
        rb::fill_nodata(ds.read(), o, progress ? stderr_progress("fill") : rb::Progress{});
    rb::Profile p = ds.profile();
    p.driver = "GTiff";
    p.overview_factors.clear();
    rb::Dataset dst = rb::Dataset::create(out, p);
    dst.write(filled);
    dst.close();
    return 0;
}

} // namespace

RB_CLI_COMMAND("fill", "fill nodata gaps: IN.tif -o OUT.tif [--max-distance D] [--smoothing N]",
               run_fill);

} // namespace rbcli
