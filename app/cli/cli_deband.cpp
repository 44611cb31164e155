// rasterbench-cli deband: notch filtering of periodic bands (Landsat 7 SLC-off fills) in the
// FFT spectrum, with notches given by hand, read from JSON, or found automatically along the
// stripe orientation; prints what was removed and, with a reference, PSNR and SSIM.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli_commands.h"
#include "cli_flags.h"
#include "cli_progress.h"
#include "rasterbench/dataset.h"
#include "rasterbench/deband.h"
#include "rasterbench/recipe.h"

namespace rbcli {

namespace {

using namespace rb::fft;

std::vector<rb::ParamInfo> deband_rows() {
    std::vector<rb::ParamInfo> rows = PeakOptions::params().infos();
    for (const auto& t : {OrientationOptions::params().infos(), DebandOptions::params().infos()})
        rows.insert(rows.end(), t.begin(), t.end());
    return rows;
}

void usage(std::ostream& os) {
    os << "usage: rasterbench-cli deband IN.tif -o OUT.tif [--band N|all]\n"
          "         [--notch U,V,RADIUS[,SHAPE[,ORDER]]]... [--stripe "
          "ANGLE,WIDTH[,SOFT[,PROTECT]]]...\n"
          "         [--auto [--angle DEG] [--threshold T] [--shared]] [--notches NOTCHES.json]\n"
          "         [--notches-out NOTCHES.json] [--reference REF.tif] [--progress]\n\n"
          "  U, V, RADIUS, WIDTH, SOFT, PROTECT in cycles/pixel (u along columns, v down the\n"
          "  rows); each point notch also removes its twin (-U, -V). SHAPE: ideal, gaussian\n"
          "  (default), butterworth (ORDER, default 2). ANGLE: orientation of the bands in the\n"
          "  image, degrees counter-clockwise from the columns axis (horizontal bands = 0).\n"
          "  --band N|all   1-based band, or every band (default all); OUT has those bands\n"
          "  --auto         find peaks along the stripe orientation (estimated from the gap mask,\n"
          "                 the spectrum or the footprint unless --angle is given), per band\n"
          "                 unless --shared (then from the first band, applied to all)\n"
          "  --notches-out  write the notches used (the first band's with per-band --auto)\n"
          "  --reference    clean image of the same size: print PSNR and SSIM before/after\n"
       << kProgressHelp;
    print_param_flags(os, deband_rows());
}

PointNotch parse_notch(const std::string& text) {
    const auto p = split(text);
    if (p.size() < 3 || p.size() > 5)
        throw UsageError("--notch expects U,V,RADIUS[,SHAPE[,ORDER]], got '" + text + "'");
    PointNotch n;
    n.u = parse_double(p[0], "--notch U");
    n.v = parse_double(p[1], "--notch V");
    n.radius = parse_double(p[2], "--notch RADIUS");
    if (!(n.radius > 0) || std::abs(n.u) > 0.5 || std::abs(n.v) > 0.5)
        throw UsageError("--notch '" + text + "': U and V lie in [-0.5, 0.5], RADIUS > 0");
    if (p.size() >= 4) {
        const auto s = parse_shape(p[3]);
        if (!s)
            throw UsageError("--notch '" + text + "': shape '" + p[3] +
                             "' is not ideal, gaussian or butterworth");
        n.shape = *s;
    }
    if (p.size() == 5) {
        n.order = parse_int(p[4], "--notch ORDER");
        if (n.order < 1 || n.order > 20)
            throw UsageError("--notch ORDER is 1..20");
    }
    return n;
}

StripeNotch parse_stripe(const std::string& text) {
    const auto p = split(text);
    if (p.size() < 2 || p.size() > 4)
        throw UsageError("--stripe expects ANGLE,WIDTH[,SOFTNESS[,PROTECT]], got '" + text + "'");
    StripeNotch s;
    s.angle_deg = parse_double(p[0], "--stripe ANGLE");
    s.width = parse_double(p[1], "--stripe WIDTH");
    if (p.size() >= 3)
        s.softness = parse_double(p[2], "--stripe SOFTNESS");
    if (p.size() == 4)
        s.protect_radius = parse_double(p[3], "--stripe PROTECT");
    if (s.width < 0 || s.softness < 0 || s.protect_radius < 0 || s.width + s.softness <= 0)
        throw UsageError("--stripe '" + text + "': sizes are >= 0 and WIDTH + SOFTNESS > 0");
    return s;
}

int run_deband(const Args& args) {
    std::string notchesIn, notchesOut, reference;
    std::optional<int> band; // 1-based; nullopt = all
    bool autoFind = false, shared = false, progress = false;
    std::optional<double> angle;
    NotchSet manual;
    PeakOptions peak;
    OrientationOptions orient;
    DebandOptions deb;
    const ParsedArgs parsed = parse_args(
        args, usage,
        [&](const Args& args, std::size_t& i) {
            const std::string& a = args[i];
            if (a == "--band") {
                const std::string& v = option_value(args, i);
                if (v != "all") {
                    band = parse_int(v, "--band");
                    if (*band < 1)
                        throw UsageError("--band: bands are numbered from 1 (or 'all')");
                }
            } else if (a == "--notch") {
                manual.points.push_back(parse_notch(option_value(args, i)));
            } else if (a == "--stripe") {
                manual.stripes.push_back(parse_stripe(option_value(args, i)));
            } else if (a == "--auto") {
                autoFind = true;
            } else if (take_progress_flag(args, i, progress)) {
            } else if (a == "--shared") {
                shared = true;
            } else if (a == "--angle") {
                angle = parse_double(option_value(args, i), "--angle");
            } else if (a == "--notches") {
                notchesIn = option_value(args, i);
            } else if (a == "--notches-out") {
                notchesOut = option_value(args, i);
            } else if (a == "--reference") {
                reference = option_value(args, i);
            } else {
                return take_param_flag(args, i, PeakOptions::params(), peak) ||
                       take_param_flag(args, i, OrientationOptions::params(), orient) ||
                       take_param_flag(args, i, DebandOptions::params(), deb);
            }
            return true;
        },
        deband_rows());
    if (parsed.answered)
        return 0;
    const std::string in = one_input(parsed);
    const std::string& out = parsed.output;
    if (in.empty() || out.empty())
        throw UsageError("needs IN and -o OUT (see --help)");
    if (!autoFind && manual.empty() && notchesIn.empty())
        throw UsageError("nothing to remove: give --notch, --stripe, --notches or --auto");

    rb::check_outputs_distinct({{"input", in}, {"notch file", notchesIn}, {"reference", reference}},
                               {{"output", out}, {"notches output", notchesOut}});
    const rb::Dataset src = rb::Dataset::open(in);
    if (band && *band > src.count())
        throw rb::ArgumentError(in + ": no band " + std::to_string(*band) + " (it has " +
                                std::to_string(src.count()) + ")");
    rb::ReadOptions ro;
    if (band)
        ro.bands = {*band};
    const rb::Raster data = src.read(ro);
    std::vector<int> fileBands;
    for (int b = 0; b < data.bands(); ++b)
        fileBands.push_back(band ? *band : b + 1);

    // The recipe's deband step is this command's options as data: one code path finds
    // the automatic notches for both.
    rb::DebandStep step;
    step.notches = manual;
    if (!notchesIn.empty()) {
        const NotchSet f = load_notches(notchesIn);
        step.notches.points.insert(step.notches.points.end(), f.points.begin(), f.points.end());
        step.notches.stripes.insert(step.notches.stripes.end(), f.stripes.begin(), f.stripes.end());
    }
    step.auto_find = autoFind;
    step.angle = angle;
    step.shared = shared;
    step.peak = peak;
    step.orientation = orient;
    std::vector<std::string> notes;
    const std::vector<NotchSet> perBand = rb::deband_step_notches(data, step, fileBands, &notes);
    for (const auto& n : notes)
        std::printf("%s\n", n.c_str());

    std::optional<double> nodata;
    if (!src.profile().nodata.empty())
        nodata = src.profile().nodata[std::size_t(fileBands[0] - 1)];
    const rb::Raster result =
        deband(data, perBand, deb, nodata, progress ? stderr_progress("deband") : rb::Progress{});

    for (int b = 0; b < data.bands(); ++b) {
        const DebandSession session(rb::select_band(data, b), 0);
        double total = 0;
        const double removed = session.removed_energy(perBand[std::size_t(b)], &total);
        std::printf("band %d: %zu point notches, %zu stripe notches, energy removed %.4g "
                    "(%.3f %% of the non-DC energy)\n",
                    fileBands[std::size_t(b)], perBand[std::size_t(b)].points.size(),
                    perBand[std::size_t(b)].stripes.size(), removed,
                    total > 0 ? 100.0 * removed / total : 0.0);
    }
    if (!reference.empty()) {
        const rb::Dataset refDs = rb::Dataset::open(reference);
        if (refDs.width() != src.width() || refDs.height() != src.height())
            throw rb::ArgumentError(reference + ": " + std::to_string(refDs.width()) + "x" +
                                    std::to_string(refDs.height()) + " does not match " + in +
                                    " (" + std::to_string(src.width()) + "x" +
                                    std::to_string(src.height()) + ")");
        rb::ReadOptions rr;
        for (int fb : fileBands) {
            if (fb > refDs.count())
                throw rb::ArgumentError(reference + ": no band " + std::to_string(fb));
            rr.bands.push_back(fb);
        }
        const rb::Raster ref = refDs.read(rr);
        for (int b = 0; b < data.bands(); ++b)
            std::printf("band %d: PSNR %.2f -> %.2f dB, SSIM %.4f -> %.4f\n",
                        fileBands[std::size_t(b)], psnr(data, ref, b), psnr(result, ref, b),
                        ssim(data, ref, b), ssim(result, ref, b));
    }

    rb::Profile p = src.profile();
    p.count = result.bands();
    p.dtype = result.dtype();
    if (band) {
        auto pick = [&](auto& v) {
            if (v.size() >= std::size_t(*band)) {
                auto keep = v[std::size_t(*band - 1)];
                v.assign(1, keep);
            }
        };
        pick(p.nodata);
        pick(p.colorinterp);
        pick(p.descriptions);
    }
    p.driver = "GTiff";
    p.overview_factors.clear();
    rb::Dataset dst = rb::Dataset::create(out, p);
    dst.write(result);
    dst.close();
    if (!notchesOut.empty())
        save_notches(perBand[0], notchesOut);
    std::printf("wrote %s\n", out.c_str());
    return 0;
}

} // namespace

RB_CLI_COMMAND("deband", "remove periodic bands with FFT notches: IN -o OUT [--auto|--notch ...]",
               run_deband);

} // namespace rbcli
