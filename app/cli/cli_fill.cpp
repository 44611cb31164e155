// rasterbench-cli fill: fill nodata gaps (e.g. Landsat 7 SLC-off) by inverse-distance
// interpolation from the gap edges (gdal_fillnodata), written atomically.
#include <iostream>

#include "cli_commands.h"
#include "cli_flags.h"
#include "rasterbench/dataset.h"
#include "rasterbench/fill.h"

namespace rbcli {

namespace {

// GDAL's spellings, and the flag this command had before its flags came from the table.
const FlagAliases kFillAliases = {
    {"-md", "--max-distance"}, {"-si", "--smoothing"}, {"--smooth", "--smoothing"}};

void usage(std::ostream& os) {
    os << "usage: rasterbench-cli fill IN.tif -o OUT.tif [--max-distance D] [--smoothing N]\n"
          "       rasterbench-cli fill --list-params\n\n"
          "  Every band's invalid pixels (nodata, NaN, mask) are filled from valid pixels\n"
          "  within D pixels; N 3x3 smoothing passes over the filled pixels. Gaps out of reach\n"
          "  keep the nodata value. -md and -si (gdal_fillnodata) are accepted too.\n\n";
    print_param_flags(os, rb::FillOptions::params().infos());
}

int run_fill(const Args& args) {
    std::vector<std::string> files;
    std::string out;
    rb::FillOptions o;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            usage(std::cout);
            return 0;
        } else if (a == "--list-params") {
            list_params(std::cout, rb::FillOptions::params().infos());
            return 0;
        } else if (a == "-o" || a == "--output") {
            out = option_value(args, i);
        } else if (take_param_flag(args, i, rb::FillOptions::params(), o, kFillAliases)) {
        } else if (!a.empty() && a[0] == '-') {
            throw UsageError("unknown option '" + a + "'");
        } else {
            files.push_back(a);
        }
    }
    if (files.size() != 1)
        throw UsageError("expects one IN.tif (usage: rasterbench-cli fill IN.tif -o OUT.tif)");
    if (out.empty())
        throw UsageError("missing -o OUT.tif");
    rb::check_outputs_distinct({{"input", files[0]}}, {{"output", out}});
    const rb::Dataset ds = rb::Dataset::open(files[0]);
    const rb::Raster filled = rb::fill_nodata(ds.read(), o);
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
