#include "gdal_util.h"

#include <cerrno>
#include <cpl_conv.h>
#include <cpl_error.h>
#include <cstring>
#include <mutex>
#include <ogr_srs_api.h>

namespace rb::detail {

GdalErrorCapture::GdalErrorCapture() {
    ensure_gdal();
    CPLPushErrorHandlerEx(
        [](CPLErr cls, CPLErrorNum, const char* msg) {
            auto* self = static_cast<GdalErrorCapture*>(CPLGetErrorHandlerUserData());
            if (!self)
                return;
            // Failures become our exceptions, which carry the text; both stay available
            // (with --verbose in the CLI) in GDAL's own words.
            forward_gdal_message(int(cls), msg);
            std::string text = msg ? msg : "";
            // libtiff reports ENOSPC once, then a generic "Write error" that replaces it.
            if (cls >= CE_Failure &&
                (errno == ENOSPC || text.find(std::strerror(ENOSPC)) != std::string::npos))
                self->disk_full_ = true;
            if (cls >= CE_Failure) {
                if (self->first_failure_.empty())
                    self->first_failure_ = text;
                self->failure_ = std::move(text);
            } else if (cls == CE_Warning && self->warning_.empty())
                self->warning_ = std::move(text);
        },
        this);
}

GdalErrorCapture::~GdalErrorCapture() {
    CPLPopErrorHandler();
}

std::string GdalErrorCapture::message() const {
    if (failure_.empty())
        return warning_;
    // The last failure is often the generic one ("Failed to read GeoJSON data") and the first
    // the cause ("GeoJSON object too complex/large ..."): both, the cause in parentheses.
    if (!first_failure_.empty() && first_failure_ != failure_ &&
        failure_.find(first_failure_) == std::string::npos)
        return failure_ + " (" + first_failure_ + ")";
    return failure_;
}

Crs crs_from_srs(OGRSpatialReferenceH srs) {
    if (!srs)
        return {};
    char* wkt = nullptr;
    const char* opts[] = {"FORMAT=WKT2_2019", nullptr};
    if (OSRExportToWktEx(srs, &wkt, opts) != OGRERR_NONE || !wkt) {
        CPLFree(wkt);
        return {};
    }
    std::string text = wkt;
    CPLFree(wkt);
    try {
        return Crs::from_user_input(text);
    } catch (const CrsError&) {
        return {};
    }
}

std::string reason(const GdalErrorCapture& cap, const char* fallback) {
    std::string m = cap.message();
    if (m.empty())
        m = fallback;
    if (cap.disk_full() && m.find(std::strerror(ENOSPC)) == std::string::npos)
        m = std::string(std::strerror(ENOSPC)) + " (" + m + ")";
    // One line: GDAL messages sometimes carry newlines.
    for (char& c : m)
        if (c == '\n' || c == '\r')
            c = ' ';
    return m;
}

void ensure_gdal() {
    static std::once_flag once;
    std::call_once(once, [] {
        GDALAllRegister();
        // PAM .aux.xml side files would be written next to users' inputs when computing
        // statistics; never touch inputs.
        CPLSetConfigOption("GDAL_PAM_ENABLED", "NO");
        // By default every open lists the file's whole folder to find side files; a folder
        // of 10,000 scenes then costs a listing of 10,000 names per open. Side files are
        // still found: drivers probe them by name when the listing is off. A user's own
        // setting (environment or --config) wins.
        if (CPLGetConfigOption("GDAL_DISABLE_READDIR_ON_OPEN", nullptr) == nullptr)
            CPLSetConfigOption("GDAL_DISABLE_READDIR_ON_OPEN", "TRUE");
        // GDAL and libtiff print warnings raised outside our scoped captures (a dataset
        // opened by a worker thread, a driver's deferred warning) straight to stderr by
        // default; they go to the message sink instead.
        CPLSetErrorHandler(
            [](CPLErr cls, CPLErrorNum, const char* msg) { forward_gdal_message(int(cls), msg); });
    });
}

DataType from_gdal_type(GDALDataType t, bool signed_byte) {
    switch (t) {
    case GDT_Byte:
        return signed_byte ? DataType::Int8 : DataType::UInt8;
    case GDT_UInt16:
        return DataType::UInt16;
    case GDT_Int16:
        return DataType::Int16;
    case GDT_UInt32:
        return DataType::UInt32;
    case GDT_Int32:
        return DataType::Int32;
    case GDT_UInt64:
        return DataType::UInt64;
    case GDT_Int64:
        return DataType::Int64;
    case GDT_Float32:
        return DataType::Float32;
    case GDT_Float64:
        return DataType::Float64;
    case GDT_CInt16:
        return DataType::CInt16;
    case GDT_CInt32:
        return DataType::CInt32;
    case GDT_CFloat32:
        return DataType::CFloat32;
    case GDT_CFloat64:
        return DataType::CFloat64;
    default:
        throw UnsupportedError(std::string("unknown GDAL data type ") + GDALGetDataTypeName(t));
    }
}

GDALDataType to_gdal_type(DataType t) {
    switch (t) {
    case DataType::UInt8:
    case DataType::Int8: // stored as Byte with PIXELTYPE=SIGNEDBYTE (GDAL 3.6)
        return GDT_Byte;
    case DataType::UInt16:
        return GDT_UInt16;
    case DataType::Int16:
        return GDT_Int16;
    case DataType::UInt32:
        return GDT_UInt32;
    case DataType::Int32:
        return GDT_Int32;
    case DataType::UInt64:
        return GDT_UInt64;
    case DataType::Int64:
        return GDT_Int64;
    case DataType::Float32:
        return GDT_Float32;
    case DataType::Float64:
        return GDT_Float64;
    case DataType::CInt16:
        return GDT_CInt16;
    case DataType::CInt32:
        return GDT_CInt32;
    case DataType::CFloat32:
        return GDT_CFloat32;
    case DataType::CFloat64:
        return GDT_CFloat64;
    }
    return GDT_Unknown;
}

GDALRIOResampleAlg to_gdal_resampling(int resampling) {
    // Order of rb::Resampling.
    static constexpr GDALRIOResampleAlg table[] = {
        GRIORA_NearestNeighbour, GRIORA_Bilinear, GRIORA_Cubic, GRIORA_CubicSpline,
        GRIORA_Lanczos,          GRIORA_Average,  GRIORA_Mode};
    return table[resampling];
}

} // namespace rb::detail
