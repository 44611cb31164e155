// The buffer-reusing entry points the streaming composite uses: Raster::reset(),
// Scorer::score_into() and composite_into() must give exactly what the allocating calls
// give, whatever the reused buffers held before (other shapes, types, masks, values).
#include <QtTest>
#include <cstring>
#include <random>

#include "rasterbench/composite.h"
#include "rasterbench/score.h"

using namespace rb;

namespace {

// Random UInt16 scene; `nodata_every` > 0 masks every n-th sample of band 0.
Raster scene(std::mt19937& rng, DataType t, int bands, int rows, int cols, int nodata_every) {
    Raster r(t, bands, rows, cols);
    std::uniform_int_distribution<int> v(0, 4000);
    for (int b = 0; b < bands; ++b)
        for (int y = 0; y < rows; ++y)
            for (int x = 0; x < cols; ++x)
                r.set_value(b, y, x, v(rng));
    if (nodata_every > 0)
        for (std::size_t i = 0; i < r.band_size(); i += std::size_t(nodata_every))
            r.mask(0)[i] = kInvalid;
    return r;
}

void compare(const Raster& a, const Raster& b, const char* what) {
    QVERIFY2(a.dtype() == b.dtype() && a.bands() == b.bands() && a.rows() == b.rows() &&
                 a.cols() == b.cols(),
             what);
    QVERIFY2(std::memcmp(a.bytes(), b.bytes(), a.byte_size()) == 0, what);
    QCOMPARE(a.has_mask(), b.has_mask());
    for (int i = 0; i < a.bands() && a.has_mask(); ++i) {
        const auto ma = a.mask(i), mb = b.mask(i);
        QVERIFY2(std::equal(ma.begin(), ma.end(), mb.begin()), what);
    }
}

void compare(const CompositeResult& a, const CompositeResult& b) {
    compare(a.composite, b.composite, "composite");
    compare(a.index, b.index, "index");
    compare(a.score, b.score, "score");
    compare(a.count, b.count, "count");
    QCOMPARE(a.best_rank.size(), b.best_rank.size());
    QCOMPARE(a.worst_rank.size(), b.worst_rank.size());
    for (std::size_t i = 0; i < a.best_rank.size(); ++i)
        compare(a.best_rank[i], b.best_rank[i], "best rank");
    for (std::size_t i = 0; i < a.worst_rank.size(); ++i)
        compare(a.worst_rank[i], b.worst_rank[i], "worst rank");
}

} // namespace

class CompositePerfApiTest : public QObject {
    Q_OBJECT
private slots:
    void resetReusesStorage() {
        Raster r(DataType::UInt16, 3, 4, 5);
        r.ensure_mask();
        const std::byte* before = r.bytes();
        r.reset(DataType::Int16, 2, 5, 6); // same byte size: same storage
        QCOMPARE(r.bytes(), before);
        QCOMPARE(r.dtype(), DataType::Int16);
        QCOMPARE(r.bands(), 2);
        QCOMPARE(r.rows(), 5);
        QCOMPARE(r.cols(), 6);
        QCOMPARE(r.byte_size(), std::size_t(2 * 5 * 6 * 2));
        QVERIFY(!r.has_mask());
        r.reset(DataType::Float64, 1, 10, 10);
        QCOMPARE(r.byte_size(), std::size_t(800));
        QVERIFY_THROWS_EXCEPTION(ArgumentError, r.reset(DataType::UInt8, -1, 2, 2));
    }

    void scoreIntoMatchesScore() {
        std::mt19937 rng(7);
        BandLayout layout;
        layout.count = 3;
        layout.dtype = DataType::UInt16;
        ScoreOptions dark = make_score_options("darkness");
        ScoreOptions penalised = dark;
        set_score_param(penalised, "invalid_distance", "2");
        for (const ScoreOptions& o : {dark, penalised}) {
            const Scorer scorer(o, layout);
            Raster out; // reused across shapes, masks and (stale) contents
            for (int nodata_every : {0, 3, 0, 1}) {
                Raster s = scene(rng, DataType::UInt16, 3, 9, 11, nodata_every);
                for (int b = 0; b < 3; ++b) // an all-zero pixel: its score is -0, not +0
                    s.set_value(b, 0, 1, 0);
                scorer.score_into(s, nullptr, out);
                compare(out, scorer.score(s), "score");
                if (&o != &dark)
                    continue;
                // Darkness from its definition, bit for bit (including -0 for zeros).
                for (int y = 0; y < s.rows(); ++y)
                    for (int x = 0; x < s.cols(); ++x) {
                        const std::size_t p = std::size_t(y * s.cols() + x);
                        float want = kInvalidScore;
                        if (s.valid(0, y, x)) {
                            double acc = 0.0;
                            for (int b = 0; b < 3; ++b)
                                acc += s.value(b, y, x);
                            want = float(-acc / 3.0);
                        }
                        const float got = out.band<float>(0)[p];
                        QVERIFY(std::memcmp(&got, &want, sizeof got) == 0);
                    }
            }
        }
        layout.dtype = DataType::Float32;
        const Scorer fscorer(dark, layout);
        Raster out;
        Raster f = scene(rng, DataType::Float32, 3, 6, 7, 0);
        f.band<float>(1)[5] = std::numeric_limits<float>::quiet_NaN();
        fscorer.score_into(f, nullptr, out);
        compare(out, fscorer.score(f), "float score");
    }

    void compositeIntoMatchesComposite() {
        std::mt19937 rng(11);
        std::vector<CompositeOptions> options(4);
        options[1].method = "best-k-mean";
        options[2].method = "percentile";
        options[3].best_ranks = {1, 2};
        options[3].worst_ranks = {1};
        options[3].min_score = -2000;
        for (const CompositeOptions& o : options) {
            CompositeResult reused;
            for (int round = 0; round < 3; ++round) {
                const int rows = 8 + round, cols = 13 - round;
                std::vector<Raster> scenes, scores;
                for (int i = 0; i < 4; ++i) {
                    scenes.push_back(scene(rng, DataType::UInt16, 2, rows, cols, 0));
                    Raster sc(DataType::Float32, 1, rows, cols);
                    std::uniform_real_distribution<float> u(-3000, 0);
                    auto d = sc.band<float>(0);
                    for (std::size_t p = 0; p < d.size(); ++p) {
                        d[p] = u(rng);
                        // Some pixels invalid in every scene: masked outputs must be zero.
                        if (p % 5 == 0 || (p % 3 == 0 && i % 2 == 0)) {
                            d[p] = kInvalidScore;
                            sc.mask(0)[p] = kInvalid;
                        }
                    }
                    scores.push_back(std::move(sc));
                }
                composite_into(scenes, scores, o, reused);
                compare(reused, composite(scenes, scores, o));
            }
        }
    }
};

QTEST_GUILESS_MAIN(CompositePerfApiTest)
#include "tst_composite_perf_api.moc"
