#include "rasterbench/calibrate.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numbers>
#include <regex>
#include <sstream>

#include "rasterbench/dataset.h"
#include "rasterbench/error.h"
#include "rasterbench/output_guard.h"

namespace rb {

const ParamTable<CalibrateOptions>& CalibrateOptions::params() {
    static const ParamTable<CalibrateOptions> t = [] {
        using O = CalibrateOptions;
        ParamTable<O> t;
        t.add_enum(&O::to, "to", {"radiance", "toa", "sr", "sr-dos"},
                   "radiance, top-of-atmosphere reflectance, surface reflectance (Level-2 "
                   "products), or DOS1 dark-object subtraction (approximate)");
        t.add(&O::dark_fraction, "dark_fraction",
              "sr-dos: share of a band's valid pixels darker than its dark object", 0, 0.05);
        t.add_enum(&O::sun, "sun", {"scene", "pixel"},
                   "Landsat reflectance: the scene-centre sun elevation, or each pixel's solar "
                   "zenith angle from the product's _SZA band");
        return t;
    }();
    return t;
}

std::vector<std::string> match_product_bands(const std::vector<std::string>& descriptions,
                                             const std::string& label, const ProductMetadata& m) {
    std::vector<std::string> out;
    static const std::regex named("^\\s*[Bb](?:and)?\\s*0*([0-9]{1,2}A?)\\b.*");
    std::size_t named_bands = 0;
    std::string unknown; // the first band named for a product band the metadata lacks
    for (std::size_t i = 0; i < descriptions.size(); ++i) {
        std::smatch s;
        if (!std::regex_match(descriptions[i], s, named))
            continue;
        ++named_bands;
        if (m.band(s[1].str()))
            out.push_back(m.band(s[1].str())->name);
        else if (unknown.empty())
            unknown = "band " + std::to_string(i + 1) + " is '" + descriptions[i] + "'";
    }
    if (out.size() == descriptions.size() && !out.empty())
        return out;
    // Every band names its product band, but one the metadata does not describe: taking the
    // bands in the metadata's order instead gave them other bands' calibrations and names.
    if (named_bands == descriptions.size() && !unknown.empty())
        throw ArgumentError("'" + label + "': " + unknown + ", which '" + m.source +
                            "' does not describe");
    out.clear();
    if (descriptions.size() == 1) {
        static const std::regex in_name("_[Bb]0*([0-9]{1,2}A?)(?:_[^/]*)?\\.[A-Za-z0-9]+$");
        std::smatch s;
        const std::string file = std::filesystem::path(label).filename().string();
        if (std::regex_search(file, s, in_name) && m.band(s[1].str()))
            return {m.band(s[1].str())->name};
    }
    if (descriptions.size() == m.bands.size()) {
        for (const auto& b : m.bands)
            out.push_back(b.name);
        return out;
    }
    throw ArgumentError("'" + label + "': cannot tell which product band each of its " +
                        std::to_string(descriptions.size()) +
                        " bands is (no B1, B2... descriptions, no _Bn in a one-band file's "
                        "name, and the metadata lists " +
                        std::to_string(m.bands.size()) + " bands)");
}

namespace {

constexpr double kKelvin = 273.15;

bool is_landsat_thermal(const ProductMetadata& m, const BandRescaling& b) {
    return m.family == ProductFamily::Landsat && (b.k1 || b.st_mult);
}

CalibrationMap band_map(const ProductMetadata& m, const BandRescaling& b, CalibrationTarget to,
                        const std::string& where) {
    CalibrationMap r;
    auto need = [&](const std::optional<double>& v, const char* what) {
        if (!v)
            throw ArgumentError(where + ": band " + b.name + " has no " + what + " in '" +
                                m.source + "'");
        return *v;
    };
    if (m.family == ProductFamily::Sentinel2) {
        if (to == CalibrationTarget::Radiance)
            throw ArgumentError(where + ": Sentinel-2 products give reflectance, not radiance "
                                        "(use --to toa or sr)");
        const bool l2 = m.level.find("2A") != std::string::npos;
        if (to == CalibrationTarget::Sr && !l2)
            throw ArgumentError(where + ": '" + m.source +
                                "' is a Level-1C product: it holds top-of-atmosphere "
                                "reflectance (use --to toa, or sr-dos)");
        if (to == CalibrationTarget::Toa && l2)
            throw ArgumentError(where + ": '" + m.source +
                                "' is a Level-2A product: it holds surface reflectance (use "
                                "--to sr)");
        r.mult = 1.0 / m.quantification;
        r.add = b.offset / m.quantification;
        return r;
    }
    const bool thermal = is_landsat_thermal(m, b);
    r.thermal = thermal;
    switch (to) {
    case CalibrationTarget::Radiance:
        r.mult = need(b.radiance_mult, "RADIANCE_MULT");
        r.add = need(b.radiance_add, "RADIANCE_ADD");
        break;
    case CalibrationTarget::Toa:
    case CalibrationTarget::SrDos:
        if (thermal) {
            r.mult = need(b.radiance_mult, "RADIANCE_MULT");
            r.add = need(b.radiance_add, "RADIANCE_ADD");
            r.k1 = need(b.k1, "K1_CONSTANT");
            r.k2 = need(b.k2, "K2_CONSTANT");
        } else {
            const double sun = need(m.sun_elevation, "SUN_ELEVATION");
            const double s = std::sin(sun * std::numbers::pi / 180.0);
            if (!(s > 0.01) || sun > 90)
                throw ArgumentError(where + ": the sun is " + std::to_string(sun) +
                                    " degrees up in '" + m.source + "': no reflectance");
            r.mult = need(b.reflectance_mult, "REFLECTANCE_MULT") / s;
            r.add = need(b.reflectance_add, "REFLECTANCE_ADD") / s;
        }
        break;
    case CalibrationTarget::Sr:
        if (thermal) {
            r.mult = need(b.st_mult, "Level-2 TEMPERATURE_MULT (a Level-1 product?)");
            r.add = need(b.st_add, "TEMPERATURE_ADD");
            r.kelvin_shift = kKelvin;
        } else {
            r.mult = need(b.sr_mult, "Level-2 REFLECTANCE_MULT (a Level-1 product? use --to toa "
                                     "or sr-dos)");
            r.add = need(b.sr_add, "Level-2 REFLECTANCE_ADD");
        }
        break;
    }
    // Metadata that parse but cannot be a calibration (a gain of 0, NaN or a negative one)
    // made an image of NaN or of one value, written as a success.
    if (!(std::isfinite(r.mult) && r.mult > 0) || !std::isfinite(r.add) ||
        (r.k1 && !(std::isfinite(*r.k1) && *r.k1 > 0)) ||
        (r.k2 && !(std::isfinite(*r.k2) && *r.k2 > 0))) {
        std::ostringstream t;
        t << where << ": band " << b.name << " of '" << m.source << "' rescales by " << r.mult
          << " and adds " << r.add << ": not a calibration (the gain must be finite and "
          << "positive); check the metadata";
        throw ArgumentError(t.str());
    }
    return r;
}

} // namespace

const ParamTable<SceneCalibration>& SceneCalibration::params() {
    static const ParamTable<SceneCalibration> t = [] {
        ParamTable<SceneCalibration> t;
        t.add_choice(&SceneCalibration::calibrate, "calibrate", {"none", "radiance", "toa", "sr"},
                     "convert each scene's bands as they are read, with its product metadata "
                     "(MTL or MTD beside its file): radiance, top-of-atmosphere reflectance or "
                     "Level-2 surface reflectance");
        t.add_enum(&SceneCalibration::sun, "sun", {"scene", "pixel"},
                   "the sun angle of Landsat toa reflectance: the scene centre's, or each "
                   "pixel's from the product's solar zenith band (Collection 2)");
        return t;
    }();
    return t;
}

CalibrationMap calibration_map(const ProductMetadata& m, const std::string& band,
                               CalibrationTarget to, const std::string& where) {
    const BandRescaling* b = m.band(band);
    if (!b)
        throw ArgumentError(where + ": no band " + band + " in '" + m.source + "'");
    return band_map(m, *b, to, where);
}

namespace {

/// Each pixel's 1 / cos(solar zenith) from a band in hundredths of a degree; NaN from 89
/// degrees on (no meaningful reflectance) and where the band is invalid.
std::vector<double> inverse_cosines(const Raster& zenith) {
    std::vector<double> out(std::size_t(zenith.rows()) * std::size_t(zenith.cols()),
                            std::numeric_limits<double>::quiet_NaN());
    const bool has_mask = zenith.has_mask();
    visit_dtype(zenith.dtype(), [&](auto t) {
        using T = decltype(t);
        const auto z = zenith.band<T>(0);
        const auto valid = has_mask ? zenith.mask(0) : std::span<const std::uint8_t>{};
        for (std::size_t i = 0; i < out.size(); ++i) {
            const double deg = double(z[i]) / 100.0;
            if ((has_mask && !valid[i]) || !(deg > -89.0 && deg < 89.0))
                continue;
            out[i] = 1.0 / std::cos(deg * std::numbers::pi / 180.0);
        }
    });
    return out;
}

void apply_calibration_scaled(const Raster& dn, int band, const CalibrationMap& map, Raster& out,
                              int out_band, const std::vector<double>* scale) {
    constexpr float nan = std::numeric_limits<float>::quiet_NaN();
    // Landsat and Sentinel-2 both store fill as 0 in their integer bands, declared or not.
    const bool zero_is_fill = !is_floating(dn.dtype());
    auto dst = out.band<float>(out_band);
    auto mask = out.mask(out_band);
    const bool has_mask = dn.has_mask();
    visit_dtype(dn.dtype(), [&](auto t) {
        using T = decltype(t);
        const auto src = dn.band<T>(band);
        const std::span<const std::uint8_t> valid =
            has_mask ? dn.mask(band) : std::span<const std::uint8_t>{};
        for (std::size_t i = 0; i < src.size(); ++i) {
            if ((has_mask && !valid[i]) || (zero_is_fill && src[i] == T(0))) {
                dst[i] = nan;
                mask[i] = 0;
                continue;
            }
            double v = double(src[i]) * map.mult + map.add;
            if (scale)
                v *= (*scale)[i];
            if (map.k1)
                v = v > 0 ? *map.k2 / std::log(*map.k1 / v + 1.0) - kKelvin : double(nan);
            v -= map.kelvin_shift;
            dst[i] = float(v);
            mask[i] = std::isfinite(v) ? 255 : 0;
        }
    });
}

} // namespace

void apply_calibration(const Raster& dn, int band, const CalibrationMap& map, Raster& out,
                       int out_band) {
    apply_calibration_scaled(dn, band, map, out, out_band, nullptr);
}

void apply_calibration(const Raster& dn, int band, const CalibrationMap& map, Raster& out,
                       int out_band, const Raster& solar_zenith) {
    if (solar_zenith.rows() != dn.rows() || solar_zenith.cols() != dn.cols())
        throw ArgumentError("the solar zenith band is " + std::to_string(solar_zenith.cols()) +
                            " x " + std::to_string(solar_zenith.rows()) + ", the scene " +
                            std::to_string(dn.cols()) + " x " + std::to_string(dn.rows()));
    const std::vector<double> scale = inverse_cosines(solar_zenith);
    apply_calibration_scaled(dn, band, map, out, out_band, &scale);
}

CalibrationMap without_scene_sun(CalibrationMap map, const ProductMetadata& m) {
    if (map.thermal || !m.sun_elevation)
        return map;
    // The scene-centre correction out; apply_calibration puts each pixel's in.
    const double s = std::sin(*m.sun_elevation * std::numbers::pi / 180.0);
    map.mult *= s;
    map.add *= s;
    return map;
}

std::string solar_zenith_path(const ProductMetadata& m, const std::string& mtl) {
    if (m.solar_zenith_file.empty())
        throw ArgumentError("'" + mtl +
                            "' names no solar zenith band (FILE_NAME_ANGLE_SOLAR_ZENITH_"
                            "BAND_4, Collection 2 products): use --sun scene");
    const std::string sza =
        (std::filesystem::path(mtl).parent_path() / m.solar_zenith_file).string();
    if (!std::filesystem::exists(sza))
        throw ArgumentError("'" + sza + "': the solar zenith band '" + mtl +
                            "' names is not there (--sun pixel needs it; or use --sun scene)");
    return sza;
}

Raster calibrate(const Raster& dn, const std::vector<std::string>& names, const ProductMetadata& m,
                 const CalibrateOptions& o, CalibrationReport* report, const Raster* solar_zenith) {
    CalibrateOptions::params().validate(o);
    const bool per_pixel = o.sun == SunGeometry::Pixel;
    if (per_pixel) {
        if (m.family != ProductFamily::Landsat ||
            (o.to != CalibrationTarget::Toa && o.to != CalibrationTarget::SrDos))
            throw ArgumentError("calibrate: the sun angle enters only Landsat top-of-atmosphere "
                                "reflectance (toa, sr-dos); '" +
                                m.source + "' to " +
                                std::string(CalibrateOptions::params().get(o, "to")) +
                                " takes none (use --sun scene)");
        if (!solar_zenith)
            throw ArgumentError("calibrate: per-pixel sun needs the solar zenith band of '" +
                                m.source + "'");
    }

    if (int(names.size()) != dn.bands())
        throw ArgumentError("calibrate: " + std::to_string(names.size()) + " band names for " +
                            std::to_string(dn.bands()) + " bands");
    Raster out(DataType::Float32, dn.bands(), dn.rows(), dn.cols());
    out.ensure_mask();
    CalibrationReport rep;
    for (int k = 0; k < dn.bands(); ++k) {
        const BandRescaling* b = m.band(names[std::size_t(k)]);
        if (!b)
            throw ArgumentError("calibrate: no band " + names[std::size_t(k)] + " in '" + m.source +
                                "'");
        CalibrationMap map = band_map(m, *b, o.to, "calibrate");
        if (per_pixel && !map.thermal) {
            apply_calibration(dn, k, without_scene_sun(map, m), out, k, *solar_zenith);
        } else {
            apply_calibration(dn, k, map, out, k);
        }
        auto dst = out.band<float>(k);
        auto mask = out.mask(k);
        double haze = 0;
        std::vector<double> dark; // DOS1: the band's valid values
        if (o.to == CalibrationTarget::SrDos && !map.thermal)
            for (std::size_t i = 0; i < dst.size(); ++i)
                if (mask[i])
                    dark.push_back(dst[i]);
        if (!dark.empty()) {
            // DOS1: the dark object is assumed to reflect 1 %; what it shows above that is
            // haze (path radiance), taken off every pixel of the band.
            const std::size_t at = std::min(
                dark.size() - 1, std::size_t(std::floor(o.dark_fraction * double(dark.size()))));
            std::nth_element(dark.begin(), dark.begin() + std::ptrdiff_t(at), dark.end());
            haze = std::max(0.0, dark[at] - 0.01);
            for (std::size_t i = 0; i < dst.size(); ++i)
                if (mask[i])
                    dst[i] = float(double(dst[i]) - haze);
        }
        rep.bands.push_back(b->name);
        rep.haze.push_back(haze);
    }
    if (report)
        *report = rep;
    return out;
}

CalibrationReport calibrate_file(const std::string& in, const std::string& out,
                                 const std::string& metadata_path, const CalibrateOptions& o,
                                 Progress progress) {
    std::string mtl = metadata_path;
    if (mtl.empty()) {
        mtl = find_product_metadata(in);
        if (mtl.empty())
            throw ArgumentError("'" + in +
                                "': no product metadata beside it (an *_MTL.txt / *_MTL.json "
                                "or a SAFE folder's MTD_MSIL*.xml): give it with --mtl");
    }
    check_outputs_distinct({{"input", in}, {"metadata", mtl}}, {{"output", out}});
    const ProductMetadata m = read_product_metadata(mtl);
    const Dataset src = Dataset::open(in);
    const Profile& p0 = src.profile();
    std::vector<std::string> desc = p0.descriptions;
    desc.resize(std::size_t(p0.count));
    const std::vector<std::string> names = match_product_bands(desc, in, m);
    std::optional<Raster> zenith;
    if (o.sun == SunGeometry::Pixel && m.family == ProductFamily::Landsat &&
        (o.to == CalibrationTarget::Toa || o.to == CalibrationTarget::SrDos)) {
        const std::string sza = solar_zenith_path(m, mtl);
        const Dataset z = Dataset::open(sza);
        if (z.profile().width != p0.width || z.profile().height != p0.height)
            throw ArgumentError("'" + sza + "' is " + std::to_string(z.profile().width) + " x " +
                                std::to_string(z.profile().height) + ", '" + in + "' " +
                                std::to_string(p0.width) + " x " + std::to_string(p0.height) +
                                ": not the scene's grid");
        ReadOptions ro;
        ro.bands = {1};
        zenith = z.read(ro);
    }
    progress.report(0.1);
    CalibrationReport rep;
    const Raster r = calibrate(src.read(), names, m, o, &rep, zenith ? &*zenith : nullptr);
    progress.report(0.8);
    Profile p = p0;
    p.driver = "GTiff";
    p.dtype = DataType::Float32;
    p.overview_factors.clear();
    p.set_nodata(std::numeric_limits<double>::quiet_NaN());
    p.descriptions = names;
    p.metadata["CALIBRATION"] = std::string(CalibrateOptions::params().get(o, "to"));
    p.metadata["PRODUCT_METADATA"] = std::filesystem::path(mtl).filename().string();
    if (!m.product_id.empty())
        p.metadata["PRODUCT_ID"] = m.product_id;
    if (m.date)
        p.metadata["ACQUISITION_DATE"] = m.date->iso();
    Dataset dst = Dataset::create(out, p);
    dst.write(r);
    dst.close();
    progress.report(1.0);
    return rep;
}

} // namespace rb
