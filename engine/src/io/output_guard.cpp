#include "rasterbench/output_guard.h"

#include "rasterbench/error.h"

#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include <sys/stat.h>

namespace rb {
namespace {

bool is_virtual(const std::string& p) {
    return p.rfind("/vsi", 0) == 0;
}

std::string canonical_text(std::string p) {
    std::error_code ec;
    // A symlink whose target does not exist yet names that target (writing through it
    // would create the target).
    for (int hops = 0; hops < 40 && std::filesystem::is_symlink(p, ec); ++hops) {
        const auto target = std::filesystem::read_symlink(p, ec);
        if (ec)
            break;
        p = (target.is_absolute() ? target : std::filesystem::path(p).parent_path() / target)
                .string();
    }
    const auto c = std::filesystem::weakly_canonical(std::filesystem::absolute(p, ec), ec);
    return ec ? p : c.lexically_normal().string();
}

// The files GDAL reads together with `input` (overviews, masks, auxiliary metadata, world
// and projection files, a shapefile's parts) under the names it looks for beside it: an
// output written there changes what the input reads as, or loses what it holds.
std::vector<std::string> companion_files(const std::string& input) {
    std::vector<std::string> out;
    for (const char* suffix : {".ovr", ".msk", ".aux.xml", ".aux"})
        out.push_back(input + suffix);
    const std::filesystem::path p(input);
    if (p.has_extension())
        for (const char* ext : {".aux", ".tfw", ".tifw", ".wld", ".prj", ".rpb", ".imd", ".shx",
                                ".dbf", ".cpg", ".qix", ".sbn", ".sbx"})
            if (p.extension() != ext)
                out.push_back(std::filesystem::path(p).replace_extension(ext).string());
    return out;
}

// What an existing output is when it is not a regular file (nor a symlink to one, nor a
// folder, which is reported on its own); empty otherwise. Outputs are renamed into place, which
// would replace a device node or a named pipe with a regular file.
std::string special_file_kind(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
        return {};
    if (S_ISFIFO(st.st_mode))
        return "a named pipe";
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
        return "a device";
    if (S_ISSOCK(st.st_mode))
        return "a socket";
    return "not a regular file";
}

} // namespace

bool same_file(const std::string& a, const std::string& b) {
    if (a.empty() || b.empty())
        return false;
    if (is_virtual(a) || is_virtual(b))
        return a == b;
    struct stat sa {
    }, sb{};
    const bool ea = ::stat(a.c_str(), &sa) == 0;
    const bool eb = ::stat(b.c_str(), &sb) == 0;
    if (ea && eb)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    if (ea != eb)
        return false; // one exists and the other does not: two different files
    return canonical_text(a) == canonical_text(b);
}

void check_outputs_distinct(const std::vector<FileRole>& inputs,
                            const std::vector<FileRole>& outputs) {
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        const FileRole& out = outputs[i];
        if (out.path.empty())
            continue;
        // Checked here, not when the finished file is renamed onto it: after all the work.
        std::error_code ec;
        if (std::filesystem::is_directory(out.path, ec))
            throw ArgumentError(out.role + " '" + out.path +
                                "' is a folder; name a file to write (for example '" +
                                (std::filesystem::path(out.path) / "out.tif").string() + "')");
        if (!is_virtual(out.path))
            if (const std::string kind = special_file_kind(out.path); !kind.empty())
                throw ArgumentError(out.role + " '" + out.path + "' is " + kind +
                                    ", not a file; outputs are written to a temporary file and "
                                    "renamed, which would replace it: name a regular file");
        for (const FileRole& in : inputs) {
            if (same_file(out.path, in.path))
                throw ArgumentError(out.role + " '" + out.path + "' is the " + in.role + " '" +
                                    in.path + "'; choose another output file");
            if (in.path.empty() || is_virtual(in.path) || is_virtual(out.path))
                continue;
            for (const std::string& companion : companion_files(in.path))
                if (same_file(out.path, companion))
                    throw ArgumentError(out.role + " '" + out.path +
                                        "' is a file GDAL reads together with the " + in.role +
                                        " '" + in.path +
                                        "' (its overviews, mask or metadata); choose another "
                                        "output file");
        }
        for (std::size_t j = 0; j < i; ++j)
            if (same_file(out.path, outputs[j].path))
                throw ArgumentError(outputs[j].role + " '" + outputs[j].path + "' and " + out.role +
                                    " '" + out.path + "' are the same file");
    }
}

std::vector<FileRole> scene_input_roles(const std::vector<std::vector<std::string>>& sources) {
    std::vector<FileRole> out;
    for (const auto& files : sources)
        for (std::size_t k = 0; k < files.size(); ++k)
            out.push_back({k == 0 ? "input scene" : "quality file", files[k]});
    return out;
}

} // namespace rb
