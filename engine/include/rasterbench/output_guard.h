#pragma once
// The rule every writer follows before it creates anything: an output is never one of the
// files the same command reads, and two outputs of one command are never the same file.
// Files are compared as the system resolves them (device and inode when the file exists,
// the canonical path otherwise), so `..`, `.`, symlinks and hard links are all caught.
#include <string>
#include <vector>

namespace rb {

/// A file a command reads or writes, with the role the user knows it by
/// ("input scene", "quality file", "--like raster", "output", "index output", ...).
struct FileRole {
    std::string role;
    std::string path;
};

/// True when `a` and `b` name the same file: the same device and inode where both exist,
/// otherwise the same canonical path (weakly canonical for files not yet created).
/// GDAL virtual paths (`/vsi...`) compare by their text.
bool same_file(const std::string& a, const std::string& b);

/// Throws ArgumentError "output 'OUT' is the input scene 'IN'" when an output names the
/// same file as an input or a file GDAL reads together with one (IN.ovr, IN.msk,
/// IN.aux.xml, a world, projection or shapefile part beside it), "output 'A' and index
/// output 'B' are the same file" when two outputs do, "output 'OUT' is a folder" for an
/// existing folder, and "... is a named pipe / a device" for an existing non-regular file
/// (the rename that finishes an output would replace it). Empty paths are ignored. Call it
/// before any output is created.
void check_outputs_distinct(const std::vector<FileRole>& inputs,
                            const std::vector<FileRole>& outputs);

/// The files of scene sources with their roles: a source's first file is "input scene",
/// the others "quality file" (SceneSource::files, see composite.h).
std::vector<FileRole> scene_input_roles(const std::vector<std::vector<std::string>>& sources);

} // namespace rb

namespace rb {

/// Makes SIGINT, SIGTERM and SIGHUP remove every output still being written (the hidden
/// ".NAME.partial-..." files beside their targets) and end the process with status
/// 128 + signal (130, 143, 129). Targets are never touched: an old output stays intact.
/// Call it first in main(), before any thread starts: it blocks those signals in the calling
/// thread (so in every thread created later) and takes them in a dedicated thread. For
/// programs (the CLI, the workbench); a library embedding the engine may keep its own
/// handlers and skip this. Signals ignored by the parent stay ignored. Idempotent.
void install_partial_cleanup();

} // namespace rb
