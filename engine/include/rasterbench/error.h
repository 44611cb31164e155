#pragma once
// Engine errors. Every failure that crosses the engine boundary is one of these, carrying
// what failed and where (file, band, window, the CRS string typed) in its message.
#include <stdexcept>
#include <string>

namespace rb {

/// Base of all engine errors; what() is one line, suitable for a CLI or a status bar.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A file could not be opened, read, written or created (message names the file).
class IoError : public Error {
public:
    using Error::Error;
};

/// A CRS definition could not be parsed or a transformation could not be made.
class CrsError : public Error {
public:
    using Error::Error;
};

/// A window or shape is invalid or lies outside the raster.
class WindowError : public Error {
public:
    using Error::Error;
};

/// A valid request the engine does not support (data type, driver capability).
class UnsupportedError : public Error {
public:
    using Error::Error;
};

/// Invalid argument values (absurd sizes, mismatched arrays, bad options).
class ArgumentError : public Error {
public:
    using Error::Error;
};

/// Work stopped because the caller's progress callback asked for cancellation.
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled") {}
};

} // namespace rb
