// Every parameter table, every front end: for each row of each table, a set of candidate
// values (defaults, limits, values just outside them, wrong types) goes through the engine
// table, the recipe reader, the command line's flag parser and the UI form, and all of them
// must accept and reject exactly the same values.
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSignalSpy>
#include <QSpinBox>
#include <QtTest>

#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>

#include "ParamForm.h"
#include "cli_flags.h"
#include "rasterbench/composite.h"
#include "rasterbench/deband.h"
#include "rasterbench/features.h"
#include "rasterbench/fft.h"
#include "rasterbench/fill.h"
#include "rasterbench/recipe.h"
#include "rasterbench/score.h"
#include "rasterbench/stack_grid.h"
#include "rasterbench/warp.h"

using namespace rb;
using ojson = nlohmann::ordered_json;

namespace {

/// Values to try on a row: some valid, some not (the engine decides which).
std::vector<std::string> candidates(const ParamInfo& i) {
    std::vector<std::string> out = {i.default_value};
    switch (i.type) {
    case ParamType::Bool:
        return {"true", "false", "maybe", "2"};
    case ParamType::Choice:
        out.insert(out.end(), i.choices.begin(), i.choices.end());
        out.push_back("no-such-choice");
        return out;
    case ParamType::String:
        // An empty text is "not given", which some steps require (a reproject's dst_crs):
        // a rule about the step, not about the value.
        return i.default_value.empty() ? std::vector<std::string>{} : out;
    case ParamType::Int:
    case ParamType::Double: {
        const bool isInt = i.type == ParamType::Int;
        const double span = i.max - i.min;
        const double step = isInt ? 1 : std::isfinite(span) ? std::max(1e-3, span * 1e-3) : 1.0;
        for (double v : {i.min, i.max})
            if (std::isfinite(v) && std::abs(v) < 1e9) {
                out.push_back(format_param_value(v));
                out.push_back(format_param_value(v == i.min ? v - step : v + step));
            }
        if (std::isfinite(i.min) && std::isfinite(i.max))
            out.push_back(
                format_param_value(isInt ? std::floor((i.min + i.max) / 2) : (i.min + i.max) / 2));
        out.push_back("abc");
        if (isInt)
            out.push_back("2.5");
        return out;
    }
    }
    return out;
}

/// The value as a recipe writes it: numbers and booleans as JSON values, the rest as text.
ojson recipe_value(const ParamInfo& i, const std::string& text) {
    if (i.type == ParamType::Bool && (text == "true" || text == "false"))
        return text == "true";
    if (i.type == ParamType::Int || i.type == ParamType::Double) {
        const ojson j = ojson::parse(text, nullptr, false);
        if (!j.is_discarded() && j.is_number())
            return j;
    }
    return text;
}

bool accepts(const std::function<void()>& f) {
    try {
        f();
        return true;
    } catch (const Error&) {
        return false;
    } catch (const rbcli::UsageError&) {
        return false;
    }
}

ojson recipe_with_step(const ojson& step) {
    ojson r = {{"format", "rasterbench-recipe"}, {"version", 1}, {"scenes", {"a.tif"}}};
    r["steps"] = ojson::array({step});
    r["output"] = {{"path", "out.tif"}};
    return r;
}

/// A table with its recipe placement and its command-line flags (if any).
struct Front {
    QString name;
    std::vector<ParamInfo> rows;
    std::function<void(const std::string&, const std::string&)> engine;
    std::function<ojson(const std::string&, const ojson&)> recipe;   ///< recipe for one value
    std::function<void(const std::string&, const std::string&)> cli; ///< empty: no flags
};

template <class O>
std::function<void(const std::string&, const std::string&)> engine_set(const ParamTable<O>& t) {
    return [&t](const std::string& n, const std::string& v) {
        O o;
        t.set(o, n, v);
    };
}

template <class O>
std::function<void(const std::string&, const std::string&)> cli_set(const ParamTable<O>& t) {
    return [&t](const std::string& n, const std::string& v) {
        O o;
        const rbcli::Args args = {param_flag_name(n), v};
        std::size_t i = 0;
        if (!rbcli::take_param_flag(args, i, t, o))
            throw ArgumentError("flag not recognised");
        // A boolean flag that did not take the word leaves it as a stray argument.
        if (i != 1)
            throw rbcli::UsageError("value not taken");
    };
}

std::vector<Front> fronts() {
    std::vector<Front> out;
    auto deband = [](const std::string& n, const ojson& v) {
        return recipe_with_step({{"type", "deband"}, {"auto", true}, {"params", {{n, v}}}});
    };
    out.push_back({"fill", FillOptions::params().infos(), engine_set(FillOptions::params()),
                   [](const std::string& n, const ojson& v) {
                       return recipe_with_step({{"type", "fill"}, {"params", {{n, v}}}});
                   },
                   cli_set(FillOptions::params())});
    out.push_back({"peaks", fft::PeakOptions::params().infos(),
                   engine_set(fft::PeakOptions::params()), deband,
                   cli_set(fft::PeakOptions::params())});
    out.push_back({"orientation", fft::OrientationOptions::params().infos(),
                   engine_set(fft::OrientationOptions::params()), deband,
                   cli_set(fft::OrientationOptions::params())});
    out.push_back({"deband", fft::DebandOptions::params().infos(),
                   engine_set(fft::DebandOptions::params()), deband,
                   cli_set(fft::DebandOptions::params())});
    out.push_back({"spectrum", fft::SpectrumOptions::params().infos(),
                   engine_set(fft::SpectrumOptions::params()), nullptr,
                   cli_set(fft::SpectrumOptions::params())});
    out.push_back({"stack grid", StackGridOptions::params().infos(),
                   engine_set(StackGridOptions::params()),
                   [](const std::string& n, const ojson& v) {
                       return recipe_with_step({{"type", "composite"}, {"grid", {{n, v}}}});
                   },
                   cli_set(StackGridOptions::params())});
    // No recipe step rasterizes or traces shapes yet: CLI and form only.
    out.push_back({"rasterize",
                   RasterizeOptions::params().infos(),
                   engine_set(RasterizeOptions::params()),
                   {},
                   cli_set(RasterizeOptions::params())});
    out.push_back({"shapes",
                   ShapesOptions::params().infos(),
                   engine_set(ShapesOptions::params()),
                   {},
                   cli_set(ShapesOptions::params())});
    out.push_back({"geojson",
                   GeoJsonWriteOptions::params().infos(),
                   engine_set(GeoJsonWriteOptions::params()),
                   {},
                   cli_set(GeoJsonWriteOptions::params())});
    out.push_back({"composite", CompositeOptions::params().infos(),
                   engine_set(CompositeOptions::params()),
                   [](const std::string& n, const ojson& v) {
                       return recipe_with_step({{"type", "composite"},
                                                {"score", {{"method", "darkness"}}},
                                                {"params", {{n, v}}}});
                   },
                   cli_set(CompositeOptions::params())});
    out.push_back({"output", output_params().infos(), engine_set(output_params()),
                   [](const std::string& n, const ojson& v) {
                       ojson r = recipe_with_step({{"type", "fill"}});
                       r["output"][n] = v;
                       return r;
                   },
                   nullptr});
    auto reproject = [](const std::string& n, const ojson& v) {
        // tap needs a resolution: a rule of the step, given here.
        ojson p = {{"dst_crs", "EPSG:4326"}, {"res", {0.001, 0.001}}};
        p[n] = v;
        return recipe_with_step({{"type", "reproject"}, {"params", p}});
    };
    out.push_back({"warp", ReprojectOptions::params().infos(),
                   engine_set(ReprojectOptions::params()), reproject,
                   cli_set(ReprojectOptions::params())});
    out.push_back({"reproject", reproject_params().infos(), engine_set(reproject_params()),
                   [](const std::string& n, const ojson& v) {
                       // tap needs a resolution: a rule of the step, given here.
                       ojson p = {{"dst_crs", "EPSG:4326"}, {"res", {0.001, 0.001}}};
                       p[n] = v;
                       return recipe_with_step({{"type", "reproject"}, {"params", p}});
                   },
                   nullptr});
    // Score methods: `--param NAME=VALUE` and the recipe both go through set_score_param.
    for (const auto& method : score_method_names()) {
        const ScoreOptions defaults = make_score_options(method);
        out.push_back({QString::fromStdString("score " + method), score_params(defaults),
                       [method](const std::string& n, const std::string& v) {
                           ScoreOptions o = make_score_options(method);
                           set_score_param(o, n, v);
                       },
                       [method](const std::string& n, const ojson& v) {
                           return recipe_with_step(
                               {{"type", "composite"},
                                {"score", {{"method", method}, {"params", {{n, v}}}}}});
                       },
                       nullptr});
    }
    return out;
}

/// Whether the user can make the form hold exactly `text` in the row's editor, and the text
/// the form then reports. Editors clamp to the row's range, snap to its multiple and offer
/// only its choices, so a value they cannot hold is a value the form never sends.
std::optional<QString> form_value(rb::ui::ParamForm& form, const ParamInfo& i,
                                  const std::string& text) {
    const QString name = QString::fromStdString(i.name);
    QWidget* editor = form.editor(name);
    QSignalSpy spy(&form, &rb::ui::ParamForm::valueChanged);
    const QString t = QString::fromStdString(text);
    QString held;
    if (auto* s = qobject_cast<QSpinBox*>(editor)) {
        bool ok = false;
        const int v = t.toInt(&ok);
        if (!ok)
            return std::nullopt;
        s->setValue(v);
        if (s->value() != v)
            return std::nullopt;
        held = QString::number(s->value());
    } else if (auto* d = qobject_cast<QDoubleSpinBox*>(editor)) {
        bool ok = false;
        const double v = t.toDouble(&ok);
        if (!ok)
            return std::nullopt;
        d->setValue(v);
        if (std::abs(d->value() - v) > 1e-6 * std::max(1.0, std::abs(v)))
            return std::nullopt;
        held = QString::fromStdString(format_param_value(d->value()));
    } else if (auto* c = qobject_cast<QComboBox*>(editor)) {
        const int k = c->findText(t);
        if (k < 0)
            return std::nullopt;
        c->setCurrentIndex(k);
        held = c->currentText();
    } else if (auto* b = qobject_cast<QCheckBox*>(editor)) {
        if (t != QLatin1String("true") && t != QLatin1String("false"))
            return std::nullopt;
        b->setChecked(t == QLatin1String("true"));
        held = b->isChecked() ? QStringLiteral("true") : QStringLiteral("false");
    } else {
        return t; // text rows: whatever is typed
    }
    return spy.isEmpty() ? held : spy.last().at(1).toString();
}

} // namespace

class TestParamTables : public QObject {
    Q_OBJECT
private slots:
    void everyFrontEndAcceptsTheSameValues() {
        int checked = 0;
        for (const Front& f : fronts()) {
            QVERIFY2(!f.rows.empty(), qPrintable(f.name));
            rb::ui::ParamForm form;
            form.setParams(f.rows, {});
            for (const ParamInfo& row : f.rows) {
                QVERIFY2(!row.help.empty(), qPrintable(f.name + ": " + row.name.c_str()));
                for (const std::string& text : candidates(row)) {
                    const QString what = QStringLiteral("%1.%2 = '%3'")
                                             .arg(f.name, QString::fromStdString(row.name),
                                                  QString::fromStdString(text));
                    const bool engine = accepts([&] { f.engine(row.name, text); });
                    if (f.recipe) {
                        const std::string json = f.recipe(row.name, recipe_value(row, text)).dump();
                        const bool recipe = accepts([&] { (void)parse_recipe(json, "r.json"); });
                        QVERIFY2(recipe == engine,
                                 qPrintable(what + (engine ? ": recipe rejects it"
                                                           : ": recipe accepts it")));
                    }
                    if (f.cli) {
                        const bool cli = accepts([&] { f.cli(row.name, text); });
                        QVERIFY2(cli == engine, qPrintable(what + (engine ? ": CLI rejects it"
                                                                          : ": CLI accepts it")));
                    }
                    // The form never produces a value the engine rejects, and can produce
                    // every valid candidate (text rows are checked by the engine as typed).
                    const auto shown = form_value(form, row, text);
                    if (row.type != ParamType::String) {
                        QVERIFY2(shown.has_value() == engine,
                                 qPrintable(what + (engine ? ": the form cannot set it"
                                                           : ": the form can set it")));
                        if (shown)
                            QVERIFY2(accepts([&] { f.engine(row.name, shown->toStdString()); }),
                                     qPrintable(what + ": the form emits " + *shown));
                    }
                    ++checked;
                }
            }
        }
        QVERIFY(checked > 100);
    }

    void flagsAreTheKeysInKebabCase() {
        for (const Front& f : fronts())
            for (const ParamInfo& row : f.rows) {
                // One spelling convention: snake_case keys, kebab-case flags derived from them.
                for (char c : row.name)
                    QVERIFY2(c == '_' || std::isdigit(static_cast<unsigned char>(c)) ||
                                 std::islower(static_cast<unsigned char>(c)),
                             qPrintable(f.name + ": " + row.name.c_str()));
                std::string flag = param_flag_name(row.name);
                QVERIFY(flag.rfind("--", 0) == 0 && flag.find('_') == std::string::npos);
            }
    }

    void oldKebabRecipeKeysAreReadWithANote() {
        ojson r = recipe_with_step(
            {{"type", "deband"}, {"auto", true}, {"params", {{"max-peaks", 7}, {"threshold", 9}}}});
        const Recipe recipe = parse_recipe(r.dump(), "old.json");
        const auto& step = std::get<DebandStep>(recipe.steps.at(0));
        QCOMPARE(step.peak.max_peaks, 7);
        QCOMPARE(recipe.notes.size(), std::size_t(1));
        QCOMPARE(recipe.notes[0],
                 std::string("old.json: steps[0].params.max-peaks: 'max-peaks' is deprecated, "
                             "write 'max_peaks'"));
    }

    void optionsBuiltInCodeAreCheckedByTheirTable() {
        FillOptions o;
        o.max_distance = 20000;
        QVERIFY_THROWS_EXCEPTION(ArgumentError, FillOptions::params().validate(o));
        o.max_distance = 10;
        FillOptions::params().validate(o);
        o.smoothing = -1;
        QVERIFY_THROWS_EXCEPTION(ArgumentError, FillOptions::params().validate(o));
    }
};

QTEST_MAIN(TestParamTables)
#include "tst_param_tables.moc"
