// Assembling a job: a VRT over the tiles, the recipe's steps after the composite on it, then
// GDAL's COG driver (with overviews) or a tiled GeoTIFF, written atomically.
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include <cpl_string.h>
#include <gdal_utils.h>

#include "gdal_util.h"
#include "job_files.h"
#include "rasterbench/job.h"

namespace rb {

namespace fs = std::filesystem;

namespace {

struct StringList {
    char** list = nullptr;
    ~StringList() { CSLDestroy(list); }
    void add(const std::string& s) { list = CSLAddString(list, s.c_str()); }
};

/// A VRT of `files` at `vrt` (written when the handle closes).
void build_vrt(const std::string& vrt, const std::vector<std::string>& files) {
    detail::ensure_gdal();
    detail::GdalErrorCapture cap;
    StringList names;
    for (const auto& f : files)
        names.add(f);
    // The tiles share one pixel size; the default ("average") would average it and round
    // its last digit away.
    StringList args;
    args.add("-resolution");
    args.add("highest");
    GDALBuildVRTOptions* opts = GDALBuildVRTOptionsNew(args.list, nullptr);
    int err = 0;
    detail::DatasetPtr ds(
        GDALBuildVRT(vrt.c_str(), int(files.size()), nullptr, names.list, opts, &err));
    GDALBuildVRTOptionsFree(opts);
    if (!ds || err)
        throw IoError("cannot build '" + vrt + "': " + detail::reason(cap, "GDALBuildVRT failed"));
}

void translate(const std::string& from, const std::string& to, const std::string& format,
               const StreamOptions& stream, int threads) {
    detail::ensure_gdal();
    detail::GdalErrorCapture cap;
    detail::DatasetPtr src(GDALOpen(from.c_str(), GA_ReadOnly));
    if (!src)
        throw IoError("cannot open '" + from + "': " + detail::reason(cap, "GDALOpen failed"));
    StringList args;
    args.add("-of");
    args.add(format);
    const std::string comp = stream.compression.empty() ? "DEFLATE" : stream.compression;
    args.add("-co");
    args.add("COMPRESS=" + comp);
    // The codec level and predictor `run` writes with (GDAL's own defaults, ZSTD level 9 or
    // DEFLATE 6, cost several times the CPU of the level-1 default).
    if (comp != "NONE" && comp != "JPEG") {
        const GDALDataType type = GDALGetRasterDataType(GDALGetRasterBand(src.get(), 1));
        args.add("-co");
        args.add(std::string("PREDICTOR=") + (GDALDataTypeIsFloating(type) ? "1" : "2"));
    }
    if (stream.compression_level > 0 && (comp == "DEFLATE" || comp == "ZSTD")) {
        args.add("-co");
        args.add((format == "COG"  ? "LEVEL="
                  : comp == "ZSTD" ? "ZSTD_LEVEL="
                                   : "ZLEVEL=") +
                 std::to_string(stream.compression_level));
    }
    args.add("-co");
    args.add("NUM_THREADS=" + (threads > 0 ? std::to_string(threads) : std::string("ALL_CPUS")));
    if (format == "COG") {
        args.add("-co");
        args.add("BLOCKSIZE=" + std::to_string(stream.tile_size));
        args.add("-co");
        args.add("OVERVIEWS=AUTO");
    } else {
        args.add("-co");
        args.add("TILED=YES");
        args.add("-co");
        args.add("BLOCKXSIZE=" + std::to_string(stream.tile_size));
        args.add("-co");
        args.add("BLOCKYSIZE=" + std::to_string(stream.tile_size));
        args.add("-co");
        args.add("BIGTIFF=IF_SAFER");
    }
    GDALTranslateOptions* opts = GDALTranslateOptionsNew(args.list, nullptr);
    if (!opts)
        throw ArgumentError("cannot write " + format + ": " +
                            detail::reason(cap, "bad translate options"));
    int err = 0;
    detail::DatasetPtr out(GDALTranslate(to.c_str(), src.get(), opts, &err));
    GDALTranslateOptionsFree(opts);
    if (!out || err)
        throw IoError("cannot write '" + to + "': " + detail::reason(cap, "GDALTranslate failed"));
}

} // namespace

std::string write_quicklook(const Job& job) {
    std::vector<std::string> tiles;
    for (const auto& t : job.stage("tiles").tasks)
        if (fs::exists(t.outputs.front()))
            tiles.push_back(t.outputs.front());
    const std::string vrt = (fs::path(job.dir) / "mosaic.vrt").string();
    if (tiles.empty())
        return {};
    detail::PartialOutputs tmp({vrt});
    build_vrt(tmp.partial(0), tiles);
    tmp.commit();
    return vrt;
}

void assemble_job(const Job& job, const std::string& out, const std::string& format, int threads) {
    if (format != "COG" && format != "GTiff")
        throw ArgumentError("format '" + format + "': COG or GTiff");
    const JobStage& tiles = job.stage("tiles");
    std::vector<std::string> files;
    std::string missing;
    for (std::size_t i = 0; i < tiles.tasks.size(); ++i) {
        const auto& outs = tiles.tasks[i].outputs;
        if (!std::all_of(outs.begin(), outs.end(), [](const auto& f) { return fs::exists(f); }))
            missing += (missing.empty() ? "" : ", ") + std::to_string(i);
        files.push_back(outs.front());
    }
    if (!missing.empty())
        throw ArgumentError(job.dir + ": tiles not done yet: " + missing +
                            " (see `rasterbench-cli status`)");
    const fs::path work = fs::path(job.dir) / "work" / ("assemble-" + std::to_string(getpid()));
    fs::create_directories(work);
    struct Cleanup {
        fs::path p;
        ~Cleanup() {
            std::error_code ec;
            fs::remove_all(p, ec);
        }
    } cleanup{work};
    const std::string vrt = (work / "mosaic.vrt").string();
    build_vrt(vrt, files);
    write_quicklook(job);

    std::size_t ci = 0;
    while (!std::holds_alternative<CompositeStep>(job.recipe.steps.at(ci)))
        ++ci;
    std::string source = vrt;
    if (ci + 1 < job.recipe.steps.size()) {
        // The steps after the composite, on the whole mosaic, as `run` does.
        Recipe sub = job.recipe;
        sub.steps.assign(job.recipe.steps.begin() + std::ptrdiff_t(ci + 1), job.recipe.steps.end());
        sub.scenes.clear();
        sub.output.path.clear();
        sub.output.pattern.clear();
        RecipeRunOptions ro;
        ro.output = (work / "post.tif").string();
        ro.temp_dir = work.string();
        ro.threads = threads;
        run_recipe(sub, {SceneSource{{vrt}}}, ro);
        source = ro.output;
    }
    // The mosaic, then each extra output from its own tiles; all renamed into place only
    // when every one was written.
    std::vector<std::pair<std::string, fs::path>> writes{{source, fs::absolute(out)}};
    const auto& assemble = job.stage("assemble").tasks.front();
    for (std::size_t k = 1; k < assemble.outputs.size(); ++k) {
        std::vector<std::string> parts;
        for (const auto& t : tiles.tasks)
            parts.push_back(t.outputs.at(k));
        const std::string part_vrt = (work / ("extra-" + std::to_string(k) + ".vrt")).string();
        build_vrt(part_vrt, parts);
        writes.emplace_back(part_vrt, fs::absolute(assemble.outputs[k]));
    }
    std::vector<std::string> targets;
    for (const auto& w : writes)
        targets.push_back(w.second.string());
    detail::PartialOutputs tmps(targets);
    for (std::size_t k = 0; k < writes.size(); ++k)
        translate(writes[k].first, tmps.partial(k), format, job.recipe.output.stream, threads);
    tmps.commit();
}

} // namespace rb
