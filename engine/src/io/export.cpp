#include "rasterbench/export.h"

#include <algorithm>

#include "rasterbench/error.h"

#include <cpl_vsi.h>

#include "partial_file.h"

namespace rb {

const ParamTable<ExportOptions>& ExportOptions::params() {
    static const ParamTable<ExportOptions> t = [] {
        ParamTable<ExportOptions> t;
        t.add_enum(&ExportOptions::format, "format", {"gtiff", "cog"},
                   "GeoTIFF, or Cloud Optimized GeoTIFF (tiled, overviews inside, GDAL's COG "
                   "driver)");
        t.add_choice(&ExportOptions::compression, "compression", {"DEFLATE", "LZW", "ZSTD", "NONE"},
                     "lossless compression of the pixels");
        t.add(&ExportOptions::overviews, "overviews",
              "reduced-resolution levels for fast display (2x, 4x, ... down to about 256 px)");
        return t;
    }();
    return t;
}

std::vector<int> export_overview_factors(int width, int height) {
    std::vector<int> factors;
    for (int f = 2; std::max(width, height) / f >= 256; f *= 2)
        factors.push_back(f);
    return factors;
}

void export_raster(const Raster& data, const Profile& profile, const std::string& path,
                   const ExportOptions& options, const std::vector<FileRole>& inputs,
                   Progress progress) {
    ExportOptions::params().validate(options);
    if (path.empty())
        throw ArgumentError("no output file given");
    check_outputs_distinct(inputs, {{"output", path}});
    if (data.empty())
        throw ArgumentError("nothing to write to '" + path + "': the raster is empty");
    progress.report(0);

    Profile p = profile;
    p.width = data.cols();
    p.height = data.rows();
    p.count = data.bands();
    p.dtype = data.dtype();
    p.block_width = p.block_height = 256;
    p.tiled = true;
    p.interleave.clear();
    p.overview_factors.clear();
    p.creation_options.clear();
    p.compression = options.compression == "NONE" ? std::string() : options.compression;
    if (p.nodata.size() > std::size_t(p.count))
        p.nodata.resize(std::size_t(p.count));
    if (p.descriptions.size() > std::size_t(p.count))
        p.descriptions.resize(std::size_t(p.count));
    if (p.colorinterp.size() != std::size_t(p.count))
        p.colorinterp.clear();
    if (options.format == ExportOptions::Format::Cog) {
        // The COG driver writes by copy, tiles the file and builds its own overviews.
        p.driver = "COG";
        p.creation_options["COMPRESS"] = options.compression;
        p.creation_options["OVERVIEWS"] = options.overviews ? "AUTO" : "NONE";
        p.creation_options["BLOCKSIZE"] = "256";
    } else {
        p.driver = "GTiff";
        if (options.overviews)
            p.overview_factors = export_overview_factors(p.width, p.height);
    }
    Dataset out = Dataset::create(path, p);
    progress.report(0.3);
    out.write(data);
    progress.check(); // a cancel here leaves the target as it was (the partial file goes)
    progress.report(0.6);
    out.close();
    progress.report(1);
}

void export_file(const std::string& source, const std::string& path, const ExportOptions& options,
                 const std::vector<FileRole>& inputs, Progress progress) {
    std::vector<FileRole> all = inputs;
    all.push_back({"result to export", source});
    check_outputs_distinct(all, {{"output", path}});
    const Dataset ds = Dataset::open(source);
    progress.report(0);
    const Raster data = ds.read({});
    export_raster(data, ds.profile(), path, options, all, progress.sub(0.2, 1));
}

void export_written(const std::string& path, const ExportOptions& options,
                    const std::vector<FileRole>& inputs, Progress progress,
                    const std::function<void(const std::string& temporary, Progress)>& write) {
    ExportOptions::params().validate(options);
    check_outputs_distinct(inputs, {{"output", path}});
    const std::string temporary = detail::begin_partial(path + ".unexported.tif");
    struct Remove {
        std::string path;
        ~Remove() {
            VSIUnlink(path.c_str());
            detail::end_partial(path);
        }
    } remove{temporary};
    write(temporary, progress.sub(0, 0.6));
    export_file(temporary, path, options, inputs, progress.sub(0.6, 1));
}

} // namespace rb
