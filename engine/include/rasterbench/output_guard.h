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
/// same file as an input, or "output 'A' and index output 'B' are the same file" when two
/// outputs do. Empty paths are ignored. Call it before any output is created.
void check_outputs_distinct(const std::vector<FileRole>& inputs,
                            const std::vector<FileRole>& outputs);

} // namespace rb
