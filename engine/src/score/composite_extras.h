// Internal to composite_files(): the outputs that go beyond the composite itself, the
// winner's component scores and bap's per-pixel information, and the stack's
// normalization fit.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "rasterbench/composite.h"

namespace rb::detail {

/// Fits CompositeOptions::normalize on a decimated read (at most 1024 pixels a side) of
/// every scene, on o.bands.
NormalizationFit fit_stack_normalization(const std::vector<SceneSource>& scenes,
                                         const CompositeOptions& o);

/// CompositeOutputs::components and ::bap_info, block by block.
class ComponentOutputs {
public:
    using ProfileFn = std::function<Profile(int count, DataType, std::optional<double> nodata)>;
    /// Creates the files (ArgumentError: bap_info asked of a method other than bap).
    ComponentOutputs(const Scorer& scorer, std::vector<SceneInfo> scenes,
                     const CompositeOutputs& outputs, const ProfileFn& profile);
    /// Computes one block (`data`: every scene on the block's outer window, `index`: the
    /// composite's winners there, `inner`: the block inside it) and returns what writes it
    /// at `dest` (run under the writers' lock).
    std::function<void()> compute(const std::vector<Raster>& data, const StackStats* stats,
                                  const Raster& index, const Window& inner, const Window& dest);
    void close();

private:
    const Scorer& scorer_;
    std::vector<SceneInfo> scenes_;
    std::vector<int> sensor_code_; // per scene, 0: unknown
    std::optional<Dataset> components_, info_;
    int clear_band_ = -1;
};

} // namespace rb::detail
