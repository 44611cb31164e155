#include "JobFolderView.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "JobFolderLayer.h"

namespace rb::ui {

JobFolderView::JobFolderView(JobFolderLayer* layer, QWidget* parent)
    : QDialog(parent), layer_(layer), folder_(new QLabel), counts_(new QLabel),
      resubmit_(new QPlainTextEdit), refresh_(new QPushButton(tr("Refresh"))),
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
    layout->addLayout(legend);
    layout->addWidget(counts_);
    layout->addWidget(new QLabel(tr("Resubmit the missing tasks:")));
    layout->addWidget(resubmit_, 1);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    resize(640, 340);
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
