// Dataset I/O: write -> reopen -> read round trips for every data type, windows, decimated
// reads against GDAL's overview reads, validity masks, bad files and atomic writes.
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <complex>
#include <filesystem>
#include <fstream>

#include "rasterbench/dataset.h"
#include "rasterbench/error.h"
#include "test_support.h"

using namespace rb;
namespace fs = std::filesystem;

Q_DECLARE_METATYPE(rb::DataType)

class DatasetTest : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    std::string out(const std::string& name) { return (tmp_.path() + "/").toStdString() + name; }

private slots:
    void roundTripEveryType_data() {
        QTest::addColumn<DataType>("type");
        QTest::addColumn<double>("nodata");
        QTest::addColumn<double>("lo");
        QTest::addColumn<double>("hi");
        QTest::newRow("uint8") << DataType::UInt8 << 255.0 << 0.0 << 254.0;
        QTest::newRow("int8") << DataType::Int8 << -128.0 << -127.0 << 127.0;
        QTest::newRow("uint16") << DataType::UInt16 << 0.0 << 1.0 << 65535.0;
        QTest::newRow("int16") << DataType::Int16 << -9999.0 << -32768.0 << 32767.0;
        QTest::newRow("uint32") << DataType::UInt32 << 0.0 << 1.0 << 4294967295.0;
        QTest::newRow("int32") << DataType::Int32 << -2147483648.0 << -2147483647.0 << 2147483647.0;
        QTest::newRow("uint64") << DataType::UInt64 << 0.0 << 1.0 << 9007199254740992.0;
        QTest::newRow("int64") << DataType::Int64 << -1.0 << -9007199254740992.0
                               << 9007199254740992.0;
        QTest::newRow("float32") << DataType::Float32 << double(NAN) << -3.0e38 << 3.0e38;
        QTest::newRow("float64") << DataType::Float64 << -1e300 << -1e307 << 1e307;
    }
    void roundTripEveryType() {
        QFETCH(DataType, type);
        QFETCH(double, nodata);
        QFETCH(double, lo);
        QFETCH(double, hi);
        const int W = 37, H = 23; // odd sizes: no accidental block alignment
        Profile p;
        p.width = W;
        p.height = H;
        p.count = 2;
        p.dtype = type;
        p.crs = Crs::from_epsg(32618);
        p.transform = Affine{30, 0, 500000, 0, -30, 4000000};
        p.has_transform = true;
        p.set_nodata(nodata);
        p.compression = "DEFLATE";
        p.tiled = true;
        p.block_width = p.block_height = 16;
        p.descriptions = {"first", "second"};
        p.metadata["ACQUISITION_DATE"] = "2008-05-29";

        Raster data(type, 2, H, W);
        for (int b = 0; b < 2; ++b)
            for (int r = 0; r < H; ++r)
                for (int c = 0; c < W; ++c) {
                    // Spread values over the type's range, extremes included.
                    const double t = double((r * W + c + b * 7) % 101) / 100.0;
                    double v = lo + (hi - lo) * t;
                    if (!is_floating(type))
                        v = std::round(v);
                    data.set_value(b, r, c, v);
                }
        data.ensure_mask();
        data.mask(0)[5] = kInvalid; // written as nodata
        const std::string path = out("rt_" + std::string(dtype_name(type)) + ".tif");
        {
            Dataset ds = Dataset::create(path, p);
            QVERIFY(!fs::exists(path)); // not published before close()
            ds.write(data);
            ds.close();
        }
        QVERIFY(fs::exists(path));
        const Dataset ds = Dataset::open(path);
        const Profile& q = ds.profile();
        QCOMPARE(q.dtype, type);
        QCOMPARE(q.width, W);
        QCOMPARE(q.height, H);
        QCOMPARE(q.count, 2);
        QVERIFY(q.crs == p.crs);
        QCOMPARE(q.transform, p.transform);
        QCOMPARE(q.compression, std::string("DEFLATE"));
        QCOMPARE(q.block_width, 16);
        QCOMPARE(q.descriptions[1], std::string("second"));
        QCOMPARE(q.metadata.at("ACQUISITION_DATE"), std::string("2008-05-29"));
        QVERIFY(q.nodata[0].has_value());
        QVERIFY(std::isnan(nodata) ? std::isnan(*q.nodata[0]) : *q.nodata[0] == nodata);

        const Raster back = ds.read();
        QCOMPARE(back.dtype(), type);
        QVERIFY(back.has_mask());
        QVERIFY(!back.valid(0, 0, 5));
        for (int b = 0; b < 2; ++b)
            for (int r = 0; r < H; ++r)
                for (int c = 0; c < W; ++c) {
                    if (b == 0 && r == 0 && c == 5)
                        continue;
                    QVERIFY(back.valid(b, r, c) ||
                            data.value(b, r, c) == nodata); // nodata values read as invalid
                    if (back.valid(b, r, c))
                        QCOMPARE(back.value(b, r, c), data.value(b, r, c));
                }

        // A window read equals the same cells of the full read; band selection too.
        ReadOptions o;
        o.bands = {2};
        o.window = Window{30, 10, 7, 13}; // touches the right and bottom edges
        const Raster win = ds.read(o);
        QCOMPARE(win.bands(), 1);
        QCOMPARE(win.cols(), 7);
        QCOMPARE(win.rows(), 13);
        for (int r = 0; r < 13; ++r)
            for (int c = 0; c < 7; ++c)
                QCOMPARE(win.value(0, r, c), back.value(1, 10 + r, 30 + c));
        // Writing a window in update mode changes exactly that window.
        Raster patch(type, 1, 2, 3);
        {
            Dataset up = Dataset::open(path, OpenMode::Update);
            for (int r = 0; r < 2; ++r)
                for (int c = 0; c < 3; ++c)
                    patch.set_value(0, r, c, lo);
            up.write(patch, {1}, Window{34, 21, 3, 2});
            QVERIFY_THROWS_EXCEPTION(WindowError, up.write(patch, {1}, Window{35, 21, 3, 2}));
        }
        const Raster after = Dataset::open(path).read();
        QCOMPARE(after.value(0, 22, 36), patch.value(0, 0, 0)); // lo, rounded to the type
        QCOMPARE(after.value(0, 20, 36), back.value(0, 20, 36));
    }

    void windowsOutsideAreErrors() {
        const Dataset ds = Dataset::open(rbtest::sample());
        ReadOptions o;
        o.window = Window{780, 700, 20, 20};
        try {
            ds.read(o);
            QFAIL("expected WindowError");
        } catch (const WindowError& e) {
            QVERIFY2(QString(e.what()).contains("RGB.byte.tif"), e.what());
        }
        o.boundless_clip = true;
        const Raster r = ds.read(o);
        QCOMPARE(r.cols(), 11);
        QCOMPARE(r.rows(), 18);
        o.window = Window{-10, 0, 5, 5};
        QVERIFY_THROWS_EXCEPTION(WindowError, ds.read(o)); // clipped to nothing
        ReadOptions b;
        b.bands = {4};
        QVERIFY_THROWS_EXCEPTION(ArgumentError, ds.read(b));
    }

    void edgeWindowsMatchGdal() {
        const Dataset ds = Dataset::open(rbtest::sample());
        auto g = rbtest::gdal_open(rbtest::sample());
        for (const Window w : {Window{0, 0, 1, 1}, Window{790, 717, 1, 1}, Window{700, 0, 91, 5},
                               Window{0, 600, 13, 118}}) {
            ReadOptions o;
            o.window = w;
            const Raster r = ds.read(o);
            for (int b = 1; b <= 3; ++b) {
                const auto ref = rbtest::gdal_read(g.get(), b, int(w.col_off), int(w.row_off),
                                                   int(w.width), int(w.height));
                for (std::size_t i = 0; i < ref.size(); ++i)
                    QCOMPARE(r.value(b - 1, int(i / w.width), int(i % w.width)), ref[i]);
            }
        }
    }

    void blockReadsMatchRasterIo() {
        // A full-resolution GeoTIFF read copies from the file's blocks and finds nodata and
        // NaN in the same pass: every layout and window must give GDAL's own samples, and a
        // mask exactly where a sample is nodata or NaN (none where the window has neither).
        struct Layout {
            const char* name;
            GDALDataType type;
            double nodata;
            std::vector<const char*> options;
        };
        const std::vector<Layout> layouts = {
            {"tiled_band.tif",
             GDT_Int16,
             -9999,
             {"TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16", "INTERLEAVE=BAND"}},
            {"strips_pixel.tif", GDT_UInt16, 0, {"ROWSPERSTRIP=5", "INTERLEAVE=PIXEL"}},
            {"tiled_float.tif", GDT_Float32, -1, {"TILED=YES", "BLOCKXSIZE=32", "BLOCKYSIZE=16"}},
            {"deflate_byte.tif",
             GDT_Byte,
             255,
             {"TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16", "COMPRESS=DEFLATE"}},
        };
        const int w = 45, h = 37, bands = 3;
        for (const Layout& l : layouts) {
            const std::string path = out(l.name);
            {
                std::vector<char*> co;
                for (const char* o : l.options)
                    co.push_back(const_cast<char*>(o));
                co.push_back(nullptr);
                GDALDatasetH d = GDALCreate(GDALGetDriverByName("GTiff"), path.c_str(), w, h, bands,
                                            l.type, co.data());
                QVERIFY(d);
                for (int b = 1; b <= bands; ++b) {
                    std::vector<double> v(std::size_t(w * h));
                    for (int i = 0; i < w * h; ++i)
                        v[std::size_t(i)] = double((i * 7919 + b * 31) % 200 + 1);
                    // Nodata in one block of band 2 only, NaN in band 3 of the float file.
                    if (b == 2)
                        for (int i : {17 * w + 20, 18 * w + 21, 36 * w + 44})
                            v[std::size_t(i)] = l.nodata;
                    if (b == 3 && l.type == GDT_Float32)
                        v[std::size_t(5 * w + 3)] = std::nan("");
                    GDALRasterBandH hb = GDALGetRasterBand(d, b);
                    GDALSetRasterNoDataValue(hb, l.nodata);
                    QCOMPARE(
                        GDALRasterIO(hb, GF_Write, 0, 0, w, h, v.data(), w, h, GDT_Float64, 0, 0),
                        CE_None);
                }
                GDALClose(d);
            }
            const Dataset ds = Dataset::open(path);
            auto g = rbtest::gdal_open(path);
            for (const Window win :
                 {Window{0, 0, w, h}, Window{3, 5, 30, 20}, Window{16, 16, 16, 16},
                  Window{44, 36, 1, 1}, Window{0, 0, 16, 16}}) {
                ReadOptions o;
                o.window = win;
                const Raster r = ds.read(o);
                QCOMPARE(r.dtype(), ds.profile().dtype);
                bool any_invalid = false;
                for (int b = 1; b <= bands; ++b) {
                    const auto ref =
                        rbtest::gdal_read(g.get(), b, int(win.col_off), int(win.row_off),
                                          int(win.width), int(win.height));
                    for (std::size_t i = 0; i < ref.size(); ++i) {
                        const int row = int(i / std::size_t(win.width));
                        const int col = int(i % std::size_t(win.width));
                        const bool invalid = ref[i] == l.nodata || std::isnan(ref[i]);
                        any_invalid = any_invalid || invalid;
                        if (!std::isnan(ref[i]))
                            QCOMPARE(r.value(b - 1, row, col), ref[i]);
                        QVERIFY2(r.valid(b - 1, row, col) == !invalid,
                                 qPrintable(QString("%1 band %2 at %3,%4")
                                                .arg(l.name)
                                                .arg(b)
                                                .arg(row)
                                                .arg(col)));
                    }
                }
                QCOMPARE(r.has_mask(), any_invalid);
            }
            // Into a wider stack (a scene's second file): converted, at its band offset.
            ReadOptions o;
            o.window = Window{3, 5, 30, 20};
            o.bands = {2};
            Raster stack(DataType::Float64, 3, 20, 30);
            ds.read_into(o, stack, 1);
            const auto ref = rbtest::gdal_read(g.get(), 2, 3, 5, 30, 20);
            for (std::size_t i = 0; i < ref.size(); ++i) {
                QCOMPARE(stack.value(1, int(i / 30), int(i % 30)), ref[i]);
                QCOMPARE(stack.value(0, int(i / 30), int(i % 30)), 0.0); // untouched
                QCOMPARE(stack.valid(1, int(i / 30), int(i % 30)), ref[i] != l.nodata);
            }
        }
    }

    void wideBlockRowsMatchRasterIo() {
        // A row of more blocks than are held at once (69 tiles of 16 px): read in runs, every
        // sample where GDAL puts it, nodata masked.
        const std::string path = out("wide.tif");
        const int w = 1100, h = 21;
        {
            const char* co[] = {"TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16", nullptr};
            GDALDatasetH d = GDALCreate(GDALGetDriverByName("GTiff"), path.c_str(), w, h, 1,
                                        GDT_Int16, const_cast<char**>(co));
            QVERIFY(d);
            std::vector<double> v(std::size_t(w * h));
            for (int i = 0; i < w * h; ++i)
                v[std::size_t(i)] = double((i * 37) % 5000 - 2500);
            v[std::size_t(19 * w + 1050)] = -7;
            GDALRasterBandH hb = GDALGetRasterBand(d, 1);
            GDALSetRasterNoDataValue(hb, -7);
            QCOMPARE(GDALRasterIO(hb, GF_Write, 0, 0, w, h, v.data(), w, h, GDT_Float64, 0, 0),
                     CE_None);
            GDALClose(d);
        }
        const Dataset ds = Dataset::open(path);
        auto g = rbtest::gdal_open(path);
        for (const Window win : {Window{0, 0, w, h}, Window{5, 3, 1090, 17}}) {
            ReadOptions o;
            o.window = win;
            const Raster r = ds.read(o);
            const auto ref = rbtest::gdal_read(g.get(), 1, int(win.col_off), int(win.row_off),
                                               int(win.width), int(win.height));
            for (std::size_t i = 0; i < ref.size(); ++i) {
                const int row = int(i / std::size_t(win.width));
                const int col = int(i % std::size_t(win.width));
                QCOMPARE(r.value(0, row, col), ref[i]);
                QCOMPARE(r.valid(0, row, col), ref[i] != -7);
            }
            QVERIFY(r.has_mask());
        }
    }

    void decimatedReadUsesOverviews() {
        // cogeo.tif has internal overviews; a read at an overview's size must equal GDAL's
        // direct read of that overview band.
        const std::string path = rbtest::tricky("cogeo.tif");
        const Dataset ds = Dataset::open(path);
        QVERIFY(ds.profile().overview_factors.size() >= 3);
        auto g = rbtest::gdal_open(path);
        GDALRasterBandH b1 = GDALGetRasterBand(g.get(), 1);
        for (int level : {0, 2}) {
            GDALRasterBandH ov = GDALGetOverview(b1, level);
            const int ow = GDALGetRasterBandXSize(ov), oh = GDALGetRasterBandYSize(ov);
            QCOMPARE(ds.profile().overview_factors[std::size_t(level)], 1024 / ow);
            std::vector<double> ref(std::size_t(ow) * oh);
            QCOMPARE(GDALRasterIO(ov, GF_Read, 0, 0, ow, oh, ref.data(), ow, oh, GDT_Float64, 0, 0),
                     CE_None);
            ReadOptions o;
            o.bands = {1};
            o.out_rows = oh;
            o.out_cols = ow;
            const Raster r = ds.read(o);
            QCOMPARE(r.rows(), oh);
            QCOMPARE(r.cols(), ow);
            for (std::size_t i = 0; i < ref.size(); ++i)
                QCOMPARE(r.value(0, int(i / ow), int(i % ow)), ref[i]);
        }
        // Decimated read of a file without overviews equals GDAL's decimated RasterIO.
        const Dataset s = Dataset::open(rbtest::sample());
        ReadOptions o;
        o.out_rows = 71;
        o.out_cols = 79;
        o.resampling = Resampling::Average;
        const Raster r = s.read(o);
        auto gs = rbtest::gdal_open(rbtest::sample());
        GDALRasterIOExtraArg extra;
        INIT_RASTERIO_EXTRA_ARG(extra);
        extra.eResampleAlg = GRIORA_Average;
        // Reference in the file's own type, so both sides round the averages alike.
        std::vector<unsigned char> ref(79 * 71);
        QCOMPARE(GDALRasterIOEx(GDALGetRasterBand(gs.get(), 2), GF_Read, 0, 0, 791, 718, ref.data(),
                                79, 71, GDT_Byte, 0, 0, &extra),
                 CE_None);
        int equal = 0;
        for (std::size_t i = 0; i < ref.size(); ++i)
            equal += r.value(1, int(i / 79), int(i % 79)) == double(ref[i]);
        QCOMPARE(equal, int(ref.size()));
    }

    void masksFromEverySource() {
        // nodata value
        const Raster rgb = Dataset::open(rbtest::sample()).read();
        QVERIFY(rgb.has_mask());
        QVERIFY(!rgb.valid(0, 0, 0)); // collar
        QVERIFY(rgb.valid(0, 359, 395));
        // NaN nodata and NaN samples
        const Raster nan = Dataset::open(rbtest::tricky("float_nan.tif")).read();
        auto g = rbtest::gdal_open(rbtest::tricky("float_nan.tif"));
        const auto ref = rbtest::gdal_read(g.get(), 1, 0, 0, 3, 2);
        int invalid = 0;
        for (int i = 0; i < 6; ++i) {
            QCOMPARE(nan.valid(0, i / 3, i % 3), !std::isnan(ref[std::size_t(i)]));
            invalid += !nan.valid(0, i / 3, i % 3);
        }
        QVERIFY(invalid > 0);
        // per-dataset external mask (.msk): compare with GDAL's mask band
        const std::string rgb2 = rbtest::tricky("RGB2.byte.tif");
        QVERIFY(!Dataset::open(rgb2).profile().nodata[0].has_value());
        ReadOptions o;
        o.window = Window{0, 0, 200, 150};
        const Raster m = Dataset::open(rgb2).read(o);
        QVERIFY(m.has_mask());
        auto g2 = rbtest::gdal_open(rgb2);
        std::vector<unsigned char> gm(200 * 150);
        QCOMPARE(GDALRasterIO(GDALGetMaskBand(GDALGetRasterBand(g2.get(), 1)), GF_Read, 0, 0, 200,
                              150, gm.data(), 200, 150, GDT_Byte, 0, 0),
                 CE_None);
        int masked = 0;
        for (int i = 0; i < 200 * 150; ++i) {
            QCOMPARE(m.valid(0, i / 200, i % 200), gm[std::size_t(i)] != 0);
            masked += gm[std::size_t(i)] == 0;
        }
        QVERIFY(masked > 1000);
        // alpha band
        const Raster a = Dataset::open(rbtest::tricky("RGBA.uint16.tif")).read();
        auto ga = rbtest::gdal_open(rbtest::tricky("RGBA.uint16.tif"));
        const int w = a.cols(), h = a.rows();
        const auto alpha = rbtest::gdal_read(ga.get(), 4, 0, 0, w, h);
        int transparent = 0;
        for (int i = 0; i < w * h; ++i) {
            QCOMPARE(a.valid(0, i / w, i % w), alpha[std::size_t(i)] != 0);
            transparent += alpha[std::size_t(i)] == 0;
        }
        QVERIFY(transparent > 0);
        // nodata out of the type's range (-9999 on Byte) masks nothing, and does not crash
        const Dataset odd =
            Dataset::open(rbtest::tricky("LE70350322008150EDC00_fmask_byte_nodata-9999.tif"));
        QCOMPARE(*odd.profile().nodata[0], -9999.0);
        const Raster oddr = odd.read();
        QVERIFY(!oddr.has_mask());
        // every pixel nodata
        const BandStats none = Dataset::open(rbtest::tricky("all-nodata.tif")).statistics(1);
        QCOMPARE(none.valid_count, std::uint64_t(0));
    }

    void complexReadAsMagnitude() {
        const std::string path = rbtest::tricky("cint16_s1_slc.tif");
        const Dataset ds = Dataset::open(path);
        QCOMPARE(ds.profile().dtype, DataType::CInt16);
        const Raster r = ds.read();
        QCOMPARE(r.dtype(), DataType::Float64);
        auto g = rbtest::gdal_open(path);
        std::vector<std::complex<double>> ref(100 * 100);
        QCOMPARE(GDALRasterIO(GDALGetRasterBand(g.get(), 1), GF_Read, 0, 0, 100, 100, ref.data(),
                              100, 100, GDT_CFloat64, 0, 0),
                 CE_None);
        for (int i = 0; i < 100 * 100; i += 37)
            QCOMPARE(r.value(0, i / 100, i % 100), std::abs(ref[std::size_t(i)]));
        Profile p = ds.profile();
        QVERIFY_THROWS_EXCEPTION(IoError, Dataset::create(out("c.tif"), p));
    }

    void openedByContentNotExtension() {
        const Dataset ds = Dataset::open(rbtest::tricky("s2_18SVG_20160112_B01_geotiff_named.jp2"));
        QCOMPARE(ds.profile().driver, std::string("GTiff"));
        const Dataset z =
            Dataset::open("/vsizip/" + rbtest::tricky("N10W110.hgt.zip") + "/N10W110.hgt");
        QCOMPARE(z.profile().dtype, DataType::Int16);
        QCOMPARE(z.width(), 1201);
    }

    void badFilesGiveClearErrors() {
        const std::string zero = out("zero.tif"), text = out("text.tif"), trunc = out("trunc.tif");
        std::ofstream(zero).close();
        std::ofstream(text) << "this is not a raster\n";
        {
            std::ifstream in(rbtest::sample(), std::ios::binary);
            std::string bytes(4096, '\0');
            in.read(bytes.data(), 4096);
            std::ofstream(trunc, std::ios::binary) << bytes;
        }
        for (const std::string& path : {zero, text, trunc, out("missing.tif")}) {
            try {
                Dataset::open(path);
                QFAIL(qPrintable(QString::fromStdString("opened " + path)));
            } catch (const IoError& e) {
                const QString m = QString::fromUtf8(e.what());
                QVERIFY2(m.contains(QString::fromStdString(path)), e.what());
                QVERIFY2(!m.contains('\n'), e.what());
            }
        }
        // corrupt.tif opens (header fine) but reading the damaged tile fails cleanly.
        const Dataset c = Dataset::open(rbtest::tricky("corrupt.tif"));
        try {
            c.read();
            QFAIL("corrupt read succeeded");
        } catch (const IoError& e) {
            QVERIFY2(QString(e.what()).contains("corrupt.tif"), e.what());
        }
    }

    void createIsAtomicAndProfileCopies() {
        // Copy a real profile, change fields, create a like-for-like output.
        const Dataset src = Dataset::open(rbtest::sample());
        Profile p = src.profile();
        p.count = 1;
        p.dtype = DataType::Float32;
        p.set_nodata(-1.0);
        p.colorinterp = {"Gray"};
        p.descriptions = {"ndvi"};
        const std::string path = out("like.tif");
        // An error while writing leaves no file behind.
        try {
            Dataset ds = Dataset::create(path, p);
            throw std::runtime_error("simulated failure");
        } catch (const std::runtime_error&) {
        }
        QVERIFY(!fs::exists(path));
        for (const auto& e : fs::directory_iterator(tmp_.path().toStdString()))
            QVERIFY2(e.path().filename().string().find(".partial") == std::string::npos,
                     e.path().c_str());
        // An existing file is only replaced once the new one is complete.
        std::ofstream(path) << "old";
        {
            Dataset ds = Dataset::create(path, p);
            QCOMPARE(fs::file_size(path), std::uintmax_t(3));
            ReadOptions o;
            o.bands = {1};
            Raster band = src.read(o);
            Raster f(DataType::Float32, 1, band.rows(), band.cols());
            for (int r = 0; r < band.rows(); ++r)
                for (int c = 0; c < band.cols(); ++c)
                    f.set_value(0, r, c, band.valid(0, r, c) ? band.value(0, r, c) / 255.0 : -1.0);
            ds.write(f);
        }
        const Dataset back = Dataset::open(path);
        QVERIFY(back.profile().crs == src.profile().crs);
        QCOMPARE(back.profile().transform, src.profile().transform);
        QCOMPARE(back.profile().descriptions[0], std::string("ndvi"));
        QCOMPARE(*back.profile().nodata[0], -1.0);
        QCOMPARE(back.statistics(1).valid_count, src.statistics(1).valid_count);
        // Absurd or invalid profiles are refused with a message naming the file.
        Profile bad = p;
        bad.width = 0;
        QVERIFY_THROWS_EXCEPTION(IoError, Dataset::create(out("bad.tif"), bad));
        bad = p;
        bad.width = bad.height = 2000000000;
        bad.count = 100;
        QVERIFY_THROWS_EXCEPTION(IoError, Dataset::create(out("bad.tif"), bad));
        bad = p;
        bad.driver = "NoSuchDriver";
        QVERIFY_THROWS_EXCEPTION(IoError, Dataset::create(out("bad.tif"), bad));
        QVERIFY(!fs::exists(out("bad.tif")));
        // Drivers that only copy (PNG) work through create() too.
        Profile png = p;
        png.driver = "PNG";
        png.dtype = DataType::UInt8;
        png.count = 1;
        png.set_nodata(std::nullopt);
        {
            Dataset ds = Dataset::create(out("x.png"), png);
            Raster r(DataType::UInt8, 1, p.height, p.width);
            r.set_value(0, 3, 4, 200);
            ds.write(r);
        }
        QCOMPARE(Dataset::open(out("x.png")).read().value(0, 3, 4), 200.0);
    }

    void statisticsMatchGdal() {
        for (const std::string name :
             {"float_raster_with_nodata.tif", "world.byte.tif", "sample"}) {
            const std::string path = name == "sample" ? rbtest::sample() : rbtest::tricky(name);
            auto g = rbtest::gdal_open(path);
            double mn, mx, mean, sd;
            CPLPushErrorHandler(CPLQuietErrorHandler);
            QCOMPARE(GDALComputeRasterStatistics(GDALGetRasterBand(g.get(), 1), FALSE, &mn, &mx,
                                                 &mean, &sd, nullptr, nullptr),
                     CE_None);
            CPLPopErrorHandler();
            const BandStats s = Dataset::open(path).statistics(1);
            QVERIFY(std::fabs(s.min - mn) < 1e-6);
            QVERIFY(std::fabs(s.max - mx) < 1e-6);
            QVERIFY(std::fabs(s.mean - mean) < 1e-6 * std::max(1.0, std::fabs(mean)));
            QVERIFY(std::fabs(s.stddev - sd) < 1e-6 * std::max(1.0, sd));
        }
    }
};

QTEST_GUILESS_MAIN(DatasetTest)
#include "tst_dataset.moc"
