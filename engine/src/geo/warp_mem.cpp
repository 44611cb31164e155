#include "warp_mem.h"

#include <cpl_string.h>

#include <cstdio>

#include "rasterbench/error.h"

namespace rb::detail {

SrsPtr make_srs(const Crs& crs) {
    if (crs.empty())
        return {};
    GdalErrorCapture cap;
    SrsPtr srs(OSRNewSpatialReference(nullptr));
    if (OSRSetFromUserInput(srs.get(), crs.to_wkt().c_str()) != OGRERR_NONE)
        throw CrsError("GDAL cannot use CRS '" + crs.name() +
                       "': " + reason(cap, "unrecognized definition"));
    // Our coordinates are always x = easting/longitude, whatever the CRS's official order.
    OSRSetAxisMappingStrategy(srs.get(), OAMS_TRADITIONAL_GIS_ORDER);
    return srs;
}

DatasetPtr mem_dataset(int cols, int rows) {
    ensure_gdal();
    GdalErrorCapture cap;
    DatasetPtr ds(GDALCreate(GDALGetDriverByName("MEM"), "", cols, rows, 0, GDT_Byte, nullptr));
    if (!ds)
        throw IoError("cannot create an in-memory dataset of " + std::to_string(cols) + "x" +
                      std::to_string(rows) + ": " + reason(cap, "MEM driver failed"));
    return ds;
}

void add_band_view(GDALDatasetH ds, GDALDataType type, const void* data) {
    GdalErrorCapture cap;
    char ptr[64];
    std::snprintf(ptr, sizeof ptr, "DATAPOINTER=%p", data);
    const char* options[] = {ptr, nullptr};
    if (GDALAddBand(ds, type, const_cast<char**>(options)) != CE_None)
        throw IoError("cannot wrap a buffer as an in-memory band: " +
                      reason(cap, "MEM driver failed"));
}

void set_georef(GDALDatasetH ds, const Affine& transform, const Crs& crs) {
    auto gt = transform.to_gdal();
    GDALSetGeoTransform(ds, gt.data());
    if (auto srs = make_srs(crs))
        GDALSetSpatialRef(ds, srs.get());
}

} // namespace rb::detail
