#pragma once
// Internal GDAL helpers: error capture at the engine boundary and handle ownership.
#include <gdal.h>
#include <memory>
#include <optional>
#include <string>

#include <ogr_srs_api.h>

#include "rasterbench/crs.h"
#include "rasterbench/dtype.h"

namespace rb::detail {

/// Captures GDAL errors raised on this thread while alive (GDAL's handler stack is
/// per-thread), so the library never prints and the message lands in our exceptions.
class GdalErrorCapture {
public:
    GdalErrorCapture();
    ~GdalErrorCapture();
    GdalErrorCapture(const GdalErrorCapture&) = delete;
    GdalErrorCapture& operator=(const GdalErrorCapture&) = delete;
    /// The most recent failure message, with the first one in parentheses when it differs
    /// (or the first warning when there was no failure).
    std::string message() const;
    bool failed() const { return !failure_.empty(); }
    /// A failure came from a full disk (GDAL's last message may only say "Write error").
    bool disk_full() const { return disk_full_; }

private:
    std::string failure_, first_failure_, warning_;
    bool disk_full_ = false;
};

struct DatasetCloser {
    void operator()(GDALDatasetH h) const {
        if (h)
            GDALClose(h);
    }
};
using DatasetPtr = std::unique_ptr<std::remove_pointer_t<GDALDatasetH>, DatasetCloser>;

/// Registers GDAL drivers once, and sets process-wide GDAL options we rely on (see
/// rasterbench.h): GDAL_PAM_ENABLED=NO, and a default error handler that hands GDAL's
/// messages raised outside any GdalErrorCapture to the message sink instead of stderr.
void ensure_gdal();

/// Hands one GDAL message (a CPLErr class and its text) to the message sink as library text.
void forward_gdal_message(int error_class, const char* message);

DataType from_gdal_type(GDALDataType t, bool signed_byte);
GDALDataType to_gdal_type(DataType t);
GDALRIOResampleAlg to_gdal_resampling(int resampling);

/// The CRS of an OGR spatial reference (a dataset's or a layer's); empty when there is none
/// or when PROJ cannot read it back (the data is then reported as ungeoreferenced).
Crs crs_from_srs(OGRSpatialReferenceH srs);

/// "GDAL's message" or a fallback when GDAL said nothing; led by the system's "No space
/// left on device" when a write failed for that reason and GDAL's last words do not say so.
std::string reason(const GdalErrorCapture& cap, const char* fallback);

} // namespace rb::detail
