// Feeds each kept fuzzer finding (and each fuzz seed) to the entry point of its fuzz target,
// as the fuzzer did, and checks that it either parses or is refused with an rb::Error; any
// other exception, a broken round trip or a crash fails the test. Prints one line per file.
#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "fuzz_entries.h"

namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

using Entry = std::function<bool(const std::string&)>;

const std::map<std::string, Entry>& entries() {
    static const std::map<std::string, Entry> m = {
        {"geojson", [](const std::string& s) { return rb::fuzz::geojson(s); }},
        {"recipe", [](const std::string& s) { return rb::fuzz::recipe(s); }},
        {"crs", [](const std::string& s) { return rb::fuzz::crs(s); }},
        {"score_expression", [](const std::string& s) { return rb::fuzz::score_expression(s); }},
        {"notches", [](const std::string& s) { return rb::fuzz::notches(s); }},
        {"dataset",
         [](const std::string& s) {
             return rb::fuzz::dataset(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
         }},
    };
    return m;
}

/// Runs every file of `root`/TARGET/; returns the number of failures.
int replay(const fs::path& root, int& files) {
    int failures = 0;
    if (!fs::is_directory(root))
        return 0;
    std::vector<fs::path> dirs;
    for (const auto& d : fs::directory_iterator(root))
        if (d.is_directory())
            dirs.push_back(d.path());
    std::sort(dirs.begin(), dirs.end());
    for (const fs::path& dir : dirs) {
        const std::string target = dir.filename().string();
        const auto it = entries().find(target);
        if (it == entries().end()) {
            std::cerr << "FAIL " << dir << ": no fuzz target named '" << target << "'\n";
            ++failures;
            continue;
        }
        std::vector<fs::path> inputs;
        for (const auto& f : fs::directory_iterator(dir))
            if (f.is_regular_file() && f.path().filename() != "README.md")
                inputs.push_back(f.path());
        std::sort(inputs.begin(), inputs.end());
        for (const fs::path& input : inputs) {
            ++files;
            try {
                const bool ok = it->second(read_file(input));
                std::cout << (ok ? "parsed  " : "refused ") << target << '/'
                          << input.filename().string() << '\n';
            } catch (const std::exception& e) {
                std::cerr << "FAIL " << input << ": " << e.what() << '\n';
                ++failures;
            } catch (...) {
                std::cerr << "FAIL " << input << ": unknown exception\n";
                ++failures;
            }
        }
    }
    return failures;
}

} // namespace

int main() {
    rb::fuzz::init();
    int files = 0;
    const int failures = replay(RB_FUZZ_REGRESSIONS, files) + replay(RB_FUZZ_SEEDS, files);
    std::cout << files << " inputs, " << failures << " failures\n";
    if (files == 0) {
        std::cerr << "FAIL: no inputs found under " << RB_FUZZ_REGRESSIONS << '\n';
        return 1;
    }
    return failures == 0 ? 0 : 1;
}
