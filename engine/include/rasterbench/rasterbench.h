#pragma once
// Rasterbench engine: Qt-free C++20 over GDAL, PROJ and FFTW.
//
// Shared rules of every engine function (written once, here):
// - Bands are 1-based where they name a file's band (Dataset, ReadOptions), 0-based as
//   indices into an in-memory Raster.
// - Windows default to the whole raster. A window outside the raster is a WindowError
//   unless the call says it clips.
// - Nodata: every Raster may carry a validity mask (0 invalid, 255 valid). Reads fill it
//   from the band's nodata value, NaN, the per-dataset mask or an alpha band. Operations
//   never let invalid samples influence valid outputs, and keep them invalid.
// - Errors: exceptions derived from rb::Error, whose one-line message names the file,
//   band, window or input text that failed. GDAL and PROJ messages are captured into
//   them; the engine never prints. Warnings (ours, and GDAL/libtiff/PROJ messages below
//   the error level) go to the process-wide sink of rb::set_message_sink (diagnostics.h).
// - Process-wide GDAL settings: the first engine call sets GDAL_PAM_ENABLED=NO for the
//   whole process (statistics and other metadata are never written to .aux.xml files
//   beside inputs, which would change files we only read; a program embedding the engine
//   that relies on PAM side files must set it back after that first call), and replaces
//   GDAL's default error handler by one that forwards to the message sink.
// - Long operations take an rb::Progress; its callback returning false stops the work
//   with rb::Cancelled. Functions taking no dataset handle are safe on worker threads;
//   a Dataset object must be used by one thread at a time (open one per thread).
#include "rasterbench/affine.h"
#include "rasterbench/bands.h"
#include "rasterbench/colormap.h"
#include "rasterbench/composite.h"
#include "rasterbench/crs.h"
#include "rasterbench/dataset.h"
#include "rasterbench/deband.h"
#include "rasterbench/diagnostics.h"
#include "rasterbench/display.h"
#include "rasterbench/dtype.h"
#include "rasterbench/error.h"
#include "rasterbench/features.h"
#include "rasterbench/fft.h"
#include "rasterbench/fill.h"
#include "rasterbench/grid_compare.h"
#include "rasterbench/info.h"
#include "rasterbench/output_guard.h"
#include "rasterbench/param_table.h"
#include "rasterbench/progress.h"
#include "rasterbench/pyramid.h"
#include "rasterbench/raster.h"
#include "rasterbench/recipe.h"
#include "rasterbench/render.h"
#include "rasterbench/scene_date.h"
#include "rasterbench/score.h"
#include "rasterbench/stats.h"
#include "rasterbench/stretch_stats.h"
#include "rasterbench/warp.h"
#include "rasterbench/window.h"
