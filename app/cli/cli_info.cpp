#include <iostream>

#include "cli_commands.h"
#include "rasterbench/dataset.h"
#include "rasterbench/info.h"

namespace rbcli {

namespace {

int run_info(const Args& args) {
    bool json = false;
    rb::InfoOptions options;
    std::string file;
    for (const auto& a : args) {
        if (a == "--help" || a == "-h") {
            std::cout << "usage: rasterbench-cli info FILE [--json] [--stats]\n\n"
                         "  --json    print a JSON object (driver, width, height, count, dtype,\n"
                         "            crs, epsg, transform, bounds, nodata, blocksize,\n"
                         "            overviews, bands)\n"
                         "  --stats   exact min/max/mean/stddev/valid count per band\n";
            return 0;
        }
        if (a == "--json")
            json = true;
        else if (a == "--stats")
            options.stats = true;
        else if (!a.empty() && a[0] == '-')
            throw UsageError("unknown option '" + a + "'");
        else if (file.empty())
            file = a;
        else
            throw UsageError("expects one FILE, got '" + file + "' and '" + a + "'");
    }
    if (file.empty())
        throw UsageError("missing FILE (usage: rasterbench-cli info FILE [--json] [--stats])");
    const rb::Dataset ds = rb::Dataset::open(file);
    std::cout << (json ? rb::info_json(ds, options) + "\n" : rb::info_text(ds, options));
    return 0;
}

} // namespace

RB_CLI_COMMAND("info", "describe a raster: FILE [--json] [--stats]", run_info);

} // namespace rbcli
