#include "cli_commands.h"

#include <cmath>

#include <cerrno>
#include <cstdlib>

namespace rbcli {

std::map<std::string, Command>& commands() {
    static std::map<std::string, Command> registry;
    return registry;
}

bool& verbose_requested() {
    static bool verbose = false;
    return verbose;
}

const std::string& option_value(const Args& args, std::size_t& i) {
    if (i + 1 >= args.size())
        throw UsageError("option " + args[i] + " needs a value");
    return args[++i];
}

double parse_double(const std::string& text, const std::string& what, bool any_value) {
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || errno != 0 || end != text.c_str() + text.size())
        throw UsageError(what + ": '" + text + "' is not a number");
    // NaN would pass every later range check (each comparison is false) and turn filters
    // and stripes off without a word.
    if (!any_value && !std::isfinite(v))
        throw UsageError(what + ": '" + text + "' is not a finite number");
    return v;
}

int parse_int(const std::string& text, const std::string& what) {
    errno = 0;
    char* end = nullptr;
    const long v = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || errno != 0 || end != text.c_str() + text.size() || v < -2147483647L ||
        v > 2147483647L)
        throw UsageError(what + ": '" + text + "' is not an integer");
    return int(v);
}

std::vector<rb::FileRole> scene_roles(const std::vector<rb::SceneSource>& scenes) {
    std::vector<std::vector<std::string>> files;
    for (const auto& s : scenes)
        files.push_back(s.files);
    return rb::scene_input_roles(files);
}

std::vector<std::string> split(const std::string& text, char sep) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : text) {
        if (c == sep) {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    out.push_back(cur);
    return out;
}

} // namespace rbcli
