#include "StackAlignment.h"

#include <utility>

namespace rb::ui {

StackAlignment::StackAlignment(std::vector<rb::SceneSource> scenes, rb::Grid grid)
    : original_(std::move(scenes)), grid_(std::move(grid)) {}

const std::vector<rb::SceneSource>& StackAlignment::scenes() {
    const std::lock_guard lock(mutex_);
    if (error_)
        std::rethrow_exception(error_);
    if (!aligned_) {
        try {
            // Nearest for the data bands too: what the command line and a recipe do by default,
            // so the preview, the full composite and an exported recipe give the same pixels.
            aligned_ =
                std::make_unique<rb::AlignedScenes>(original_, grid_, rb::WarpResampling::Nearest);
        } catch (...) {
            error_ = std::current_exception();
            throw;
        }
    }
    return aligned_->scenes();
}

std::size_t StackAlignment::warped() const {
    const std::lock_guard lock(mutex_);
    return aligned_ ? aligned_->warped() : 0;
}

} // namespace rb::ui
