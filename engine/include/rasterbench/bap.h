#pragma once
// Parametric best-available-pixel scores (Griffiths et al. 2013, as in FORCE's Level-3
// compositing): each observation gets scores in 0..1 for
// - day of year: a Gaussian around target_doy (doy_sigma days wide, across the year's end),
// - year: 1 at target_year, falling linearly to 0 at year_range + 1 years away,
// - distance to the nearest cloud or shadow: a logistic curve that reaches 1 at
//   cloud_distance_m metres of ground (0 on the cloud or shadow itself),
// - haze: the haze-optimized transform HOT = blue - 0.5 red (reflectance), 1 at or below
//   hot_clear falling linearly to 0 at hot_full (1 without a blue band),
// - sensor: from sensor_scores ("LE07=0.7,slc-off=0.5"; unlisted sensors score 1),
// combined additively (sum of weight x score) or multiplicatively (product of
// score ^ weight). Clouds and shadows come from the scene's quality band (a quality preset)
// or the cloud method's tests; such pixels lose flagged_penalty, so they win only where
// every observation is flagged.
#include <string>
#include <vector>

#include "rasterbench/param_table.h"

namespace rb {

struct BapOptions {
    int target_doy = 196;           ///< day of year the composite is for (mid July)
    double doy_sigma = 45;          ///< days; the day-of-year score is 0.61 at one sigma
    int target_year = 0;            ///< 0: the most common year of the stack
    int year_range = 1;             ///< years on either side that still score above 0
    double cloud_distance_m = 3000; ///< distance to clouds/shadows at which the score is 1
    /// auto: the quality band when the scene has one with a known preset, else the cloud
    /// tests; qa; cloud; none (no cloud distance: its score is 1)
    std::string mask = "auto";
    double pixel_size_m = 0;      ///< 0: the grid's (30 m when unknown)
    double reflectance_scale = 0; ///< 0: 1 for float data, 1/255 for bytes, 1e-4 otherwise
    double hot_clear = 0.05;      ///< HOT at or below: haze score 1
    double hot_full = 0.2;        ///< HOT at or above: haze score 0
    std::string sensor_scores; ///< "SENSOR=S" pairs (S in 0..1); "slc-off" = LE07 after 2003-05-31
    std::string combine = "additive";
    double weight_doy = 1, weight_year = 0, weight_cloud = 0.4, weight_haze = 0.3,
           weight_sensor = 0;
    double flagged_penalty = 10; ///< subtracted from cloud and shadow pixels
    static const ParamTable<BapOptions>& params();
};

/// The bands of Scorer::components() for bap, in order: total (the score), doy, year, cloud
/// (distance), haze, sensor (each 0..1), clear (1 where no cloud or shadow, else 0).
const std::vector<std::string>& bap_component_names();

} // namespace rb
