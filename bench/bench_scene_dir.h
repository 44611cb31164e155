#pragma once
// The scenes of a score bench's folder: each `*_sr.tif` with its `*_fmask.tif` stacked after
// its bands where there is one (as the workbench stacks a quality file), sorted by name
// (scripts/make-score-bench-data.sh writes such a folder).
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "rasterbench/composite.h"

namespace rbbench {

/// The folder's scenes; empty when it is no folder or holds no `*_sr.tif`.
inline std::vector<rb::SceneSource> score_bench_scenes(const std::string& dir) {
    std::vector<rb::SceneSource> sources;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        return sources;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        const std::string p = e.path().string();
        if (p.size() < 7 || p.compare(p.size() - 7, 7, "_sr.tif") != 0)
            continue;
        rb::SceneSource s;
        s.files.push_back(p);
        const std::string qa = p.substr(0, p.size() - 7) + "_fmask.tif";
        if (std::filesystem::exists(qa))
            s.files.push_back(qa);
        sources.push_back(s);
    }
    std::sort(sources.begin(), sources.end(),
              [](const auto& a, const auto& b) { return a.files < b.files; });
    return sources;
}

} // namespace rbbench
