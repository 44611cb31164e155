#pragma once
// The versions of the libraries the engine runs on, as linked at run time (for About boxes,
// bug reports and `--version`).
#include <string>

namespace rb {

struct LibraryVersions {
    std::string gdal; ///< e.g. "3.6.2"
    std::string proj; ///< e.g. "9.1.1"
    std::string fftw; ///< e.g. "fftw-3.3.10-sse2-avx"
    std::string muparser;
};

LibraryVersions library_versions();

} // namespace rb
