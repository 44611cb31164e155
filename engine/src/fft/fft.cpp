#include "rasterbench/fft.h"

#include <fftw3.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <numbers>
#include <sstream>
#include <thread>
#include <tuple>

#include "rasterbench/error.h"

namespace rb::fft {

static_assert(sizeof(cfloat) == sizeof(fftwf_complex), "std::complex<float> is FFTW's layout");

void FftwFree::operator()(void* p) const noexcept {
    fftwf_free(p);
}

namespace {

std::mutex& planner_mutex() {
    static std::mutex m;
    return m;
}

int& thread_setting() {
    static int n = int(std::max(1u, std::thread::hardware_concurrency()));
    return n;
}

// Called with the planner mutex held.
void init_fftw_locked() {
    static bool done = false;
    if (done)
        return;
    done = true;
    fftwf_init_threads();
    const std::string path = wisdom_path();
    if (!path.empty())
        fftwf_import_wisdom_from_filename(path.c_str()); // absent or stale: ignored
}

// Called with the planner mutex held. Written to a sibling and renamed, so two processes
// saving at once never leave a torn file; every failure is ignored (wisdom is a cache).
void save_wisdom_locked() {
    const std::string path = wisdom_path();
    if (path.empty())
        return;
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    std::ostringstream tmp;
    tmp << path << ".tmp" << std::hash<std::thread::id>{}(std::this_thread::get_id());
    if (fftwf_export_wisdom_to_filename(tmp.str().c_str()))
        std::filesystem::rename(tmp.str(), path, ec);
    if (ec)
        std::filesystem::remove(tmp.str(), ec);
}

using PlanKey = std::tuple<int, int, int>; // rows, cols, threads

std::map<PlanKey, std::shared_ptr<const Transform2D::Plans>>& plan_cache() {
    static std::map<PlanKey, std::shared_ptr<const Transform2D::Plans>> cache;
    return cache;
}

// Measuring small transforms is not worth its planning time; big ones gain 20-40 %.
constexpr std::size_t kMeasureThreshold = 256 * 256;
constexpr std::size_t kThreadThreshold = 128 * 128;
constexpr double kPlanTimeLimitS = 3.0;
constexpr std::size_t kMaxCachedPlans = 16;

} // namespace

struct Transform2D::Plans {
    fftwf_plan fwd = nullptr, inv = nullptr;
    Plans() = default;
    Plans(const Plans&) = delete;
    Plans& operator=(const Plans&) = delete;
    ~Plans() {
        std::lock_guard lock(planner_mutex()); // fftwf_destroy_plan is not thread-safe
        if (fwd)
            fftwf_destroy_plan(fwd);
        if (inv)
            fftwf_destroy_plan(inv);
    }
};

RealBuffer alloc_real(std::size_t n) {
    RealBuffer b(fftwf_alloc_real(std::max<std::size_t>(n, 1)));
    if (!b)
        throw ArgumentError("cannot allocate " + std::to_string(n) + " floats for an FFT");
    return b;
}

ComplexBuffer alloc_complex(std::size_t n) {
    ComplexBuffer b(reinterpret_cast<cfloat*>(fftwf_alloc_complex(std::max<std::size_t>(n, 1))));
    if (!b)
        throw ArgumentError("cannot allocate " + std::to_string(n) + " complex values for an FFT");
    return b;
}

std::string wisdom_path() {
    std::filesystem::path base;
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
        base = xdg;
    else if (const char* home = std::getenv("HOME"); home && *home)
        base = std::filesystem::path(home) / ".cache";
    else
        return {};
    return (base / "rasterbench" / "fftw-wisdom").string();
}

void set_threads(int n) {
    std::lock_guard lock(planner_mutex());
    thread_setting() = std::max(1, n);
}

void clear_plan_cache() {
    // Swapped out under the lock, destroyed after it (each plan's destructor locks).
    std::map<PlanKey, std::shared_ptr<const Transform2D::Plans>> old;
    {
        std::lock_guard lock(planner_mutex());
        old.swap(plan_cache());
    }
}

Transform2D::Transform2D(int rows, int cols) : rows_(rows), cols_(cols) {
    if (rows < 1 || cols < 1) {
        std::ostringstream os;
        os << "FFT of an empty " << rows << "x" << cols << " image";
        throw ArgumentError(os.str());
    }
    const std::size_t n = std::size_t(rows) * cols;
    std::unique_lock lock(planner_mutex());
    init_fftw_locked();
    const int threads = n >= kThreadThreshold ? thread_setting() : 1;
    auto& cache = plan_cache();
    const PlanKey key{rows, cols, threads};
    if (auto it = cache.find(key); it != cache.end()) {
        plans_ = it->second;
        return;
    }
    // Scratch arrays: FFTW_MEASURE overwrites the arrays it plans with.
    RealBuffer r = alloc_real(n);
    ComplexBuffer c = alloc_complex(std::size_t(rows) * half_cols(cols));
    const unsigned flags = n >= kMeasureThreshold ? FFTW_MEASURE : FFTW_ESTIMATE;
    fftwf_plan_with_nthreads(threads);
    fftwf_set_timelimit(kPlanTimeLimitS);
    auto plans = std::make_shared<Plans>();
    auto* cc = reinterpret_cast<fftwf_complex*>(c.get());
    plans->fwd = fftwf_plan_dft_r2c_2d(rows, cols, r.get(), cc, flags);
    plans->inv = fftwf_plan_dft_c2r_2d(rows, cols, cc, r.get(), flags);
    if (!plans->fwd || !plans->inv) {
        lock.unlock(); // Plans' destructor takes the lock
        std::ostringstream os;
        os << "FFTW could not plan a " << rows << "x" << cols << " transform";
        throw UnsupportedError(os.str());
    }
    if (flags == FFTW_MEASURE)
        save_wisdom_locked();
    std::shared_ptr<const Plans> evicted;
    if (cache.size() >= kMaxCachedPlans) {
        evicted = std::move(cache.begin()->second);
        cache.erase(cache.begin());
    }
    cache[key] = plans;
    plans_ = std::move(plans);
    lock.unlock(); // an evicted plan is destroyed (under the lock) after this
}

bool Transform2D::aligned(const void* p) {
    // Plans are made on fftwf_malloc'd arrays, whose alignment FFTW reports as 0.
    return fftwf_alignment_of(static_cast<float*>(const_cast<void*>(p))) == 0;
}

void Transform2D::forward(const float* in, cfloat* out) const {
    // r2c out-of-place keeps its input (FFTW's default for that kind), so the cast is safe.
    fftwf_execute_dft_r2c(plans_->fwd, const_cast<float*>(in),
                          reinterpret_cast<fftwf_complex*>(out));
}

void Transform2D::inverse(cfloat* in, float* out) const {
    fftwf_execute_dft_c2r(plans_->inv, reinterpret_cast<fftwf_complex*>(in), out);
}

FrequencyInfo frequency_info(double u, double v) {
    FrequencyInfo f;
    f.u = u;
    f.v = v;
    f.frequency = std::hypot(u, v);
    f.period = f.frequency > 0 ? 1.0 / f.frequency : std::numeric_limits<double>::infinity();
    auto wrap = [](double a) {
        a = std::fmod(a, 180.0);
        if (a < 0)
            a += 180.0;
        return a >= 180.0 ? 0.0 : a;
    };
    // Screen angles: y (rows) points down, so a counter-clockwise angle uses -v.
    f.direction_deg = wrap(std::atan2(-v, u) * 180.0 / std::numbers::pi);
    // Bands at angle a have wave vector (sin a, cos a) in (u, v): a = atan2(u, v).
    f.stripe_deg = wrap(std::atan2(u, v) * 180.0 / std::numbers::pi);
    return f;
}

void centred_to_frequency(double col, double row, int rows, int cols, double& u, double& v) {
    u = (col - cols / 2) / double(cols);
    v = (row - rows / 2) / double(rows);
}

void frequency_to_centred(double u, double v, int rows, int cols, double& col, double& row) {
    col = u * cols + cols / 2;
    row = v * rows + rows / 2;
}

bool fill_invalid(float* data, const std::uint8_t* mask, int rows, int cols) {
    struct Level {
        int rows, cols;
        std::vector<float> v, w;
    };
    const std::size_t n = std::size_t(rows) * cols;
    if (std::all_of(mask, mask + n, [](std::uint8_t m) { return m != 0; }))
        return true;
    // Level 0 uses `data` directly; its weights are the mask.
    std::vector<Level> levels;
    auto w0 = [&](std::size_t i) { return mask[i] ? 1.0f : 0.0f; };
    int pr = rows, pc = cols;
    while (pr > 1 || pc > 1) {
        const int cr = (pr + 1) / 2, cc = (pc + 1) / 2;
        Level L{cr, cc, std::vector<float>(std::size_t(cr) * cc),
                std::vector<float>(std::size_t(cr) * cc)};
        const Level* prev = levels.empty() ? nullptr : &levels.back();
        tbb::parallel_for(tbb::blocked_range<int>(0, cr, 16),
                          [&](const tbb::blocked_range<int>& rr) {
                              for (int i = rr.begin(); i < rr.end(); ++i)
                                  for (int j = 0; j < cc; ++j) {
                                      double sw = 0, sv = 0;
                                      for (int di = 0; di < 2; ++di)
                                          for (int dj = 0; dj < 2; ++dj) {
                                              const int fi = 2 * i + di, fj = 2 * j + dj;
                                              if (fi >= pr || fj >= pc)
                                                  continue;
                                              const std::size_t k = std::size_t(fi) * pc + fj;
                                              const float w = prev ? prev->w[k] : w0(k);
                                              if (w > 0) {
                                                  sw += w;
                                                  sv += double(w) * (prev ? prev->v[k] : data[k]);
                                              }
                                          }
                                      const std::size_t k = std::size_t(i) * cc + j;
                                      L.w[k] = float(std::min(1.0, sw));
                                      L.v[k] = sw > 0 ? float(sv / sw) : 0.0f;
                                  }
                          });
        levels.push_back(std::move(L));
        pr = cr;
        pc = cc;
    }
    if (levels.empty() || levels.back().w[0] <= 0) {
        std::fill(data, data + n, 0.0f);
        return false;
    }
    // Push: each level's partly valid pixels blend in the bilinear upsample of the coarser.
    auto upsample = [](const Level& c, int i, int j) {
        const double y = std::clamp((i + 0.5) / 2.0 - 0.5, 0.0, double(c.rows - 1));
        const double x = std::clamp((j + 0.5) / 2.0 - 0.5, 0.0, double(c.cols - 1));
        const int y0 = int(y), x0 = int(x);
        const int y1 = std::min(y0 + 1, c.rows - 1), x1 = std::min(x0 + 1, c.cols - 1);
        const double fy = y - y0, fx = x - x0;
        auto at = [&](int r, int q) { return double(c.v[std::size_t(r) * c.cols + q]); };
        return (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x1)) +
               fy * ((1 - fx) * at(y1, x0) + fx * at(y1, x1));
    };
    for (int k = int(levels.size()) - 2; k >= 0; --k) {
        Level& f = levels[std::size_t(k)];
        const Level& c = levels[std::size_t(k) + 1];
        tbb::parallel_for(tbb::blocked_range<int>(0, f.rows, 16),
                          [&](const tbb::blocked_range<int>& rr) {
                              for (int i = rr.begin(); i < rr.end(); ++i)
                                  for (int j = 0; j < f.cols; ++j) {
                                      const std::size_t q = std::size_t(i) * f.cols + j;
                                      const float w = f.w[q];
                                      if (w < 1)
                                          f.v[q] = float(w * f.v[q] + (1 - w) * upsample(c, i, j));
                                  }
                          });
    }
    const Level& c = levels.front();
    tbb::parallel_for(tbb::blocked_range<int>(0, rows, 16), [&](const tbb::blocked_range<int>& rr) {
        for (int i = rr.begin(); i < rr.end(); ++i)
            for (int j = 0; j < cols; ++j) {
                const std::size_t q = std::size_t(i) * cols + j;
                if (!mask[q])
                    data[q] = float(upsample(c, i, j));
            }
    });
    return true;
}

RealBuffer band_as_float(const Raster& r, int b, bool fill) {
    if (b < 0 || b >= r.bands())
        throw ArgumentError("band index " + std::to_string(b) + " is outside 0.." +
                            std::to_string(r.bands() - 1));
    const int rows = r.rows(), cols = r.cols();
    const std::size_t n = r.band_size();
    RealBuffer out = alloc_real(n);
    bool nonfinite = false;
    visit_dtype(r.dtype(), [&](auto x) {
        using T = decltype(x);
        const auto src = r.band<T>(b);
        tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 1 << 16),
                          [&](const tbb::blocked_range<std::size_t>& rr) {
                              bool bad = false;
                              for (std::size_t i = rr.begin(); i < rr.end(); ++i) {
                                  out[i] = float(src[i]);
                                  if constexpr (std::is_floating_point_v<T>)
                                      bad |= !std::isfinite(out[i]);
                              }
                              if (bad)
                                  nonfinite = true; // benign race: only ever set to true
                          });
    });
    if (!fill)
        return out;
    const auto m = r.mask(b);
    if (m.empty() && !nonfinite)
        return out;
    std::vector<std::uint8_t> mask(m.begin(), m.end());
    if (mask.empty())
        mask.assign(n, kValid);
    if (nonfinite)
        for (std::size_t i = 0; i < n; ++i)
            if (!std::isfinite(out[i]))
                mask[i] = kInvalid;
    fill_invalid(out.get(), mask.data(), rows, cols);
    return out;
}

const ParamTable<SpectrumOptions>& SpectrumOptions::params() {
    static const ParamTable<SpectrumOptions> t = [] {
        using O = SpectrumOptions;
        ParamTable<O> t;
        t.add_enum(&O::apodization, "apodization", {"none", "hann", "tukey"},
                   "window applied before the transform so the image borders do not draw a "
                   "cross through the spectrum");
        t.add(&O::tukey_alpha, "tukey_alpha", "fraction of each side tapered by the Tukey window",
              0.0, 1.0);
        t.add(&O::subtract_mean, "subtract_mean",
              "remove the mean first so DC does not dominate the scale");
        return t;
    }();
    return t;
}

namespace {
std::vector<float> window_1d(int n, Apodization a, double alpha) {
    std::vector<float> w(std::size_t(n), 1.0f);
    if (n < 2 || a == Apodization::None)
        return w;
    const double pi = std::numbers::pi;
    for (int i = 0; i < n; ++i) {
        const double x = (i + 0.5) / n; // symmetric, never exactly zero at the ends
        if (a == Apodization::Hann) {
            w[std::size_t(i)] = float(0.5 - 0.5 * std::cos(2 * pi * x));
        } else {
            const double edge = alpha / 2;
            const double d = std::min(x, 1 - x);
            if (edge > 0 && d < edge)
                w[std::size_t(i)] = float(0.5 - 0.5 * std::cos(pi * d / edge));
        }
    }
    return w;
}
} // namespace

void apodize(float* data, int rows, int cols, Apodization a, double tukey_alpha) {
    if (a == Apodization::None)
        return;
    const auto wr = window_1d(rows, a, tukey_alpha), wc = window_1d(cols, a, tukey_alpha);
    tbb::parallel_for(tbb::blocked_range<int>(0, rows, 16), [&](const tbb::blocked_range<int>& rr) {
        for (int i = rr.begin(); i < rr.end(); ++i) {
            float* row = data + std::size_t(i) * cols;
            for (int j = 0; j < cols; ++j)
                row[j] *= wr[std::size_t(i)] * wc[std::size_t(j)];
        }
    });
}

float Spectrum::at_frequency(double u, double v) const {
    double c = 0, r = 0;
    frequency_to_centred(u, v, rows, cols, c, r);
    const int ic = std::clamp(int(std::lround(c)), 0, cols - 1);
    const int ir = std::clamp(int(std::lround(r)), 0, rows - 1);
    return at(ir, ic);
}

Spectrum centred_log_magnitude(const cfloat* half, int rows, int cols) {
    Spectrum s;
    s.rows = rows;
    s.cols = cols;
    s.log_magnitude.resize(std::size_t(rows) * cols);
    const int hc = half_cols(cols);
    float* out = s.log_magnitude.data();
    // One logarithm per stored bin: the bin (i, j) and its conjugate twin (-i, -j) have the
    // same magnitude, so each stored bin is written at both centred positions.
    tbb::parallel_for(tbb::blocked_range<int>(0, rows, 16), [&](const tbb::blocked_range<int>& rr) {
        for (int i = rr.begin(); i < rr.end(); ++i) {
            const cfloat* row = half + std::size_t(i) * hc;
            const int r = (i + rows / 2) % rows;                  // centred row of frequency i
            const int rm = ((rows - i) % rows + rows / 2) % rows; // ... of frequency -i
            for (int j = 0; j < hc; ++j) {
                const double re = row[j].real(), im = row[j].imag(); // no float overflow
                const float l = std::log1p(float(std::sqrt(re * re + im * im)));
                out[std::size_t(r) * cols + std::size_t((j + cols / 2) % cols)] = l;
                const int jm = (cols - j) % cols; // frequency -j, when not stored itself
                if (jm >= hc)
                    out[std::size_t(rm) * cols + std::size_t((jm + cols / 2) % cols)] = l;
            }
        }
    });
    return s;
}

Spectrum spectrum_of_filled(float* data, int rows, int cols, const SpectrumOptions& options) {
    const std::size_t n = std::size_t(rows) * cols;
    if (options.subtract_mean) {
        // Fixed chunks summed in order: the same mean on every run and thread count.
        constexpr std::size_t kChunk = 1 << 16;
        std::vector<double> part((n + kChunk - 1) / kChunk, 0.0);
        tbb::parallel_for(std::size_t(0), part.size(), [&](std::size_t c) {
            double acc = 0;
            for (std::size_t i = c * kChunk, e = std::min(n, i + kChunk); i < e; ++i)
                acc += data[i];
            part[c] = acc;
        });
        double sum = 0;
        for (double x : part)
            sum += x;
        const float mean = float(sum / double(n));
        tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 1 << 16),
                          [&](const tbb::blocked_range<std::size_t>& rr) {
                              for (std::size_t i = rr.begin(); i < rr.end(); ++i)
                                  data[i] -= mean;
                          });
    }
    apodize(data, rows, cols, options.apodization, options.tukey_alpha);
    const Transform2D t(rows, cols);
    ComplexBuffer half = alloc_complex(t.half_size());
    t.forward(data, half.get());
    return centred_log_magnitude(half.get(), rows, cols);
}

Spectrum compute_spectrum(const Raster& r, int b, const SpectrumOptions& options) {
    if (r.empty())
        throw ArgumentError("spectrum of an empty raster");
    RealBuffer data = band_as_float(r, b, true);
    return spectrum_of_filled(data.get(), r.rows(), r.cols(), options);
}

} // namespace rb::fft
