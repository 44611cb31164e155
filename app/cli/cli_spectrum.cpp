// rasterbench-cli spectrum: the centred log-magnitude FFT spectrum of a band (or window),
// as an 8-bit PNG for looking at or a Float32 GeoTIFF for measuring.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <iostream>

#include "cli_commands.h"
#include "cli_flags.h"
#include "rasterbench/dataset.h"
#include "rasterbench/fft.h"

namespace rbcli {

namespace {

bool ends_with(std::string path, const std::string& suffix) {
    std::transform(path.begin(), path.end(), path.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return path.size() >= suffix.size() &&
           path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool ends_with_png(const std::string& path) {
    return ends_with(path, ".png");
}

void usage(std::ostream& os) {
    os << "usage: rasterbench-cli spectrum IN.tif [--band N] [--window COL,ROW,W,H] "
          "-o OUT.png|OUT.tif [options]\n\n"
          "  --band N        1-based band (default 1)\n"
          "  --window ...    spectrum of a pixel window (any size)\n"
          "  -o OUT          .png: 8-bit log magnitude stretched 0.5-99.9 %; .tif: a\n"
          "                  Float32 GeoTIFF of log(1 + |F|). DC at (W/2, H/2), u right, v down\n";
    print_param_flags(os, rb::fft::SpectrumOptions::params().infos());
}

int run_spectrum(const Args& args) {
    int band = 1;
    std::optional<rb::Window> window;
    rb::fft::SpectrumOptions options;
    const ParsedArgs parsed = parse_args(
        args, usage,
        [&](const Args& args, std::size_t& i) {
            const std::string& a = args[i];
            if (a == "--band") {
                band = parse_int(option_value(args, i), "--band");
                if (band < 1)
                    throw UsageError("--band: bands are numbered from 1");
            } else if (a == "--window") {
                const auto parts = split(option_value(args, i));
                if (parts.size() != 4)
                    throw UsageError("--window expects COL,ROW,WIDTH,HEIGHT");
                window =
                    rb::Window{parse_int(parts[0], "--window"), parse_int(parts[1], "--window"),
                               parse_int(parts[2], "--window"), parse_int(parts[3], "--window")};
            } else {
                return take_param_flag(args, i, rb::fft::SpectrumOptions::params(), options);
            }
            return true;
        },
        rb::fft::SpectrumOptions::params().infos());
    if (parsed.answered)
        return 0;
    const std::string in = one_input(parsed);
    const std::string& out = parsed.output;
    if (in.empty() || out.empty())
        throw UsageError("needs IN and -o OUT (see --help)");
    // Any other name got a GeoTIFF under it, without a word.
    if (!ends_with_png(out) && !ends_with(out, ".tif") && !ends_with(out, ".tiff"))
        throw UsageError("-o '" + out + "': the spectrum is written as .png (an image) or .tif");
    rb::check_outputs_distinct({{"input", in}}, {{"output", out}});
    const rb::Dataset src = rb::Dataset::open(in);
    if (band > src.count())
        throw rb::ArgumentError(in + ": no band " + std::to_string(band) + " (it has " +
                                std::to_string(src.count()) + ")");
    rb::ReadOptions ro;
    ro.bands = {band};
    ro.window = window;
    const rb::Raster data = src.read(ro);
    const rb::fft::Spectrum s = rb::fft::compute_spectrum(data, 0, options);

    rb::Profile p;
    p.width = s.cols;
    p.height = s.rows;
    p.count = 1;
    p.nodata = {std::nullopt};
    if (ends_with_png(out)) {
        p.driver = "PNG";
        p.dtype = rb::DataType::UInt8;
        std::vector<float> sorted = s.log_magnitude;
        std::sort(sorted.begin(), sorted.end());
        const double lo = sorted[std::size_t(0.005 * double(sorted.size() - 1))];
        const double hi = sorted[std::size_t(0.999 * double(sorted.size() - 1))];
        rb::Raster img(rb::DataType::UInt8, 1, s.rows, s.cols);
        auto px = img.band<std::uint8_t>(0);
        for (std::size_t k = 0; k < px.size(); ++k)
            px[k] = std::uint8_t(std::clamp(
                std::lround(255.0 * (s.log_magnitude[k] - lo) / std::max(hi - lo, 1e-12)), 0L,
                255L));
        rb::Dataset dst = rb::Dataset::create(out, p);
        dst.write(img);
        dst.close();
    } else {
        p.dtype = rb::DataType::Float32;
        p.compression = "DEFLATE";
        rb::Raster img(rb::DataType::Float32, 1, s.rows, s.cols);
        std::copy(s.log_magnitude.begin(), s.log_magnitude.end(), img.band<float>(0).begin());
        rb::Dataset dst = rb::Dataset::create(out, p);
        dst.write(img);
        dst.close();
    }
    std::cout << "spectrum of " << in << " band " << band << " (" << s.cols << "x" << s.rows
              << ") -> " << out << "\n";
    return 0;
}

} // namespace

RB_CLI_COMMAND("spectrum", "FFT log-magnitude spectrum of a band: IN -o OUT.png|.tif",
               run_spectrum);

} // namespace rbcli
