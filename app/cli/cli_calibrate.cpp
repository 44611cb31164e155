// rasterbench-cli calibrate: stored numbers to radiance, reflectance or temperature with
// the product's metadata; rasterbench-cli product: what a metadata file says.
#include <iostream>

#include "cli_commands.h"
#include "cli_flags.h"
#include "cli_progress.h"
#include "rasterbench/calibrate.h"

namespace rbcli {

namespace {

void calibrate_usage(std::ostream& os) {
    os << "usage: rasterbench-cli calibrate IN.tif -o OUT.tif [--to radiance|toa|sr|sr-dos]\n"
          "         [--mtl FILE] [--sun scene|pixel] [--progress]\n"
          "       rasterbench-cli calibrate --list-params\n\n"
          "  Landsat: digital numbers to radiance, top-of-atmosphere reflectance (corrected\n"
          "  for the scene-centre sun elevation; thermal bands as brightness temperature in\n"
          "  degrees C), or a Collection 2 Level-2 product's surface reflectance. Sentinel-2:\n"
          "  numbers to reflectance with the processing baseline's offset. sr-dos subtracts\n"
          "  each band's haze found in its darkest pixels (DOS1): an approximation, not the\n"
          "  agencies' Level-2 surface reflectance.\n"
          "  --mtl   the product's metadata (*_MTL.txt, *_MTL.json, MTD_MSIL1C/2A.xml);\n"
          "          default: the one beside IN\n"
          "  --sun pixel reads the _SZA band the MTL names (Collection 2), beside the MTL.\n"
          "  Bands are matched by their descriptions (B1, B2...), a one-band file by _Bn in\n"
          "  its name, else by order. Output: Float32, nodata NaN, band names kept.\n"
       << kProgressHelp << "\n";
    print_param_flags(os, rb::CalibrateOptions::params().infos());
}

int run_calibrate(const Args& args) {
    rb::CalibrateOptions o;
    std::string mtl;
    bool progress = false;
    const ParsedArgs parsed = parse_args(
        args, calibrate_usage,
        [&](const Args& args, std::size_t& i) {
            if (args[i] == "--mtl")
                mtl = option_value(args, i);
            else if (!take_progress_flag(args, i, progress))
                return take_param_flag(args, i, rb::CalibrateOptions::params(), o);
            return true;
        },
        rb::CalibrateOptions::params().infos());
    if (parsed.answered)
        return 0;
    const std::string in = one_input(parsed);
    if (in.empty() || parsed.output.empty())
        throw UsageError("needs IN and -o OUT (see --help)");
    const rb::CalibrationReport r = rb::calibrate_file(
        in, parsed.output, mtl, o, progress ? stderr_progress("calibrate") : rb::Progress{});
    for (std::size_t k = 0; k < r.bands.size(); ++k) {
        std::cout << "band " << k + 1 << ": " << r.bands[k];
        if (o.to == rb::CalibrationTarget::SrDos)
            std::cout << ", haze " << r.haze[k];
        std::cout << "\n";
    }
    return 0;
}

int run_product(const Args& args) {
    bool json = false;
    auto usage = [](std::ostream& os) {
        os << "usage: rasterbench-cli product METADATA|RASTER [--json]\n\n"
              "  What a Landsat MTL (text or JSON) or Sentinel-2 MTD file says: product,\n"
              "  platform, level, acquisition, path/row or tile, cloud cover, sun angles,\n"
              "  bands and their rescaling. A raster: the metadata beside it.\n";
    };
    const ParsedArgs parsed = parse_args(args, usage, [&](const Args& args, std::size_t& i) {
        if (args[i] != "--json")
            return false;
        json = true;
        return true;
    });
    if (parsed.answered)
        return 0;
    std::string path = one_input(parsed);
    if (path.empty())
        throw UsageError("missing METADATA (usage: rasterbench-cli product FILE [--json])");
    const std::string ext = path.size() > 4 ? path.substr(path.size() - 4) : path;
    if (ext == ".tif" || ext == ".TIF" || ext == ".jp2") {
        const std::string found = rb::find_product_metadata(path);
        if (found.empty())
            throw rb::ArgumentError("'" + path + "': no product metadata beside it");
        path = found;
    }
    const rb::ProductMetadata m = rb::read_product_metadata(path);
    std::cout << (json ? m.json() + "\n" : m.text());
    return 0;
}

} // namespace

RB_CLI_COMMAND("calibrate", "to radiance/reflectance: IN -o OUT --to radiance|toa|sr|sr-dos",
               run_calibrate);
RB_CLI_COMMAND("product", "read product metadata (Landsat MTL, Sentinel-2 MTD): FILE [--json]",
               run_product);

} // namespace rbcli
