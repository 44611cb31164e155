// rasterbench-cli fill: fill nodata gaps (e.g. Landsat 7 SLC-off) by inverse-distance
// interpolation from the gap edges (gdal_fillnodata), written atomically.
#include <iostream>

#include "cli_commands.h"
#include "rasterbench/dataset.h"
#include "rasterbench/fill.h"

namespace rbcli {

namespace {

void usage(std::ostream& os) {
    os << "usage: rasterbench-cli fill IN.tif -o OUT.tif [--max-distance D] [--smooth N]\n\n"
          "  Every band's invalid pixels (nodata, NaN, mask) are filled from valid pixels\n"
          "  within D pixels (default 100); N 3x3 smoothing passes over the filled pixels\n"
          "  (default 0). Gaps out of reach keep the nodata value.\n";
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
        } else if (a == "-o" || a == "--output") {
            out = option_value(args, i);
        } else if (a == "--max-distance" || a == "-md") {
            o.max_distance = parse_double(option_value(args, i), "--max-distance");
            if (!(o.max_distance >= 0))
                throw UsageError("--max-distance must be >= 0");
        } else if (a == "--smooth" || a == "-si") {
            o.smoothing = parse_int(option_value(args, i), "--smooth");
            if (o.smoothing < 0)
                throw UsageError("--smooth must be >= 0");
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

RB_CLI_COMMAND("fill", "fill nodata gaps: IN.tif -o OUT.tif [--max-distance D] [--smooth N]",
               run_fill);

} // namespace rbcli
