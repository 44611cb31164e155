#include "job_files.h"

#include <filesystem>
#include <fstream>
#include <utility>
#include <vector>

#include "partial_file.h"
#include "rasterbench/error.h"

namespace rb::detail {

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

} // namespace rb::detail
