// StackStats::background's last step: see hazy_background.h.
#include "hazy_background.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <cmath>
#include <string>

#include "rasterbench/dtype.h"
#include "rasterbench/error.h"
#include "rasterbench/raster.h"

namespace rb::detail {

void lower_hazy_background(std::span<const Raster> scenes,
                           const std::vector<std::vector<std::uint8_t>>& valid, StackStats& st,
                           const StackStatsNeeds& needs, const std::vector<float>& inv_gain) {
    constexpr float kMaxHazeOpacity = 0.3f, kFitRatio = 0.25f;
    constexpr int kSupport = 2;
    constexpr std::uint16_t kNone = 0xffff;
    const std::size_t ns = scenes.size(), n = std::size_t(st.rows) * std::size_t(st.cols);
    const std::size_t nb = std::size_t(st.bands), nh = needs.haze_bands.size();
    for (int b : needs.haze_bands)
        if (b < 0 || b >= st.bands)
            throw ArgumentError("stack statistics: haze band " + std::to_string(b) +
                                " is not one of the " + std::to_string(st.bands) + " bands");
    // The background's bands (StackStatsNeeds::background_bands): the others' planes stay NaN.
    std::vector<char> in_background(nb, needs.background_bands.empty());
    for (int b : needs.background_bands)
        in_background[std::size_t(b)] = 1;
    const float white = float(needs.haze_white);
    const float least = float(2 * needs.background_tolerance);
    float* bg = st.background.data();
    const float* known = bg + std::size_t(needs.haze_bands[0]) * n; // NaN: no valid date
    if (ns >= kNone)
        return; // beyond the picks' numbers (and any real stack)
    std::vector<std::uint16_t> picks(n, kNone);
    visit_dtype(scenes[0].dtype(), [&](auto x) {
        using T = decltype(x);
        std::vector<const T*> ptr(ns * nb);
        for (std::size_t i = 0; i < ns; ++i)
            for (std::size_t b = 0; b < nb; ++b)
                ptr[i * nb + b] = scenes[i].band<T>(int(b)).data();
        tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 4096), [&](const auto& r) {
            for (std::size_t p = r.begin(); p != r.end(); ++p) {
                if (std::isnan(known[p]))
                    continue; // no valid date
                float most = least * float(nh);
                std::size_t pick = ns;
                for (std::size_t i = 0; i < ns; ++i) {
                    if (!valid[i][p])
                        continue;
                    // Sums of the fits' normal equations: darkening d against the haze line
                    // u = white - date and the shadow line (the background).
                    float du = 0, uu = 0, db = 0, bb = 0, dd = 0, sum = 0, raw_sum = 0;
                    for (int hb : needs.haze_bands) {
                        const std::size_t b = std::size_t(hb);
                        const float back = bg[b * n + p];
                        const float date = float(ptr[i * nb + b][p]) * inv_gain[i * nb + b];
                        const float d = back - date, u = white - date;
                        du += d * u;
                        uu += u * u;
                        db += d * back;
                        bb += back * back;
                        dd += d * d;
                        sum += d;
                        raw_sum += back - float(ptr[i * nb + b][p]);
                    }
                    if (raw_sum <= least * float(nh))
                        continue;
                    if (sum <= most || !(uu > 0) || !(bb > 0) || du >= kMaxHazeOpacity * uu)
                        continue;
                    const float haze_residual = dd - du * du / uu;
                    const float shadow_residual = dd - db * db / bb;
                    if (haze_residual < kFitRatio * shadow_residual) {
                        most = sum;
                        pick = i;
                    }
                }
                picks[p] = pick < ns ? std::uint16_t(pick) : kNone;
            }
        });
        const int rows = st.rows, cols = st.cols;
        tbb::parallel_for(0, rows, [&](int y) {
            for (int x = 0; x < cols; ++x) {
                const std::size_t p = std::size_t(y) * std::size_t(cols) + std::size_t(x);
                const std::uint16_t pick = picks[p];
                if (pick == kNone)
                    continue;
                int same = 0;
                for (int dy = -1; dy <= 1; ++dy)
                    for (int dx = -1; dx <= 1; ++dx) {
                        const int yy = y + dy, xx = x + dx;
                        if ((dy || dx) && yy >= 0 && yy < rows && xx >= 0 && xx < cols)
                            same += picks[std::size_t(yy) * std::size_t(cols) + std::size_t(xx)] ==
                                    pick;
                    }
                if (same < kSupport)
                    continue;
                for (std::size_t b = 0; b < nb; ++b)
                    if (in_background[b])
                        bg[b * n + p] = float(ptr[pick * nb + b][p]) * inv_gain[pick * nb + b];
            }
        });
    });
}

} // namespace rb::detail
