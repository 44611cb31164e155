#include "job_files.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <utility>
#include <vector>

#include <cpl_string.h>
#include <gdal_utils.h>

#include "gdal_util.h"
#include "partial_file.h"
#include "rasterbench/error.h"

namespace rb::detail {

namespace {

struct StringList {
    char** list = nullptr;
    ~StringList() { CSLDestroy(list); }
    void add(const std::string& s) { list = CSLAddString(list, s.c_str()); }
};

/// The translate's creation options: the recipe's compression, its codec level and the
/// predictor `run` writes with (GDAL's own defaults, ZSTD level 9 or DEFLATE 6, cost several
/// times the CPU of the level-1 default), tiles of the recipe's size.
void add_creation_options(StringList& args, const std::string& format, GDALDataType type,
                          const StreamOptions& stream, int threads) {
    const std::string comp = stream.compression.empty() ? "DEFLATE" : stream.compression;
    std::vector<std::string> co{"COMPRESS=" + comp};
    if (comp != "NONE" && comp != "JPEG")
        co.push_back(std::string("PREDICTOR=") + (GDALDataTypeIsFloating(type) ? "1" : "2"));
    if (stream.compression_level > 0 && (comp == "DEFLATE" || comp == "ZSTD"))
        co.push_back((format == "COG"  ? "LEVEL="
                      : comp == "ZSTD" ? "ZSTD_LEVEL="
                                       : "ZLEVEL=") +
                     std::to_string(stream.compression_level));
    co.push_back("NUM_THREADS=" +
                 (threads > 0 ? std::to_string(threads) : std::string("ALL_CPUS")));
    if (format == "COG") {
        co.push_back("BLOCKSIZE=" + std::to_string(stream.tile_size));
        co.push_back("OVERVIEWS=AUTO");
    } else {
        co.push_back("TILED=YES");
        co.push_back("BLOCKXSIZE=" + std::to_string(stream.tile_size));
        co.push_back("BLOCKYSIZE=" + std::to_string(stream.tile_size));
        co.push_back("BIGTIFF=IF_SAFER");
    }
    for (const auto& c : co) {
        args.add("-co");
        args.add(c);
    }
}

} // namespace

void build_vrt(const std::string& vrt, const std::vector<std::string>& files) {
    ensure_gdal();
    GdalErrorCapture cap;
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
    DatasetPtr ds(GDALBuildVRT(vrt.c_str(), int(files.size()), nullptr, names.list, opts, &err));
    GDALBuildVRTOptionsFree(opts);
    if (!ds || err)
        throw IoError("cannot build '" + vrt + "': " + reason(cap, "GDALBuildVRT failed"));
}

void translate_raster(const std::string& from, const std::string& to, const std::string& format,
                      const StreamOptions& stream, int threads,
                      const std::optional<Window>& srcwin) {
    if (format != "COG" && format != "GTiff" && format != "VRT")
        throw ArgumentError("format '" + format + "': COG or GTiff");
    ensure_gdal();
    GdalErrorCapture cap;
    DatasetPtr src(GDALOpen(from.c_str(), GA_ReadOnly));
    if (!src)
        throw IoError("cannot open '" + from + "': " + reason(cap, "GDALOpen failed"));
    StringList args;
    args.add("-of");
    args.add(format);
    if (srcwin) {
        args.add("-srcwin");
        for (auto v : {srcwin->col_off, srcwin->row_off, srcwin->width, srcwin->height})
            args.add(std::to_string(v));
    }
    if (format != "VRT")
        add_creation_options(args, format, GDALGetRasterDataType(GDALGetRasterBand(src.get(), 1)),
                             stream, threads);
    GDALTranslateOptions* opts = GDALTranslateOptionsNew(args.list, nullptr);
    if (!opts)
        throw ArgumentError("cannot write " + format + ": " + reason(cap, "bad translate options"));
    int err = 0;
    DatasetPtr out(GDALTranslate(to.c_str(), src.get(), opts, &err));
    GDALTranslateOptionsFree(opts);
    if (!out || err)
        throw IoError("cannot write '" + to + "': " + reason(cap, "GDALTranslate failed"));
}

PartialOutputs::PartialOutputs(std::vector<std::string> targets) : targets_(std::move(targets)) {
    for (const auto& t : targets_) {
        std::filesystem::create_directories(std::filesystem::absolute(t).parent_path());
        partials_.push_back(begin_partial(t));
    }
}

PartialOutputs::~PartialOutputs() {
    for (const auto& p : partials_) {
        if (!committed_) {
            std::error_code ec;
            std::filesystem::remove(p, ec);
        }
        end_partial(p);
    }
}

void PartialOutputs::commit() {
    for (std::size_t k = 0; k < targets_.size(); ++k)
        std::filesystem::rename(partials_[k], targets_[k]);
    committed_ = true;
}

std::string file_checksum(const std::string& path, std::int64_t limit) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw IoError("cannot read '" + path + "'");
    std::uint64_t h = 1469598103934665603ULL;
    std::vector<char> buf(1 << 20);
    std::int64_t left = limit < 0 ? INT64_MAX : limit;
    while (left > 0 && in) {
        in.read(buf.data(),
                std::streamsize(std::min<std::int64_t>(left, std::int64_t(buf.size()))));
        const std::streamsize got = in.gcount();
        if (got <= 0)
            break;
        for (std::streamsize i = 0; i < got; ++i) {
            h ^= std::uint8_t(buf[std::size_t(i)]);
            h *= 1099511628211ULL;
        }
        left -= got;
    }
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
    return text;
}

std::string job_file(const std::string& dir) {
    return (std::filesystem::path(dir) / "job.json").string();
}

std::string done_marker(const std::string& dir, const std::string& stage, int index) {
    return (std::filesystem::path(dir) / "done" / (stage + "-" + std::to_string(index) + ".json"))
        .string();
}

std::string failed_marker(const std::string& dir, const std::string& stage, int index) {
    return (std::filesystem::path(dir) / "failed" / (stage + "-" + std::to_string(index) + ".json"))
        .string();
}

std::string running_marker(const std::string& dir, const std::string& stage, int index) {
    return (std::filesystem::path(dir) / "running" /
            (stage + "-" + std::to_string(index) + ".json"))
        .string();
}

ScratchDir::ScratchDir(std::filesystem::path path) : path_(std::move(path)) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
}

ScratchDir::~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::filesystem::path task_scratch(const std::string& job_dir, const std::string& name) {
    return std::filesystem::path(job_dir) / "work" / (name + "-" + std::to_string(getpid()));
}

} // namespace rb::detail
