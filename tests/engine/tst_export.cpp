// export_raster on the sample scene: GeoTIFF and COG files hold exactly the pixels, the
// georeferencing and the nodata written, with the compression and overviews asked for (read
// back through GDAL); a COG is recognised as one by GDAL (LAYOUT=COG); an output naming the
// input is refused before anything is written; a failed or cancelled export leaves an
// existing file intact and no partial file behind; the option table rejects unknown values.
#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <gdal.h>

#include <cstring>

#include "rasterbench/dataset.h"
#include "rasterbench/error.h"
#include "rasterbench/export.h"
#include "test_support.h"

namespace {

struct Read {
    rb::Profile profile;
    rb::Raster data;
    std::string compression, layout;
    int overviews = 0;
};

Read readBack(const std::string& path) {
    Read r;
    const rb::Dataset ds = rb::Dataset::open(path);
    r.profile = ds.profile();
    r.data = ds.read({});
    GDALDatasetH h = GDALOpen(path.c_str(), GA_ReadOnly);
    if (const char* c = GDALGetMetadataItem(h, "COMPRESSION", "IMAGE_STRUCTURE"))
        r.compression = c;
    if (const char* l = GDALGetMetadataItem(h, "LAYOUT", "IMAGE_STRUCTURE"))
        r.layout = l;
    r.overviews = GDALGetOverviewCount(GDALGetRasterBand(h, 1));
    GDALClose(h);
    return r;
}

bool samePixels(const rb::Raster& a, const rb::Raster& b) {
    return a.dtype() == b.dtype() && a.bands() == b.bands() && a.rows() == b.rows() &&
           a.cols() == b.cols() && std::memcmp(a.bytes(), b.bytes(), a.byte_size()) == 0;
}

} // namespace

class ExportTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    rb::Profile profile_;
    rb::Raster data_;

    std::string out(const char* name) const { return dir_.filePath(name).toStdString(); }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        const rb::Dataset ds = rb::Dataset::open(RB_SAMPLE);
        profile_ = ds.profile();
        data_ = ds.read({});
    }

    void geotiffWithOverviews() {
        rb::ExportOptions o;
        o.compression = "LZW";
        const std::string path = out("a.tif");
        rb::export_raster(data_, profile_, path, o, {{"input scene", RB_SAMPLE}});
        const Read r = readBack(path);
        QVERIFY(samePixels(r.data, data_));
        QCOMPARE(r.profile.crs.to_wkt(), profile_.crs.to_wkt());
        QVERIFY(r.profile.transform == profile_.transform);
        QCOMPARE(r.profile.nodata, profile_.nodata);
        QCOMPARE(r.compression, std::string("LZW"));
        const auto factors = rb::export_overview_factors(profile_.width, profile_.height);
        QVERIFY(!factors.empty());
        QCOMPARE(r.overviews, int(factors.size()));

        o.overviews = false;
        o.compression = "NONE";
        rb::export_raster(data_, profile_, path, o);
        const Read plain = readBack(path);
        QCOMPARE(plain.overviews, 0);
        QVERIFY(plain.compression.empty());
        QVERIFY(samePixels(plain.data, data_));
    }

    void cog() {
        rb::ExportOptions o;
        o.format = rb::ExportOptions::Format::Cog;
        o.compression = "DEFLATE";
        const std::string path = out("c.tif");
        rb::export_raster(data_, profile_, path, o);
        const Read r = readBack(path);
        QVERIFY(samePixels(r.data, data_));
        QCOMPARE(r.layout, std::string("COG"));
        QCOMPARE(r.compression, std::string("DEFLATE"));
        QVERIFY(r.overviews > 0);
        QVERIFY(r.profile.transform == profile_.transform);

        o.overviews = false;
        rb::export_raster(data_, profile_, path, o);
        QCOMPARE(readBack(path).overviews, 0);
    }

    void refusesItsInputAndKeepsOldFile() {
        const QString copy = dir_.filePath("input.tif");
        QVERIFY(QFile::copy(QStringLiteral(RB_SAMPLE), copy));
        const QByteArray before = [&] {
            QFile f(copy);
            f.open(QIODevice::ReadOnly);
            return f.readAll();
        }();
        const QString err = QString::fromStdString(rbtest::error_of([&] {
            rb::export_raster(data_, profile_, copy.toStdString(), {},
                              {{"input scene", copy.toStdString()}});
        }));
        QVERIFY2(err.contains("input scene"), qPrintable(err));
        QFile f(copy);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), before);

        // Cancelled: the existing target stays, no partial file is left.
        const std::string path = out("kept.tif");
        rb::export_raster(data_, profile_, path, {});
        const QByteArray kept = [&] {
            QFile k(QString::fromStdString(path));
            k.open(QIODevice::ReadOnly);
            return k.readAll();
        }();
        rb::Raster half = data_;
        QVERIFY_THROWS_EXCEPTION(rb::Cancelled,
                                 rb::export_raster(half, profile_, path, {}, {},
                                                   rb::Progress([](double f) { return f < 0.5; })));
        QFile k(QString::fromStdString(path));
        QVERIFY(k.open(QIODevice::ReadOnly));
        QCOMPARE(k.readAll(), kept);
        for (const QString& name : QDir(dir_.path()).entryList(QDir::Hidden | QDir::Files))
            QVERIFY2(!name.contains("partial"), qPrintable(name));
    }

    void exportWrittenResult() {
        // A result written by another writer to the temporary file, saved as a COG; a writer
        // that fails leaves neither the target nor a temporary file.
        rb::ExportOptions o;
        o.format = rb::ExportOptions::Format::Cog;
        const std::string path = out("written.tif");
        rb::export_written(path, o, {{"input scene", RB_SAMPLE}}, {},
                           [&](const std::string& tmp, rb::Progress) {
                               QVERIFY(tmp != path);
                               rb::Dataset ds = rb::Dataset::create(tmp, profile_);
                               ds.write(data_);
                               ds.close();
                           });
        const Read r = readBack(path);
        QVERIFY(samePixels(r.data, data_));
        QCOMPARE(r.layout, std::string("COG"));
        const std::string failed = out("failed.tif");
        QVERIFY_THROWS_EXCEPTION(
            rb::IoError,
            rb::export_written(failed, o, {}, {}, [](const std::string& tmp, rb::Progress) {
                rb::Dataset::create(tmp, rb::Profile{}); // empty raster: GDAL refuses it
                throw rb::IoError("writer failed");
            }));
        QVERIFY(!QFile::exists(QString::fromStdString(failed)));
        for (const QString& name : QDir(dir_.path()).entryList(QDir::Hidden | QDir::Files))
            QVERIFY2(!name.contains("unexported") && !name.contains("partial"), qPrintable(name));
        // export_file refuses to write over the file it reads.
        QVERIFY_THROWS_EXCEPTION(rb::ArgumentError, rb::export_file(path, path, o));
    }

    void optionTable() {
        rb::ExportOptions o;
        const auto& t = rb::ExportOptions::params();
        t.set(o, "format", "cog");
        QVERIFY(o.format == rb::ExportOptions::Format::Cog);
        t.set(o, "compression", "ZSTD");
        QCOMPARE(o.compression, std::string("ZSTD"));
        QVERIFY_THROWS_EXCEPTION(rb::ArgumentError, t.set(o, "compression", "JPEG"));
        QVERIFY_THROWS_EXCEPTION(rb::ArgumentError, t.set(o, "format", "png"));
    }
};

QTEST_MAIN(ExportTest)
#include "tst_export.moc"
