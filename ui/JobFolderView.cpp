#include "JobFolderView.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include "JobFolderLayer.h"

namespace rb::ui {

JobFolderView::JobFolderView(JobFolderLayer* layer, QWidget* parent)
    : QDialog(parent), layer_(layer), folder_(new QLabel), stage_(new QComboBox), note_(new QLabel),
      counts_(new QLabel), resubmit_(new QPlainTextEdit), refresh_(new QPushButton(tr("Refresh"))),
      closeJob_(new QPushButton(tr("Close Job"))) {
    setWindowTitle(tr("Job Folder"));
    folder_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    folder_->setWordWrap(true);
    auto* legend = new QHBoxLayout;
    using S = JobFolderLayer::TileState;
    for (S s : {S::Done, S::Running, S::Missing, S::Failed}) {
        auto* swatch = new QLabel;
        swatch->setFixedSize(14, 14);
        swatch->setStyleSheet(QStringLiteral("background: %1; border: 1px solid #444")
                                  .arg(JobFolderLayer::color(s).name()));
        legend->addWidget(swatch);
        legend->addWidget(new QLabel(JobFolderLayer::stateName(s)));
        legend->addSpacing(8);
    }
    legend->addStretch(1);
    counts_->setWordWrap(true);
    counts_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    resubmit_->setReadOnly(true);
    resubmit_->setLineWrapMode(QPlainTextEdit::NoWrap);
    resubmit_->setToolTip(
        tr("What `rasterbench-cli status` prints: resubmit only the missing tasks"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    buttons->addButton(refresh_, QDialogButtonBox::ActionRole);
    buttons->addButton(closeJob_, QDialogButtonBox::ActionRole);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(folder_);
    auto* stageRow = new QFormLayout;
    stageRow->addRow(tr("Tiles of stage:"), stage_);
    layout->addLayout(stageRow);
    note_->setWordWrap(true);
    layout->addWidget(note_);
    layout->addLayout(legend);
    layout->addWidget(counts_);
    layout->addWidget(new QLabel(tr("Resubmit the missing tasks:")));
    layout->addWidget(resubmit_, 1);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    resize(640, 340);
    stage_->setToolTip(tr("The stage whose tiles the map shows (by default the latest stage "
                          "with a done task)"));
    connect(stage_, &QComboBox::activated, this,
            [this](int index) { layer_->setStage(stage_->itemData(index).toString()); });
    connect(refresh_, &QPushButton::clicked, layer_, &JobFolderLayer::refresh);
    connect(closeJob_, &QPushButton::clicked, layer_, &JobFolderLayer::close);
    connect(layer_, &JobFolderLayer::updated, this, &JobFolderView::sync);
    connect(layer_, &JobFolderLayer::closed, this, &JobFolderView::sync);
    connect(layer_, &JobFolderLayer::failed, this,
            [this](const QString& message) { counts_->setText(message); });
    sync();
}

void JobFolderView::sync() {
    folder_->setText(layer_->isOpen() ? tr("Job folder: %1").arg(layer_->dir())
                                      : tr("No job folder open"));
    {
        // Rebuilt from the layer (stages appear with the first read); the user's choice is the
        // layer's, so rebuilding never changes it.
        const QSignalBlocker block(stage_);
        stage_->clear();
        for (const QString& name : layer_->tileStages()) {
            const JobFolderLayer::Counts c = layer_->counts(name);
            stage_->addItem(tr("%1 (%2 of %3 done)%4")
                                .arg(name)
                                .arg(c.done)
                                .arg(c.total())
                                .arg(layer_->stageOnMap(name) ? QString() : tr(", another CRS")),
                            name);
        }
        stage_->setCurrentIndex(stage_->findData(layer_->stage()));
        stage_->setEnabled(stage_->count() > 1);
    }
    const QString shown = layer_->stage();
    note_->setText(shown.isEmpty() || layer_->stageOnMap(shown)
                       ? QString()
                       : tr("Stage %1 is on a grid in another CRS (%2) than the scenes: its "
                            "tiles are listed here, not drawn on the map.")
                             .arg(shown, layer_->stageCrsName(shown)));
    note_->setVisible(!note_->text().isEmpty());
    counts_->setText(layer_->summary().replace(QStringLiteral("; "), QStringLiteral("\n")));
    const QStringList lines = layer_->resubmitCommands();
    resubmit_->setPlainText(
        lines.isEmpty() && layer_->job()
            ? tr("complete: %1").arg(QString::fromStdString(layer_->job()->output))
            : lines.join(QLatin1Char('\n')));
    refresh_->setEnabled(layer_->isOpen());
    closeJob_->setEnabled(layer_->isOpen());
}

} // namespace rb::ui
