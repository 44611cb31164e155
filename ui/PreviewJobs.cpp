#include "PreviewJobs.h"

#include "rasterbench/error.h"

namespace rb::ui {

QString errorText(const std::exception_ptr& error, const QString& crsText) {
    if (!error)
        return {};
    try {
        std::rethrow_exception(error);
    } catch (const rb::Cancelled&) {
        return QObject::tr("Cancelled");
    } catch (const rb::CrsError& e) {
        const QString what = QString::fromUtf8(e.what());
        return crsText.isEmpty() ? what : QObject::tr("Invalid CRS \"%1\": %2").arg(crsText, what);
    } catch (const std::exception& e) {
        return QString::fromUtf8(e.what());
    } catch (...) {
        return QObject::tr("Unknown error");
    }
}

PreviewJobs::PreviewJobs(QObject* parent)
    : QObject(parent), shutdown_(std::make_shared<std::atomic<bool>>(false)) {
    pool_.setMaxThreadCount(2);
    live_.setSingleShot(true);
    live_.setInterval(kDefaultLiveDelayMs);
    connect(&live_, &QTimer::timeout, this, &PreviewJobs::liveDue);
}

PreviewJobs::~PreviewJobs() {
    shutdown();
}

void PreviewJobs::shutdown() {
    *shutdown_ = true; // cancels previews and exports (their results are not delivered)
    live_.stop();
    pool_.waitForDone();
}

std::shared_ptr<std::atomic<bool>> PreviewJobs::supersede(Slot& slot) {
    cancel(slot);
    slot.current_ = std::make_shared<std::atomic<bool>>(false);
    return slot.current_;
}

std::shared_ptr<std::atomic<bool>> PreviewJobs::startPreview(Slot& slot) {
    ++started_;
    ++running_;
    return supersede(slot);
}

void PreviewJobs::cancel(Slot& slot) {
    if (slot.current_)
        *slot.current_ = true;
}

rb::Progress PreviewJobs::progress(std::shared_ptr<std::atomic<bool>> cancel) const {
    return rb::Progress([cancel = std::move(cancel), down = shutdown_](double) {
        return !(cancel && *cancel) && !*down;
    });
}

bool PreviewJobs::finished(const std::shared_ptr<std::atomic<bool>>& cancel, bool counted) {
    if (counted)
        running_ = std::max(0, running_ - 1);
    if (*shutdown_)
        return true;
    if (!cancel || !*cancel)
        return false;
    if (counted)
        ++dropped_;
    return true;
}

} // namespace rb::ui
