#pragma once
// Progress and cancellation for long operations. A callback receives the fraction done
// (0..1) and returns false to cancel; the operation then throws rb::Cancelled.
#include <functional>

namespace rb {

using ProgressFn = std::function<bool(double fraction)>;

/// Throttled, nestable progress: emits only when the fraction moves by `step`, and maps a
/// sub-task's 0..1 onto [begin, end) of the parent's range.
class Progress {
public:
    Progress() = default;
    explicit Progress(ProgressFn fn, double step = 0.01) : fn_(std::move(fn)), step_(step) {}
    /// A child reporting into [begin, end) of this range.
    Progress sub(double begin, double end) const;
    /// Reports `fraction` of this range; throws Cancelled when the callback says stop.
    void report(double fraction);
    /// Throws Cancelled if the callback asks to stop, without reporting new progress.
    void check();

private:
    ProgressFn fn_;
    double step_ = 0.01;
    double begin_ = 0, end_ = 1;
    double last_ = -1;
};

} // namespace rb
