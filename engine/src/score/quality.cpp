#include "rasterbench/quality.h"

#include <algorithm>
#include <cctype>

namespace rb {

std::vector<std::string> quality_preset_names() {
    return {"fmask", "landsat-c1-bqa", "landsat-c2-qa-pixel", "s2-scl"};
}

std::string_view quality_preset_name(QualityPreset p) {
    static const char* const names[] = {"fmask", "landsat-c1-bqa", "landsat-c2-qa-pixel", "s2-scl"};
    return names[int(p)];
}

std::optional<QualityPreset> parse_quality_preset(std::string_view name) {
    const auto all = quality_preset_names();
    for (std::size_t k = 0; k < all.size(); ++k)
        if (all[k] == name)
            return QualityPreset(k);
    return std::nullopt;
}

std::string_view quality_class_name(QualityClass c) {
    static const char* const names[] = {"fill",  "clear",      "water",  "shadow",      "snow",
                                        "cloud", "cloud-edge", "cirrus", "unclassified"};
    return names[int(c)];
}

namespace {

/// A two-bit confidence field starting at `bit`: 0 none, 1 low, 2 medium, 3 high.
int field(std::uint32_t v, int bit) {
    return int(v >> bit & 3u);
}

} // namespace

QualityClass classify_quality(QualityPreset preset, std::uint32_t v) {
    using C = QualityClass;
    switch (preset) {
    case QualityPreset::Fmask:
        switch (v) {
        case 0:
            return C::Clear;
        case 1:
            return C::Water;
        case 2:
            return C::Shadow;
        case 3:
            return C::Snow;
        case 4:
            return C::Cloud;
        default:
            return C::Fill;
        }
    case QualityPreset::LandsatC1Bqa:
        if (v & 1u)
            return C::Fill;
        if ((v >> 4 & 1u) || field(v, 5) == 3)
            return C::Cloud;
        if (field(v, 5) == 2)
            return C::CloudEdge;
        if (field(v, 7) == 3)
            return C::Shadow;
        if (field(v, 11) == 3)
            return C::Cirrus;
        if (field(v, 9) == 3)
            return C::Snow;
        return C::Clear;
    case QualityPreset::LandsatC2QaPixel:
        if (v & 1u)
            return C::Fill;
        if ((v >> 3 & 1u) || field(v, 8) == 3)
            return C::Cloud;
        if (v >> 1 & 1u)
            return C::CloudEdge;
        if ((v >> 4 & 1u) || field(v, 10) == 3)
            return C::Shadow;
        if ((v >> 2 & 1u) || field(v, 14) == 3)
            return C::Cirrus;
        if ((v >> 5 & 1u) || field(v, 12) == 3)
            return C::Snow;
        if (v >> 7 & 1u)
            return C::Water;
        return C::Clear;
    case QualityPreset::S2Scl:
        switch (v) {
        case 2:
        case 3:
            return C::Shadow;
        case 4:
        case 5:
            return C::Clear;
        case 6:
            return C::Water;
        case 7:
            return C::Unclassified;
        case 8:
            return C::CloudEdge;
        case 9:
            return C::Cloud;
        case 10:
            return C::Cirrus;
        case 11:
            return C::Snow;
        default:
            return C::Fill; // 0 no data, 1 saturated or defective
        }
    }
    return C::Fill;
}

namespace {

std::string upper(std::string s) {
    for (char& c : s)
        c = char(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::optional<QualityPreset> from_text(const std::string& text) {
    const std::string t = upper(text);
    if (t.find("QA_PIXEL") != std::string::npos)
        return QualityPreset::LandsatC2QaPixel;
    if (t.find("BQA") != std::string::npos)
        return QualityPreset::LandsatC1Bqa;
    if (t.find("SCL") != std::string::npos)
        return QualityPreset::S2Scl;
    if (t.find("FMASK") != std::string::npos)
        return QualityPreset::Fmask;
    return std::nullopt;
}

} // namespace

std::optional<QualityPreset> detect_quality_preset(const BandLayout& layout, int qa_band,
                                                   const std::vector<std::string>& files) {
    if (qa_band >= 0 && std::size_t(qa_band) < layout.descriptions.size())
        if (const auto p = from_text(layout.descriptions[std::size_t(qa_band)]))
            return p;
    // The quality file is the scene's last file when it has more than one.
    for (auto it = files.rbegin(); it != files.rend(); ++it) {
        const std::string name = it->substr(it->find_last_of("/\\") + 1);
        if (const auto p = from_text(name))
            return p;
        if (files.size() > 1)
            break;
    }
    return std::nullopt;
}

} // namespace rb
