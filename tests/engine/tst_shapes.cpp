// shapes() against GDALPolygonize / GDALFPolygonize run here on the same bands (polygon
// count and per-value area), the eo-learn cloud polygons, rasterize round trips, holes,
// connectivity, masks, all-nodata input, and the GeoJSON writer read back through OGR.
#include <cpl_string.h>
#include <gdal_alg.h>
#include <ogr_api.h>

#include <QtTest>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>

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

struct Summary {
    std::size_t count = 0;
    std::map<double, double> area; // value -> total area
};

// GDAL's polygonizer straight on a band (with an optional mask band) into a memory layer.
Summary gdal_polygonize(GDALRasterBandH band, GDALRasterBandH mask, int connectivity,
                        bool floating) {
    OGRDataSourceH ds = OGR_Dr_CreateDataSource(OGRGetDriverByName("Memory"), "", nullptr);
    OGRLayerH layer = OGR_DS_CreateLayer(ds, "p", nullptr, wkbPolygon, nullptr);
    OGRFieldDefnH fd = OGR_Fld_Create("v", floating ? OFTReal : OFTInteger);
    OGR_L_CreateField(layer, fd, TRUE);
    OGR_Fld_Destroy(fd);
    char** opts = connectivity == 8 ? CSLSetNameValue(nullptr, "8CONNECTED", "8") : nullptr;
    if (floating)
        GDALFPolygonize(band, mask, layer, 0, opts, nullptr, nullptr);
    else
        GDALPolygonize(band, mask, layer, 0, opts, nullptr, nullptr);
    CSLDestroy(opts);
    Summary s;
    OGR_L_ResetReading(layer);
    while (OGRFeatureH f = OGR_L_GetNextFeature(layer)) {
        ++s.count;
        s.area[OGR_F_GetFieldAsDouble(f, 0)] += OGR_G_Area(OGR_F_GetGeometryRef(f));
        OGR_F_Destroy(f);
    }
    OGR_DS_Destroy(ds);
    return s;
}

Summary summarize(const std::vector<Shape>& shapes) {
    Summary s;
    s.count = shapes.size();
    for (const auto& sh : shapes)
        s.area[sh.value] += sh.polygon.area();
    return s;
}

bool same(const Summary& a, const Summary& b, double tol) {
    if (a.count != b.count || a.area.size() != b.area.size())
        return false;
    for (const auto& [v, area] : a.area) {
        const auto it = b.area.find(v);
        if (it == b.area.end() || std::fabs(it->second - area) > tol * std::max(1.0, area))
            return false;
    }
    return true;
}

// A MEM dataset over a raster band (copy), for GDAL references.
rbtest::GdalDs mem_of(const Raster& r, int band, const Affine& t) {
    GDALAllRegister();
    const bool f = r.dtype() == DataType::Float32 || r.dtype() == DataType::Float64;
    rbtest::GdalDs ds(GDALCreate(GDALGetDriverByName("MEM"), "", r.cols(), r.rows(), 1,
                                 f ? GDT_Float64 : GDT_Int32, nullptr));
    std::vector<double> v(r.band_size());
    for (int y = 0; y < r.rows(); ++y)
        for (int x = 0; x < r.cols(); ++x)
            v[std::size_t(y) * r.cols() + x] = r.value(band, y, x);
    if (GDALRasterIO(GDALGetRasterBand(ds.get(), 1), GF_Write, 0, 0, r.cols(), r.rows(), v.data(),
                     r.cols(), r.rows(), GDT_Float64, 0, 0) != CE_None)
        return {};
    auto gt = t.to_gdal();
    GDALSetGeoTransform(ds.get(), gt.data());
    return ds;
}

rbtest::GdalDs mem_mask(const std::vector<std::uint8_t>& m, int cols, int rows) {
    rbtest::GdalDs ds(GDALCreate(GDALGetDriverByName("MEM"), "", cols, rows, 1, GDT_Byte, nullptr));
    if (GDALRasterIO(GDALGetRasterBand(ds.get(), 1), GF_Write, 0, 0, cols, rows,
                     const_cast<std::uint8_t*>(m.data()), cols, rows, GDT_Byte, 0, 0) != CE_None)
        return {};
    return ds;
}

} // namespace

class ShapesTest : public QObject {
    Q_OBJECT
private slots:
    void cloudMasksMatchGdalAndPolygons() {
        // Cloud pixels only (mask = the band itself, as gdal_polygonize -mask would).
        const FeatureCollection ref = read_features(feat("clm_polygons_frames00-29.geojson"));
        std::map<std::string, double> ref_area;
        for (const auto& f : ref.features)
            ref_area[std::get<std::string>(f.properties.at("TIMESTAMP"))] += f.geometry.area();
        int checked = 0;
        for (const auto& e : std::filesystem::directory_iterator(feat("clm"))) {
            const std::string path = e.path().string(), name = e.path().filename().string();
            const Dataset ds = Dataset::open(path);
            const Raster r = ds.read();
            const Affine t = ds.profile().transform;
            ShapesOptions o;
            o.mask.resize(r.band_size());
            const auto v = r.band<std::uint8_t>(0);
            for (std::size_t i = 0; i < v.size(); ++i)
                o.mask[i] = v[i];
            for (int conn : {4, 8}) {
                o.connectivity = conn;
                const auto mine = shapes(r, 0, t, o);
                auto src = rbtest::gdal_open(path);
                GDALRasterBandH b = GDALGetRasterBand(src.get(), 1);
                QVERIFY2(same(summarize(mine), gdal_polygonize(b, b, conn, false), 1e-9),
                         name.c_str());
                // Round trip: burning the polygons gives the mask back.
                std::vector<std::pair<Geometry, double>> burn;
                for (const auto& s : mine)
                    burn.emplace_back(Geometry::from_polygon(s.polygon), s.value);
                const Raster back = rasterize(burn, grid_of(ds.profile()));
                QVERIFY2(std::equal(v.begin(), v.end(), back.band<std::uint8_t>(0).begin()),
                         name.c_str());
            }
            // Same cloud area as the eo-learn polygons (rounded to mm in the GeoJSON).
            std::size_t cloud = 0;
            for (auto x : v)
                cloud += x != 0;
            const double area = summarize(shapes(r, 0, t, o)).area[1.0];
            QVERIFY(std::fabs(area - double(cloud) * std::fabs(t.determinant())) <
                    1e-6 * (area + 1));
            const std::string d = name.substr(3, 15);
            const std::string ts = d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2) +
                                   "T" + d.substr(9, 2) + ":" + d.substr(11, 2) + ":" +
                                   d.substr(13, 2);
            QVERIFY2(std::fabs(area - ref_area[ts]) <= 1e-4 * (area + 1), name.c_str());
            ++checked;
        }
        QCOMPARE(checked, 30);
    }

    void landUseClassesMatchGdal() {
        const std::string path = feat("lulc_reference_raster.tif");
        const Dataset ds = Dataset::open(path);
        const Raster r = ds.read();
        for (int conn : {4, 8}) {
            ShapesOptions o;
            o.connectivity = conn;
            const auto mine = shapes(r, 0, ds.profile().transform, o);
            auto src = rbtest::gdal_open(path);
            GDALRasterBandH b = GDALGetRasterBand(src.get(), 1);
            const Summary ref = gdal_polygonize(b, nullptr, conn, false);
            QVERIFY(ref.area.size() >= 6);
            QVERIFY(same(summarize(mine), ref, 1e-9));
        }
        // Every pixel is in exactly one polygon: total area = grid area.
        double total = 0;
        for (const auto& s : shapes(r, 0, ds.profile().transform))
            total += s.polygon.area();
        QVERIFY(std::fabs(total - r.band_size() * std::fabs(ds.profile().transform.determinant())) <
                1e-6 * total);
    }

    void holesAndConnectivity() {
        // A ring of 1s around a 0 hole, and a diagonal pair joined only by 8-connectivity.
        Raster r(DataType::UInt8, 1, 9, 9);
        for (int y = 1; y <= 5; ++y)
            for (int x = 1; x <= 5; ++x)
                r.set_value(0, y, x, (y == 3 && x == 3) ? 0 : 1);
        r.set_value(0, 7, 7, 2);
        r.set_value(0, 8, 8, 2);
        const Affine t{10, 0, 1000, 0, -10, 5000};
        for (int conn : {4, 8}) {
            ShapesOptions o;
            o.connectivity = conn;
            const auto mine = shapes(r, 0, t, o);
            auto ref = mem_of(r, 0, t);
            QVERIFY(same(summarize(mine),
                         gdal_polygonize(GDALGetRasterBand(ref.get(), 1), nullptr, conn, false),
                         1e-9));
            int twos = 0;
            for (const auto& s : mine) {
                if (s.value == 1) {
                    QCOMPARE(int(s.polygon.holes.size()), 1);
                    QCOMPARE(s.polygon.area(), 24 * 100.0);
                }
                twos += s.value == 2;
            }
            QCOMPARE(twos, conn == 4 ? 2 : 1);
        }
    }

    void floatsExactAndQuantized() {
        Raster r(DataType::Float32, 1, 40, 50);
        for (int y = 0; y < 40; ++y)
            for (int x = 0; x < 50; ++x)
                r.set_value(0, y, x, float(std::sin(x * 0.2) * std::cos(y * 0.15) * 3.0));
        r.set_value(0, 5, 5, NAN);
        const Affine t{30, 0, 500000, 0, -30, 4000000};
        // NaN never becomes a polygon: the reference gets the same non-NaN mask.
        std::vector<std::uint8_t> valid(r.band_size(), 1);
        valid[5 * 50 + 5] = 0;
        auto vmask = mem_mask(valid, 50, 40);
        {
            const auto mine = shapes(r, 0, t);
            auto ref = mem_of(r, 0, t);
            QVERIFY(same(summarize(mine),
                         gdal_polygonize(GDALGetRasterBand(ref.get(), 1),
                                         GDALGetRasterBand(vmask.get(), 1), 4, true),
                         1e-9));
        }
        {
            ShapesOptions o;
            o.quantize = 0.5;
            const auto mine = shapes(r, 0, t, o);
            Raster bins(DataType::Int32, 1, 40, 50);
            for (int y = 0; y < 40; ++y)
                for (int x = 0; x < 50; ++x)
                    bins.set_value(
                        0, y, x,
                        std::isnan(r.value(0, y, x)) ? 0 : std::floor(r.value(0, y, x) / 0.5));
            auto ref = mem_of(bins, 0, t);
            Summary s = gdal_polygonize(GDALGetRasterBand(ref.get(), 1),
                                        GDALGetRasterBand(vmask.get(), 1), 4, false);
            Summary scaled;
            scaled.count = s.count;
            for (const auto& [v, a] : s.area)
                scaled.area[v * 0.5] = a;
            QVERIFY(same(summarize(mine), scaled, 1e-9));
            QVERIFY(summarize(mine).area.size() >= 10);
        }
    }

    void randomClassMapsMatchGdal() {
        // Noisy class maps are the hard case for boundary tracing (saddles everywhere, holes
        // in holes, regions touching the border): count and per-value area must be GDAL's,
        // for both connectivities, with and without a mask, for each integer type path.
        std::mt19937 rng(5);
        for (int trial = 0; trial < 12; ++trial) {
            const int rows = 7 + trial * 5, cols = 5 + trial * 7;
            const DataType t = trial % 3 == 0   ? DataType::UInt8
                               : trial % 3 == 1 ? DataType::Int16
                                                : DataType::UInt16;
            Raster r(t, 1, rows, cols);
            std::uniform_int_distribution<int> cls(0, 2 + trial % 4);
            for (int y = 0; y < rows; ++y)
                for (int x = 0; x < cols; ++x)
                    r.set_value(0, y, x, cls(rng) * (t == DataType::Int16 ? -7 : 3));
            std::vector<std::uint8_t> mask;
            if (trial % 2) {
                std::bernoulli_distribution in(0.85);
                for (int k = 0; k < rows * cols; ++k)
                    mask.push_back(in(rng) ? 1 : 0);
            }
            const Affine tr{2, 0, 100, 0, -3, 900};
            for (int conn : {4, 8}) {
                ShapesOptions o;
                o.connectivity = conn;
                o.mask = mask;
                const auto mine = shapes(r, 0, tr, o);
                auto ref = mem_of(r, 0, tr);
                rbtest::GdalDs m;
                if (!mask.empty())
                    m = mem_mask(mask, cols, rows);
                const Summary want =
                    gdal_polygonize(GDALGetRasterBand(ref.get(), 1),
                                    m ? GDALGetRasterBand(m.get(), 1) : nullptr, conn, false);
                QVERIFY2(same(summarize(mine), want, 1e-9),
                         qPrintable(QString("trial %1, %2-connected: %3 polygons, GDAL %4")
                                        .arg(trial)
                                        .arg(conn)
                                        .arg(mine.size())
                                        .arg(want.count)));
                for (const auto& sh : mine) // closed rings, exterior first
                    QVERIFY(sh.polygon.exterior.size() >= 5 &&
                            sh.polygon.exterior.front() == sh.polygon.exterior.back());
            }
        }
    }

    void masksAndAllNodata() {
        const Dataset ds = Dataset::open(rbtest::tricky("all-nodata.tif"));
        const Raster r = ds.read();
        QVERIFY(r.has_mask());
        QCOMPARE(int(shapes(r, 0, ds.profile().transform).size()), 0);

        const Dataset lulc = Dataset::open(feat("lulc_reference_raster.tif"));
        const Raster l = lulc.read();
        ShapesOptions o;
        o.mask.assign(l.band_size(), 0);
        for (int y = 0; y < l.rows(); ++y)
            for (int x = 0; x < l.cols() / 2; ++x)
                o.mask[std::size_t(y) * l.cols() + x] = 1;
        const auto mine = shapes(l, 0, lulc.profile().transform, o);
        auto src = rbtest::gdal_open(feat("lulc_reference_raster.tif"));
        auto m = mem_mask(o.mask, l.cols(), l.rows());
        QVERIFY(same(summarize(mine),
                     gdal_polygonize(GDALGetRasterBand(src.get(), 1), GDALGetRasterBand(m.get(), 1),
                                     4, false),
                     1e-9));
        const Affine& t = lulc.profile().transform;
        for (const auto& s : mine)
            for (const auto& p : s.polygon.exterior)
                QVERIFY(p[0] <= t.c + t.a * (l.cols() / 2) + 1e-6);
    }

    void geojsonRoundTrip() {
        const Dataset ds = Dataset::open(feat("lulc_reference_raster.tif"));
        const auto mine = shapes(ds.read(), 0, ds.profile().transform);
        const Crs crs = ds.profile().crs;
        const std::string text = shapes_to_geojson(mine, crs);
        QCOMPARE(text, to_geojson(to_features(mine, crs)));
        const FeatureCollection back = parse_geojson(text);
        QVERIFY(back.crs == crs);
        QCOMPARE(back.features.size(), mine.size());
        for (std::size_t i = 0; i < mine.size(); ++i) {
            QCOMPARE(back.features[i].number("value").value(), mine[i].value);
            QVERIFY(std::fabs(back.features[i].geometry.area() - mine[i].polygon.area()) <
                    1e-9 * mine[i].polygon.area());
        }
        // RFC 7946: WGS 84 lon/lat (Slovenia), no crs member, exterior rings counter-clockwise.
        GeoJsonWriteOptions rfc;
        rfc.rfc7946 = true;
        const std::string lonlat = shapes_to_geojson(mine, crs, rfc);
        QVERIFY(lonlat.find("\"crs\"") == std::string::npos);
        const FeatureCollection ll = parse_geojson(lonlat);
        QCOMPARE(ll.features.size(), mine.size());
        for (const auto& f : ll.features) {
            const auto b = f.geometry.bounds().value();
            QVERIFY(b.left > 13 && b.right < 17 && b.bottom > 45 && b.top < 47);
            const Ring ext = f.geometry.polygons().at(0).exterior;
            double a2 = 0;
            for (std::size_t k = 0; k + 1 < ext.size(); ++k)
                a2 += ext[k][0] * ext[k + 1][1] - ext[k + 1][0] * ext[k][1];
            QVERIFY(a2 > 0);
        }
        // Written atomically: the file appears whole, nothing else is left behind.
        const std::string dir = QDir::tempPath().toStdString() + "/rb_tst_shapes";
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
        write_shapes_geojson(dir + "/out.geojson", mine, crs);
        QCOMPARE(read_features(dir + "/out.geojson").features.size(), mine.size());
        QCOMPARE(std::distance(std::filesystem::directory_iterator(dir),
                               std::filesystem::directory_iterator()),
                 std::ptrdiff_t(1));
        std::filesystem::remove_all(dir);
    }

    void simplifyReducesVertices() {
        const Dataset ds = Dataset::open(feat("lulc_reference_raster.tif"));
        const Raster r = ds.read();
        ShapesOptions o;
        const auto full = shapes(r, 0, ds.profile().transform, o);
        o.simplify = 15;
        const auto simple = shapes(r, 0, ds.profile().transform, o);
        QCOMPARE(simple.size(), full.size());
        std::size_t vf = 0, vs = 0;
        double af = 0, as = 0;
        for (std::size_t i = 0; i < full.size(); ++i) {
            vf += full[i].polygon.vertex_count();
            vs += simple[i].polygon.vertex_count();
            af += full[i].polygon.area();
            as += simple[i].polygon.area();
        }
        QVERIFY(vs < vf);
        QVERIFY(std::fabs(as - af) < 0.05 * af);
    }

    void errors() {
        Raster r(DataType::UInt8, 1, 4, 4);
        ShapesOptions o;
        o.connectivity = 6;
        QVERIFY_THROWS_EXCEPTION(ArgumentError, shapes(r, 0, Affine{}, o));
        o.connectivity = 4;
        o.mask.assign(3, 1);
        QVERIFY_THROWS_EXCEPTION(ArgumentError, shapes(r, 0, Affine{}, o));
        QVERIFY_THROWS_EXCEPTION(ArgumentError, shapes(r, 1, Affine{}));
    }
};

QTEST_GUILESS_MAIN(ShapesTest)
#include "tst_shapes.moc"
