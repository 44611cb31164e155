#include "StartPage.h"

#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace rb::ui {

StartPage::StartPage(QWidget* parent)
    : QWidget(parent), open_(new QPushButton(tr("Open scenes..."), this)),
      sample_(new QPushButton(tr("Open the sample scene"), this)), recent_(new QListWidget(this)) {
    setObjectName(QStringLiteral("startPage"));
    auto* title = new QLabel(tr("<h2>Rasterbench</h2>"), this);
    auto* intro =
        new QLabel(tr("Open one scene to inspect it, or a stack of scenes of one area to score and "
                      "composite them. Drop files here, or:"),
                   this);
    intro->setWordWrap(true);
    auto* tasks = new QLabel(tr("<p>Then choose a workspace in the toolbar: <b>Inspect</b> "
                                "(Ctrl+1), <b>Composite</b> (Ctrl+2), <b>Deband</b> (Ctrl+3), "
                                "<b>Transform</b> (Ctrl+4). Help (F1) has a short guide.</p>"),
                             this);
    tasks->setWordWrap(true);
    auto* recentTitle = new QLabel(tr("Recent files"), this);
    recent_->setObjectName(QStringLiteral("recentFiles"));
    auto* column = new QVBoxLayout;
    column->addWidget(title);
    column->addWidget(intro);
    column->addWidget(open_);
    column->addWidget(sample_);
    column->addWidget(tasks);
    column->addWidget(recentTitle);
    column->addWidget(recent_, 1);
    auto* outer = new QHBoxLayout(this);
    outer->addStretch(1);
    outer->addLayout(column, 2);
    outer->addStretch(1);
    sample_->hide();
    connect(open_, &QPushButton::clicked, this, &StartPage::openRequested);
    connect(sample_, &QPushButton::clicked, this, [this] { emit fileRequested(samplePath_); });
    connect(recent_, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        emit fileRequested(item->data(Qt::UserRole).toString());
    });
}

void StartPage::setRecentFiles(const QStringList& files) {
    recent_->clear();
    for (const QString& f : files) {
        if (!QFileInfo::exists(f))
            continue;
        auto* item = new QListWidgetItem(QFileInfo(f).fileName(), recent_);
        item->setToolTip(QDir::toNativeSeparators(f));
        item->setData(Qt::UserRole, f);
    }
}

void StartPage::setSamplePath(const QString& path) {
    samplePath_ = path;
    sample_->setVisible(!path.isEmpty() && QFileInfo::exists(path));
}

} // namespace rb::ui
