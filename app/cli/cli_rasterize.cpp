// rasterbench-cli rasterize: burn the features of any OGR vector file (GeoJSON, Shapefile,
// GeoPackage...) onto the grid of a reference raster, as gdal_rasterize does.
#include <iostream>

#include "cli_commands.h"
#include "cli_flags.h"
#include "cli_progress.h"
#include "rasterbench/dataset.h"
#include "rasterbench/features.h"

namespace rbcli {

namespace {

// gdal_rasterize's spellings.
const FlagAliases kRasterizeAliases = {{"-a", "--property"}, {"-at", "--all-touched"}};

void usage(std::ostream& os) {
    os << "usage: rasterbench-cli rasterize SHAPES -o OUT.tif --like REF.tif\n"
          "         [--burn V | --property NAME] [--all-touched] [--merge replace|add]\n"
          "         [--dtype T] [--fill V] [--nodata V] [--layer NAME] [--where SQL]\n"
          "         [--skip-invalid] [--allow-empty] [--progress]\n"
          "       rasterbench-cli rasterize --list-params\n\n"
          "  SHAPES         any OGR vector file; reprojected to REF's CRS when it differs\n"
          "  --like         output grid (size, transform, CRS) and default dtype from REF\n"
          "  --dtype        uint8, int16, uint16, int32, uint32, float32, float64, ...\n"
          "  --nodata       nodata value to declare on the output\n"
          "  --layer        the layer of a multi-layer source (default: the first)\n"
          "  --where        an OGR SQL filter on the features\n"
          "  --skip-invalid leave out features with invalid geometries (unknown type,\n"
          "                coordinates not numbers, NaN/Inf, rings under 4 positions) and\n"
          "                say how many; without it they are an error naming the feature\n"
          "  --allow-empty  write an all-fill raster when SHAPES has no features (an error\n"
          "                otherwise)\n"
          "  -a, -at and --add (gdal_rasterize) mean --property, --all-touched, --merge add\n"
       << kProgressHelp << "\n";
    print_param_flags(os, rb::RasterizeOptions::params().infos());
}

int run_rasterize(const Args& args) {
    std::string like;
    std::optional<double> nodata;
    std::optional<rb::DataType> dtype;
    rb::RasterizeOptions o;
    rb::VectorReadOptions vo;
    bool burn_given = false, allow_empty = false, progress = false;
    const ParsedArgs parsed = parse_args(
        args, usage,
        [&](const Args& args, std::size_t& i) {
            const std::string& a = args[i];
            if (a == "--like") {
                like = option_value(args, i);
            } else if (a == "--add") {
                o.merge = rb::MergeAlg::Add;
            } else if (a == "--dtype") {
                const std::string& v = option_value(args, i);
                dtype = rb::parse_dtype(v);
                if (!dtype)
                    throw UsageError("--dtype: unknown data type '" + v + "'");
            } else if (a == "--nodata") {
                nodata = parse_double(option_value(args, i), "--nodata", true);
            } else if (a == "--layer") {
                vo.layer = option_value(args, i);
            } else if (a == "--where") {
                vo.where = option_value(args, i);
            } else if (a == "--skip-invalid") {
                vo.skip_invalid = true;
            } else if (a == "--allow-empty") {
                allow_empty = true;
            } else if (take_progress_flag(args, i, progress)) {
            } else {
                burn_given = burn_given || a == "--burn";
                return take_param_flag(args, i, rb::RasterizeOptions::params(), o,
                                       kRasterizeAliases);
            }
            return true;
        },
        rb::RasterizeOptions::params().infos());
    if (parsed.answered)
        return 0;
    const std::vector<std::string>& files = parsed.positional;
    const std::string& out = parsed.output;
    if (files.size() != 1)
        throw UsageError("expects one SHAPES file (usage: rasterbench-cli rasterize SHAPES -o "
                         "OUT.tif --like REF.tif)");
    if (out.empty())
        throw UsageError("missing -o OUT.tif");
    if (like.empty())
        throw UsageError("missing --like REF.tif (the output grid)");
    if (burn_given && !o.property.empty())
        throw UsageError("--burn and --property are exclusive");
    rb::check_outputs_distinct({{"input shapes", files[0]}, {"--like raster", like}},
                               {{"output", out}});
    const rb::Profile ref = rb::read_profile(like);
    o.dtype = dtype.value_or(ref.dtype);
    // Streamed file to file: strips burn in parallel and are compressed and written in
    // order, so memory stays a few strips however large the grid.
    rb::RasterizeFileOptions file;
    file.compression = "DEFLATE";
    file.nodata = nodata;
    file.allow_empty = allow_empty;
    rb::rasterize_file(files[0], out, rb::grid_of(ref), o, vo, file,
                       progress ? stderr_progress("rasterize") : rb::Progress{});
    return 0;
}

} // namespace

RB_CLI_COMMAND("rasterize",
               "burn vector features: SHAPES -o OUT.tif --like REF.tif [--burn V|--property NAME]",
               run_rasterize);

} // namespace rbcli
