#include "rasterbench/progress.h"

#include <algorithm>
#include <cmath>

#include "rasterbench/error.h"

namespace rb {

Progress Progress::sub(double begin, double end) const {
    Progress p = *this;
    const double span = end_ - begin_;
    p.begin_ = begin_ + span * begin;
    p.end_ = begin_ + span * end;
    p.last_ = -1;
    return p;
}

void Progress::report(double fraction) {
    if (!fn_)
        return;
    fraction = std::clamp(fraction, 0.0, 1.0);
    const bool due = last_ < 0 || fraction >= 1.0 || fraction - last_ >= step_;
    if (!due)
        return;
    last_ = fraction;
    if (!fn_(begin_ + (end_ - begin_) * fraction))
        throw Cancelled();
}

void Progress::check() {
    if (fn_ && !fn_(begin_ + (end_ - begin_) * std::max(last_, 0.0)))
        throw Cancelled();
}

} // namespace rb
