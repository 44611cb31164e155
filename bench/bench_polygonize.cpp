// bench_polygonize: vectorize an 8000x8000 6-class map to GeoJSON with rasterbench and with
// `gdal_polygonize.py` in the same run; polygon counts must match.
//
//   bench_polygonize [DIR] [--size N] [--connectivity 4|8]
//
// DIR (default /tmp/rasterbench-bench) receives the generated class map (UInt8, 512x512
// tiles, EPSG:32633; blobs from smooth noise, so polygons are land-cover-like, reused when
// present) and both GeoJSON outputs. Timings are whole jobs, file to file: the
// gdal_polygonize.py process and rasterbench's open + read + shapes + GeoJSON write.
// Target: rasterbench >= 3x faster, same polygon count and per-value area (both outputs
// read back through OGR).
#include <gdal.h>
#include <ogr_api.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include "bench_util.h"
#include "rasterbench/dataset.h"
#include "rasterbench/features.h"

namespace {

using rbbench::seconds_since;

void generate(const std::string& path, int n) {
    rb::Profile p;
    p.width = p.height = n;
    p.count = 1;
    p.dtype = rb::DataType::UInt8;
    p.crs = rb::Crs::from_epsg(32633);
    p.transform = rb::Affine{10, 0, 400000, 0, -10, 5200000};
    p.has_transform = true;
    p.tiled = true;
    p.block_width = p.block_height = 512;
    rb::Dataset ds = rb::Dataset::create(path, p);
    for (int y0 = 0; y0 < n; y0 += 512) {
        const int rows = std::min(512, n - y0);
        rb::Raster r(rb::DataType::UInt8, 1, rows, n);
        auto v = r.band<std::uint8_t>(0);
        for (int y = 0; y < rows; ++y)
            for (int x = 0; x < n; ++x) {
                const double gy = y0 + y;
                const double s = std::sin(x * 0.0071 + std::sin(gy * 0.0023) * 3) +
                                 std::cos(gy * 0.0063 + std::sin(x * 0.0019) * 2) +
                                 0.5 * std::sin((x - gy) * 0.021) +
                                 0.25 * std::sin(x * 0.09) * std::cos(gy * 0.08);
                v[std::size_t(y) * n + x] =
                    std::uint8_t(std::clamp(int((s + 2.75) / 5.5 * 6), 0, 5) + 1);
            }
        ds.write(r, {}, rb::Window{0, y0, n, rows});
    }
    ds.close();
}

// Feature count and total area per value of a polygon file, read through OGR.
struct Summary {
    std::size_t count = 0;
    std::map<double, double> area;
};

Summary summarize(const std::string& path) {
    Summary s;
    GDALDatasetH ds = GDALOpenEx(path.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
    if (!ds)
        return s;
    OGRLayerH layer = GDALDatasetGetLayer(ds, 0);
    OGR_L_ResetReading(layer);
    const int field = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(layer), "value");
    while (OGRFeatureH f = OGR_L_GetNextFeature(layer)) {
        ++s.count;
        if (OGRGeometryH g = OGR_F_GetGeometryRef(f))
            s.area[OGR_F_GetFieldAsDouble(f, field)] += OGR_G_Area(g);
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
    return s;
}

} // namespace

int main(int argc, char** argv) {
    std::string dir = "/tmp/rasterbench-bench";
    int n = 8000, conn = 4;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--size" && i + 1 < argc)
            n = std::atoi(argv[++i]);
        else if (a == "--connectivity" && i + 1 < argc)
            conn = std::atoi(argv[++i]);
        else
            dir = a;
    }
    GDALAllRegister();
    std::filesystem::create_directories(dir);
    const std::string in = dir + "/classes_" + std::to_string(n) + ".tif";
    const std::string gd = dir + "/polygonize_gdal.geojson",
                      ours = dir + "/polygonize_rasterbench.geojson";
    if (!std::filesystem::exists(in)) {
        const auto t = std::chrono::steady_clock::now();
        generate(in, n);
        std::printf("generated %s in %.1f s\n", in.c_str(), seconds_since(t));
    }
    std::filesystem::remove(gd);
    std::filesystem::remove(ours);

    const std::string cmd = "gdal_polygonize.py -q " + std::string(conn == 8 ? "-8 " : "") + "'" +
                            in + "' -f GeoJSON '" + gd + "' classes value";
    auto t0 = std::chrono::steady_clock::now();
    if (std::system(cmd.c_str()) != 0) {
        std::fprintf(stderr, "gdal_polygonize.py failed: %s\n", cmd.c_str());
        return 1;
    }
    const double t_gdal = seconds_since(t0);

    t0 = std::chrono::steady_clock::now();
    const rb::Dataset ds = rb::Dataset::open(in);
    const rb::Raster r = ds.read();
    const double t_read = seconds_since(t0);
    rb::ShapesOptions o;
    o.connectivity = conn;
    const auto shapes = rb::shapes(r, 0, ds.profile().transform, o);
    const double t_poly = seconds_since(t0) - t_read;
    rb::write_shapes_geojson(ours, shapes, ds.profile().crs);
    const double t_ours = seconds_since(t0);

    const Summary sg = summarize(gd), so = summarize(ours);
    const std::size_t n_gdal = sg.count, n_ours = so.count;
    double worst = 0; // largest relative difference of a value's total area
    bool same_values = sg.area.size() == so.area.size();
    for (const auto& [v, a] : sg.area) {
        const auto it = so.area.find(v);
        if (it == so.area.end())
            same_values = false;
        else
            worst = std::max(worst, std::fabs(it->second - a) / std::max(1.0, a));
    }
    std::printf("%dx%d 6-class map, %d-connected\n", n, n, conn);
    std::printf("gdal_polygonize.py -f GeoJSON : %7.2f s, %zu polygons\n", t_gdal, n_gdal);
    std::printf("rasterbench (read %.2f s + polygonize %.2f s + write): %7.2f s, %zu polygons "
                "(ratio %.2fx, target >= 3x)\n",
                t_read, t_poly, t_ours, n_ours, t_gdal / t_ours);
    std::printf("same polygon count: %s; same values: %s; per-value area differs by at most "
                "%.2g (relative)\n",
                n_gdal == n_ours ? "yes" : "NO", same_values ? "yes" : "NO", worst);
    return n_gdal == n_ours && same_values && worst < 1e-9 ? 0 : 2;
}
