// rasterbench-cli rasterize: burn the features of any OGR vector file (GeoJSON, Shapefile,
// GeoPackage...) onto the grid of a reference raster, as gdal_rasterize does.
#include <iostream>

#include "cli_commands.h"
#include "rasterbench/dataset.h"
#include "rasterbench/features.h"

namespace rbcli {

namespace {

void usage(std::ostream& os) {
    os << "usage: rasterbench-cli rasterize SHAPES -o OUT.tif --like REF.tif\n"
          "         [--burn V | --property NAME] [--all-touched] [--add]\n"
          "         [--dtype T] [--fill V] [--nodata V] [--layer NAME] [--where SQL]\n"
          "         [--skip-invalid] [--allow-empty]\n\n"
          "  SHAPES         any OGR vector file; reprojected to REF's CRS when it differs\n"
          "  --like         output grid (size, transform, CRS) and default dtype from REF\n"
          "  --burn         constant value (default 1)\n"
          "  --property     burn this numeric attribute (gdal_rasterize -a)\n"
          "  --all-touched  every pixel a geometry touches (gdal_rasterize -at)\n"
          "  --add          add values where geometries overlap (gdal_rasterize -add)\n"
          "  --dtype        uint8, int16, uint16, int32, uint32, float32, float64, ...\n"
          "  --fill         value of pixels no geometry covers (default 0)\n"
          "  --nodata       nodata value to declare on the output\n"
          "  --skip-invalid leave out features with invalid geometries (unknown type,\n"
          "                coordinates not numbers, NaN/Inf, rings under 4 positions) and\n"
          "                say how many; without it they are an error naming the feature\n"
          "  --allow-empty  write an all-fill raster when SHAPES has no features (an error\n"
          "                otherwise)\n";
}

int run_rasterize(const Args& args) {
    std::vector<std::string> files;
    std::string out, like;
    std::optional<double> nodata;
    std::optional<rb::DataType> dtype;
    rb::RasterizeOptions o;
    rb::VectorReadOptions vo;
    bool burn_given = false, allow_empty = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            usage(std::cout);
            return 0;
        } else if (a == "-o" || a == "--output") {
            out = option_value(args, i);
        } else if (a == "--like") {
            like = option_value(args, i);
        } else if (a == "--burn") {
            o.burn = parse_double(option_value(args, i), "--burn");
            burn_given = true;
        } else if (a == "--property" || a == "-a") {
            o.property = option_value(args, i);
        } else if (a == "--all-touched" || a == "-at") {
            o.all_touched = true;
        } else if (a == "--add") {
            o.merge = rb::MergeAlg::Add;
        } else if (a == "--dtype") {
            const std::string& v = option_value(args, i);
            dtype = rb::parse_dtype(v);
            if (!dtype)
                throw UsageError("--dtype: unknown data type '" + v + "'");
        } else if (a == "--fill") {
            o.fill = parse_double(option_value(args, i), "--fill");
        } else if (a == "--nodata") {
            nodata = parse_double(option_value(args, i), "--nodata");
        } else if (a == "--layer") {
            vo.layer = option_value(args, i);
        } else if (a == "--where") {
            vo.where = option_value(args, i);
        } else if (a == "--skip-invalid") {
            vo.skip_invalid = true;
        } else if (a == "--allow-empty") {
            allow_empty = true;
        } else if (!a.empty() && a[0] == '-') {
            throw UsageError("unknown option '" + a + "'");
        } else {
            files.push_back(a);
        }
    }
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
    rb::rasterize_file(files[0], out, rb::grid_of(ref), o, vo, file);
    return 0;
}

} // namespace

RB_CLI_COMMAND("rasterize",
               "burn vector features: SHAPES -o OUT.tif --like REF.tif [--burn V|--property NAME]",
               run_rasterize);

} // namespace rbcli
