// The best-pixel composite's inner loop (engine/src/score/running_best.cpp): its scalar,
// SSE2 and AVX2 kernels each give, column by column, what the rule says: the first row in
// order with the strictly highest candidate score wins, the last with the lowest ranks last,
// a candidate being a score >= min_score (not NaN) that none of its row's masks marks invalid.
#include <QtTest>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "running_best.h"
#include "stream_store.h"

using namespace rb;

namespace {

struct Expected {
    std::int32_t best = -1, worst = -1, count = 0;
    float best_score = 0, worst_score = 0;
};

} // namespace

class RunningBestTest : public QObject {
    Q_OBJECT
private slots:
    void everyKernelFollowsTheRule_data() {
        QTest::addColumn<int>("lanes");
        QTest::newRow("scalar") << 1;
        QTest::newRow("sse2") << 4;
        QTest::newRow("widest") << 8;
    }

    void everyKernelFollowsTheRule() {
        QFETCH(int, lanes);
        std::mt19937 rng(11);
        // Widths that leave every remainder for the scalar tail, and stacks with no scene, one
        // scene and many; coarse scores make ties common.
        for (const std::size_t cols :
             {std::size_t(1), std::size_t(7), std::size_t(8), std::size_t(13), std::size_t(67)})
            for (const std::size_t n :
                 {std::size_t(0), std::size_t(1), std::size_t(5), std::size_t(12)})
                for (const bool with_masks : {false, true}) {
                    std::uniform_int_distribution<int> coarse(-2, 3), pick(0, 9);
                    std::vector<std::vector<float>> rows(n, std::vector<float>(cols));
                    std::vector<std::vector<std::uint8_t>> mask_rows;
                    std::vector<std::size_t> mask_begin{0};
                    std::vector<std::int32_t> scene(n);
                    for (std::size_t k = 0; k < n; ++k) {
                        scene[k] = std::int32_t((k * 7 + 3) % 17); // not the row number
                        for (float& v : rows[k]) {
                            const int r = pick(rng);
                            v = r == 0   ? std::numeric_limits<float>::quiet_NaN()
                                : r == 1 ? -std::numeric_limits<float>::infinity()
                                         : float(coarse(rng));
                        }
                        // Rows with no mask, one or two masks.
                        const std::size_t masks = with_masks ? k % 3 : 0;
                        for (std::size_t m = 0; m < masks; ++m) {
                            std::vector<std::uint8_t> mk(cols);
                            for (auto& b : mk)
                                b = pick(rng) < 2 ? 0 : std::uint8_t(1 + pick(rng));
                            mask_rows.push_back(mk);
                        }
                        mask_begin.push_back(mask_rows.size());
                    }
                    std::vector<const float*> row_ptr;
                    for (const auto& r : rows)
                        row_ptr.push_back(r.data());
                    std::vector<const std::uint8_t*> mask_ptr;
                    for (const auto& m : mask_rows)
                        mask_ptr.push_back(m.data());
                    const float min_score = -1.5f;
                    const detail::RunningBestRow in{
                        row_ptr.data(), scene.data(), mask_ptr.data(), mask_begin.data(), n,
                        min_score};
                    for (const bool worst : {false, true}) {
                        std::vector<float> bs(cols, 99), ws(cols, 99);
                        std::vector<std::int32_t> bi(cols, 99), cnt(cols, 99), wi(cols, 99);
                        const detail::RunningBestColumns out{bs.data(), bi.data(), cnt.data(),
                                                             worst ? ws.data() : nullptr,
                                                             worst ? wi.data() : nullptr};
                        detail::running_best(in, cols, out, lanes);
                        for (std::size_t c = 0; c < cols; ++c) {
                            Expected e;
                            for (std::size_t k = 0; k < n; ++k) {
                                const float v = rows[k][c];
                                bool ok = !std::isnan(v) && v >= min_score;
                                for (std::size_t m = mask_begin[k]; m < mask_begin[k + 1]; ++m)
                                    ok = ok && mask_rows[m][c] != 0;
                                if (!ok)
                                    continue;
                                ++e.count;
                                if (e.best < 0 || v > e.best_score)
                                    e.best = scene[k], e.best_score = v;
                                if (e.worst < 0 || v <= e.worst_score)
                                    e.worst = scene[k], e.worst_score = v;
                            }
                            const QString where = QString("%1 cols, %2 rows, masks %3, column %4")
                                                      .arg(cols)
                                                      .arg(n)
                                                      .arg(with_masks)
                                                      .arg(c);
                            QVERIFY2(cnt[c] == e.count, qPrintable(where));
                            QVERIFY2(bi[c] == e.best, qPrintable(where));
                            if (e.best >= 0)
                                QVERIFY2(bs[c] == e.best_score, qPrintable(where));
                            if (worst) {
                                QVERIFY2(wi[c] == e.worst, qPrintable(where));
                                if (e.worst >= 0)
                                    QVERIFY2(ws[c] == e.worst_score, qPrintable(where));
                            }
                        }
                    }
                }
    }

    void scenesAddedOneByOneGiveTheRunningBest() {
        // add_to_running_best (the scorer's strips add each scene's scores while they are
        // in the cache) must leave what running_best gives over all the rows at once, for
        // lengths that leave every remainder of the vector loop, NaN, -inf and ties.
        std::mt19937 rng(23);
        std::uniform_int_distribution<int> coarse(-2, 3), pick(0, 9);
        std::size_t with_winner = 0, without_winner = 0;
        for (const std::size_t len :
             {std::size_t(1), std::size_t(9), std::size_t(16), std::size_t(37), std::size_t(1000)})
            for (const std::size_t n : {std::size_t(1), std::size_t(2), std::size_t(12)}) {
                std::vector<std::vector<float>> rows(n, std::vector<float>(len));
                std::vector<std::int32_t> scene(n);
                for (std::size_t k = 0; k < n; ++k) {
                    scene[k] = std::int32_t((k * 5 + 2) % 13);
                    for (float& v : rows[k]) {
                        const int r = pick(rng);
                        v = r == 0   ? std::numeric_limits<float>::quiet_NaN()
                            : r == 1 ? -std::numeric_limits<float>::infinity()
                                     : float(coarse(rng));
                    }
                }
                for (const float min_score : {std::numeric_limits<float>::lowest(), -1.5f}) {
                    std::vector<const float*> row_ptr;
                    for (const auto& r : rows)
                        row_ptr.push_back(r.data());
                    std::vector<std::size_t> mask_begin(n + 1, 0);
                    const detail::RunningBestRow in{
                        row_ptr.data(), scene.data(), nullptr, mask_begin.data(), n, min_score};
                    std::vector<float> bs(len);
                    std::vector<std::int32_t> bi(len), cnt(len);
                    detail::running_best(in, len, {bs.data(), bi.data(), cnt.data()});

                    std::vector<float> added(len, 77);
                    std::vector<std::int32_t> added_scene(len, 77), added_count(len, 77);
                    const detail::RunningBestPixels out{added.data(), added_scene.data(),
                                                        added_count.data()};
                    for (std::size_t k = 0; k < n; ++k)
                        detail::add_to_running_best(rows[k].data(), scene[k], min_score, k == 0,
                                                    len, out);
                    std::size_t winners = 0;
                    for (std::size_t c = 0; c < len; ++c) {
                        const QString where = QString("%1 px, %2 scenes, floor %3, pixel %4")
                                                  .arg(len)
                                                  .arg(n)
                                                  .arg(double(min_score))
                                                  .arg(c);
                        QVERIFY2(added_count[c] == cnt[c], qPrintable(where));
                        QVERIFY2(added_scene[c] == bi[c], qPrintable(where));
                        if (bi[c] >= 0) {
                            QVERIFY2(added[c] == bs[c], qPrintable(where));
                            ++winners;
                        }
                    }
                    with_winner += winners;
                    without_winner += len - winners;

                    // Stored past the cache (stream_store, as the composite's rows are) at
                    // every alignment of the destination: the same bytes, none beside them.
                    const std::size_t bytes = len * sizeof(float);
                    for (std::size_t offset = 0; offset < 16; ++offset) {
                        std::vector<unsigned char> to(bytes + 32, 0xa5);
                        detail::stream_store(to.data() + offset, added.data(), bytes);
                        QVERIFY(std::memcmp(to.data() + offset, added.data(), bytes) == 0);
                        for (std::size_t b = 0; b < offset; ++b)
                            QCOMPARE(int(to[b]), 0xa5);
                        for (std::size_t b = offset + bytes; b < to.size(); ++b)
                            QCOMPARE(int(to[b]), 0xa5);
                    }
                }
            }
        QVERIFY(with_winner > 1000 && without_winner > 100); // both kinds of pixel were met
    }
};

QTEST_APPLESS_MAIN(RunningBestTest)
#include "tst_running_best.moc"
