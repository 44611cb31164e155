// composite --normalize prints the fitted gain and offset per scene, which recover the known
// ones of dates written from the real sample scene; --score bap writes its component and
// information outputs, with the dates taken from the file names.
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include "rasterbench/dataset.h"
#include "test_support.h"

using namespace rb;

class BapCliTest : public QObject {
    Q_OBJECT
private slots:
    void normalizationIsPrintedAndRecoversKnownFits() {
        QTemporaryDir dir;
        ReadOptions ro;
        ro.window = Window{110, 220, 200, 200}; // every band valid
        Dataset src = Dataset::open(RB_SAMPLE);
        const Raster base = src.read(ro);
        Profile p = src.profile();
        p.width = p.height = 200;
        p.transform = p.transform * Affine::translation(110, 220);
        p.dtype = DataType::Float32;
        p.set_nodata(std::nullopt);
        p.block_width = p.block_height = 0;
        // scene = g * base + o; reference (the first) = base.
        const double gains[] = {1.0, 1.12, 0.9}, offsets[] = {0.0, 7.0, -4.0};
        const char* dates[] = {"2020-06-01", "2020-07-10", "2020-08-20"};
        QStringList scenes;
        for (int d = 0; d < 3; ++d) {
            Raster r(DataType::Float32, 3, 200, 200);
            for (int b = 0; b < 3; ++b)
                for (int y = 0; y < 200; ++y)
                    for (int x = 0; x < 200; ++x)
                        r.set_value(b, y, x, gains[d] * base.value(b, y, x) + offsets[d]);
            const QString path = dir.filePath(QString("scene_%1.tif").arg(dates[d]));
            Dataset::create(path.toStdString(), p).write(r);
            scenes << path;
        }
        for (const char* method : {"pif", "histogram"}) {
            const auto r =
                rbtest::cli(QStringList{"composite", "--score", "darkness", "--normalize", method,
                                        "--normalize-reference", "1", "-o", dir.filePath("c.tif")} +
                            scenes);
            QVERIFY2(r.code == 0, qPrintable(r.err));
            QVERIFY2(r.out.contains(QString("normalization (%1): reference scene 1").arg(method)),
                     qPrintable(r.out));
            for (int d = 1; d < 3; ++d) {
                // reference = gain * scene + offset: gain 1/g, offset -o/g.
                const QRegularExpression re(QString(R"(scene %1 '[^']*' \(\d+ pixels\): b1 )"
                                                    R"(([-+0-9.e]+) ([-+0-9.e]+))")
                                                .arg(d + 1));
                const auto m = re.match(r.out);
                QVERIFY2(m.hasMatch(), qPrintable(r.out));
                const double gain = m.captured(1).toDouble(), offset = m.captured(2).toDouble();
                const double want_gain = 1 / gains[d], want_offset = -offsets[d] / gains[d];
                QVERIFY2(std::abs(gain - want_gain) < 0.01 * want_gain, qPrintable(r.out));
                QVERIFY2(std::abs(offset - want_offset) < 0.01 * std::abs(want_offset) + 0.05,
                         qPrintable(r.out));
            }
        }
        // bap: dates from the names; one band per component, the information output.
        const QString comps = dir.filePath("s.tif"), info = dir.filePath("i.tif");
        const auto b =
            rbtest::cli(QStringList{"composite", "--score", "bap", "--param", "mask=none",
                                    "--param", "target_doy=190", "-o", dir.filePath("b.tif"),
                                    "--score-out", comps, "--bap-info", info} +
                        scenes);
        QVERIFY2(b.code == 0, qPrintable(b.err));
        const Raster c = Dataset::open(comps.toStdString()).read();
        const Raster i = Dataset::open(info.toStdString()).read();
        QCOMPARE(c.bands(), 7);
        QCOMPARE(i.bands(), 4);
        // The winner's day-of-year score is that of its day (153, 192 or 233) from day 190.
        const double wd = i.value(0, 100, 100);
        QVERIFY(wd == 153 || wd == 192 || wd == 233);
        const double doy = std::exp(-0.5 * ((wd - 190) / 45) * ((wd - 190) / 45));
        QVERIFY(std::abs(c.value(1, 100, 100) - doy) < 1e-5);
        QCOMPARE(i.value(1, 100, 100), 2020.0);
        QCOMPARE(i.value(3, 100, 100), 3.0); // every observation clear
        const auto bad = rbtest::cli(QStringList{"composite", "--score", "darkness", "--bap-info",
                                                 info, "-o", dir.filePath("x.tif")} +
                                     scenes);
        QVERIFY(bad.code != 0 && bad.err.contains("--bap-info needs --score bap"));
    }
};

QTEST_GUILESS_MAIN(BapCliTest)
#include "tst_bap_cli.moc"
