#include "DisplayPanel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <limits>

#include "rasterbench/colormap.h"

namespace rb::ui {

namespace {

QDoubleSpinBox* spin(QWidget* parent, double lo, double hi, double step, int decimals) {
    auto* s = new QDoubleSpinBox(parent);
    s->setRange(lo, hi);
    s->setSingleStep(step);
    s->setDecimals(decimals);
    s->setKeyboardTracking(false); // one edit per value typed, not per keystroke
    return s;
}

} // namespace

DisplayPanel::DisplayPanel(QWidget* parent)
    : QWidget(parent), mode_(new QComboBox(this)), band_(new QComboBox(this)),
      colormap_(new QComboBox(this)), stretch_(new QComboBox(this)),
      low_(spin(this, 0, 100, 0.5, 2)), high_(spin(this, 0, 100, 0.5, 2)),
      k_(spin(this, 0.1, 10, 0.25, 2)), gamma_(spin(this, 0.1, 5, 0.1, 2)),
      stats_(new QComboBox(this)), toView_(new QPushButton(tr("Stretch to view"), this)),
      status_(new QLabel(this)), rgbBox_(new QWidget(this)), singleBox_(new QWidget(this)),
      percentBox_(new QWidget(this)), kBox_(new QWidget(this)), manualBox_(new QWidget(this)) {
    mode_->addItems({tr("RGB composite"), tr("Single band")});
    for (Colormap c : rb::all_colormaps())
        colormap_->addItem(QString::fromUtf8(rb::colormap_name(c).data()), int(c));
    stretch_->addItem(tr("Min / max"), int(rb::StretchMode::MinMax));
    stretch_->addItem(tr("Percent clip"), int(rb::StretchMode::PercentClip));
    stretch_->addItem(tr("Mean \u00b1 k stddev"), int(rb::StretchMode::StdDev));
    stretch_->addItem(tr("Manual"), int(rb::StretchMode::Manual));
    stats_->addItems({tr("Exact (every valid pixel)"), tr("Fast (preview sample)")});
    status_->setWordWrap(true);

    auto* rgbLayout = new QFormLayout(rgbBox_);
    rgbLayout->setContentsMargins(0, 0, 0, 0);
    const char* names[] = {"Red", "Green", "Blue"};
    for (int c = 0; c < 3; ++c) {
        rgb_[std::size_t(c)] = new QComboBox(rgbBox_);
        rgbLayout->addRow(tr(names[c]), rgb_[std::size_t(c)]);
    }
    auto* singleLayout = new QFormLayout(singleBox_);
    singleLayout->setContentsMargins(0, 0, 0, 0);
    singleLayout->addRow(tr("Band"), band_);
    singleLayout->addRow(tr("Colour map"), colormap_);
    auto* percentLayout = new QFormLayout(percentBox_);
    percentLayout->setContentsMargins(0, 0, 0, 0);
    percentLayout->addRow(tr("Low %"), low_);
    percentLayout->addRow(tr("High %"), high_);
    auto* kLayout = new QFormLayout(kBox_);
    kLayout->setContentsMargins(0, 0, 0, 0);
    kLayout->addRow(tr("k"), k_);
    auto* manualLayout = new QGridLayout(manualBox_);
    manualLayout->setContentsMargins(0, 0, 0, 0);
    constexpr double big = std::numeric_limits<float>::max();
    for (int c = 0; c < 3; ++c)
        for (int h = 0; h < 2; ++h) {
            manual_[std::size_t(c)][std::size_t(h)] = spin(manualBox_, -big, big, 1, 4);
            manualLayout->addWidget(manual_[std::size_t(c)][std::size_t(h)], c, h);
        }

    auto* form = new QFormLayout;
    form->addRow(tr("Show"), mode_);
    form->addRow(rgbBox_);
    form->addRow(singleBox_);
    form->addRow(tr("Stretch"), stretch_);
    form->addRow(percentBox_);
    form->addRow(kBox_);
    form->addRow(manualBox_);
    form->addRow(tr("Gamma"), gamma_);
    form->addRow(tr("Statistics"), stats_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(toView_);
    layout->addWidget(status_);
    layout->addStretch(1);

    for (QComboBox* c : {mode_, band_, colormap_, stretch_, stats_, rgb_[0], rgb_[1], rgb_[2]})
        connect(c, &QComboBox::currentIndexChanged, this, &DisplayPanel::emitEdited);
    for (QDoubleSpinBox* s : {low_, high_, k_, gamma_})
        connect(s, &QDoubleSpinBox::valueChanged, this, &DisplayPanel::emitEdited);
    for (auto& row : manual_)
        for (QDoubleSpinBox* s : row)
            connect(s, &QDoubleSpinBox::valueChanged, this, [this] {
                if (stretch_->currentData().toInt() == int(rb::StretchMode::Manual))
                    emitEdited();
            });
    connect(toView_, &QPushButton::clicked, this, &DisplayPanel::stretchToViewRequested);
    setScene(nullptr, false);
}

void DisplayPanel::setScene(std::shared_ptr<const SceneData> scene, bool fastSample) {
    updating_ = true;
    const bool newScene = !scene_ || !scene || scene_->pyramid != scene->pyramid;
    scene_ = std::move(scene);
    setEnabled(scene_ != nullptr);
    if (scene_) {
        const rb::Profile& p = scene_->profile;
        if (newScene) {
            QStringList items;
            for (int b = 1; b <= p.count; ++b) {
                const std::string& d = p.descriptions[std::size_t(b - 1)];
                items << (d.empty() ? tr("Band %1").arg(b)
                                    : tr("Band %1: %2").arg(b).arg(QString::fromStdString(d)));
            }
            for (QComboBox* c : {band_, rgb_[0], rgb_[1], rgb_[2]}) {
                c->clear();
                c->addItems(items);
            }
        }
        const rb::DisplaySettings& d = scene_->display;
        mode_->setCurrentIndex(d.rgb() ? 0 : 1);
        if (d.rgb())
            for (int c = 0; c < 3; ++c)
                rgb_[std::size_t(c)]->setCurrentIndex(d.bands[std::size_t(c)] - 1);
        else if (!d.bands.empty())
            band_->setCurrentIndex(d.bands.front() - 1);
        colormap_->setCurrentIndex(colormap_->findData(int(d.colormap)));
        stretch_->setCurrentIndex(stretch_->findData(int(d.stretch_options.mode)));
        low_->setValue(d.stretch_options.low_percent);
        high_->setValue(d.stretch_options.high_percent);
        k_->setValue(d.stretch_options.stddev_k);
        gamma_->setValue(d.gamma);
        for (std::size_t c = 0; c < 3; ++c) {
            const rb::StretchRange r = c < d.stretch.size() ? d.stretch[c] : rb::StretchRange{0, 1};
            manual_[c][0]->setValue(r.lo);
            manual_[c][1]->setValue(r.hi);
        }
        stats_->setCurrentIndex(fastSample ? 1 : 0);
    }
    updating_ = false;
    updateVisibility();
}

void DisplayPanel::setStatus(const QString& text) {
    status_->setText(text);
}

QString DisplayPanel::status() const {
    return status_->text();
}

bool DisplayPanel::fastSample() const {
    return stats_->currentIndex() == 1;
}

rb::DisplaySettings DisplayPanel::settings() const {
    rb::DisplaySettings d = scene_ ? scene_->display : rb::DisplaySettings{};
    if (mode_->currentIndex() == 0 && rgb_[0]->count() > 0)
        d.bands = {rgb_[0]->currentIndex() + 1, rgb_[1]->currentIndex() + 1,
                   rgb_[2]->currentIndex() + 1};
    else if (band_->count() > 0)
        d.bands = {band_->currentIndex() + 1};
    d.colormap = rb::Colormap(colormap_->currentData().toInt());
    d.stretch_options.mode = rb::StretchMode(stretch_->currentData().toInt());
    d.stretch_options.low_percent = low_->value();
    d.stretch_options.high_percent = high_->value();
    d.stretch_options.stddev_k = k_->value();
    d.stretch_options.manual.clear();
    for (std::size_t c = 0; c < d.bands.size(); ++c)
        d.stretch_options.manual.push_back({manual_[c][0]->value(), manual_[c][1]->value()});
    d.gamma = gamma_->value();
    return d;
}

void DisplayPanel::updateVisibility() {
    const bool rgb = mode_->currentIndex() == 0;
    rgbBox_->setVisible(rgb);
    singleBox_->setVisible(!rgb);
    const auto mode = rb::StretchMode(stretch_->currentData().toInt());
    percentBox_->setVisible(mode == rb::StretchMode::PercentClip);
    kBox_->setVisible(mode == rb::StretchMode::StdDev);
    manualBox_->setVisible(mode == rb::StretchMode::Manual);
    for (std::size_t c = 1; c < 3; ++c)
        for (auto* s : manual_[c])
            s->setVisible(rgb);
}

void DisplayPanel::emitEdited() {
    updateVisibility();
    if (updating_ || !scene_)
        return;
    emit displayEdited(settings(), fastSample());
}

} // namespace rb::ui
