#!/usr/bin/env python3
"""Bad-input corpus for rasterbench-cli: every case is generated here from the repository's
test data (truncated, zeroed and corrupted TIFFs, hand-made TIFF headers, broken GeoJSON,
recipes and CRS strings, outputs that alias inputs), run in a folder of its own, and
checked for what a user relies on:

- the exit status;
- a stderr line naming the file and the problem, and no raw GDAL/libtiff line
  ("Warning 1: ...", "ERROR 1: ...");
- nothing left behind: the folder holds exactly what it held before (plus the expected
  outputs of a case that succeeds), in particular no hidden partial file;
- every file that was there before (inputs and pre-existing outputs) is byte-identical.

usage: corpus.py --cli PATH --source-dir REPO [--work DIR] [-k SUBSTRING] [-j JOBS]
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

# ---------------------------------------------------------------------------------------
# Input generators


def tiff(width, height, geo=True, epsg=32618, rows_per_strip=None):
    """A minimal little-endian one-band 8-bit stripped TIFF whose strips are all absent
    (offset 0, size 0: GDAL reads them as zeros), optionally georeferenced."""
    rps = rows_per_strip or height
    nstrips = (height + rps - 1) // rps
    entries = []  # (tag, type, count, payload bytes)

    def add(tag, typ, values):
        fmt = {3: "H", 4: "I", 12: "d"}[typ]
        entries.append((tag, typ, len(values), struct.pack("<%d%s" % (len(values), fmt), *values)))

    add(256, 4, [width])
    add(257, 4, [height])
    add(258, 3, [8])
    add(259, 3, [1])
    add(262, 3, [1])
    add(273, 4, [0] * nstrips)
    add(277, 3, [1])
    add(278, 4, [rps])
    add(279, 4, [0] * nstrips)
    add(284, 3, [1])
    if geo:
        add(33550, 12, [30.0, 30.0, 0.0])
        add(33922, 12, [0.0, 0.0, 0.0, 500000.0, 5000000.0, 0.0])
        add(34735, 3, [1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, epsg])
    entries.sort()
    ifd_offset = 8
    ifd_size = 2 + 12 * len(entries) + 4
    data = b""
    data_offset = ifd_offset + ifd_size
    ifd = struct.pack("<H", len(entries))
    for tag, typ, count, payload in entries:
        if len(payload) <= 4:
            ifd += struct.pack("<HHI", tag, typ, count) + payload.ljust(4, b"\0")
        else:
            ifd += struct.pack("<HHII", tag, typ, count, data_offset + len(data))
            data += payload
            if len(data) % 2:
                data += b"\0"
    ifd += struct.pack("<I", 0)
    return b"II*\0" + struct.pack("<I", ifd_offset) + ifd + data


def corrupt_ifd(blob):
    """Keeps the TIFF header and scrambles the first directory: libtiff warns about
    unknown tags and bad counts before GDAL gives up."""
    b = bytearray(blob)
    ifd = struct.unpack_from("<I", b, 4)[0]
    n = struct.unpack_from("<H", b, ifd)[0]
    for i in range(n):
        e = ifd + 2 + 12 * i
        struct.pack_into("<H", b, e, 40000 + i)  # unknown tag numbers
        struct.pack_into("<I", b, e + 4, 0x7FFFFFF0)  # absurd counts
    return bytes(b)


def bogus_tags(blob):
    """Renames the first directory's optional tags (numbers from 300 up) to unknown numbers
    of an undefined type, out of order: GDAL still opens the file, without georeferencing,
    while libtiff warns about every such tag (raw "Warning 1: ..." lines by default)."""
    b = bytearray(blob)
    ifd = struct.unpack_from("<I", b, 4)[0]
    n = struct.unpack_from("<H", b, ifd)[0]
    for i in range(n):
        e = ifd + 2 + 12 * i
        tag = struct.unpack_from("<H", b, e)[0]
        if tag >= 300 and tag != 339:  # SampleFormat kept: the pixels stay readable
            struct.pack_into("<HH", b, e, 65000 - i, 99)
    return bytes(b)


def feature_collection(features, crs=None):
    fc = {"type": "FeatureCollection", "features": features}
    if crs:
        fc["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(fc)


def feature(geometry, **props):
    return {"type": "Feature", "properties": props, "geometry": geometry}


SQUARE = [[[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]]]


def recipe(steps, **extra):
    r = {"format": "rasterbench-recipe", "version": 1, "steps": steps}
    r.update(extra)
    return json.dumps(r)


# ---------------------------------------------------------------------------------------
# Cases


class Case:
    def __init__(self, name, cmd, files, rc, names, expect, new=()):
        self.name = name
        self.cmd = cmd  # arguments after the CLI, paths relative to the case folder
        self.files = files  # {name: bytes | ("copy", path) | ("dir",) | ("link", target)}
        self.rc = rc
        self.names = names  # text the diagnosing stderr line must contain (a file name)
        self.expect = expect  # regex that line must match (the problem)
        self.new = set(new)  # files a succeeding case may create
        self.tmpfs = None  # subfolder to mount as a tiny tmpfs (a full disk); root only


def build_cases(src):
    data = os.path.join(src, "tests", "data")
    scene_a = os.path.join(data, "deband", "2008-06-14_LE07_LE70350322008166EDC00_sr.tif")
    scene_b = os.path.join(data, "deband", "2008-06-22_LT05_LT50350322008174PAC01_sr.tif")
    rgb = os.path.join(src, "resources", "sample", "RGB.byte.tif")
    good = open(scene_a, "rb").read()
    A = ("copy", scene_a)
    B = ("copy", scene_b)
    RGB = ("copy", rgb)

    # Bad rasters, each made from a good one or by hand.
    bad_tiffs = {
        "zero-byte": b"",
        "truncated-header": good[:6],
        "truncated-ifd": good[:200],
        "truncated-half": good[: len(good) // 2],
        "corrupt-ifd": corrupt_ifd(good),
        "text": b"this is not a raster\n" * 10,
        "png-magic": b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
        "bigtiff-garbage": b"II+\0\x08\0\0\0" + b"\xff" * 32,
    }
    bad_problem = r"(not a|cannot|corrupt|truncat|error|fail|not recogni|unsupported|read)"

    cases = []
    add = cases.append

    # Every raster-reading command against every kind of broken raster.
    for kind, blob in bad_tiffs.items():
        f = {"bad.tif": blob}
        add(Case("info/" + kind, ["info", "--stats", "bad.tif"], f, 1, "bad.tif", bad_problem))
        add(Case("fill/" + kind, ["fill", "bad.tif", "-o", "out.tif"], f, 1, "bad.tif", bad_problem))
        add(Case("reproject/" + kind, ["reproject", "bad.tif", "out.tif", "--dst-crs", "EPSG:4326"],
                 f, 1, "bad.tif", bad_problem))
        add(Case("composite/" + kind,
                 ["composite", "--score", "darkness", "-o", "out.tif", "a.tif", "bad.tif"],
                 dict(f, **{"a.tif": A}), 1, "bad.tif", bad_problem))
    for cmd in (["score", "--method", "darkness", "bad.tif", "-o", "out.tif"],
                ["spectrum", "bad.tif", "--band", "3", "-o", "out.png"],
                ["deband", "bad.tif", "-o", "out.tif", "--auto"],
                ["shapes", "bad.tif", "--band", "3", "-o", "out.geojson"],
                ["rasterize", "v.geojson", "-o", "out.tif", "--like", "bad.tif"]):
        # (rasterize reads only the header of --like, which a truncated file keeps.)
        kinds = ("zero-byte", "text", "corrupt-ifd") if cmd[0] == "rasterize" else (
            "zero-byte", "truncated-half", "corrupt-ifd")
        for kind in kinds:
            files = {"bad.tif": bad_tiffs[kind],
                     "v.geojson": feature_collection([feature({"type": "Polygon",
                                                               "coordinates": SQUARE})])}
            add(Case(cmd[0] + "/" + kind, cmd, files, 1, "bad.tif", bad_problem))

    # A file GDAL opens with a flood of libtiff warnings: they are ours to show (--verbose).
    bogus = {"a.tif": A, "bogus.tif": bogus_tags(good)}
    add(Case("composite/bogus-tags", ["composite", "--score", "darkness", "-o", "out.tif", "a.tif",
                                      "bogus.tif"], bogus, 1, "bogus.tif", r"not on the grid"))
    add(Case("composite/bogus-tags-verbose", ["composite", "--verbose", "--score", "darkness", "-o",
                                              "out.tif", "a.tif", "bogus.tif"], bogus, 1,
             "bogus.tif", r"^rasterbench-cli composite: GDAL: bogus.tif: TIFFReadDirectory"))
    add(Case("reproject/bogus-tags", ["reproject", "bogus.tif", "out.tif", "--dst-crs",
                                      "EPSG:4326"], bogus, 1, "bogus.tif", r"has no CRS"))
    add(Case("info/bogus-tags", ["info", "bogus.tif"], bogus, 0, None, None))

    # Files that are not there or not files.
    add(Case("info/missing", ["info", "nope.tif"], {}, 1, "nope.tif", r"(no such|not exist|cannot)"))
    add(Case("fill/directory-input", ["fill", "d.tif", "-o", "out.tif"], {"d.tif": ("dir",)}, 1,
             "d.tif", r"(director|cannot|not a)"))
    add(Case("fill/output-folder-missing", ["fill", "a.tif", "-o", "no/such/dir/out.tif"],
             {"a.tif": A}, 1, "out.tif", r"(cannot|no such|folder|director)"))
    add(Case("fill/output-is-directory", ["fill", "a.tif", "-o", "d"], {"a.tif": A, "d": ("dir",)},
             1, "'d'", r"is a folder; name a file"))
    add(Case("composite/missing-scene", ["composite", "--score", "darkness", "-o", "out.tif",
                                         "a.tif", "gone.tif"], {"a.tif": A}, 1, "gone.tif",
             r"(no such|not exist|cannot)"))

    # Hand-made headers: no CRS, absurd sizes.
    nocrs = tiff(64, 64, geo=False)
    huge = tiff(1000000, 1000000, rows_per_strip=1000)
    add(Case("reproject/no-crs", ["reproject", "n.tif", "out.tif", "--dst-crs", "EPSG:4326"],
             {"n.tif": nocrs}, 1, "n.tif", r"has no CRS"))
    add(Case("reproject/absurd-size", ["reproject", "huge.tif", "out.tif", "--dst-crs", "EPSG:4326"],
             {"huge.tif": huge}, 1, "huge.tif", r"1000000 x 1000000 pixels"))
    absurd = r"(1000000 x 1000000 pixels|1000000x1000000x1 .* too large)"
    for cmd in (["fill", "huge.tif", "-o", "out.tif"],
                ["score", "--method", "darkness", "huge.tif", "-o", "out.tif"],
                ["composite", "--score", "darkness", "-o", "out.tif", "huge.tif", "huge.tif"],
                ["spectrum", "huge.tif", "-o", "out.png"],
                ["deband", "huge.tif", "-o", "out.tif", "--auto"],
                ["shapes", "huge.tif", "-o", "out.geojson"],
                ["info", "--stats", "huge.tif"]):
        add(Case(cmd[0] + "/absurd-size", cmd, {"huge.tif": huge}, 1, "huge.tif", absurd))
    add(Case("run/absurd-scene", ["run", "r.json", "huge.tif", "-o", "out.tif"],
             {"huge.tif": huge, "r.json": recipe([{"type": "fill", "params": {"max_distance": 5}}])},
             1, "huge.tif", absurd))
    add(Case("reproject/absurd-output-grid", ["reproject", "a.tif", "out.tif", "--dst-crs",
                                               "EPSG:4326", "--res", "1e-9"],
             {"a.tif": A}, 1, "out.tif", r"output grid .* more than"))
    add(Case("run/reproject-no-crs", ["run", "r.json", "n.tif", "--out-dir", "."],
             {"n.tif": nocrs, "r.json": recipe([{"type": "reproject",
                                                  "params": {"dst_crs": "EPSG:4326"}}],
                                                 output={"pattern": "{stem}_out.tif"})},
             1, "n.tif", r"has no CRS"))

    # Bad CRS strings and grids.
    for label, crs in (("unknown-epsg", "EPSG:999999"), ("garbage", "not a crs"),
                       ("empty-proj", "+proj=nothing")):
        add(Case("reproject/crs-" + label, ["reproject", "a.tif", "out.tif", "--dst-crs", crs],
                 {"a.tif": A}, 1, crs, r"(CRS|crs|projection|unknown|invalid)"))
    add(Case("run/crs-garbage", ["run", "r.json", "a.tif", "--out-dir", "."],
             {"a.tif": A, "r.json": recipe([{"type": "reproject",
                                              "params": {"dst_crs": "not a crs"}}],
                                             output={"pattern": "{stem}_out.tif"})},
             1, "not a crs", r"(CRS|crs)"))

    # Mismatched scenes.
    add(Case("composite/mismatched-grids", ["composite", "--score", "darkness", "-o", "out.tif",
                                            "a.tif", "rgb.tif"], {"a.tif": A, "rgb.tif": RGB}, 1,
             "rgb.tif", r"(bands|is uint8 but .* is int16)"))
    add(Case("score/stack-mismatch", ["score", "--method", "median-distance", "a.tif", "-o",
                                      "out.tif", "--stack", "rgb.tif"],
             {"a.tif": A, "rgb.tif": RGB}, 1, "rgb.tif", r"(bands|is uint8 but .* is int16)"))
    add(Case("shapes/mask-mismatch", ["shapes", "a.tif", "-o", "out.geojson", "--mask", "rgb.tif"],
             {"a.tif": A, "rgb.tif": RGB}, 1, "rgb.tif", r"is 791x718"))

    # Outputs that are inputs (by the same path, through '..' and '.', through a link), and
    # two outputs that are one file. The pre-existing file must survive byte for byte.
    alias = r"(is the|would overwrite|same file)"
    add(Case("fill/output-is-input", ["fill", "a.tif", "-o", "a.tif"], {"a.tif": A}, 1, "a.tif",
             alias))
    add(Case("reproject/output-is-input", ["reproject", "a.tif", "./sub/../a.tif", "--dst-crs",
                                           "EPSG:4326"], {"a.tif": A, "sub": ("dir",)}, 1, "a.tif",
             alias))
    add(Case("score/output-is-input-symlink", ["score", "--method", "darkness", "a.tif", "-o",
                                               "l.tif"], {"a.tif": A, "l.tif": ("link", "a.tif")},
             1, "l.tif", alias))
    add(Case("spectrum/output-is-input", ["spectrum", "a.tif", "-o", "a.tif"], {"a.tif": A}, 1,
             "a.tif", alias))
    add(Case("deband/output-is-input", ["deband", "a.tif", "-o", "./a.tif", "--auto"], {"a.tif": A},
             1, "a.tif", alias))
    add(Case("shapes/output-is-input", ["shapes", "a.tif", "-o", "a.tif"], {"a.tif": A}, 1, "a.tif",
             alias))
    add(Case("composite/output-is-scene", ["composite", "--score", "darkness", "-o", "b.tif",
                                           "a.tif", "b.tif"], {"a.tif": A, "b.tif": B}, 1, "b.tif",
             alias))
    add(Case("composite/two-outputs-one-file", ["composite", "--score", "darkness", "-o", "o.tif",
                                                "--index", "o.tif", "a.tif", "b.tif"],
             {"a.tif": A, "b.tif": B}, 1, "o.tif", alias))
    add(Case("rasterize/output-is-like", ["rasterize", "v.geojson", "-o", "a.tif", "--like",
                                          "a.tif"],
             {"a.tif": A, "v.geojson": feature_collection([feature({"type": "Polygon",
                                                                     "coordinates": SQUARE})])},
             1, "a.tif", alias))
    add(Case("run/output-is-scene", ["run", "r.json", "a.tif", "-o", "a.tif"],
             {"a.tif": A, "r.json": recipe([{"type": "fill", "params": {"max_distance": 5}}])}, 1,
             "a.tif", alias))
    add(Case("run/output-is-recipe", ["run", "r.json", "a.tif", "-o", "r.json"],
             {"a.tif": A, "r.json": recipe([{"type": "fill", "params": {"max_distance": 5}}])}, 1,
             "r.json", alias))

    # A failing command keeps an existing output as it was.
    add(Case("fill/keeps-existing-output", ["fill", "bad.tif", "-o", "out.tif"],
             {"bad.tif": bad_tiffs["truncated-half"], "out.tif": B}, 1, "bad.tif", bad_problem))
    add(Case("composite/keeps-existing-outputs", ["composite", "--score", "darkness", "-o", "o.tif",
                                                  "--index", "i.tif", "a.tif", "bad.tif"],
             {"a.tif": A, "bad.tif": bad_tiffs["corrupt-ifd"], "o.tif": B, "i.tif": B}, 1,
             "bad.tif", bad_problem))

    # GeoJSON that is not what rasterize needs.
    def vec(name, text, rc, names, expect, extra=(), new=()):
        add(Case("rasterize/vector-" + name, ["rasterize", "v.geojson", "-o", "out.tif", "--like", "a.tif"]
                 + list(extra), {"a.tif": A, "v.geojson": text}, rc, names, expect, new))

    poly = {"type": "Polygon", "coordinates": SQUARE}
    vec("not-json", "{ this is not json", 1, "v.geojson", r"(cannot|not a|invalid|parse)")
    # Projected numbers in a file without a 'crs' member (read as WGS 84): nothing meets the
    # grid, and the all-fill output says why.
    vec("off-the-grid", feature_collection([feature(
        {"type": "Polygon", "coordinates": [[[465300, 5080000], [465900, 5080000],
                                             [465900, 5079500], [465300, 5080000]]]})]),
        0, "v.geojson", r"no feature meets the output grid", new=["out.tif"])
    vec("zero-byte", "", 1, "v.geojson", r"(cannot|not a|invalid|empty)")
    vec("circle", feature_collection([feature(poly), feature({"type": "Circle",
                                                              "coordinates": [1, 2],
                                                              "radius": 3})]),
        1, "v.geojson", r"feature 1: geometry type 'Circle' is not a GeoJSON geometry type")
    vec("coordinates-string", feature_collection([feature({"type": "Point",
                                                           "coordinates": "nope"})]),
        1, "v.geojson", r"feature 0: coordinates are not")
    vec("coordinates-strings-inside", feature_collection([feature({"type": "LineString",
                                                                   "coordinates": [["a", "b"],
                                                                                   [1, 2]]})]),
        1, "v.geojson", r"feature 0: coordinates are not numbers")
    vec("ring-of-3", feature_collection([feature(poly), feature(poly),
                                         feature({"type": "Polygon",
                                                  "coordinates": [[[0, 0], [1, 0], [0, 0]]]})]),
        1, "v.geojson", r"feature 2: ring 0 has 3 positions")
    vec("nan", feature_collection([feature(poly)]).replace("10.0, 10.0", "NaN, 10.0"), 1,
        "v.geojson", r"feature 0: .*NaN")
    vec("infinity", feature_collection([feature(poly)]).replace("10.0, 10.0", "1e999, 10.0"), 1,
        "v.geojson", r"feature 0: .*(NaN|infinite)")
    vec("no-type", feature_collection([feature({"coordinates": [1, 2]})]), 1, "v.geojson",
        r"feature 0: the geometry has no")
    vec("empty-collection", feature_collection([]), 1, "v.geojson", r"has no features")
    vec("empty-after-where", feature_collection([feature(poly, v=1)]), 1, "v.geojson",
        r"has no features matching", extra=["--where", "v = 2"])
    vec("property-missing-everywhere", feature_collection([feature(poly, a=1), feature(poly, a=2)]),
        1, "v.geojson", r"property 'nope' is missing or null in every feature",
        extra=["--property", "nope"])
    vec("property-not-number", feature_collection([feature(poly, a="x")]), 1, "v.geojson",
        r"feature 0: property 'a' is not a number", extra=["--property", "a"])
    vec("bad-where", feature_collection([feature(poly, v=1)]), 1, "v.geojson",
        r"(filter|where|SQL)", extra=["--where", "v = = 2"])
    vec("missing-layer", feature_collection([feature(poly, v=1)]), 1, "v.geojson",
        r"no layer named 'zz'", extra=["--layer", "zz"])
    # Cases that succeed and must say what they did.
    vec("skip-invalid", feature_collection([feature(poly), feature({"type": "Circle",
                                                                    "coordinates": [1, 2]}),
                                            feature({"type": "Point", "coordinates": "x"})]),
        0, "v.geojson", r"warning: .*skipped 2 invalid features", extra=["--skip-invalid"],
        new=["out.tif"])
    vec("allow-empty", feature_collection([]), 0, "v.geojson",
        r"warning: .*has no features: the output is all fill value 0", extra=["--allow-empty"],
        new=["out.tif"])
    vec("property-missing-somewhere", feature_collection([feature(poly, a=3), feature(poly),
                                                          feature(poly, b=1)]),
        0, "'a'", r"warning: property 'a' is missing or null in 2 of 3 features; they burn 0",
        extra=["--property", "a"], new=["out.tif"])

    # Recipes that are not recipes.
    def rec(name, text, expect, names="r.json", args=None, files=None):
        f = {"a.tif": A, "r.json": text}
        f.update(files or {})
        add(Case("run/" + name, ["run", "r.json"] + (args if args is not None else ["a.tif", "--out-dir", "."]), f, 1,
                 names, expect))

    rec("not-json", "{\"format\": ", r"(JSON|json|parse|syntax)")
    rec("zero-byte", "", r"(JSON|json|parse|empty)")
    rec("wrong-format", json.dumps({"format": "something-else", "version": 1, "steps": []}),
        r"format")
    rec("future-version", recipe([{"type": "fill"}]).replace("\"version\": 1", "\"version\": 99"),
        r"version")
    rec("unknown-step", recipe([{"type": "sharpen"}]), r"(sharpen|unknown)")
    rec("out-of-range", recipe([{"type": "fill", "params": {"max_distance": -5}}]),
        r"steps\[0\]\.params\.max_distance")
    rec("unknown-key", recipe([{"type": "fill", "params": {"max_distanse": 5}}]),
        r"max_distanse")
    rec("wrong-type", recipe([{"type": "fill", "params": {"max_distance": "far"}}]),
        r"max_distance")
    rec("steps-not-array", json.dumps({"format": "rasterbench-recipe", "version": 1,
                                       "steps": "fill"}), r"steps")
    rec("deep-nesting", "[" * 100000 + "]" * 100000, r"(JSON|json|object|depth|nest|format)")
    rec("missing-scene", recipe([{"type": "fill"}], scenes=["gone.tif"],
                                output={"path": "o.tif"}), r"(no such|not exist|cannot)",
        names="gone.tif", args=[])
    rec("bad-scene", recipe([{"type": "fill"}], output={"path": "o.tif"}), bad_problem,
        names="bad.tif", args=["bad.tif"], files={"bad.tif": bad_tiffs["corrupt-ifd"]})
    rec("mismatched-composite", recipe([{"type": "composite",
                                         "score": {"method": "darkness"}}],
                                       output={"path": "o.tif"}),
        r"(bands|is uint8 but .* is int16)", names="rgb.tif", args=["a.tif", "rgb.tif"],
        files={"rgb.tif": RGB})
    add(Case("run/missing-recipe", ["run", "gone.json", "a.tif"], {"a.tif": A}, 1, "gone.json",
             r"(no such|not exist|cannot)"))

    # Bad options that name a file: notch sets, score expressions, bands.
    add(Case("deband/bad-notches-json", ["deband", "a.tif", "-o", "out.tif", "--notches", "n.json"],
             {"a.tif": A, "n.json": "[1, 2"}, 1, "n.json", r"(JSON|json|parse|notch)"))
    add(Case("deband/band-out-of-range", ["deband", "a.tif", "-o", "out.tif", "--band", "99",
                                          "--auto"], {"a.tif": A}, 1, "a.tif", r"band"))
    add(Case("spectrum/band-out-of-range", ["spectrum", "a.tif", "--band", "42", "-o", "out.png"],
             {"a.tif": A}, 1, "a.tif", r"band"))
    add(Case("shapes/band-out-of-range", ["shapes", "a.tif", "--band", "42", "-o", "out.geojson"],
             {"a.tif": A}, 1, "a.tif", r"band"))

    # Numbers that are not numbers to the option: NaN passed every range check after it.
    add(Case("deband/angle-nan", ["deband", "a.tif", "-o", "out.tif", "--auto", "--angle",
                                  "nan"], {"a.tif": A}, 2, "--angle", r"'nan' is not a finite"))
    add(Case("deband/notch-nan", ["deband", "a.tif", "-o", "out.tif", "--notch", "nan,0.1,0.02"],
             {"a.tif": A}, 2, "--notch U", r"'nan' is not a finite"))
    for value, problem in (("nan", r"'nan' is not a finite"), ("-5", r"not a percentage")):
        add(Case("catalog/max-cloud-" + value, ["catalog", ".", "--max-cloud", value],
                 {"a.tif": A}, 2, "--max-cloud", problem))
    # An output that names a folder is refused before the work, not at the rename after it.
    for name, cmd in (("reproject", ["reproject", "a.tif", "o", "--dst-crs", "EPSG:4326"]),
                      ("deband", ["deband", "a.tif", "-o", "o", "--auto"])):
        add(Case(name + "/output-is-folder", cmd, {"a.tif": A, "o": ("dir",)}, 1, "'o'",
                 r"is a folder"))
    # A scene that misses the composite's grid (the same numbers in UTM 18S, not 18N) adds
    # nothing: the user is told which one.
    add(Case("composite/scene-off-the-grid", ["composite", "--score", "darkness", "-o", "out.tif",
                                              "n.tif", "s.tif"],
             {"n.tif": tiff(64, 64), "s.tif": tiff(64, 64, epsg=32718)}, 0, "s.tif",
             r"does not overlap the grid of the composite", new=["out.tif"]))
    # An output name the command does not write (it wrote a GeoTIFF under any name).
    add(Case("spectrum/unknown-extension", ["spectrum", "a.tif", "-o", "out.xyz"], {"a.tif": A}, 2,
             "out.xyz", r"written as \.png .* or \.tif"))
    # Absurd output sizes are blamed on the option, not on an input.
    add(Case("composite/size-too-large", ["composite", "--score", "darkness", "-o", "out.tif",
                                          "a.tif", "b.tif", "--size", "1000000000,1000000000"],
             {"a.tif": A, "b.tif": B}, 1, "grid of the composite", r"more than the 2\^36"))
    add(Case("run/reproject-too-large", ["run", "r.json", "a.tif", "-o", "out.tif"],
             {"a.tif": A, "r.json": recipe([{"type": "reproject", "params": {
                 "dst_crs": "EPSG:32613", "size": [1000000000, 1000000000]}}])}, 1,
             "the step's working file", r"more than the 2\^36"))
    # A job that cannot be planned leaves no folder behind.
    job_recipe = recipe([{"type": "composite", "score": {"method": "darkness"}}])
    for value in ("lots", "-4G", "8X"):
        add(Case("plan/mem-per-task-" + value,
                 ["plan", "r.json", "a.tif", "b.tif", "--job-dir", "job", "--no-sample",
                  "--mem-per-task", value], {"a.tif": A, "b.tif": B, "r.json": job_recipe}, 1,
                 "'" + value + "'", r"is not a size"))
    add(Case("plan/tile-size", ["plan", "r.json", "a.tif", "b.tif", "--job-dir", "job",
                                "--no-sample", "--tile-size", "8"],
             {"a.tif": A, "b.tif": B, "r.json": job_recipe}, 1, "tile size", r"below 16"))

    # Library messages stay ours: the out-of-domain warning, and --threads past the cores.
    add(Case("reproject/out-of-domain", ["reproject", "rgb.tif", "out.tif", "--dst-crs",
                                         "EPSG:3031"], {"rgb.tif": RGB}, 0, "rgb.tif",
             r"warning: only 4\d% of 'out.tif' holds data, 6\d% of 'rgb.tif' does: most of the "
             r"output grid is outside the source or outside the domain of 'WGS 84 / Antarctic",
             new=["out.tif"]))
    add(Case("reproject/in-domain-is-silent", ["reproject", "rgb.tif", "out.tif", "--dst-crs",
                                               "EPSG:4326"], {"rgb.tif": RGB}, 0, None, None,
             new=["out.tif"]))
    add(Case("reproject/threads-past-cores", ["reproject", "a.tif", "out.tif", "--dst-crs",
                                              "EPSG:4326", "--threads", "4096"], {"a.tif": A}, 0,
             None, None, new=["out.tif"]))
    # A full disk (a 64 KiB tmpfs, where the system lets us mount one): the error says so in
    # the system's words, names the user's target, and leaves nothing there.
    full = r"No space left on device"
    for name, cmd, files in (
            ("fill", ["fill", "rgb.tif", "-o", "full/out.tif"], {"rgb.tif": RGB}),
            ("reproject", ["reproject", "rgb.tif", "full/out.tif", "--dst-crs", "EPSG:4326"],
             {"rgb.tif": RGB}),
            ("shapes", ["shapes", "rgb.tif", "-o", "full/out.geojson"], {"rgb.tif": RGB}),
            ("composite", ["composite", "--score", "darkness", "-o", "full/out.tif", "rgb.tif",
                           "rgb2.tif"], {"rgb.tif": RGB, "rgb2.tif": RGB}),
            ("run", ["run", "r.json", "rgb.tif", "-o", "full/out.tif"],
             {"rgb.tif": RGB, "r.json": recipe([{"type": "fill", "params": {"max_distance": 5}}])}),
    ):
        c = Case(name + "/disk-full", cmd, dict(files, full=("dir",)), 1, "full/out.", full)
        c.tmpfs = "full"
        add(c)
    add(Case("run/threads-past-cores", ["run", "r.json", "a.tif", "b.tif", "-o", "out.tif",
                                        "--threads", "4096"],
             {"a.tif": A, "b.tif": B, "r.json": recipe([{"type": "composite",
                                                          "score": {"method": "darkness"}}])},
             0, None, None, new=["out.tif"]))
    return cases


def can_mount_tmpfs(work):
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("mount"):
        return False
    probe = os.path.join(work, "mount-probe")
    os.makedirs(probe)
    ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", probe],
                        capture_output=True).returncode == 0
    if ok:
        subprocess.run(["umount", probe], check=True)
    os.rmdir(probe)
    return ok


# ---------------------------------------------------------------------------------------
# Running


def snapshot(folder):
    state = {}
    for root, dirs, files in os.walk(folder):
        for d in dirs:
            rel = os.path.relpath(os.path.join(root, d), folder)
            state[rel] = "dir"
        for f in files:
            p = os.path.join(root, f)
            rel = os.path.relpath(p, folder)
            if os.path.islink(p):
                state[rel] = "link:" + os.readlink(p)
            else:
                with open(p, "rb") as fh:
                    state[rel] = hashlib.sha256(fh.read()).hexdigest()
    return state


RAW_LIBRARY_LINE = re.compile(r"^(Warning \d+:|ERROR \d+:|Warning:|TIFFRead|TIFFFetch)")


def run_case(cli, work, case):
    folder = os.path.join(work, re.sub(r"[^A-Za-z0-9_.-]", "_", case.name))
    os.makedirs(folder)
    for name, content in case.files.items():
        path = os.path.join(folder, name)
        if isinstance(content, tuple):
            if content[0] == "copy":
                shutil.copyfile(content[1], path)
            elif content[0] == "dir":
                os.makedirs(path)
            elif content[0] == "link":
                os.symlink(content[1], path)
        else:
            with open(path, "wb") as fh:
                fh.write(content.encode() if isinstance(content, str) else content)
    mounted = None
    if case.tmpfs:
        mounted = os.path.join(folder, case.tmpfs)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mounted], check=True)
    try:
        before = snapshot(folder)
        try:
            p = subprocess.run([cli] + case.cmd, cwd=folder, capture_output=True, text=True,
                               errors="replace", timeout=60)
            rc, err = p.returncode, p.stderr
        except subprocess.TimeoutExpired:
            return ["timed out after 60 s"]
        after = snapshot(folder)
    finally:
        if mounted:
            subprocess.run(["umount", mounted], check=True)
    problems = []
    if rc != case.rc:
        problems.append("exit status %d, expected %d" % (rc, case.rc))
    lines = err.splitlines()
    for line in lines:
        if RAW_LIBRARY_LINE.match(line):
            problems.append("raw library line on stderr: %r" % line)
    if case.expect is not None:
        rx = re.compile(case.expect)
        if not any(case.names in line and rx.search(line) for line in lines):
            problems.append("no stderr line names %r and matches /%s/" % (case.names, case.expect))
    elif rc == 0 and err.strip():
        problems.append("expected a silent success")
    if ".partial" in err:
        problems.append("stderr quotes an internal temporary name")
    for name, digest in before.items():
        if name not in after:
            problems.append("%s disappeared" % name)
        elif after[name] != digest:
            problems.append("%s changed" % name)
    for name in after:
        if name not in before and not (rc == 0 and name in case.new):
            problems.append("left behind: %s" % name)
    if rc == 0:
        for name in case.new:
            if name not in after:
                problems.append("expected output %s is missing" % name)
    if problems:
        problems.append("command: rasterbench-cli %s" % " ".join(case.cmd))
        problems.append("stderr:\n    " + "\n    ".join(lines))
    else:
        shutil.rmtree(folder)
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--work")
    ap.add_argument("-k", default="", help="only cases whose name contains this")
    ap.add_argument("-j", type=int, default=2)
    a = ap.parse_args()
    a.cli = os.path.abspath(a.cli)
    cases = [c for c in build_cases(a.source_dir) if a.k in c.name]
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    work = a.work or tempfile.mkdtemp(prefix="rasterbench-reliability-")
    if os.path.exists(work):
        shutil.rmtree(work)
    os.makedirs(work)
    if any(c.tmpfs for c in cases) and not can_mount_tmpfs(work):
        # The engine's disk-full wording is also checked by the unit tests (/dev/full).
        print("skipped (cannot mount a tmpfs here): " +
              ", ".join(c.name for c in cases if c.tmpfs))
        cases = [c for c in cases if not c.tmpfs]
    env_note = "cases: %d, work folder: %s" % (len(cases), work)
    print(env_note, flush=True)
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.j) as pool:
        results = pool.map(lambda c: (c, run_case(a.cli, work, c)), cases)
        for case, problems in results:
            if problems:
                failed += 1
                print("FAIL %s\n  %s" % (case.name, "\n  ".join(problems)), flush=True)
            else:
                print("ok   %s" % case.name, flush=True)
    print("%d of %d cases passed" % (len(cases) - failed, len(cases)))
    if not failed and not a.work:
        shutil.rmtree(work)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
