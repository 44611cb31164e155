#include "cli_progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

namespace rbcli {

namespace {

struct Printer {
    std::string label;
    bool terminal = false;
    int shown = -1; ///< the last percentage (terminal) or tenth (log) printed

    void operator()(double fraction) {
        const double f = std::clamp(fraction, 0.0, 1.0);
        const int pct = int(std::floor(f * 100 + 1e-9));
        if (terminal) {
            if (pct <= shown)
                return;
            shown = pct;
            constexpr int kWidth = 30;
            const int filled = pct * kWidth / 100;
            std::fprintf(stderr, "\r%s [%s%s] %3d%%", label.c_str(),
                         std::string(filled, '#').c_str(),
                         std::string(kWidth - filled, ' ').c_str(), pct);
            if (pct >= 100)
                std::fputc('\n', stderr);
        } else {
            const int tenth = pct / 10;
            if (tenth <= shown)
                return;
            shown = tenth;
            std::fprintf(stderr, "%s: %d%%\n", label.c_str(), tenth * 10);
        }
        std::fflush(stderr);
    }
};

} // namespace

rb::Progress stderr_progress(const std::string& label) {
    auto printer = std::make_shared<Printer>();
    printer->label = label;
    printer->terminal = isatty(fileno(stderr)) != 0;
    return rb::Progress(
        [printer](double f) {
            (*printer)(f);
            return true;
        },
        0.005);
}

bool take_progress_flag(const std::vector<std::string>& args, std::size_t i, bool& on) {
    if (args[i] != "--progress")
        return false;
    on = true;
    return true;
}

} // namespace rbcli
