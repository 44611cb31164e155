// Notch sets: point and stripe notch geometry, their JSON form and files, masks over a
// spectrum.

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <numbers>
#include <sstream>
#include <utility>

#include "atomic_file.h"
#include "deband_detail.h"
#include "json_nesting.h"
#include "rasterbench/error.h"

namespace rb::fft {

namespace {

using json = nlohmann::ordered_json;

constexpr double kDeg = std::numbers::pi / 180.0;
// Attenuations below this are treated as zero: it bounds each notch's reach in the spectrum.
constexpr double kNegligible = 1e-4;

double wrap_half(double d) {
    return d - std::round(d); // periodic spectrum: differences in [-0.5, 0.5]
}

double point_attenuation(const PointNotch& p, double d) {
    const double r = std::max(p.radius, 1e-12);
    switch (p.shape) {
    case NotchShape::Ideal:
        return d <= r ? 1.0 : 0.0;
    case NotchShape::Gaussian:
        return std::exp(-0.5 * (d * d) / (r * r));
    case NotchShape::Butterworth:
        return 1.0 / (1.0 + std::pow(d / r, 2.0 * std::max(1, p.order)));
    }
    return 0.0;
}

double point_reach(const PointNotch& p) {
    const double r = std::max(p.radius, 0.0);
    switch (p.shape) {
    case NotchShape::Ideal:
        return r;
    case NotchShape::Gaussian:
        return r * std::sqrt(-2.0 * std::log(kNegligible));
    case NotchShape::Butterworth:
        return std::min(r * std::pow(1.0 / kNegligible, 1.0 / (2.0 * std::max(1, p.order))), 1.0);
    }
    return r;
}

// Raised cosine from 1 (x <= a) to 0 (x >= a + s).
double taper(double x, double a, double s) {
    if (x <= a)
        return 1.0;
    if (s <= 0 || x >= a + s)
        return 0.0;
    return 0.5 + 0.5 * std::cos(std::numbers::pi * (x - a) / s);
}

double stripe_attenuation_at(const StripeNotch& s, double u, double v) {
    const double a = s.angle_deg * kDeg;
    const double across = std::abs(u * std::cos(a) - v * std::sin(a)); // distance to the line
    const double line = taper(across, s.width / 2, s.softness);
    if (line == 0)
        return 0;
    const double protect = taper(std::hypot(u, v), s.protect_radius, s.softness);
    return line * (1.0 - protect);
}

// The line is symmetric about DC, but a Nyquist frequency (+-0.5 on an even axis) has two
// names; taking the stronger of both keeps the mask conjugate-symmetric there too.
double stripe_attenuation(const StripeNotch& s, double u, double v) {
    double h = stripe_attenuation_at(s, u, v);
    const bool nu = std::abs(std::abs(u) - 0.5) < 1e-12, nv = std::abs(std::abs(v) - 0.5) < 1e-12;
    if (nu)
        h = std::max(h, stripe_attenuation_at(s, -u, v));
    if (nv)
        h = std::max(h, stripe_attenuation_at(s, u, -v));
    if (nu && nv)
        h = std::max(h, stripe_attenuation_at(s, -u, -v));
    return h;
}

} // namespace

void detail::check_notches(const NotchSet& n) {
    for (const auto& p : n.points)
        if (!(p.radius > 0) || !std::isfinite(p.radius) || !std::isfinite(p.u) ||
            !std::isfinite(p.v)) {
            std::ostringstream os;
            os << "point notch at (" << p.u << ", " << p.v << ") needs a positive radius, has "
               << p.radius << " (every value finite)";
            throw ArgumentError(os.str());
        }
    for (const auto& s : n.stripes)
        if (!(s.width >= 0) || !(s.softness >= 0) || !(s.protect_radius >= 0) ||
            !std::isfinite(s.angle_deg) || !std::isfinite(s.width + s.softness) ||
            !std::isfinite(s.protect_radius) || s.width + s.softness <= 0) {
            std::ostringstream os;
            os << "stripe notch at " << s.angle_deg
               << " degrees needs finite sizes, width + softness > 0 and no negative size";
            throw ArgumentError(os.str());
        }
}

using detail::check_notches;

std::string_view shape_name(NotchShape s) {
    switch (s) {
    case NotchShape::Ideal:
        return "ideal";
    case NotchShape::Gaussian:
        return "gaussian";
    case NotchShape::Butterworth:
        return "butterworth";
    }
    return "gaussian";
}

std::optional<NotchShape> parse_shape(std::string_view name) {
    for (auto s : {NotchShape::Ideal, NotchShape::Gaussian, NotchShape::Butterworth})
        if (shape_name(s) == name)
            return s;
    return std::nullopt;
}

std::string to_json(const NotchSet& notches) {
    json j;
    j["version"] = 1;
    j["points"] = json::array();
    for (const auto& p : notches.points) {
        // The order is written for every shape, so a set saved and loaded again is the
        // same set (a notch switched from Butterworth keeps its order for switching back).
        j["points"].push_back({{"u", p.u},
                               {"v", p.v},
                               {"radius", p.radius},
                               {"shape", shape_name(p.shape)},
                               {"order", p.order}});
    }
    j["stripes"] = json::array();
    for (const auto& s : notches.stripes)
        j["stripes"].push_back({{"angle", s.angle_deg},
                                {"width", s.width},
                                {"softness", s.softness},
                                {"protect_radius", s.protect_radius}});
    return j.dump(2);
}

NotchSet notches_from_json(std::string_view text, std::string_view source) {
    const std::string where(source);
    rb::detail::check_json_nesting(text, where);
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) {
        throw ArgumentError(where + ": not JSON (" + e.what() + ")");
    }
    // Every key is known and every value has its type: a misspelt key or an order of 2.5
    // would otherwise be dropped or truncated, and the set saved back would differ from the
    // file (what the recipe reader checks for the notches it holds, checked here too).
    auto fail = [&](const std::string& path, const std::string& problem) {
        throw ArgumentError(where + ": " + path + ": " + problem);
    };
    auto keys = [&](const json& o, const std::string& path,
                    std::initializer_list<const char*> known) {
        if (!o.is_object())
            fail(path, "expected an object");
        for (const auto& item : o.items()) {
            bool ok = false;
            std::string list;
            for (const char* k : known) {
                ok = ok || item.key() == k;
                list += (list.empty() ? "" : ", ") + std::string(k);
            }
            if (!ok)
                fail(path + "." + item.key(), "unknown key (expected " + list + ")");
        }
    };
    auto number = [&](const json& o, const char* key, const std::string& path, double fallback,
                      bool required) {
        if (!o.contains(key)) {
            if (required)
                fail(path + "." + key, "missing");
            return fallback;
        }
        const json& v = o[key];
        const double x = v.is_number() ? v.get<double>() : 0.0;
        if (!v.is_number() || !std::isfinite(x))
            fail(path + "." + key, "expected a finite number, got " + v.dump());
        return x;
    };
    if (!j.is_object())
        throw ArgumentError(where + ": expected a JSON object with points/stripes");
    keys(j, "notches", {"version", "points", "stripes"});
    if (j.contains("version") && !(j["version"].is_number_integer() && j["version"] == 1))
        throw ArgumentError(where + ": notch set version " + j["version"].dump() +
                            " is not supported (expected 1)");
    NotchSet n;
    for (const char* list : {"points", "stripes"})
        if (j.contains(list) && !j[list].is_array())
            fail(list, "expected an array, got " + j[list].dump());
    const json none = json::array();
    const json& points = j.contains("points") ? j["points"] : none;
    for (std::size_t k = 0; k < points.size(); ++k) {
        const json& o = points[k];
        const std::string path = "points[" + std::to_string(k) + "]";
        keys(o, path, {"u", "v", "radius", "shape", "order"});
        PointNotch p;
        p.u = number(o, "u", path, 0, true);
        p.v = number(o, "v", path, 0, true);
        p.radius = number(o, "radius", path, 0, true);
        if (o.contains("shape")) {
            const json& shape = o["shape"];
            const auto s = shape.is_string() ? parse_shape(shape.get<std::string>()) : std::nullopt;
            if (!s)
                fail(path + ".shape",
                     shape.dump() + " is not one of \"ideal\", \"gaussian\", \"butterworth\"");
            p.shape = *s;
        }
        if (o.contains("order")) {
            const json& order = o["order"];
            if (!order.is_number_integer() || order < 1 || order > 20)
                fail(path + ".order", order.dump() + " is not an integer in [1, 20]");
            p.order = order.get<int>();
        }
        n.points.push_back(p);
    }
    const json& stripes = j.contains("stripes") ? j["stripes"] : none;
    for (std::size_t k = 0; k < stripes.size(); ++k) {
        const json& o = stripes[k];
        const std::string path = "stripes[" + std::to_string(k) + "]";
        keys(o, path, {"angle", "width", "softness", "protect_radius"});
        StripeNotch s;
        s.angle_deg = number(o, "angle", path, 0, true);
        s.width = number(o, "width", path, 0, true);
        s.softness = number(o, "softness", path, s.softness, false);
        s.protect_radius = number(o, "protect_radius", path, s.protect_radius, false);
        n.stripes.push_back(s);
    }
    try {
        check_notches(n);
    } catch (const ArgumentError& e) {
        throw ArgumentError(where + ": " + e.what());
    }
    return n;
}

NotchSet load_notches(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw IoError(path + ": cannot open the notch file");
    std::ostringstream ss;
    ss << in.rdbuf();
    return notches_from_json(ss.str(), path);
}

void save_notches(const NotchSet& notches, const std::string& path) {
    rb::detail::write_text_atomically(path, to_json(notches) + "\n", "notch file");
}

double mask_value(const NotchSet& notches, double u, double v) {
    double m = 1.0;
    for (const auto& p : notches.points) {
        const double d1 = std::hypot(wrap_half(u - p.u), wrap_half(v - p.v));
        const double d2 = std::hypot(wrap_half(u + p.u), wrap_half(v + p.v));
        m *= (1.0 - point_attenuation(p, d1)) * (1.0 - point_attenuation(p, d2));
    }
    for (const auto& s : notches.stripes)
        m *= 1.0 - stripe_attenuation(s, u, v);
    return m;
}

std::vector<float> centred_mask(const NotchSet& notches, int rows, int cols) {
    check_notches(notches);
    std::vector<float> out(std::size_t(rows) * std::size_t(cols), 1.0f);
    if (notches.empty())
        return out;
    tbb::parallel_for(tbb::blocked_range<int>(0, rows, 8), [&](const tbb::blocked_range<int>& rr) {
        for (int r = rr.begin(); r < rr.end(); ++r)
            for (int c = 0; c < cols; ++c) {
                double u = 0, v = 0;
                centred_to_frequency(c, r, rows, cols, u, v);
                out[std::size_t(r) * cols + c] = float(mask_value(notches, u, v));
            }
    });
    return out;
}

std::size_t apply_mask(cfloat* half, int rows, int cols, const NotchSet& notches) {
    check_notches(notches);
    const int hc = half_cols(cols);
    std::size_t touched = 0;
    // One notch centre (either twin): visit the integer bin positions within its reach,
    // unwrapped so distances are periodic, and scale the ones stored in the half spectrum.
    auto point = [&](const PointNotch& p, double cu, double cv) {
        // The mask is periodic (period 1 in u and v) and one period around the centre is
        // visited at most, so the centre is wrapped to [-0.5, 0.5] and the reach capped at
        // one period: the same bins, and bin indices that stay far inside long long.
        cu = wrap_half(cu);
        cv = wrap_half(cv);
        const double reach = std::min(point_reach(p), 1.0);
        // At most one period around the centre, so each bin is seen once, at its nearest
        // (periodic) distance, as mask_value measures it.
        const long long jc = std::llround(cu * cols), ic = std::llround(cv * rows);
        const long long j0 = std::max((long long)std::ceil((cu - reach) * cols), jc - cols / 2);
        const long long j1 =
            std::min((long long)std::floor((cu + reach) * cols), jc + (cols - 1) / 2);
        const long long i0 = std::max((long long)std::ceil((cv - reach) * rows), ic - rows / 2);
        const long long i1 =
            std::min((long long)std::floor((cv + reach) * rows), ic + (rows - 1) / 2);
        for (long long I = i0; I <= i1; ++I) {
            const int i = int(((I % rows) + rows) % rows);
            const double dv = double(I) / rows - cv;
            for (long long J = j0; J <= j1; ++J) {
                const int j = int(((J % cols) + cols) % cols);
                if (j >= hc)
                    continue; // represented by its conjugate, which the twin notch visits
                const double a = point_attenuation(p, std::hypot(double(J) / cols - cu, dv));
                if (a <= 0)
                    continue;
                half[std::size_t(i) * hc + j] *= float(1.0 - a);
                ++touched;
            }
        }
    };
    for (const auto& p : notches.points) {
        point(p, p.u, p.v);
        point(p, -p.u, -p.v);
    }
    for (const auto& s : notches.stripes) {
        const double a = s.angle_deg * kDeg, ca = std::cos(a), sa = std::sin(a);
        const double e = s.width / 2 + s.softness;
        for (int i = 0; i < rows; ++i) {
            const double v = index_frequency(i, rows);
            int jlo = 0, jhi = hc - 1;
            const bool nyquistRow = rows % 2 == 0 && i == rows / 2;
            if (std::abs(ca) > 1e-12 && !nyquistRow) {
                double lo = (v * sa - e) / ca, hi = (v * sa + e) / ca;
                if (lo > hi)
                    std::swap(lo, hi);
                // Clamped in double first: a very wide stripe at a steep angle puts lo and hi
                // far beyond int's range (a NaN-free comparison keeps the default bounds).
                const double jl = lo * cols, jh = hi * cols;
                if (jl > 0)
                    jlo = int(std::ceil(std::min(jl, double(hc))));
                if (jh < hc - 1)
                    jhi = int(std::floor(std::max(jh, -1.0)));
            } else if (std::abs(v) > e && !nyquistRow) {
                continue;
            }
            auto visit = [&](int j) {
                const double att = stripe_attenuation(s, double(j) / cols, v);
                if (att <= 0)
                    return;
                half[std::size_t(i) * hc + j] *= float(1.0 - att);
                ++touched;
            };
            for (int j = jlo; j <= jhi; ++j)
                visit(j);
            // The Nyquist column has two names too: visited on its own. (Widening the range
            // up to it made every row a full sweep of stripe_attenuation: most of a 2048^2
            // preview's time with a stripe notch.)
            if (cols % 2 == 0 && jhi < hc - 1)
                visit(hc - 1);
        }
    }
    return touched;
}

} // namespace rb::fft
