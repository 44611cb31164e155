// Accuracy of the single-scene cloud test against Landsat Collection 1 quality bands.
//
//   build/bench/bench_cloud_accuracy [FOLDER] [--param NAME=VALUE]... [--split] [--dump DIR]
//
// For every *_stack.tif in FOLDER (default: the shared Landsat 8 New York scenes) with a
// *_BQA.tif beside it, scores the scene alone with the cloud method (default parameters,
// the Landsat 8 Level-1 rescaling to TOA reflectance with the sun elevation estimated from
// the date and place, the roles the scene's band descriptions give) and prints per scene the
// overall agreement, precision and recall of the pixels scored as cloud against the BQA's
// medium-or-high-confidence cloud (fill excluded), then the pooled totals. --split also prints the
// totals of the scenes in odd and even positions (sorted by name), so a change tuned on one half
// can be checked on the other. --dump writes per scene DIR/<scene>_flags.txt, one line per
// row of the pixels' flags (-1 excluded, 0 clear, 1 cloud), to study the misses pixel by pixel
// beside the bands. Exit code 1 when a scene misses the targets (agreement 90 %,
// precision 70 %, recall 85 %).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "landsat_quality.h"

namespace fs = std::filesystem;

namespace {

void write_flags(const std::string& dir, const std::string& stack, const std::vector<int>& flags,
                 int cols) {
    fs::create_directories(dir);
    const std::string name = fs::path(stack).stem().string();
    const std::string path = (fs::path(dir) / (name + "_flags.txt")).string();
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f)
        throw rb::IoError("cannot write '" + path + "'");
    for (std::size_t i = 0; i < flags.size(); ++i)
        std::fprintf(f, "%d%c", flags[i], (i + 1) % std::size_t(cols) == 0 ? '\n' : ' ');
    std::fclose(f);
}

} // namespace

int main(int argc, char** argv) {
    std::string folder = "/work/shared/data/landsat8_ny_gdalcubes";
    std::vector<std::pair<std::string, std::string>> params;
    bool split = false;
    std::string dump;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if ((a == "--param" || a == "-p") && i + 1 < argc) {
            const std::string kv = argv[++i];
            const auto eq = kv.find('=');
            if (eq == std::string::npos) {
                std::cerr << "--param expects NAME=VALUE, got '" << kv << "'\n";
                return 2;
            }
            params.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
        } else if (a == "--split") {
            split = true;
        } else if (a == "--dump" && i + 1 < argc) {
            dump = argv[++i];
        } else if (a == "--help" || a == "-h") {
            std::cout << "usage: bench_cloud_accuracy [FOLDER] [--param NAME=VALUE]... "
                         "[--split] [--dump DIR]\n";
            return 0;
        } else {
            folder = a;
        }
    }
    try {
        std::vector<std::string> stacks;
        for (const auto& e : fs::directory_iterator(folder)) {
            const std::string p = e.path().string();
            if (p.ends_with("_stack.tif"))
                stacks.push_back(p);
        }
        std::sort(stacks.begin(), stacks.end());
        if (stacks.empty()) {
            std::cerr << "no *_stack.tif in '" << folder << "'\n";
            return 2;
        }
        std::printf("%-44s %7s %7s %7s %9s %7s %7s\n", "scene", "pixels", "cloud%", "flag%",
                    "agreement", "prec", "recall");
        rbtest::CloudAgreement all, half[2];
        bool ok = true;
        for (std::size_t k = 0; k < stacks.size(); ++k) {
            const std::string& s = stacks[k];
            const std::string bqa = s.substr(0, s.size() - 10) + "_BQA.tif";
            if (!fs::exists(bqa))
                continue;
            rb::ScoreOptions o = rbtest::landsat8_cloud_options(s);
            for (const auto& [name, value] : params)
                rb::set_score_param(o, name, value);
            rb::BandRoles roles;
            rb::BandLayout layout;
            std::vector<int> flags;
            const auto a = rbtest::cloud_agreement(s, bqa, o, &roles, &layout, &flags);
            if (!dump.empty())
                write_flags(dump, s, flags, rb::SceneReader(rb::SceneSource{{s}}).profile().width);
            if (k == 0) {
                std::printf("roles: %s\n", roles.explain(layout).c_str());
                for (const auto& w : roles.warnings())
                    std::printf("warning: %s\n", w.c_str());
            }
            all += a;
            half[k % 2] += a;
            ok = ok && a.agreement() >= 0.9 && a.precision() >= 0.7 && a.recall() >= 0.85;
            std::printf("%-44s %7zu %7.1f %7.1f %8.1f%% %6.1f%% %6.1f%%\n",
                        fs::path(s).filename().string().substr(0, 44).c_str(), a.pixels,
                        100 * a.truth_share(), 100 * a.flagged_share(), 100 * a.agreement(),
                        100 * a.precision(), 100 * a.recall());
        }
        auto total = [](const char* name, const rbtest::CloudAgreement& a) {
            std::printf("%-44s %7zu %7.1f %7.1f %8.1f%% %6.1f%% %6.1f%%\n", name, a.pixels,
                        100 * a.truth_share(), 100 * a.flagged_share(), 100 * a.agreement(),
                        100 * a.precision(), 100 * a.recall());
        };
        total("all scenes (pooled)", all);
        if (split) {
            total("scenes 1,3,5,... (pooled)", half[0]);
            total("scenes 2,4,6,... (pooled)", half[1]);
        }
        return ok ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "bench_cloud_accuracy: " << e.what() << "\n";
        return 2;
    }
}
