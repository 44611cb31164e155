// rasterbench-cli shapes: polygonize a band into GeoJSON features with property "value"
// (GDAL's polygonizer), written atomically.
#include <iostream>

#include "cli_commands.h"
#include "rasterbench/dataset.h"
#include "rasterbench/features.h"

namespace rbcli {

namespace {

void usage(std::ostream& os) {
    os << "usage: rasterbench-cli shapes IN.tif -o OUT.geojson [--band N] [--mask MASK.tif]\n"
          "         [--connectivity 4|8] [--quantize STEP] [--simplify TOLERANCE]\n"
          "         [--rfc7946] [--precision DIGITS]\n\n"
          "  --band          1-based band (default 1); its invalid pixels make no polygons\n"
          "  --mask          raster of the same size: only its non-zero, valid pixels count\n"
          "  --connectivity  4 (default) or 8\n"
          "  --quantize      float bands: group values into bins of STEP (value = bin start)\n"
          "  --simplify      simplify polygons (map units, topology preserving per polygon)\n"
          "  --rfc7946       WGS 84 longitude/latitude output; default: the raster's CRS with\n"
          "                  a \"crs\" member, as GDAL writes it\n"
          "  --precision     decimals of coordinates (default: shortest exact)\n";
}

int run_shapes(const Args& args) {
    std::vector<std::string> files;
    std::string out, mask_path;
    int band = 1;
    rb::ShapesOptions o;
    rb::GeoJsonWriteOptions wo;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            usage(std::cout);
            return 0;
        } else if (a == "-o" || a == "--output") {
            out = option_value(args, i);
        } else if (a == "--band" || a == "-b") {
            band = parse_int(option_value(args, i), "--band");
        } else if (a == "--mask") {
            mask_path = option_value(args, i);
        } else if (a == "--connectivity") {
            o.connectivity = parse_int(option_value(args, i), "--connectivity");
            if (o.connectivity != 4 && o.connectivity != 8)
                throw UsageError("--connectivity is 4 or 8");
        } else if (a == "--quantize") {
            o.quantize = parse_double(option_value(args, i), "--quantize");
            if (!(o.quantize > 0))
                throw UsageError("--quantize must be > 0");
        } else if (a == "--simplify") {
            o.simplify = parse_double(option_value(args, i), "--simplify");
            if (!(o.simplify >= 0))
                throw UsageError("--simplify must be >= 0");
        } else if (a == "--rfc7946") {
            wo.rfc7946 = true;
        } else if (a == "--precision") {
            wo.precision = parse_int(option_value(args, i), "--precision");
        } else if (!a.empty() && a[0] == '-') {
            throw UsageError("unknown option '" + a + "'");
        } else {
            files.push_back(a);
        }
    }
    if (files.size() != 1)
        throw UsageError(
            "expects one IN.tif (usage: rasterbench-cli shapes IN.tif -o OUT.geojson)");
    if (out.empty())
        throw UsageError("missing -o OUT.geojson");
    rb::check_outputs_distinct({{"input", files[0]}, {"mask", mask_path}}, {{"output", out}});
    const rb::Dataset ds = rb::Dataset::open(files[0]);
    rb::ReadOptions ro;
    ro.bands = {band};
    const rb::Raster r = ds.read(ro);
    if (!mask_path.empty()) {
        const rb::Dataset md = rb::Dataset::open(mask_path);
        if (md.width() != ds.width() || md.height() != ds.height())
            throw rb::ArgumentError("mask '" + mask_path + "' is " + std::to_string(md.width()) +
                                    "x" + std::to_string(md.height()) + ", '" + files[0] + "' is " +
                                    std::to_string(ds.width()) + "x" + std::to_string(ds.height()));
        rb::ReadOptions mo;
        mo.bands = {1};
        const rb::Raster m = md.read(mo);
        o.mask.resize(m.band_size());
        for (int y = 0; y < m.rows(); ++y)
            for (int x = 0; x < m.cols(); ++x)
                o.mask[std::size_t(y) * m.cols() + x] = m.valid(0, y, x) && m.value(0, y, x) != 0;
    }
    const auto s = rb::shapes(r, 0, ds.profile().transform, o);
    rb::write_shapes_geojson(out, s, ds.profile().crs, wo);
    std::size_t vertices = 0;
    for (const auto& sh : s)
        vertices += sh.polygon.vertex_count();
    std::cout << s.size() << " polygons, " << vertices << " vertices -> " << out << "\n";
    return 0;
}

} // namespace

RB_CLI_COMMAND(
    "shapes", "polygonize a band: IN.tif -o OUT.geojson [--band N] [--mask M] [--connectivity 4|8]",
    run_shapes);

} // namespace rbcli
