#include "rasterbench/versions.h"

#include <fftw3.h>
#include <gdal.h>
#include <muParserDef.h>
#include <proj.h>

namespace rb {

LibraryVersions library_versions() {
    LibraryVersions v;
    v.gdal = GDALVersionInfo("RELEASE_NAME");
    v.proj = proj_info().version;
    v.fftw = fftwf_version;
    v.muparser = mu::ParserVersion;
    return v;
}

} // namespace rb
