#include "job_files.h"

#include <filesystem>
#include <fstream>
#include <vector>

#include "rasterbench/error.h"

namespace rb::detail {

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

} // namespace rb::detail
