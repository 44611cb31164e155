#pragma once
// Shared helpers for tests: data paths and direct GDAL reads used as the reference
// (the tests compare the engine with what GDAL itself reports, never with pasted numbers).
#include <cpl_conv.h>
#include <gdal.h>

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "rasterbench/dataset.h"
#include "rasterbench/error.h"
#include "rasterbench/raster.h"
#include "rasterbench/window.h"

namespace rbtest {

/// The profile of a small file the test writes: `driver`, size, one type for every band.
inline rb::Profile small_profile(const std::string& driver, int width, int height, int count,
                                 rb::DataType dtype) {
    rb::Profile p;
    p.driver = driver;
    p.width = width;
    p.height = height;
    p.count = count;
    p.dtype = dtype;
    return p;
}

/// The message of the rb::Error that `f` throws, or "" when it throws none.
inline std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const rb::Error& e) {
        return e.what();
    }
    return "";
}

#ifdef RB_CLI
/// The result of running rasterbench-cli: exit code (-1 timed out, -2 crashed) and output.
struct CliRun {
    int code = -1;
    QByteArray out, err;
};

/// Runs rasterbench-cli with `args`; a hang is killed after `timeout_ms`.
inline CliRun run_cli(const QStringList& args, int timeout_ms = 120000) {
    QProcess p;
    p.start(QStringLiteral(RB_CLI), args);
    CliRun r;
    if (!p.waitForFinished(timeout_ms)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

/// run_cli() with the output as text (what most CLI tests compare).
struct CliText {
    int code = -1;
    QString out, err;
};
inline CliText cli(const QStringList& args) {
    const CliRun r = run_cli(args);
    return {r.code, QString::fromUtf8(r.out), QString::fromUtf8(r.err)};
}

/// What is wrong with `err` as --progress writes it into a log (stderr not a terminal):
/// whole lines "LABEL: N%", no carriage return, N rising by tenths to 100. Empty when right.
inline QString progress_log_problem(const QByteArray& err, const QString& label) {
    if (err.contains('\r'))
        return QStringLiteral("a carriage return in a log: ") + QString::fromUtf8(err);
    int previous = -1;
    const QString prefix = label + QStringLiteral(": ");
    for (const QByteArray& raw : err.split('\n')) {
        const QString line = QString::fromUtf8(raw);
        if (line.isEmpty())
            continue;
        bool ok = false;
        const int pct = line.startsWith(prefix) && line.endsWith(u'%')
                            ? line.mid(prefix.size()).chopped(1).toInt(&ok)
                            : -1;
        if (!ok || pct <= previous || pct % 10 != 0)
            return QStringLiteral("unexpected progress line '%1' in:\n%2")
                .arg(line, QString::fromUtf8(err));
        previous = pct;
    }
    return previous == 100 ? QString()
                           : QStringLiteral("progress ends at %1, not 100 %%: %2")
                                 .arg(previous)
                                 .arg(QString::fromUtf8(err));
}
#endif

/// Samples (value or validity) where `part` differs from the window `w` of `full`: a
/// preview computed for a window must equal that window of the full run.
inline std::size_t window_differences(const rb::Raster& part, const rb::Raster& full,
                                      const rb::Window& w) {
    std::size_t diff = 0;
    for (int b = 0; b < part.bands(); ++b)
        for (int y = 0; y < part.rows(); ++y)
            for (int x = 0; x < part.cols(); ++x) {
                const int fy = y + int(w.row_off), fx = x + int(w.col_off);
                diff += part.valid(b, y, x) != full.valid(b, fy, fx) ||
                        part.value(b, y, x) != full.value(b, fy, fx);
            }
    return diff;
}

inline std::string data(const std::string& rel) {
    return std::string(RB_TEST_DATA) + "/" + rel;
}
inline std::string tricky(const std::string& name) {
    return data("tricky/" + name);
}
inline std::string sample() {
    return RB_SAMPLE;
}

struct GdalCloser {
    void operator()(GDALDatasetH h) const {
        if (h)
            GDALClose(h);
    }
};
using GdalDs = std::unique_ptr<std::remove_pointer_t<GDALDatasetH>, GdalCloser>;

inline GdalDs gdal_open(const std::string& path) {
    GDALAllRegister();
    // Reference statistics must not leave .aux.xml files in the source tree.
    CPLSetConfigOption("GDAL_PAM_ENABLED", "NO");
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GdalDs ds(
        GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
    CPLPopErrorHandler();
    return ds;
}

/// One band window as doubles, read by GDAL itself.
inline std::vector<double> gdal_read(GDALDatasetH ds, int band, int x, int y, int w, int h,
                                     int bw = 0, int bh = 0) {
    if (bw == 0)
        bw = w;
    if (bh == 0)
        bh = h;
    std::vector<double> out(std::size_t(bw) * std::size_t(bh));
    if (GDALRasterIO(GDALGetRasterBand(ds, band), GF_Read, x, y, w, h, out.data(), bw, bh,
                     GDT_Float64, 0, 0) != CE_None)
        out.clear();
    return out;
}

} // namespace rbtest
