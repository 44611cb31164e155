#pragma once
// Internal helpers shared by warp, rasterize, shapes and fill: GDAL MEM datasets that alias
// our buffers (no copies), spatial references in GIS axis order, and handle owners.
#include <cpl_string.h>
#include <gdal.h>
#include <gdal_alg.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <memory>
#include <string>

#include "gdal_util.h"
#include "rasterbench/affine.h"
#include "rasterbench/crs.h"
#include "rasterbench/raster.h"

namespace rb::detail {

struct SrsDeleter {
    void operator()(OGRSpatialReferenceH h) const {
        if (h)
            OSRRelease(h);
    }
};
using SrsPtr = std::unique_ptr<std::remove_pointer_t<OGRSpatialReferenceH>, SrsDeleter>;

struct GeomDeleter {
    void operator()(OGRGeometryH h) const {
        if (h)
            OGR_G_DestroyGeometry(h);
    }
};
using GeomPtr = std::unique_ptr<std::remove_pointer_t<OGRGeometryH>, GeomDeleter>;

struct CtDeleter {
    void operator()(OGRCoordinateTransformationH h) const {
        if (h)
            OCTDestroyCoordinateTransformation(h);
    }
};
using CtPtr = std::unique_ptr<std::remove_pointer_t<OGRCoordinateTransformationH>, CtDeleter>;

struct CslDeleter {
    void operator()(char** p) const { CSLDestroy(p); }
};
using CslPtr = std::unique_ptr<char*, CslDeleter>;

struct TransformerDeleter {
    void operator()(void* arg) const {
        if (arg)
            GDALDestroyTransformer(arg);
    }
};
using TransformerPtr = std::unique_ptr<void, TransformerDeleter>;

/// OGR spatial reference of `crs` with x = easting/longitude (null for an empty CRS).
/// Throws CrsError naming the CRS when GDAL cannot read it.
SrsPtr make_srs(const Crs& crs);

/// A MEM dataset of the given size and no bands; add bands with add_band_view.
DatasetPtr mem_dataset(int cols, int rows);

/// Adds a band to a MEM dataset that reads/writes `data` in place (rows x cols samples of
/// `type`, row-major). The buffer must outlive the dataset.
void add_band_view(GDALDatasetH ds, GDALDataType type, const void* data);

/// Sets the geotransform and CRS of a dataset.
void set_georef(GDALDatasetH ds, const Affine& transform, const Crs& crs);

/// Pointer to band `b` (0-based) of a raster's samples, untyped.
inline void* band_ptr(Raster& r, int b) {
    return r.bytes() + r.band_size() * dtype_size(r.dtype()) * std::size_t(b);
}
inline const void* band_ptr(const Raster& r, int b) {
    return r.bytes() + r.band_size() * dtype_size(r.dtype()) * std::size_t(b);
}

} // namespace rb::detail

#include "rasterbench/error.h"
#include "rasterbench/progress.h"

namespace rb::detail {

/// Bridges rb::Progress to a GDALProgressFunc. Cancellation cannot be thrown through GDAL's
/// C code: it is recorded, GDAL is told to stop, and rethrow() raises Cancelled afterwards.
struct GdalProgressBridge {
    Progress* progress = nullptr;
    bool cancelled = false;
    static int CPL_STDCALL fn(double fraction, const char*, void* arg) {
        auto* self = static_cast<GdalProgressBridge*>(arg);
        if (!self->progress)
            return TRUE;
        try {
            self->progress->report(fraction);
        } catch (const Cancelled&) {
            self->cancelled = true;
            return FALSE;
        }
        return TRUE;
    }
    void rethrow() const {
        if (cancelled)
            throw Cancelled();
    }
};

} // namespace rb::detail
