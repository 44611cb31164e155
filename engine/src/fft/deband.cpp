// Notch sets, masks, the cached-spectrum session and the deband operation.
#include "rasterbench/deband.h"

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

void check_notches(const NotchSet& n) {
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

} // namespace

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
    detail::write_text_atomically(path, to_json(notches) + "\n", "notch file");
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

// ---- session -------------------------------------------------------------------------

DebandSession::DebandSession(const Raster& src, int b, Progress progress)
    : DebandSession(src, b, std::move(progress), nullptr) {}

DebandSession::DebandSession(const Raster& src, int b, Progress progress, RealBuffer* filled)
    : rows_(src.rows()), cols_(src.cols()),
      transform_(std::max(1, src.rows()), std::max(1, src.cols())) {
    if (src.empty())
        throw ArgumentError("deband of an empty raster");
    RealBuffer data = band_as_float(src, b, false);
    const std::size_t n = src.band_size();
    const auto m = src.mask(b);
    mask_.assign(m.begin(), m.end());
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(data[i])) {
            if (mask_.empty())
                mask_.assign(n, kValid);
            mask_[i] = kInvalid;
        }
    // Runs, not single pixels: collars and SLC-off gaps are long spans along a row, so the
    // restore after each inverse is a few thousand short copies instead of a scattered
    // write per pixel.
    for (std::size_t i = 0; i < mask_.size();) {
        if (mask_[i]) {
            ++i;
            continue;
        }
        const std::size_t start = i;
        while (i < mask_.size() && !mask_[i])
            invalid_values_.push_back(data[i++]);
        invalid_.push_back(start);
        invalid_.push_back(i - start);
    }
    if (invalid_.empty())
        mask_.clear();
    progress.report(0.1);
    if (!mask_.empty())
        fill_invalid(data.get(), mask_.data(), rows_, cols_);
    progress.report(0.4);
    half_ = alloc_complex(transform_.half_size());
    transform_.forward(data.get(), half_.get());
    const float scale = 1.0f / float(n);
    const std::size_t hn = transform_.half_size();
    for (std::size_t i = 0; i < hn; ++i)
        half_[i] *= scale;
    if (filled)
        *filled = std::move(data); // r2c out-of-place kept it
    progress.report(1.0);
}

Spectrum DebandSession::spectrum() const {
    // The stored spectrum is scaled by 1/N; undo that so magnitudes match compute_spectrum.
    ComplexBuffer tmp = alloc_complex(transform_.half_size());
    const float n = float(std::size_t(rows_) * cols_);
    for (std::size_t i = 0; i < transform_.half_size(); ++i)
        tmp[i] = half_[i] * n;
    return centred_log_magnitude(tmp.get(), rows_, cols_);
}

namespace {
// One reusable scratch spectrum per thread: the preview path runs apply() once per notch
// edit, and a fresh 16 MB allocation costs more than the mask itself.
struct Scratch {
    ComplexBuffer buf;
    std::size_t size = 0;
};
Scratch& thread_scratch() {
    thread_local Scratch s;
    return s;
}
cfloat* scratch(std::size_t n) {
    Scratch& s = thread_scratch();
    if (s.size < n) {
        s.buf.reset();
        s.buf = alloc_complex(n);
        s.size = n;
    }
    return s.buf.get();
}
} // namespace

void release_scratch() {
    thread_scratch() = Scratch{};
}

void DebandSession::apply(const NotchSet& notches, float* out) const {
    const std::size_t hn = transform_.half_size();
    cfloat* work = scratch(hn);
    std::memcpy(work, half_.get(), hn * sizeof(cfloat));
    apply_mask(work, rows_, cols_, notches);
    transform_.inverse(work, out);
    const float* src = invalid_values_.data();
    for (std::size_t k = 0; k < invalid_.size(); k += 2) {
        std::memcpy(out + invalid_[k], src, invalid_[k + 1] * sizeof(float));
        src += invalid_[k + 1];
    }
}

double DebandSession::removed_energy(const NotchSet& notches, double* total) const {
    const std::size_t hn = transform_.half_size();
    const int hc = half_cols(cols_);
    cfloat* work = scratch(hn);
    std::memcpy(work, half_.get(), hn * sizeof(cfloat));
    apply_mask(work, rows_, cols_, notches);
    double removed = 0, all = 0;
    const double n = double(rows_) * cols_;
    for (int i = 0; i < rows_; ++i)
        for (int j = 0; j < hc; ++j) {
            if (i == 0 && j == 0)
                continue;
            // Columns other than 0 and the even Nyquist stand for themselves and their twin.
            const double w = (j == 0 || (cols_ % 2 == 0 && j == cols_ / 2)) ? 1.0 : 2.0;
            const std::size_t k = std::size_t(i) * hc + j;
            const double e0 = std::norm(std::complex<double>(half_[k])) * n * n;
            const double e1 = std::norm(std::complex<double>(work[k])) * n * n;
            all += w * e0;
            removed += w * (e0 - e1);
        }
    if (total)
        *total = all;
    return removed;
}

// ---- preview -------------------------------------------------------------------------

DebandPreview::DebandPreview(const Raster& src, int b, Progress progress) {
    RealBuffer filled;
    full_.reset(new DebandSession(src, b, progress.sub(0, 0.8), &filled));
    const int rows = full_->rows(), cols = full_->cols();
    const int cr = rows / 2, cc = cols / 2;
    if (cr < 1 || cc < 1)
        return;
    // The box average of the filled band: what the full-resolution result, averaged the
    // same way, is the filtered version of. It needs no fill of its own (no mask).
    Raster coarse(DataType::Float32, 1, cr, cc);
    auto dst = coarse.band<float>(0);
    const auto& m = full_->mask();
    if (!m.empty())
        coarseMask_.assign(std::size_t(cr) * cc, kValid);
    std::atomic<bool> anyInvalid{false};
    tbb::parallel_for(tbb::blocked_range<int>(0, cr, 16), [&](const tbb::blocked_range<int>& rr) {
        bool invalidHere = false;
        for (int i = rr.begin(); i < rr.end(); ++i) {
            const std::size_t r0 = std::size_t(2 * i) * cols, r1 = r0 + cols;
            for (int j = 0; j < cc; ++j) {
                const std::size_t k = std::size_t(i) * cc + j;
                dst[k] = 0.25f * (filled[r0 + 2 * j] + filled[r0 + 2 * j + 1] + filled[r1 + 2 * j] +
                                  filled[r1 + 2 * j + 1]);
                if (!m.empty() &&
                    !(m[r0 + 2 * j] && m[r0 + 2 * j + 1] && m[r1 + 2 * j] && m[r1 + 2 * j + 1])) {
                    coarseMask_[k] = kInvalid;
                    invalidHere = true;
                }
            }
        }
        if (invalidHere)
            anyInvalid = true;
    });
    if (!anyInvalid)
        coarseMask_.clear();
    filled.reset();
    coarse_ = std::make_unique<DebandSession>(coarse, 0, progress.sub(0.8, 1.0));
}

NotchSet DebandPreview::coarse_notches(const NotchSet& notches, std::size_t* skipped) {
    NotchSet out;
    std::size_t skip = 0;
    out.points.reserve(notches.points.size());
    for (PointNotch p : notches.points) {
        p.u *= 2;
        p.v *= 2;
        p.radius *= 2;
        // Beyond the half grid's Nyquist the box average has no such frequency of its own:
        // wrapping the notch would remove an unrelated (aliased) one instead.
        if (std::abs(p.u) > 0.5 || std::abs(p.v) > 0.5) {
            ++skip;
            continue;
        }
        out.points.push_back(p);
    }
    out.stripes.reserve(notches.stripes.size());
    for (StripeNotch s : notches.stripes) {
        // A line through DC keeps its angle; its sizes double like the frequencies. The part
        // beyond the half grid's Nyquist simply falls off the grid.
        s.width *= 2;
        s.softness *= 2;
        s.protect_radius *= 2;
        out.stripes.push_back(s);
    }
    if (skipped)
        *skipped = skip;
    return out;
}

std::size_t DebandPreview::apply_coarse(const NotchSet& notches, float* out) const {
    if (!coarse_)
        throw ArgumentError("deband preview: the area is too small for a coarse level");
    check_notches(notches); // the full-resolution set's errors, not the scaled one's
    std::size_t skipped = 0;
    coarse_->apply(coarse_notches(notches, &skipped), out);
    return skipped;
}

// ---- deband --------------------------------------------------------------------------

const ParamTable<DebandOptions>& DebandOptions::params() {
    static const ParamTable<DebandOptions> t = [] {
        ParamTable<DebandOptions> t;
        t.add(&DebandOptions::keep_dtype, "keep_dtype",
              "integer inputs: round and clamp to the input type (else Float32)");
        return t;
    }();
    return t;
}

namespace {

// Output sweep: normalizes the inverse (`scale`), rounds/clamps to T and writes valid pixels
// only, so invalid ones keep their values (the file's nodata).
template <class T>
void store_band(Raster& r, int b, const float* filtered, float scale,
                std::optional<double> nodata) {
    auto dst = r.band<T>(b);
    const auto m = std::as_const(r).mask(b);
    const std::size_t n = r.band_size();
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 1 << 16),
                      [&](const tbb::blocked_range<std::size_t>& rr) {
                          for (std::size_t i = rr.begin(); i < rr.end(); ++i) {
                              if (!m.empty() && !m[i])
                                  continue;
                              if constexpr (std::is_integral_v<T>) {
                                  constexpr double lo = double(std::numeric_limits<T>::lowest());
                                  constexpr double hi = double(std::numeric_limits<T>::max());
                                  double v =
                                      std::clamp(std::round(double(filtered[i] * scale)), lo, hi);
                                  // A valid value landing on nodata would vanish from the file.
                                  if (nodata && v == *nodata)
                                      v = *nodata < hi ? v + 1 : v - 1;
                                  dst[i] = T(v);
                              } else {
                                  if (std::isfinite(dst[i]))
                                      dst[i] = T(filtered[i] * scale);
                              }
                          }
                      });
}

} // namespace

void deband_in_place(Raster& r, const std::vector<NotchSet>& per_band, std::optional<double> nodata,
                     Progress progress) {
    if (r.empty())
        throw ArgumentError("deband of an empty raster");
    if (int(per_band.size()) != r.bands())
        throw ArgumentError("deband: " + std::to_string(per_band.size()) + " notch sets for " +
                            std::to_string(r.bands()) + " bands");
    for (const auto& n : per_band)
        check_notches(n);
    const int rows = r.rows(), cols = r.cols();
    const std::size_t n = r.band_size();
    const Transform2D t(rows, cols);
    cfloat* half = scratch(t.half_size());
    const double nb = r.bands();
    const float scale = 1.0f / float(n);
    for (int b = 0; b < r.bands(); ++b) {
        Progress p = progress.sub(b / nb, (b + 1) / nb);
        // A Float32 band that needs no fill is transformed from, and back into, its own
        // buffer: the whole-scene cost is then the two transforms and one scaling sweep.
        // Anything else goes through a float copy (filled) and an output sweep that rounds,
        // clamps and leaves invalid pixels as they were.
        bool direct = r.dtype() == DataType::Float32 && r.mask(b).empty() &&
                      Transform2D::aligned(r.band<float>(b).data());
        RealBuffer copy;
        float* data = nullptr;
        if (direct) {
            // No separate finiteness sweep: a NaN or infinity anywhere reaches the DC bin
            // (the sum of all samples), so a non-finite DC sends the band to the filled copy
            // path below. The forward transform leaves its input intact.
            data = r.band<float>(b).data();
            t.forward(data, half);
            if (!std::isfinite(half[0].real()) || !std::isfinite(half[0].imag()))
                direct = false;
        }
        if (!direct) {
            copy = band_as_float(r, b, true);
            data = copy.get();
            p.report(0.2);
            t.forward(data, half);
        }
        p.report(0.5);
        apply_mask(half, rows, cols, per_band[std::size_t(b)]);
        p.check();
        t.inverse(half, data);
        p.report(0.9);
        if (direct) {
            tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 1 << 16),
                              [&](const tbb::blocked_range<std::size_t>& rr) {
                                  for (std::size_t i = rr.begin(); i < rr.end(); ++i)
                                      data[i] *= scale;
                              });
        } else {
            visit_dtype(r.dtype(),
                        [&](auto x) { store_band<decltype(x)>(r, b, data, scale, nodata); });
        }
        p.report(1.0);
    }
}

Raster deband(const Raster& src, const std::vector<NotchSet>& per_band, const DebandOptions& o,
              std::optional<double> nodata, Progress progress) {
    if (src.empty())
        throw ArgumentError("deband of an empty raster");
    Raster out;
    if (o.keep_dtype || src.dtype() == DataType::Float32) {
        out = src;
    } else {
        out = Raster(DataType::Float32, src.bands(), src.rows(), src.cols());
        for (int b = 0; b < src.bands(); ++b)
            for (int i = 0; i < src.rows(); ++i)
                for (int j = 0; j < src.cols(); ++j)
                    out.set_value(b, i, j, src.value(b, i, j));
        if (src.has_mask())
            for (int b = 0; b < src.bands(); ++b) {
                const auto m = src.mask(b);
                std::copy(m.begin(), m.end(), out.mask(b).begin());
            }
    }
    deband_in_place(out, per_band, nodata, std::move(progress));
    return out;
}

Raster deband(const Raster& src, const NotchSet& notches, const DebandOptions& o,
              std::optional<double> nodata, Progress progress) {
    return deband(src, std::vector<NotchSet>(std::size_t(std::max(0, src.bands())), notches), o,
                  nodata, std::move(progress));
}

// ---- metrics -------------------------------------------------------------------------

namespace {

void check_same_shape(const Raster& a, const Raster& ref, int b) {
    if (a.rows() != ref.rows() || a.cols() != ref.cols() || b < 0 || b >= a.bands() ||
        b >= ref.bands()) {
        std::ostringstream os;
        os << "metrics need rasters of the same size with band " << b << ": got " << a.rows() << "x"
           << a.cols() << " and " << ref.rows() << "x" << ref.cols();
        throw ArgumentError(os.str());
    }
}

} // namespace

double psnr(const Raster& a, const Raster& ref, int b) {
    check_same_shape(a, ref, b);
    double lo = std::numeric_limits<double>::infinity(), hi = -lo, se = 0;
    std::size_t count = 0;
    for (int r = 0; r < a.rows(); ++r)
        for (int c = 0; c < a.cols(); ++c) {
            if (!a.valid(b, r, c) || !ref.valid(b, r, c))
                continue;
            const double x = a.value(b, r, c), y = ref.value(b, r, c);
            if (!std::isfinite(x) || !std::isfinite(y))
                continue;
            lo = std::min(lo, y);
            hi = std::max(hi, y);
            se += (x - y) * (x - y);
            ++count;
        }
    if (count == 0)
        throw ArgumentError("PSNR: no pixel is valid in both rasters");
    const double mse = se / double(count);
    if (mse == 0)
        return std::numeric_limits<double>::infinity();
    const double peak = hi > lo ? hi - lo : 1.0;
    return 10.0 * std::log10(peak * peak / mse);
}

double ssim(const Raster& a, const Raster& ref, int b) {
    check_same_shape(a, ref, b);
    const int rows = a.rows(), cols = a.cols();
    const std::size_t n = a.band_size();
    // Normalized convolution: invalid pixels get weight 0 in every local mean.
    std::vector<float> w(n), x(n), y(n);
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            const std::size_t i = std::size_t(r) * cols + c;
            const double xv = a.value(b, r, c), yv = ref.value(b, r, c);
            const bool ok =
                a.valid(b, r, c) && ref.valid(b, r, c) && std::isfinite(xv) && std::isfinite(yv);
            w[i] = ok ? 1.0f : 0.0f;
            x[i] = ok ? float(xv) : 0.0f;
            y[i] = ok ? float(yv) : 0.0f;
            if (ok) {
                lo = std::min(lo, yv);
                hi = std::max(hi, yv);
            }
        }
    if (!(hi >= lo))
        throw ArgumentError("SSIM: no pixel is valid in both rasters");
    const double L = hi > lo ? hi - lo : 1.0;
    const double C1 = (0.01 * L) * (0.01 * L), C2 = (0.03 * L) * (0.03 * L);
    constexpr int R = 5;
    double kernel[2 * R + 1], ks = 0;
    for (int k = -R; k <= R; ++k)
        ks += kernel[k + R] = std::exp(-0.5 * k * k / (1.5 * 1.5));
    for (double& k : kernel)
        k /= ks;
    auto blur = [&](const std::vector<float>& in) {
        std::vector<float> tmp(n), out(n);
        tbb::parallel_for(0, rows, [&](int r) {
            for (int c = 0; c < cols; ++c) {
                double s = 0;
                for (int k = -R; k <= R; ++k) {
                    const int cc = c + k;
                    if (cc >= 0 && cc < cols)
                        s += kernel[k + R] * in[std::size_t(r) * cols + cc];
                }
                tmp[std::size_t(r) * cols + c] = float(s);
            }
        });
        tbb::parallel_for(0, rows, [&](int r) {
            for (int c = 0; c < cols; ++c) {
                double s = 0;
                for (int k = -R; k <= R; ++k) {
                    const int rr = r + k;
                    if (rr >= 0 && rr < rows)
                        s += kernel[k + R] * tmp[std::size_t(rr) * cols + c];
                }
                out[std::size_t(r) * cols + c] = float(s);
            }
        });
        return out;
    };
    // Centre on the reference mean: squares of raw values (reflectance x 10000) would lose
    // the variances to float cancellation.
    double mean = 0, cnt = 0;
    for (std::size_t i = 0; i < n; ++i)
        if (w[i] != 0) {
            mean += y[i];
            ++cnt;
        }
    mean = cnt > 0 ? mean / cnt : 0;
    for (std::size_t i = 0; i < n; ++i)
        if (w[i] != 0) {
            x[i] = float(x[i] - mean);
            y[i] = float(y[i] - mean);
        }
    std::vector<float> xx(n), yy(n), xy(n);
    for (std::size_t i = 0; i < n; ++i) {
        xx[i] = x[i] * x[i];
        yy[i] = y[i] * y[i];
        xy[i] = x[i] * y[i];
    }
    const auto bw = blur(w), bx = blur(x), by = blur(y), bxx = blur(xx), byy = blur(yy),
               bxy = blur(xy);
    double sum = 0;
    std::size_t count = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (w[i] == 0 || bw[i] <= 1e-6)
            continue;
        const double mx = bx[i] / bw[i], my = by[i] / bw[i];
        const double vx = std::max(0.0, bxx[i] / bw[i] - mx * mx);
        const double vy = std::max(0.0, byy[i] / bw[i] - my * my);
        const double cxy = bxy[i] / bw[i] - mx * my;
        sum += ((2 * mx * my + C1) * (2 * cxy + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2));
        ++count;
    }
    return count ? sum / double(count) : 0.0;
}

} // namespace rb::fft
