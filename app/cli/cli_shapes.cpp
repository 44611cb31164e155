// rasterbench-cli shapes: polygonize a band into GeoJSON features with property "value"
// (GDAL's polygonizer), written atomically.
#include <iostream>

#include "cli_commands.h"
#include "cli_flags.h"
#include "rasterbench/dataset.h"
#include "rasterbench/features.h"

namespace rbcli {

namespace {

/// The shapes and GeoJSON tables' rows, as one list of flags.
std::vector<rb::ParamInfo> rows() {
    auto r = rb::ShapesOptions::params().infos();
    const auto w = rb::GeoJsonWriteOptions::params().infos();
    r.insert(r.end(), w.begin(), w.end());
    return r;
}

void usage(std::ostream& os) {
    os << "usage: rasterbench-cli shapes IN.tif -o OUT.geojson [--band N] [--mask MASK.tif]\n"
          "         [--connectivity 4|8] [--quantize STEP] [--simplify TOLERANCE]\n"
          "         [--rfc7946] [--precision DIGITS]\n"
          "       rasterbench-cli shapes --list-params\n\n"
          "  --band          1-based band (default 1); its invalid pixels make no polygons\n"
          "  --mask          raster of the same size: only its non-zero, valid pixels count\n\n";
    print_param_flags(os, rows());
}

int run_shapes(const Args& args) {
    std::string mask_path;
    int band = 1;
    rb::ShapesOptions o;
    rb::GeoJsonWriteOptions wo;
    const ParsedArgs parsed = parse_args(
        args, usage,
        [&](const Args& args, std::size_t& i) {
            const std::string& a = args[i];
            if (a == "--band" || a == "-b") {
                band = parse_int(option_value(args, i), "--band");
                return true;
            }
            if (a == "--mask") {
                mask_path = option_value(args, i);
                return true;
            }
            return take_param_flag(args, i, rb::ShapesOptions::params(), o) ||
                   take_param_flag(args, i, rb::GeoJsonWriteOptions::params(), wo);
        },
        rows());
    if (parsed.answered)
        return 0;
    const std::vector<std::string>& files = parsed.positional;
    const std::string& out = parsed.output;
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
