#include "PanelUndo.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QListWidget>
#include <QSpinBox>
#include <QUndoStack>

#include <exception>
#include <variant>

#include "BandRolesEditor.h"
#include "FillTab.h"
#include "ParamForm.h"
#include "RasterizeTab.h"
#include "ReprojectTab.h"
#include "ScorePanel.h"
#include "TransformPanel.h"
#include "VectorizeTab.h"
#include "rasterbench/recipe.h"

namespace rb::ui {

namespace {

/// Edits of one key this close together are one step (typing digits into a spin box).
constexpr qint64 kTypingMergeMs = 800;

class SnapshotCommand : public QUndoCommand {
public:
    SnapshotCommand(PanelUndo* owner, QString before, QString after, QString key, int gesture)
        : owner_(owner), before_(std::move(before)), after_(std::move(after)), key_(std::move(key)),
          gesture_(gesture), time_(QDateTime::currentMSecsSinceEpoch()) {
        setText(key_.isEmpty() ? QObject::tr("parameter edit")
                               : QObject::tr("edit of %1").arg(key_));
    }
    int id() const override { return 1; }
    void undo() override { owner_->restoreState(before_); }
    void redo() override {
        if (first_) { // pushed after the edit: the parameters already are `after_`
            first_ = false;
            return;
        }
        owner_->restoreState(after_);
    }
    bool mergeWith(const QUndoCommand* other) override {
        const auto* o = static_cast<const SnapshotCommand*>(other);
        const bool sameGesture = gesture_ >= 0 && o->gesture_ == gesture_;
        const bool typing = !key_.isEmpty() && o->key_ == key_ && gesture_ < 0 && o->gesture_ < 0 &&
                            o->time_ - time_ < kTypingMergeMs;
        if (!sameGesture && !typing)
            return false;
        after_ = o->after_;
        time_ = o->time_;
        if (after_ == before_)
            setObsolete(true); // the gesture came back where it started
        return true;
    }

private:
    PanelUndo* owner_;
    QString before_, after_, key_;
    int gesture_;
    qint64 time_;
    bool first_ = true;
};

QString jsonText(const QJsonObject& o) {
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QJsonObject tableJson(const std::map<std::string, std::string>& values) {
    QJsonObject o;
    for (const auto& [k, v] : values)
        o.insert(QString::fromStdString(k), QString::fromStdString(v));
    return o;
}

std::map<std::string, std::string> mapFromJson(const QJsonObject& o) {
    std::map<std::string, std::string> values;
    for (auto it = o.begin(); it != o.end(); ++it)
        values[it.key().toStdString()] = it.value().toString().toStdString();
    return values;
}

template <class O>
void setFromJson(const rb::ParamTable<O>& table, O& options, const QJsonObject& o) {
    for (auto it = o.begin(); it != o.end(); ++it) {
        try {
            table.set(options, it.key().toStdString(), it.value().toString().toStdString());
        } catch (const std::exception&) {
            // a value this build refuses keeps the current one
        }
    }
}

QJsonObject reprojectJson(const rb::ReprojectStep& s) {
    QJsonObject o;
    o.insert(QStringLiteral("dst_crs"), QString::fromStdString(s.dst_crs));
    o.insert(QStringLiteral("tap"), s.tap);
    o.insert(QStringLiteral("options"),
             tableJson(rb::ReprojectOptions::params().values(s.options)));
    if (s.res_x)
        o.insert(QStringLiteral("res"), *s.res_x);
    if (s.width)
        o.insert(QStringLiteral("width"), *s.width);
    if (s.height)
        o.insert(QStringLiteral("height"), *s.height);
    if (s.bounds)
        o.insert(QStringLiteral("bounds"),
                 QJsonArray{s.bounds->left, s.bounds->bottom, s.bounds->right, s.bounds->top});
    return o;
}

rb::ReprojectStep reprojectFromJson(const QJsonObject& o) {
    rb::ReprojectStep s;
    s.dst_crs = o.value(QStringLiteral("dst_crs")).toString().toStdString();
    s.tap = o.value(QStringLiteral("tap")).toBool();
    setFromJson(rb::ReprojectOptions::params(), s.options,
                o.value(QStringLiteral("options")).toObject());
    if (o.contains(QStringLiteral("res")))
        s.res_x = s.res_y = o.value(QStringLiteral("res")).toDouble();
    if (o.contains(QStringLiteral("width")))
        s.width = o.value(QStringLiteral("width")).toInt();
    if (o.contains(QStringLiteral("height")))
        s.height = o.value(QStringLiteral("height")).toInt();
    if (const QJsonArray b = o.value(QStringLiteral("bounds")).toArray(); b.size() == 4)
        s.bounds = rb::Bounds{b[0].toDouble(), b[1].toDouble(), b[2].toDouble(), b[3].toDouble()};
    return s;
}

} // namespace

PanelUndo::PanelUndo(QWidget* panel, Capture capture, Restore restore)
    : QObject(panel), panel_(panel), capture_(std::move(capture)), restore_(std::move(restore)),
      stack_(new QUndoStack(this)), last_(capture_()) {
    stack_->setUndoLimit(500);
    qApp->installEventFilter(this);
    connect(stack_, &QUndoStack::indexChanged, this, &PanelUndo::changed);
}

PanelUndo::~PanelUndo() {
    qApp->removeEventFilter(this);
}

PanelUndo* PanelUndo::of(const QWidget* panel) {
    return panel ? panel->findChild<PanelUndo*>(QString(), Qt::FindDirectChildrenOnly) : nullptr;
}

bool PanelUndo::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::MouseButtonPress)
        ++gesture_;
    return QObject::eventFilter(watched, event);
}

void PanelUndo::record() {
    if (restoring_)
        return;
    const QString now = capture_();
    if (now == last_)
        return;
    // The editor that sent the edit names the step (typing into it merges).
    QString key;
    if (QWidget* focus = QApplication::focusWidget(); focus && panel_->isAncestorOf(focus))
        key = focus->objectName().isEmpty() ? QString::number(quintptr(focus), 16)
                                            : focus->objectName();
    const int gesture = QApplication::mouseButtons() != Qt::NoButton ? gesture_ : -1;
    QString before = std::exchange(last_, now);
    stack_->push(new SnapshotCommand(this, std::move(before), now, key, gesture));
}

void PanelUndo::reset() {
    stack_->clear();
    last_ = capture_();
}

void PanelUndo::rebase() {
    if (!restoring_)
        last_ = capture_();
}

bool PanelUndo::canUndo() const {
    return stack_->canUndo();
}

bool PanelUndo::canRedo() const {
    return stack_->canRedo();
}

void PanelUndo::undo() {
    stack_->undo();
}

void PanelUndo::redo() {
    stack_->redo();
}

void PanelUndo::restoreState(const QString& state) {
    restoring_ = true;
    try {
        restore_(state);
    } catch (...) {
        restoring_ = false;
        throw;
    }
    restoring_ = false;
    last_ = capture_();
}

// ---- the Score panel ---------------------------------------------------------------------

PanelUndo* attachScoreUndo(ScorePanel* panel) {
    const auto capture = [panel] {
        rb::Recipe r;
        r.steps.emplace_back(panel->compositeStep());
        // The rule as typed (the recipe's qa_from would drop a rule without '=').
        r.description = panel->qualityRule()->text().toStdString();
        return QString::fromStdString(rb::write_recipe(r));
    };
    const auto restore = [panel](const QString& state) {
        const rb::Recipe r = rb::parse_recipe(state.toStdString(), "undo step");
        for (const auto& step : r.steps)
            if (const auto* c = std::get_if<rb::CompositeStep>(&step))
                panel->setCompositeStep(*c);
        panel->setQualityRule(QString::fromStdString(r.description));
    };
    auto* undo = new PanelUndo(panel, capture, restore);
    const auto record = [undo] { undo->record(); };
    QObject::connect(panel->methodCombo(), &QComboBox::currentTextChanged, undo, record);
    QObject::connect(panel->scoreForm(), &ParamForm::valueChanged, undo, record);
    QObject::connect(panel->compositeForm(), &ParamForm::valueChanged, undo, record);
    QObject::connect(panel->rolesEditor(), &BandRolesEditor::rolesEdited, undo, record);
    QObject::connect(panel->qualityRule(), &QLineEdit::editingFinished, undo, record);
    QObject::connect(panel->readAsCombo(), &QComboBox::currentIndexChanged, undo, record);
    return undo;
}

// ---- the Transform panel -----------------------------------------------------------------

PanelUndo* attachTransformUndo(TransformPanel* panel) {
    ReprojectTab* reproject = panel->reprojectTab();
    RasterizeTab* rasterize = panel->rasterizeTab();
    VectorizeTab* vectorize = panel->vectorizeTab();
    FillTab* fill = panel->fillTab();
    const auto capture = [reproject, rasterize, vectorize, fill] {
        QJsonObject o;
        o.insert(QStringLiteral("reproject"), reprojectJson(reproject->reprojectStep()));
        o.insert(QStringLiteral("rasterize"), tableJson(rasterize->parameters()));
        o.insert(QStringLiteral("vectorize"), tableJson(vectorize->parameters()));
        o.insert(QStringLiteral("fill"),
                 tableJson(rb::FillOptions::params().values(fill->fillOptions())));
        return jsonText(o);
    };
    const auto restore = [reproject, rasterize, vectorize, fill](const QString& state) {
        const QJsonObject o = QJsonDocument::fromJson(state.toUtf8()).object();
        reproject->setReprojectStep(
            reprojectFromJson(o.value(QStringLiteral("reproject")).toObject()));
        rasterize->setParameters(mapFromJson(o.value(QStringLiteral("rasterize")).toObject()));
        vectorize->setParameters(mapFromJson(o.value(QStringLiteral("vectorize")).toObject()));
        rb::FillOptions f;
        setFromJson(rb::FillOptions::params(), f, o.value(QStringLiteral("fill")).toObject());
        fill->setFillOptions(f);
    };
    auto* undo = new PanelUndo(panel, capture, restore);
    const auto record = [undo] { undo->record(); };
    QObject::connect(reproject->warpForm(), &ParamForm::valueChanged, undo, record);
    QObject::connect(reproject->crsEdit(), &QLineEdit::editingFinished, undo, record);
    QObject::connect(reproject->searchResults(), &QListWidget::itemClicked, undo, record);
    QObject::connect(reproject->resolutionEdit(), &QLineEdit::editingFinished, undo, record);
    QObject::connect(reproject->sizeEdit(), &QLineEdit::editingFinished, undo, record);
    QObject::connect(reproject->boundsEdit(), &QLineEdit::editingFinished, undo, record);
    QObject::connect(reproject->tapCheck(), &QCheckBox::toggled, undo, record);
    // Rasterize and Vectorize: each editor's committed edit, as Reproject's.
    QObject::connect(rasterize->form(), &ParamForm::valueChanged, undo, record);
    QObject::connect(rasterize->burnFieldCombo(), &QComboBox::currentIndexChanged, undo, record);
    QObject::connect(vectorize->sourceCombo(), &QComboBox::currentIndexChanged, undo, record);
    QObject::connect(vectorize->modeCombo(), &QComboBox::currentIndexChanged, undo, record);
    QObject::connect(vectorize->bandSpin(), &QSpinBox::valueChanged, undo, record);
    QObject::connect(vectorize->thresholdSpin(), &QDoubleSpinBox::valueChanged, undo, record);
    QObject::connect(vectorize->breaksEdit(), &QLineEdit::editingFinished, undo, record);
    QObject::connect(vectorize->classCountSpin(), &QSpinBox::valueChanged, undo, record);
    QObject::connect(vectorize->shapesForm(), &ParamForm::valueChanged, undo, record);
    QObject::connect(fill->form(), &ParamForm::valueChanged, undo, record);
    QObject::connect(vectorize, &VectorizeTab::defaultsChanged, undo, &PanelUndo::rebase);
    return undo;
}

} // namespace rb::ui
