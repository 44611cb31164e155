// rasterbench-cli catalog: the scenes of folders, list files or STAC JSON, one row each,
// selected by date, season, cloud cover and sensor.
#include <iostream>

#include "cli_commands.h"
#include "cli_flags.h"
#include "rasterbench/catalog.h"
#include "rasterbench/error.h"

namespace rbcli {

namespace {

void catalog_usage(std::ostream& os) {
    os << "usage: rasterbench-cli catalog PATH... [--qa-from FROM=TO] [--from DATE] [--to DATE]\n"
          "         [--doy A-B] [--max-cloud PCT] [--sensor S,...] [--json]\n\n"
          "  PATH: a folder (searched for product metadata and rasters), a raster, a metadata\n"
          "  file (*_MTL.txt/json, MTD_MSIL1C/2A.xml), a STAC Item or ItemCollection (.json),\n"
          "  or a list file (one path per line). One row per scene: date, day of year,\n"
          "  sensor, cloud cover and where it came from (metadata, or qa: the quality file's\n"
          "  cloud, cloud edge and cirrus over its valid pixels), valid-pixel share, CRS, size.\n"
          "  A raster (or a folder's metadata file) that cannot be read is named on standard\n"
          "  error with the reason, not listed, and the exit status is then 1.\n"
          "  --qa-from FROM=TO  quality file beside each raster: its name with FROM replaced\n"
          "                     by TO (_stack.tif=_BQA.tif)\n"
          "  --from/--to DATE   acquisition date range, inclusive (YYYY-MM-DD)\n"
          "  --doy A-B          day-of-year window; 335-59 wraps the new year\n"
          "  --max-cloud PCT    drop scenes cloudier than PCT or without a cloud cover\n"
          "  --sensor S,...     landsat, landsat-8, sentinel-2, sentinel-2a, ...\n"
          "  --json             an array of objects: path, date, doy, sensor, cloud_cover,\n"
          "                     cloud_source, valid_share, crs, width, height\n";
}

rb::SceneDate parse_date(const std::string& text, const std::string& flag) {
    const std::optional<rb::SceneDate> d = rb::date_from_metadata({{"ACQUISITION_DATE", text}});
    if (!d)
        throw UsageError(flag + ": '" + text + "' is not a date (YYYY-MM-DD)");
    return *d;
}

int run_catalog(const Args& args) {
    rb::CatalogReadOptions ro;
    rb::CatalogSelection sel;
    bool json = false;
    const ParsedArgs parsed =
        parse_args(args, catalog_usage, [&](const Args& args, std::size_t& i) {
            const std::string& a = args[i];
            if (a == "--json")
                json = true;
            else if (a == "--qa-from") {
                const std::string v = option_value(args, i);
                const std::size_t eq = v.find('=');
                if (eq == std::string::npos || eq == 0)
                    throw UsageError("--qa-from: expected FROM=TO, got '" + v + "'");
                ro.qa_from = v.substr(0, eq);
                ro.qa_to = v.substr(eq + 1);
            } else if (a == "--from")
                sel.from = parse_date(option_value(args, i), a);
            else if (a == "--to")
                sel.to = parse_date(option_value(args, i), a);
            else if (a == "--doy") {
                const std::string v = option_value(args, i);
                try {
                    sel.doy = rb::CatalogSelection::parse_doy(v);
                } catch (const rb::ArgumentError& e) {
                    throw UsageError(std::string("--doy: ") + e.what());
                }
            } else if (a == "--max-cloud") {
                const std::string v = option_value(args, i);
                sel.max_cloud = parse_double(v, a);
                if (*sel.max_cloud < 0 || *sel.max_cloud > 100)
                    throw UsageError("--max-cloud: " + v + " is not a percentage from 0 to 100");
            } else if (a == "--sensor")
                sel.sensors = split(option_value(args, i));
            else
                return false;
            return true;
        });
    if (parsed.answered)
        return 0;
    if (!parsed.output.empty())
        throw UsageError("catalog writes to standard output; -o is not used");
    if (parsed.positional.empty())
        throw UsageError("needs at least one PATH (see --help)");
    // Rasters that cannot be read are named on standard error, not listed as scenes.
    std::vector<rb::CatalogEntry> readable;
    int unreadable = 0;
    for (rb::CatalogEntry& e : rb::read_catalog(parsed.positional, ro)) {
        if (e.problem.empty()) {
            readable.push_back(std::move(e));
            continue;
        }
        ++unreadable;
        std::cerr << "rasterbench-cli catalog: '" << e.path << "' cannot be read: " << e.problem
                  << "\n";
    }
    const std::vector<rb::CatalogEntry> rows = rb::select_scenes(readable, sel);
    std::cout << (json ? rb::catalog_json(rows) + "\n" : rb::catalog_text(rows));
    return unreadable == 0 ? 0 : 1;
}

} // namespace

RB_CLI_COMMAND("catalog",
               "list scenes of folders / STAC JSON by date, season, cloud: PATH... [--json]",
               run_catalog);

} // namespace rbcli
