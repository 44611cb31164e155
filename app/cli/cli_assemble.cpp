// rasterbench-cli assemble: joins a job's tiles (after the recipe's steps that follow the
// composite) into a Cloud-Optimized GeoTIFF or a tiled GeoTIFF, plus DIR/mosaic.vrt.
#include <iostream>

#include "cli_commands.h"
#include "cli_flags.h"
#include "rasterbench/job.h"

namespace rbcli {

namespace {

int run_assemble(const Args& args) {
    std::string dir, out, format = "COG";
    int threads = 0;
    bool quicklook = false;
    auto usage = [](std::ostream& os) {
        os << "usage: rasterbench-cli assemble DIR [-o OUT.tif] [--format COG|GTiff] "
              "[--threads N] [--quicklook]\n\nJoins the tiles of the job in DIR into "
              "OUT (default: the job's output). --quicklook:\nonly DIR/mosaic.vrt over "
              "the tiles done so far.\n";
    };
    const ParsedArgs parsed = parse_args(args, usage, [&](const Args& args, std::size_t& i) {
        const std::string& a = args[i];
        if (a == "--format") {
            format = option_value(args, i);
            if (format != "COG" && format != "GTiff")
                throw UsageError("--format: '" + format + "' is not COG or GTiff");
        } else if (a == "--threads") {
            threads = parse_int(option_value(args, i), "--threads");
        } else if (a == "--quicklook") {
            quicklook = true;
        } else {
            return false;
        }
        return true;
    });
    out = parsed.output;
    if (parsed.answered)
        return 0;
    dir = one_input(parsed);
    if (dir.empty())
        throw UsageError("missing the job folder DIR");
    const rb::Job job = rb::load_job(dir);
    if (quicklook) {
        const std::string vrt = rb::write_quicklook(job);
        std::cout << (vrt.empty() ? "no tiles yet\n" : "wrote " + vrt + "\n");
        return 0;
    }
    if (out.empty())
        out = job.output;
    rb::assemble_job(job, out, format, threads);
    std::cout << "wrote " << out << "\n";
    return 0;
}

} // namespace

RB_CLI_COMMAND("assemble", "join a job folder's tiles into a COG: DIR [-o OUT.tif]", run_assemble);

} // namespace rbcli
