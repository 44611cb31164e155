#pragma once
// Run at Scale: the workbench's recipe (the Score panel's composite step and the other
// panels' steps) split into a job folder for a cluster's job arrays (Slurm, Kubernetes,
// AWS Batch) or this machine. The user chooses the scenes (the current stack, the Catalog
// dock's selection or a folder), the tile size, the engine, CPUs and memory per task, the
// partition and the job folder; the plan (stages, tasks, CPU-hours, bytes, output size,
// wall clock for 1..1000 workers, sampled or modelled) is computed in the background on a
// job lane with progress and Cancel, before anything is written, and computed again when a
// parameter changes (an older plan is dropped). "Write job folder" then writes it with the
// engine's writer, which refuses a folder holding a different job.
#include <QDialog>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

#include "rasterbench/job.h"
#include "rasterbench/recipe.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTimer;
class QToolButton;

namespace rb::ui {

class JobLane;
class JobMonitor;

class RunAtScaleDialog : public QDialog {
    Q_OBJECT
public:
    enum class Source { Stack, Catalog, Folder };

    /// `recipe`: the steps to run (the composite and the steps around it); its scenes are
    /// ignored. `stack` and `catalog`: the scenes each choice offers.
    RunAtScaleDialog(const rb::Recipe& recipe, std::vector<rb::SceneSource> stack,
                     QStringList catalog, JobMonitor* monitor = nullptr, QWidget* parent = nullptr);
    ~RunAtScaleDialog() override;

    void setSource(Source source);
    void setFolder(const QString& folder);
    void setJobDir(const QString& dir);
    /// The command the job's scripts call (default: rasterbench-cli beside this program,
    /// else on the PATH).
    void setExecutable(const QString& path);

    QComboBox* sourceCombo() const { return source_; }
    QLineEdit* folderEdit() const { return folder_; }
    QListWidget* stepList() const { return steps_; }
    QSpinBox* tileSizeBox() const { return tileSize_; }
    QComboBox* engineCombo() const { return engine_; }
    QSpinBox* cpusBox() const { return cpus_; }
    QLineEdit* memoryEdit() const { return memory_; }
    QLineEdit* partitionEdit() const { return partition_; }
    QCheckBox* sampleCheck() const { return sample_; }
    QLineEdit* jobDirEdit() const { return jobDir_; }
    QLabel* summaryLabel() const { return summary_; }
    QPlainTextEdit* planText() const { return plan_; }
    QProgressBar* progressBar() const { return progress_; }
    QToolButton* cancelButton() const { return cancel_; }
    QPushButton* writeButton() const { return write_; }
    QLabel* messageLabel() const { return message_; }

    /// The recipe the plan runs: the chosen steps (scenes come separately).
    rb::Recipe chosenRecipe() const;
    /// The planner's options from the form.
    rb::JobPlanOptions chosenOptions() const;
    /// Starts planning now (the form does it by itself a moment after each change).
    void replan();
    /// True while a plan is being computed (or about to be).
    bool isPlanning() const;
    /// The current plan; null while none matches the form.
    std::shared_ptr<const rb::Job> plan() const { return job_; }
    /// Writes the current plan into its folder in the background (the folder may be on a
    /// cluster's network file system): written(dir) or writeFailed(message) follow, and the
    /// message is shown in the dialog. False when there is no plan to write.
    bool writeJob();
    /// True while a job folder is being written.
    bool isWriting() const;

signals:
    /// A plan for the current parameters is shown.
    void planned();
    /// Planning failed or was cancelled (the message is shown).
    void planFailed(const QString& message);
    /// The job folder was written.
    void written(const QString& dir);
    /// Writing the job folder failed (the message names the folder or file).
    void writeFailed(const QString& message);

private:
    void onChanged();
    void updateSourceRow();
    void showPlan(const std::shared_ptr<const rb::Job>& job);
    void showMessage(const QString& text, bool error);

    rb::Recipe recipe_;
    std::vector<rb::SceneSource> stack_;
    QStringList catalog_;
    QString executable_;
    JobLane* lane_;
    JobLane* writeLane_;
    QTimer* debounce_;
    quint64 current_ = 0;
    std::shared_ptr<const rb::Job> job_;

    QComboBox* source_;
    QLineEdit* folder_;
    QToolButton* browseFolder_;
    QListWidget* steps_;
    QSpinBox* tileSize_;
    QComboBox* engine_;
    QSpinBox* cpus_;
    QLineEdit* memory_;
    QLineEdit* partition_;
    QCheckBox* sample_;
    QLineEdit* jobDir_;
    QToolButton* browseJob_;
    QLabel* summary_;
    QPlainTextEdit* plan_;
    QProgressBar* progress_;
    QToolButton* cancel_;
    QLabel* message_;
    QPushButton* write_;
};

} // namespace rb::ui
