// The winner's component scores, bap's per-pixel information, the normalization fit.
#include "composite_extras.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace rb::detail {

NormalizationFit fit_stack_normalization(const std::vector<SceneSource>& scenes,
                                         const CompositeOptions& o) {
    std::vector<Raster> sample;
    for (const auto& s : scenes) {
        SceneReader r(s);
        const Profile& p = r.profile();
        const double f = std::max(1.0, double(std::max(p.width, p.height)) / 1024.0);
        const int cols = std::max(1, int(p.width / f)), rows = std::max(1, int(p.height / f));
        sample.push_back(r.read(Window::full(p.width, p.height), rows, cols));
    }
    if (o.normalize_reference > int(scenes.size()))
        throw ArgumentError(
            "parameter 'normalize_reference': " + std::to_string(o.normalize_reference) +
            " is beyond the " + std::to_string(scenes.size()) + " scenes");
    return fit_normalization(sample, o.normalize, o.normalize_reference - 1, o.bands);
}

ComponentOutputs::ComponentOutputs(const Scorer& scorer, std::vector<SceneInfo> scenes,
                                   const CompositeOutputs& outputs, const ProfileFn& profile)
    : scorer_(scorer), scenes_(std::move(scenes)) {
    const auto names = scorer.component_names();
    const auto clear = std::find(names.begin(), names.end(), "clear");
    clear_band_ = clear == names.end() ? -1 : int(clear - names.begin());
    if (!outputs.bap_info.empty() && score_method_name(scorer.options()) != "bap")
        throw ArgumentError("the bap information output needs score method 'bap', not '" +
                            score_method_name(scorer.options()) + "'");
    std::set<std::string> sensors;
    for (const auto& s : scenes_)
        if (!s.sensor.empty())
            sensors.insert(s.sensor);
    const std::vector<std::string> list(sensors.begin(), sensors.end());
    std::string legend;
    for (std::size_t i = 0; i < list.size(); ++i)
        legend += (i ? ", " : "") + std::to_string(i + 1) + "=" + list[i];
    for (const auto& s : scenes_) {
        const auto it = std::find(list.begin(), list.end(), s.sensor);
        sensor_code_.push_back(it == list.end() ? 0 : int(it - list.begin()) + 1);
    }
    if (!outputs.components.empty()) {
        Profile p =
            profile(int(names.size()), DataType::Float32, std::numeric_limits<double>::quiet_NaN());
        p.nodata.assign(names.size(), std::numeric_limits<double>::quiet_NaN());
        p.descriptions = names;
        components_.emplace(Dataset::create(outputs.components, p));
    }
    if (!outputs.bap_info.empty()) {
        Profile p = profile(4, DataType::Int16, -1.0);
        p.nodata.assign(4, -1.0);
        p.descriptions = {"day of year", "year",
                          "sensor (" + (legend.empty() ? std::string("0=unknown") : legend) + ")",
                          "clear observations"};
        info_.emplace(Dataset::create(outputs.bap_info, p));
    }
}

std::function<void()> ComponentOutputs::compute(const std::vector<Raster>& data,
                                                const StackStats* stats, const Raster& index,
                                                const Window& inner, const Window& dest) {
    const std::size_t n = data.size();
    std::vector<Raster> comp(n);
    for (std::size_t i = 0; i < n; ++i)
        comp[i] = scorer_.components(data[i], stats, int(i));
    const int rows = int(inner.height), cols = int(inner.width);
    const int nc = comp.empty() ? 0 : comp[0].bands();
    const int full_cols = index.cols();
    auto out_comp = std::make_shared<Raster>(DataType::Float32, nc, rows, cols);
    auto out_info = std::make_shared<Raster>(DataType::Int16, 4, rows, cols);
    const auto idx = index.band<std::uint16_t>(0);
    const std::uint8_t* idx_mask = index.has_mask() ? index.mask(0).data() : nullptr;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (int y = 0; y < rows; ++y)
        for (int x = 0; x < cols; ++x) {
            const std::size_t q = std::size_t(y + int(inner.row_off)) * std::size_t(full_cols) +
                                  std::size_t(x + int(inner.col_off));
            const std::size_t p = std::size_t(y) * std::size_t(cols) + std::size_t(x);
            const bool has = !idx_mask || idx_mask[q];
            const std::size_t w = has ? idx[q] : 0;
            for (int k = 0; k < nc; ++k)
                out_comp->band<float>(k)[p] = has ? comp[w].band<float>(k)[q] : nan;
            int clear = 0;
            if (clear_band_ >= 0)
                for (std::size_t i = 0; i < n; ++i)
                    clear += comp[i].valid(clear_band_, y + int(inner.row_off),
                                           x + int(inner.col_off)) &&
                             comp[i].band<float>(clear_band_)[q] > 0.5f;
            std::int16_t doy = -1, year = -1, sensor = -1;
            if (has && w < scenes_.size() && scenes_[w].date) {
                const SceneDate& d = *scenes_[w].date;
                doy = std::int16_t(d.days_since_epoch() -
                                   SceneDate{d.year, 1, 1}.days_since_epoch() + 1);
                year = std::int16_t(d.year);
            }
            if (has && w < sensor_code_.size())
                sensor = std::int16_t(sensor_code_[w]);
            out_info->band<std::int16_t>(0)[p] = doy;
            out_info->band<std::int16_t>(1)[p] = year;
            out_info->band<std::int16_t>(2)[p] = sensor;
            out_info->band<std::int16_t>(3)[p] = std::int16_t(std::min(clear, 32767));
        }
    return [this, out_comp, out_info, dest] {
        if (components_)
            components_->write(*out_comp, {}, dest);
        if (info_)
            info_->write(*out_info, {}, dest);
    };
}

void ComponentOutputs::close() {
    if (components_)
        components_->close();
    if (info_)
        info_->close();
}

} // namespace rb::detail
