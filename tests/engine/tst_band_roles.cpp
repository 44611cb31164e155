// Band roles from band descriptions through sensor band tables, layouts by position only for
// unnamed bands, explicit roles (and their removal), and role checks against sampled data.
#include <QtTest>
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "rasterbench/composite.h"
#include "rasterbench/score.h"
#include "test_support.h"

using namespace rb;

namespace {

using rbtest::error_of;

BandLayout named(std::vector<std::string> desc, std::string product = {}) {
    BandLayout l;
    l.count = int(desc.size());
    l.dtype = DataType::UInt16;
    l.descriptions = std::move(desc);
    l.label = "synthetic";
    l.product = std::move(product);
    return l;
}

// The published band designations of each sensor, written out here independently of the
// engine's tables: description -> role (absent: a band with no role).
const std::map<std::string, BandRole>& landsat89() {
    static const std::map<std::string, BandRole> m = {
        {"B2", BandRole::Blue},   {"B3", BandRole::Green},    {"B4", BandRole::Red},
        {"B5", BandRole::Nir},    {"B6", BandRole::Swir1},    {"B7", BandRole::Swir2},
        {"B9", BandRole::Cirrus}, {"B10", BandRole::Thermal}, {"B11", BandRole::Thermal}};
    return m;
}
const std::map<std::string, BandRole>& landsat47() {
    static const std::map<std::string, BandRole> m = {
        {"B1", BandRole::Blue}, {"B2", BandRole::Green}, {"B3", BandRole::Red},
        {"B4", BandRole::Nir},  {"B5", BandRole::Swir1}, {"B6", BandRole::Thermal},
        {"B7", BandRole::Swir2}};
    return m;
}
const std::map<std::string, BandRole>& sentinel2() {
    static const std::map<std::string, BandRole> m = {
        {"B02", BandRole::Blue},  {"B03", BandRole::Green}, {"B04", BandRole::Red},
        {"B08", BandRole::Nir},   {"B8A", BandRole::Nir},   {"B10", BandRole::Cirrus},
        {"B11", BandRole::Swir1}, {"B12", BandRole::Swir2}};
    return m;
}

// Every role resolved under `options` sits on a band whose description names that role in
// `truth`: no layout puts a role on a band named as another sensor band.
void check_roles_match_names(const BandLayout& layout, const BandRoleOptions& options,
                             const std::map<std::string, BandRole>& truth) {
    const BandRoles roles = resolve_band_roles(layout, options);
    for (int i = 0; i < kBandRoleCount; ++i) {
        const auto r = BandRole(i);
        if (!roles.has(r) || r == BandRole::Qa)
            continue;
        const std::string& d = layout.descriptions[std::size_t(roles[r])];
        const auto it = truth.find(d);
        QVERIFY2(it != truth.end() && it->second == r,
                 (std::string("layout '") + options.layout + "' gives " +
                  std::string(role_name(r)) + " to band " + std::to_string(roles[r] + 1) + " '" +
                  d + "'")
                     .c_str());
    }
}

} // namespace

class BandRolesTest : public QObject {
    Q_OBJECT
private slots:
    void noLayoutGivesARoleToABandNamedAsAnotherBand() {
        // The real Landsat 8 stack (B8 left out), the real Sentinel-2 file, and a Landsat 7
        // file named by its product id; under auto and under each sensor's own layout.
        const SceneReader l8(SceneSource{
            {rbtest::data("landsat8/LC08_L1TP_013032_20180827_20180911_01_T1_stack.tif")}});
        const SceneReader s2(
            SceneSource{{rbtest::data("composite/s2/S2L1C_20150711T100008_bands.tif")}});
        const BandLayout le07 =
            named({"B1", "B2", "B3", "B4", "B5", "B6", "B7"}, "LE07_L1TP_035032_20080614.tif");
        const struct {
            BandLayout layout;
            const std::map<std::string, BandRole>* truth;
            std::string own;
        } cases[] = {{l8.layout(), &landsat89(), "landsat-oli"},
                     {s2.layout(), &sentinel2(), "sentinel2"},
                     {le07, &landsat47(), "landsat-tm"}};
        for (const auto& c : cases)
            for (const std::string layout : {"auto", c.own.c_str(), "red-nir-swir1", "none"}) {
                BandRoleOptions o;
                o.layout = layout;
                check_roles_match_names(c.layout, o, *c.truth);
                if (QTest::currentTestFailed())
                    return;
            }
        // The Landsat 8 stack scores with its real roles by default: cirrus is B9 (band 8)
        // and thermal B10 (band 9), not the 9th and 10th positions of the OLI product.
        const BandRoles r = resolve_band_roles(l8.layout());
        QCOMPARE(r[BandRole::Blue], 1);
        QCOMPARE(r[BandRole::Red], 3);
        QCOMPARE(r[BandRole::Swir2], 6);
        QCOMPARE(r[BandRole::Cirrus], 7);
        QCOMPARE(r[BandRole::Thermal], 8);
        QVERIFY(r.sensor().find("Landsat 8-9") != std::string::npos);
        QCOMPARE(r.source(BandRole::Cirrus), RoleSource::Description);
        QVERIFY(r.warnings().empty());
        // A layout of another sensor is what the user asked for, but said to disagree with
        // the product's name.
        BandRoleOptions s2o;
        s2o.layout = "sentinel2";
        const BandRoles odd = resolve_band_roles(l8.layout(), s2o);
        QCOMPARE(odd.warnings().size(), std::size_t(1));
        QVERIFY2(odd.warnings()[0].find("product name says Landsat 8-9") != std::string::npos,
                 odd.warnings()[0].c_str());
        const std::string text = r.explain(l8.layout());
        QVERIFY2(text.find("cirrus=8 (B9)") != std::string::npos &&
                     text.find("thermal=9 (B10)") != std::string::npos,
                 text.c_str());
    }

    void rolesFromLandsatSentinelAndCommonNames() {
        // Landsat 8 band names alone (no product name): B9..B11 say Landsat 8-9.
        const BandRoles l8 = resolve_band_roles(
            named({"B1", "B2", "B3", "B4", "B5", "B6", "B7", "B9", "B10", "B11"}));
        QCOMPARE(l8[BandRole::Cirrus], 7);
        QCOMPARE(l8[BandRole::Thermal], 8);
        QVERIFY(l8.warnings().empty());
        // Landsat 7 by its product name: B1 is blue, B6 thermal, B7 swir2.
        const BandLayout le07 = named({"B1", "B2", "B3", "B4", "B5", "B6_VCID_1", "B7"},
                                      "LE07_L1TP_035032_20080614_20160905_01_T1");
        const BandRoles l7 = resolve_band_roles(le07);
        QCOMPARE(l7[BandRole::Blue], 0);
        QCOMPARE(l7[BandRole::Nir], 3);
        QCOMPARE(l7[BandRole::Thermal], 5);
        QCOMPARE(l7[BandRole::Swir2], 6);
        QVERIFY(!l7.has(BandRole::Cirrus));
        // The same names without a product name fit both Landsat families: read as Landsat
        // 8-9, with a warning saying how to choose Landsat 4-7.
        BandLayout bare = le07;
        bare.product.clear();
        bare.label = "scene.tif";
        const BandRoles guessed = resolve_band_roles(bare);
        QCOMPARE(guessed[BandRole::Blue], 1);
        QCOMPARE(guessed.warnings().size(), std::size_t(1));
        QVERIFY(guessed.warnings()[0].find("landsat-tm") != std::string::npos);
        BandRoleOptions tm;
        tm.layout = "landsat-tm";
        QVERIFY(resolve_band_roles(bare, tm) == l7);
        // Collection 2 surface reflectance names.
        const BandRoles c2 = resolve_band_roles(
            named({"SR_B2", "SR_B3", "SR_B4", "SR_B5", "SR_B6", "SR_B7", "ST_B10"}, "LC09_x"));
        QCOMPARE(c2[BandRole::Blue], 0);
        QCOMPARE(c2[BandRole::Swir2], 5);
        QCOMPARE(c2[BandRole::Thermal], 6);
        // A Sentinel-2 20 m product: B8A is the nir band when B08 is missing.
        const BandRoles s20 = resolve_band_roles(
            named({"B02", "B03", "B04", "B05", "B06", "B07", "B8A", "B11", "B12"}));
        QCOMPARE(s20[BandRole::Nir], 6);
        QCOMPARE(s20[BandRole::Swir1], 7);
        QVERIFY(s20.sensor().find("Sentinel-2") != std::string::npos);
        // STAC common names.
        const BandRoles stac = resolve_band_roles(named(
            {"coastal", "blue", "green", "red", "nir08", "swir16", "swir22", "cirrus", "lwir11"}));
        QCOMPARE(stac[BandRole::Blue], 1);
        QCOMPARE(stac[BandRole::Nir], 4);
        QCOMPARE(stac[BandRole::Swir1], 5);
        QCOMPARE(stac[BandRole::Swir2], 6);
        QCOMPARE(stac[BandRole::Cirrus], 7);
        QCOMPARE(stac[BandRole::Thermal], 8);
    }

    void explicitRolesWinAndNoneRemovesARole() {
        const SceneReader l8(SceneSource{
            {rbtest::data("landsat8/LC08_L1TP_013032_20181201_20181211_01_T1_stack.tif")}});
        BandRoleOptions o;
        o.layout = "landsat-oli";
        o.roles = "cirrus=none,thermal=none,red=3";
        const BandRoles r = resolve_band_roles(l8.layout(), o);
        QVERIFY(!r.has(BandRole::Cirrus));
        QVERIFY(!r.has(BandRole::Thermal));
        QCOMPARE(r[BandRole::Red], 2);
        QCOMPARE(r.source(BandRole::Red), RoleSource::Parameter);
        QCOMPARE(r[BandRole::Nir], 4); // the rest from the descriptions
        // Through the score parameters and the scorer.
        ScoreOptions s = make_score_options("cloud");
        set_score_param(s, "roles", "cirrus=none");
        const Scorer scorer(s, l8.layout());
        QVERIFY(!scorer.roles().has(BandRole::Cirrus));
        QVERIFY(scorer.roles().has(BandRole::Thermal));
        set_score_param(s, "roles", "cirrus=nothing");
        QVERIFY(error_of([&] { Scorer(s, l8.layout()); }).find("or none") != std::string::npos);
    }

    void positionsOnlyForUnnamedBandsAndCheckedAgainstTheData() {
        // Descriptions removed: the Landsat 8 stack has 10 bands, the OLI layout 11. Taking
        // positions would read B10 as cirrus: the layout refuses.
        const SceneReader l8(SceneSource{
            {rbtest::data("landsat8/LC08_L1TP_013032_20181201_20181211_01_T1_stack.tif")}});
        BandLayout unnamed = l8.sampled_layout();
        unnamed.descriptions.assign(std::size_t(unnamed.count), "");
        unnamed.product.clear();
        BandRoleOptions oli;
        oli.layout = "landsat-oli";
        const std::string e = error_of([&] { resolve_band_roles(unnamed, oli); });
        QVERIFY2(e.find("needs 11 bands") != std::string::npos &&
                     e.find("has 10") != std::string::npos,
                 e.c_str());
        QVERIFY(!resolve_band_roles(unnamed).has(BandRole::Red)); // auto: nothing named
        // An 11-band file whose 9th band holds the thermal numbers (the real B10 repeated
        // where B9 should be): the position is dropped with a warning, not used.
        const std::vector<BandRange>& r10 = unnamed.ranges; // B1..B7, B9, B10, B11
        QCOMPARE(r10.size(), std::size_t(10));
        auto eleven_bands = [&](const BandRange& ninth) {
            BandLayout l = unnamed;
            l.count = 11;
            l.descriptions.assign(11, "");
            l.ranges.assign(r10.begin(), r10.begin() + 7);
            l.ranges.push_back(r10[3]); // a pan band, visible-like
            l.ranges.push_back(ninth);
            l.ranges.push_back(r10[8]);
            l.ranges.push_back(r10[9]);
            return l;
        };
        const BandRoles r = resolve_band_roles(eleven_bands(r10[8]), oli);
        QCOMPARE(r[BandRole::Red], 3);
        QVERIFY(!r.has(BandRole::Cirrus));
        QCOMPARE(r.warnings().size(), std::size_t(1));
        QVERIFY(r.warnings()[0].find("not a cirrus band") != std::string::npos);
        // With the real B9 numbers in the 9th place the cirrus role stays.
        const BandLayout real9 = eleven_bands(r10[7]);
        QCOMPARE(resolve_band_roles(real9, oli)[BandRole::Cirrus], 8);
    }

    void cloudScoreDropsBandsThatAreNotWhatItReads() {
        // Level-1 digital numbers under the default scale (1e-4): B9's numbers (about 5000)
        // would read as reflectance 0.5, cloud everywhere. The scorer drops the role and
        // says why; the thermal band in digital numbers is reported as not in degrees.
        const SceneReader l8(SceneSource{
            {rbtest::data("landsat8/LC08_L1TP_013032_20181201_20181211_01_T1_stack.tif")}});
        const BandLayout layout = l8.sampled_layout();
        const Scorer dn(make_score_options("cloud"), layout);
        QVERIFY(!dn.roles().has(BandRole::Cirrus));
        // Cirrus dropped, thermal not in degrees, and the visible bands named as Level-1
        // digital numbers rather than reflectances.
        QCOMPARE(dn.roles().warnings().size(), std::size_t(3));
        QVERIFY(std::any_of(dn.roles().warnings().begin(), dn.roles().warnings().end(),
                            [](const std::string& w) {
                                return w.find("Level-1 digital numbers") != std::string::npos;
                            }));
        // Explicitly asked for, it stays (with the warning).
        ScoreOptions o = make_score_options("cloud");
        set_score_param(o, "roles", "cirrus=8");
        QCOMPARE(Scorer(o, layout).roles()[BandRole::Cirrus], 7);
        // In reflectance it is a cirrus band.
        set_score_param(o, "roles", "");
        set_score_param(o, "reflectance_scale", "2e-5");
        set_score_param(o, "reflectance_offset", "-0.1");
        const Scorer refl(o, layout);
        QCOMPARE(refl.roles()[BandRole::Cirrus], 7);
        QCOMPARE(refl.roles().warnings().size(), std::size_t(1)); // thermal only
    }
};

QTEST_GUILESS_MAIN(BandRolesTest)
#include "tst_band_roles.moc"
