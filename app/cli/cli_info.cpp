#include <iostream>

#include "cli_commands.h"
#include "cli_flags.h"
#include "rasterbench/dataset.h"
#include "rasterbench/info.h"

namespace rbcli {

namespace {

int run_info(const Args& args) {
    bool json = false;
    rb::InfoOptions options;
    auto usage = [](std::ostream& os) {
        os << "usage: rasterbench-cli info FILE [--json] [--stats]\n\n"
              "  --json    print a JSON object (driver, width, height, count, dtype,\n"
              "            crs, epsg, transform, bounds, nodata, blocksize,\n"
              "            overviews, bands)\n"
              "  --stats   exact min/max/mean/stddev/valid count per band\n";
    };
    const ParsedArgs parsed = parse_args(args, usage, [&](const Args& args, std::size_t& i) {
        if (args[i] == "--json")
            json = true;
        else if (args[i] == "--stats")
            options.stats = true;
        else
            return false;
        return true;
    });
    if (parsed.answered)
        return 0;
    if (!parsed.output.empty())
        throw UsageError("info writes no file: no -o");
    if (parsed.positional.size() > 1)
        throw UsageError("expects one FILE, got '" + parsed.positional[0] + "' and '" +
                         parsed.positional[1] + "'");
    const std::string file = parsed.positional.empty() ? std::string() : parsed.positional[0];
    if (file.empty())
        throw UsageError("missing FILE (usage: rasterbench-cli info FILE [--json] [--stats])");
    const rb::Dataset ds = rb::Dataset::open(file);
    std::cout << (json ? rb::info_json(ds, options) + "\n" : rb::info_text(ds, options));
    return 0;
}

} // namespace

RB_CLI_COMMAND("info", "describe a raster: FILE [--json] [--stats]", run_info);

} // namespace rbcli
