// rasterize() against gdal_rasterize (GDALRasterize / GDALRasterizeGeometries run here on
// the same inputs) and against the eo-learn reference rasters; window previews against the
// full run; geometry edge cases (holes, touching polygons, empties, antimeridian, pole).
#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal_alg.h>
#include <gdal_utils.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <QtTest>
#include <cmath>
#include <filesystem>
#include <random>
#include <sstream>

#include "rasterbench/dataset.h"
#include "rasterbench/error.h"
#include "rasterbench/features.h"
#include "rasterbench/warp.h"
#include "test_support.h"

using namespace rb;

namespace {

std::string feat(const std::string& name) {
    return rbtest::data("features/" + name);
}

rbtest::GdalDs mem_like(const Grid& g, GDALDataType t, double fill) {
    GDALAllRegister();
    rbtest::GdalDs ds(GDALCreate(GDALGetDriverByName("MEM"), "", g.width, g.height, 1, t, nullptr));
    auto gt = g.transform.to_gdal();
    GDALSetGeoTransform(ds.get(), gt.data());
    if (!g.crs.empty()) {
        OGRSpatialReferenceH srs = OSRNewSpatialReference(g.crs.to_wkt().c_str());
        // As a GeoTIFF's SRS: x = easting/longitude.
        OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
        GDALSetSpatialRef(ds.get(), srs);
        OSRRelease(srs);
    }
    GDALFillRaster(GDALGetRasterBand(ds.get(), 1), fill, 0);
    return ds;
}

// gdal_rasterize (the library form of the CLI) with `args` from a vector file onto `g`.
std::vector<double> gdal_rasterize(const std::string& vector, const Grid& g,
                                   const std::vector<std::string>& args,
                                   GDALDataType t = GDT_Float64, double fill = 0) {
    rbtest::GdalDs dst = mem_like(g, t, fill);
    rbtest::GdalDs src(GDALOpenEx(vector.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr));
    if (!src)
        return {};
    std::vector<char*> argv;
    for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    GDALRasterizeOptions* opts = GDALRasterizeOptionsNew(argv.data(), nullptr);
    GDALDatasetH srch = src.get();
    int usage = 0;
    GDALDatasetH out = GDALRasterize(nullptr, dst.get(), srch, opts, &usage);
    GDALRasterizeOptionsFree(opts);
    if (!out)
        return {};
    return rbtest::gdal_read(dst.get(), 1, 0, 0, g.width, g.height);
}

// GDALRasterizeGeometries on a MEM dataset, the geometries in the grid's CRS.
std::vector<double> gdal_burn(const std::vector<std::pair<Geometry, double>>& shapes, const Grid& g,
                              bool all_touched, bool add, GDALDataType t = GDT_Float64) {
    rbtest::GdalDs dst = mem_like(g, t, 0);
    std::vector<OGRGeometryH> geoms;
    std::vector<double> values;
    for (const auto& [geom, v] : shapes)
        if (!geom.is_null()) {
            geoms.push_back(static_cast<OGRGeometryH>(const_cast<void*>(geom.ogr_handle())));
            values.push_back(v);
        }
    const int band = 1;
    char** opts = nullptr;
    opts = CSLSetNameValue(opts, "ALL_TOUCHED", all_touched ? "TRUE" : "FALSE");
    opts = CSLSetNameValue(opts, "MERGE_ALG", add ? "ADD" : "REPLACE");
    GDALRasterizeGeometries(dst.get(), 1, &band, int(geoms.size()), geoms.data(), nullptr, nullptr,
                            values.data(), opts, nullptr, nullptr);
    CSLDestroy(opts);
    return rbtest::gdal_read(dst.get(), 1, 0, 0, g.width, g.height);
}

std::size_t mismatches(const Raster& r, const std::vector<double>& ref) {
    if (ref.size() != r.band_size())
        return std::size_t(-1);
    std::size_t n = 0;
    for (int row = 0; row < r.rows(); ++row)
        for (int col = 0; col < r.cols(); ++col)
            if (r.value(0, row, col) != ref[std::size_t(row) * r.cols() + col])
                ++n;
    return n;
}

std::size_t count_nonzero(const Raster& r) {
    std::size_t n = 0;
    for (int row = 0; row < r.rows(); ++row)
        for (int col = 0; col < r.cols(); ++col)
            n += r.value(0, row, col) != 0;
    return n;
}

Grid lulc_grid() {
    return grid_of(read_profile(feat("lulc_reference_raster.tif")));
}

// Polygons made to hit the scanline rule's edge cases on a grid of 0.5-unit pixels whose
// origin is on the 0.25 lattice: most vertices sit exactly on pixel edges or centres (so
// edges run through centres, horizontal edges lie on centre lines, cuts round at .5), rings
// run both ways, with holes, multipolygon parts, overlaps, parts outside the grid, and
// values GDAL must round and clamp.
std::vector<std::pair<Geometry, double>> awkward_polygons(const Grid& g, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    const double values[] = {-3.7, 0.5, 1.5, 2.5, 254.5, 300, 70000.2, -40000, 1e10, 7, 12, 99};
    // Pixel (col, row) to map coordinates, snapped to the 0.25 lattice (pixel edges and
    // centres) three times out of four.
    auto map = [&](double col, double row) {
        if (u(rng) < 0.75) {
            col = std::round(col * 2) / 2;
            row = std::round(row * 2) / 2;
        }
        const auto [x, y] = g.transform.apply(col, row);
        return std::to_string(x) + " " + std::to_string(y);
    };
    auto ring = [&](double cx, double cy, double r, int k, bool reverse) {
        std::vector<std::string> pts;
        for (int j = 0; j < k; ++j) {
            const double a = 2 * M_PI * j / k;
            const double rr = r * (0.5 + 0.5 * u(rng));
            pts.push_back(map(cx + rr * std::cos(a), cy + rr * std::sin(a)));
        }
        if (reverse)
            std::reverse(pts.begin(), pts.end());
        pts.push_back(pts.front());
        std::string s = "(";
        for (std::size_t i = 0; i < pts.size(); ++i)
            s += (i ? "," : "") + pts[i];
        return s + ")";
    };
    auto box = [&](double c0, double r0, double c1, double r1, bool reverse) {
        // Edges on centre lines (rows/cols + 0.5) or on pixel edges.
        std::vector<std::string> pts{map(c0, r0), map(c1, r0), map(c1, r1), map(c0, r1)};
        if (reverse)
            std::reverse(pts.begin(), pts.end());
        pts.push_back(pts.front());
        std::string s = "(";
        for (std::size_t i = 0; i < pts.size(); ++i)
            s += (i ? "," : "") + pts[i];
        return s + ")";
    };
    auto star = [&](bool hole) {
        const double cx = -6 + u(rng) * (g.width + 12), cy = -6 + u(rng) * (g.height + 12);
        const double r = 1 + u(rng) * 25;
        std::string s = "(" + ring(cx, cy, r, 3 + int(u(rng) * 30), u(rng) < 0.5);
        if (hole)
            s += "," + ring(cx, cy, r * 0.3, 3 + int(u(rng) * 10), u(rng) < 0.5);
        return s + ")";
    };
    std::vector<std::pair<Geometry, double>> shapes;
    for (int i = 0; i < 70; ++i) {
        const double v = values[std::size_t(u(rng) * std::size(values))];
        std::string wkt;
        const double pick = u(rng);
        if (pick < 0.55) {
            wkt = "POLYGON " + star(u(rng) < 0.3);
        } else if (pick < 0.75) {
            wkt = "MULTIPOLYGON (" + star(false) + "," + star(u(rng) < 0.5) + ")";
        } else {
            const double c0 = std::floor(u(rng) * g.width) + 0.5 * int(u(rng) * 2);
            const double r0 = std::floor(u(rng) * g.height) + 0.5;
            const double c1 = c0 + 1 + std::floor(u(rng) * 30), r1 = r0 + std::floor(u(rng) * 20);
            wkt = "POLYGON (" + box(c0, r0, c1, r1, u(rng) < 0.5) + ")";
        }
        shapes.emplace_back(Geometry::from_wkt(wkt), v);
    }
    shapes.emplace_back(Geometry::from_wkt("POLYGON EMPTY"), 5);
    shapes.emplace_back(Geometry(), 5);
    return shapes;
}

} // namespace

class RasterizeTest : public QObject {
    Q_OBJECT
private slots:
    void lulcEqualsReferenceRaster() {
        const FeatureCollection fc = read_features(feat("lulc_polygons_utm33n.geojson"));
        QCOMPARE(int(fc.features.size()), 88);
        QVERIFY(fc.crs == Crs::from_epsg(32633));
        const Grid g = lulc_grid();
        RasterizeOptions o;
        o.property = "LULC_ID";
        o.dtype = DataType::UInt16;
        const Raster r = rasterize(fc, g, o);
        QCOMPARE(r.dtype(), DataType::UInt16);
        QCOMPARE(r.rows(), g.height);
        QCOMPARE(r.cols(), g.width);
        auto ref = rbtest::gdal_open(feat("lulc_reference_raster.tif"));
        QCOMPARE(mismatches(r, rbtest::gdal_read(ref.get(), 1, 0, 0, g.width, g.height)),
                 std::size_t(0));
        QCOMPARE(mismatches(
                     r, gdal_rasterize(feat("lulc_polygons_utm33n.geojson"), g, {"-a", "LULC_ID"})),
                 std::size_t(0));
    }

    void allTouchedAndAddMatchGdal_data() {
        QTest::addColumn<bool>("all_touched");
        QTest::addColumn<bool>("add");
        QTest::newRow("centre, replace") << false << false;
        QTest::newRow("all touched, replace") << true << false;
        QTest::newRow("centre, add") << false << true;
        QTest::newRow("all touched, add") << true << true;
    }
    void allTouchedAndAddMatchGdal() {
        // Touching land-use polygons: with all_touched + add the shared edges count twice.
        QFETCH(bool, all_touched);
        QFETCH(bool, add);
        const Grid g = lulc_grid();
        RasterizeOptions o;
        o.all_touched = all_touched;
        o.merge = add ? MergeAlg::Add : MergeAlg::Replace;
        o.burn = 1;
        o.dtype = DataType::Float32;
        const Raster r = rasterize(read_features(feat("lulc_polygons_utm33n.geojson")), g, o);
        std::vector<std::string> args{"-burn", "1"};
        if (all_touched)
            args.push_back("-at");
        if (add)
            args.push_back("-add");
        QCOMPARE(mismatches(r, gdal_rasterize(feat("lulc_polygons_utm33n.geojson"), g, args)),
                 std::size_t(0));
        double max = 0;
        for (int row = 0; row < r.rows(); ++row)
            for (int col = 0; col < r.cols(); ++col)
                max = std::max(max, r.value(0, row, col));
        QCOMPARE(max > 1.0, all_touched && add);
    }

    void otherCrsIsReprojectedLikeGdal() {
        const FeatureCollection fc = read_features(feat("lulc_polygons_wgs84.geojson"));
        QVERIFY(fc.crs.is_geographic());
        const Grid g = lulc_grid();
        RasterizeOptions o;
        o.property = "LULC_ID";
        o.dtype = DataType::UInt16;
        const Raster r = rasterize(fc, g, o);
        QCOMPARE(mismatches(
                     r, gdal_rasterize(feat("lulc_polygons_wgs84.geojson"), g, {"-a", "LULC_ID"})),
                 std::size_t(0));
    }

    void cloudPolygonsEqualCloudMasks() {
        const FeatureCollection all = read_features(feat("clm_polygons_frames00-29.geojson"));
        int files = 0, cloudy = 0;
        for (const auto& e : std::filesystem::directory_iterator(feat("clm"))) {
            const std::string name = e.path().filename().string(); // S2_20150731T100009_clm.tif
            const std::string d = name.substr(3, 15);
            const std::string ts = d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2) +
                                   "T" + d.substr(9, 2) + ":" + d.substr(11, 2) + ":" +
                                   d.substr(13, 2);
            FeatureCollection fc;
            fc.crs = all.crs;
            for (const auto& f : all.features)
                if (std::get<std::string>(f.properties.at("TIMESTAMP")) == ts)
                    fc.features.push_back(f);
            cloudy += !fc.features.empty();
            const Grid g = grid_of(read_profile(e.path().string()));
            const Raster r = rasterize(fc, g);
            auto ref = rbtest::gdal_open(e.path().string());
            QVERIFY2(mismatches(r, rbtest::gdal_read(ref.get(), 1, 0, 0, g.width, g.height)) == 0,
                     name.c_str());
            ++files;
        }
        QCOMPARE(files, 30);
        QVERIFY(cloudy >= 15);
    }

    void shapefileOnSampleGrid() {
        const FeatureCollection fc = read_features(feat("box.shp"));
        QCOMPARE(int(fc.features.size()), 1);
        const Grid g = grid_of(read_profile(rbtest::sample()));
        for (bool at : {false, true}) {
            RasterizeOptions o;
            o.burn = 7;
            o.all_touched = at;
            const Raster r = rasterize(fc, g, o);
            std::vector<std::string> args{"-burn", "7"};
            if (at)
                args.push_back("-at");
            QCOMPARE(mismatches(r, gdal_rasterize(feat("box.shp"), g, args)), std::size_t(0));
            QVERIFY(count_nonzero(r) > 1000);
        }
    }

    void geometryTypesMatchGdal() {
        // 40x30 grid of 1-unit pixels, y up; coordinates avoid pixel centres on purpose
        // only in some shapes, so both exact and generic cases are exercised.
        const Grid g{40, 30, Affine{1, 0, 0, 0, -1, 30}, Crs::from_epsg(32633)};
        const std::vector<std::pair<Geometry, double>> shapes{
            {Geometry::from_geojson(R"({"type":"Point","coordinates":[3.2,27.7]})"), 2},
            {Geometry::from_geojson(
                 R"({"type":"LineString","coordinates":[[1.1,1.3],[38.7,12.2],[20.5,28.9]]})"),
             3},
            {Geometry::from_geojson(R"({"type":"Polygon","coordinates":[
                [[5.3,5.1],[25.2,5.1],[25.2,20.4],[5.3,20.4],[5.3,5.1]],
                [[10.1,9.9],[18.6,9.9],[18.6,15.2],[10.1,15.2],[10.1,9.9]]]})"),
             4},
            {Geometry::from_geojson(R"({"type":"MultiPolygon","coordinates":[
                [[[30,20],[36,20],[33,27],[30,20]]],[[[30,2],[38,2],[38,8],[30,8],[30,2]]]]})"),
             5},
            {Geometry::from_geojson(R"({"type":"GeometryCollection","geometries":[
                {"type":"Point","coordinates":[39.5,29.5]},
                {"type":"Polygon","coordinates":[[[0.2,10],[3.7,10],[3.7,14.6],[0.2,10]]]}]})"),
             6},
            {Geometry::from_geojson(
                 R"({"type":"MultiPoint","coordinates":[[12.5,2.5],[14.9,3.1]]})"),
             7},
            {Geometry::from_wkt("POLYGON EMPTY"), 9},
            {Geometry(), 9},
        };
        for (bool at : {false, true})
            for (bool add : {false, true}) {
                RasterizeOptions o;
                o.all_touched = at;
                o.merge = add ? MergeAlg::Add : MergeAlg::Replace;
                o.dtype = DataType::Float64;
                const Raster r = rasterize(shapes, g, o);
                QCOMPARE(mismatches(r, gdal_burn(shapes, g, at, add)), std::size_t(0));
                // Independent checks: the hole stays empty, the polygon body is burnt.
                QCOMPARE(r.value(0, 30 - 13, 14), 0.0);
                QVERIFY(r.value(0, 30 - 7, 7) != 0.0);
            }
    }

    void farReachingPolygonsAreClipped() {
        // Vertices 1e12 pixels away (a continent-wide polygon on a fine grid) are beyond any
        // int pixel coordinate, where GDAL's rasterizer burnt nothing. The polygon is clipped
        // to the grid first and burns what its part there burns: GDAL's burn of the polygon
        // cut to a box around the grid. A wedge below a line crossing the grid obliquely,
        // with a hole inside the grid.
        const Grid g{40, 30, Affine{1, 0, 0, 0, -1, 30}, Crs::from_epsg(32633)};
        const std::string wkt =
            "POLYGON ((-1e12 -389999999992.5, 1e12 390000000007.5, 1e12 -1e12, -1e12 -1e12, "
            "-1e12 -389999999992.5), (10.1 3.9, 18.6 3.9, 18.6 6.2, 10.1 6.2, 10.1 3.9))";
        const Geometry far = Geometry::from_wkt(wkt);
        OGRGeometryH box = nullptr;
        char* box_wkt = const_cast<char*>("POLYGON ((-100 -100, 140 -100, 140 130, -100 130, "
                                          "-100 -100))");
        QCOMPARE(OGR_G_CreateFromWkt(&box_wkt, nullptr, &box), OGRERR_NONE);
        OGRGeometryH cut =
            OGR_G_Intersection(static_cast<OGRGeometryH>(const_cast<void*>(far.ogr_handle())), box);
        QVERIFY(cut);
        char* cut_wkt = nullptr;
        OGR_G_ExportToWkt(cut, &cut_wkt);
        const Geometry near = Geometry::from_wkt(cut_wkt);
        CPLFree(cut_wkt);
        OGR_G_DestroyGeometry(cut);
        OGR_G_DestroyGeometry(box);
        for (bool at : {false, true}) {
            RasterizeOptions o;
            o.all_touched = at;
            o.burn = 7;
            const Raster r = rasterize({{far, 7.0}}, g, o);
            QCOMPARE(mismatches(r, gdal_burn({{near, 7.0}}, g, at, false, GDT_Byte)),
                     std::size_t(0));
            // Independent checks: below the line y = 7.5 + 0.39 x burnt, above it not, the
            // hole empty.
            QCOMPARE(r.value(0, 30 - 1, 30), 7.0); // (30.5, 0.5)
            QCOMPARE(r.value(0, 30 - 25, 5), 0.0); // (5.5, 24.5)
            QCOMPARE(r.value(0, 30 - 5, 14), 0.0); // (14.5, 4.5): the hole
            QCOMPARE(r.value(0, 30 - 2, 14), 7.0); // (14.5, 1.5)
        }
    }

    void polygonScanlineMatchesGdal_data() {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<int>("gdal_type");
        QTest::newRow("uint8") << int(DataType::UInt8) << int(GDT_Byte);
        QTest::newRow("int16") << int(DataType::Int16) << int(GDT_Int16);
        QTest::newRow("uint16") << int(DataType::UInt16) << int(GDT_UInt16);
        QTest::newRow("int32") << int(DataType::Int32) << int(GDT_Int32);
        QTest::newRow("uint32") << int(DataType::UInt32) << int(GDT_UInt32);
        QTest::newRow("float32") << int(DataType::Float32) << int(GDT_Float32);
        QTest::newRow("float64") << int(DataType::Float64) << int(GDT_Float64);
    }
    void polygonScanlineMatchesGdal() {
        // Polygons in REPLACE mode without all_touched burn through our scanline fill:
        // the same pixels and values as GDALRasterizeGeometries, on awkward inputs, on a
        // north-up and a rotated grid, and any window equals the full run.
        QFETCH(int, dtype);
        QFETCH(int, gdal_type);
        const Crs crs = Crs::from_epsg(32633);
        const Grid north_up{97, 83, Affine{0.5, 0, 100.25, 0, -0.5, 200}, crs};
        const Grid rotated{90, 70, Affine{0.5, 0.125, 100, 0.0625, -0.5, 200}, crs};
        for (const Grid& g : {north_up, rotated}) {
            for (unsigned seed : {1u, 2u, 3u}) {
                const auto shapes = awkward_polygons(g, seed);
                RasterizeOptions o;
                o.dtype = DataType(dtype);
                o.threads = 2;
                const Raster r = rasterize(shapes, g, o);
                const auto ref = gdal_burn(shapes, g, false, false, GDALDataType(gdal_type));
                QVERIFY2(mismatches(r, ref) == 0, ("seed " + std::to_string(seed)).c_str());
                QVERIFY(count_nonzero(r) > 500);
                for (const Window w :
                     {Window{13, 7, 40, 30}, Window{0, 50, 97, 33}, Window{96, 0, 1, 83}}) {
                    RasterizeOptions wo = o;
                    wo.window = w;
                    wo.threads = 1;
                    const Raster part = rasterize(shapes, g, wo);
                    std::size_t diff = 0;
                    for (int y = 0; y < part.rows(); ++y)
                        for (int x = 0; x < part.cols(); ++x)
                            diff += part.value(0, y, x) !=
                                    r.value(0, y + int(w.row_off), x + int(w.col_off));
                    QVERIFY2(diff == 0, w.to_string().c_str());
                }
            }
        }
    }

    void windowEqualsFullRun() {
        // A 1 m grid over the land-use polygons: many strips, windows crossing strip edges.
        const Grid base = lulc_grid();
        Grid g{1000, 1010, Affine{1, 0, base.transform.c, 0, -1, base.transform.f}, base.crs};
        const FeatureCollection fc = read_features(feat("lulc_polygons_utm33n.geojson"));
        RasterizeOptions o;
        o.property = "LULC_ID";
        o.dtype = DataType::UInt16;
        o.all_touched = true;
        const Raster full = rasterize(fc, g, o);
        for (const Window w : {Window{0, 0, 1000, 1010}, Window{13, 250, 300, 17},
                               Window{999, 1009, 1, 1}, Window{400, 100, 257, 513}}) {
            RasterizeOptions wo = o;
            wo.window = w;
            wo.threads = 1;
            const Raster part = rasterize(fc, g, wo);
            QCOMPARE(part.cols(), int(w.width));
            QCOMPARE(part.rows(), int(w.height));
            std::size_t diff = 0;
            for (int r = 0; r < part.rows(); ++r)
                for (int c = 0; c < part.cols(); ++c)
                    diff += part.value(0, r, c) !=
                            full.value(0, r + int(w.row_off), c + int(w.col_off));
            QVERIFY2(diff == 0, w.to_string().c_str());
        }
    }

    void antimeridianAndPoleMatchGdal() {
        // Geographic polygons touching the antimeridian on a global grid, and a polar cap
        // reprojected onto a polar stereographic grid (EPSG:3413), as gdal_rasterize does.
        const std::string dir = QDir::tempPath().toStdString() + "/rb_tst_rasterize";
        std::filesystem::create_directories(dir);
        const std::string path = dir + "/edge.geojson";
        {
            FeatureCollection fc = parse_geojson(R"({"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"v":1},"geometry":{"type":"MultiPolygon","coordinates":[
                [[[170,-10],[180,-10],[180,10],[170,10],[170,-10]]],
                [[[-180,-10],[-170,-10],[-170,10],[-180,10],[-180,-10]]]]}},
              {"type":"Feature","properties":{"v":2},"geometry":{"type":"Polygon","coordinates":[
                [[-180,75],[-90,75],[0,75],[90,75],[180,75],[180,90],[-180,90],[-180,75]]]}}]})");
            QVERIFY(fc.crs.is_geographic());
            write_geojson(path, fc);
        }
        const Grid world{360, 180, Affine{1, 0, -180, 0, -1, 90}, Crs::from_epsg(4326)};
        const Grid polar{200, 200, Affine{20000, 0, -2000000, 0, -20000, 2000000},
                         Crs::from_epsg(3413)};
        for (const Grid& g : {world, polar}) {
            RasterizeOptions o;
            o.property = "v";
            const Raster r = rasterize(read_features(path), g, o);
            QVERIFY2(mismatches(r, gdal_rasterize(path, g, {"-a", "v"})) == 0,
                     g.crs.name().c_str());
            QVERIFY(count_nonzero(r) > 100);
        }
        // Both sides of the antimeridian are burnt on the global grid.
        RasterizeOptions o;
        o.property = "v";
        const Raster r = rasterize(read_features(path), world, o);
        QCOMPARE(r.value(0, 90, 0), 1.0);
        QCOMPARE(r.value(0, 90, 359), 1.0);
        std::filesystem::remove_all(dir);
    }

    void errorsNameTheirCause() {
        const Grid g = lulc_grid();
        RasterizeOptions o;
        o.property = "LULC_NAME";
        try {
            rasterize(read_features(feat("lulc_polygons_utm33n.geojson")), g, o);
            QFAIL("expected ArgumentError");
        } catch (const ArgumentError& e) {
            QVERIFY(std::string(e.what()).find("feature 0") != std::string::npos);
            QVERIFY(std::string(e.what()).find("LULC_NAME") != std::string::npos);
        }
        try {
            read_features("/nonexistent/polygons.geojson");
            QFAIL("expected IoError");
        } catch (const IoError& e) {
            QVERIFY(std::string(e.what()).find("/nonexistent/polygons.geojson") !=
                    std::string::npos);
        }
        QVERIFY_THROWS_EXCEPTION(ArgumentError,
                                 Geometry::from_geojson(R"({"type":"Polygon","coordinates":7})"));
        QVERIFY_THROWS_EXCEPTION(ArgumentError, parse_geojson("{not json"));
        QVERIFY_THROWS_EXCEPTION(ArgumentError, rasterize(FeatureCollection{}, Grid{}, {}));
        // Values the output type cannot hold are refused (the burn saturated them: -5 into
        // UInt8 burnt 0, the fill value); any value fits Float64.
        const FeatureCollection lulc = read_features(feat("lulc_polygons_utm33n.geojson"));
        for (const auto& [burn, fill] : {std::pair{-5.0, 0.0}, {256.0, 0.0}, {1.0, 300.0}}) {
            RasterizeOptions bad;
            bad.burn = burn;
            bad.fill = fill;
            try {
                rasterize(lulc, g, bad);
                QFAIL("a value UInt8 cannot hold was burnt");
            } catch (const ArgumentError& e) {
                QVERIFY2(std::string(e.what()).find("uint8") != std::string::npos, e.what());
            }
            bad.dtype = DataType::Float64;
            const double v = rasterize(lulc, g, bad).value(0, 0, 0);
            QVERIFY(v == fill || v == burn);
        }
        bool called = false;
        QVERIFY_THROWS_EXCEPTION(Cancelled,
                                 rasterize(read_features(feat("lulc_polygons_utm33n.geojson")), g,
                                           {}, Progress([&](double) {
                                               called = true;
                                               return false;
                                           })));
        QVERIFY(called);
    }
};

QTEST_GUILESS_MAIN(RasterizeTest)
#include "tst_rasterize.moc"
