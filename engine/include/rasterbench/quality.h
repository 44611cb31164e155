#pragma once
// Quality bands of real products decoded into classes: Fmask, Landsat Collection 1 BQA,
// Landsat Collection 2 QA_PIXEL (bits and two-bit confidence fields) and the Sentinel-2
// L2A scene classification (SCL). The `mask` score's presets are built on these.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rasterbench/bands.h"

namespace rb {

enum class QualityPreset { Fmask, LandsatC1Bqa, LandsatC2QaPixel, S2Scl };

enum class QualityClass : std::uint8_t {
    Fill,      ///< no data: the pixel is invalid
    Clear,     ///< land, clear
    Water,     ///< clear water
    Shadow,    ///< cloud shadow (or dark terrain shadow, SCL)
    Snow,      ///< snow or ice
    Cloud,     ///< cloud (high confidence)
    CloudEdge, ///< dilated cloud, or cloud of medium probability
    Cirrus,    ///< thin cirrus
    Unclassified,
};

/// "fmask", "landsat-c1-bqa", "landsat-c2-qa-pixel", "s2-scl".
std::vector<std::string> quality_preset_names();
std::string_view quality_preset_name(QualityPreset p);
std::optional<QualityPreset> parse_quality_preset(std::string_view name);
std::string_view quality_class_name(QualityClass c);

/// The class of one quality value. Fmask: 0 clear, 1 water, 2 shadow, 3 snow, 4 cloud, else
/// fill. BQA (C1): bit 0 fill, bit 4 cloud; two-bit confidences of cloud (5-6), shadow (7-8),
/// snow (9-10), cirrus (11-12), high (3) counting. QA_PIXEL (C2): bit 0 fill, 1 dilated
/// cloud, 2 cirrus, 3 cloud, 4 shadow, 5 snow, 7 water; confidences of cloud (8-9), shadow
/// (10-11), snow (12-13) and cirrus (14-15), high counting. SCL: 0-1 fill/defective, 2 dark
/// area and 3 cloud shadow, 4-5 land, 6 water, 7 unclassified, 8 cloud medium, 9 high, 10
/// cirrus, 11 snow. Where several apply: fill, cloud, cloud edge, shadow, cirrus, snow, water.
QualityClass classify_quality(QualityPreset preset, std::uint32_t value);

/// The preset a scene's quality band follows, from the band's description ("BQA",
/// "QA_PIXEL", "SCL", "Fmask") or the scene's file names (..._BQA.tif, _QA_PIXEL, _SCL,
/// fmask); nullopt when nothing says.
std::optional<QualityPreset> detect_quality_preset(const BandLayout& layout, int qa_band,
                                                   const std::vector<std::string>& files = {});

} // namespace rb
