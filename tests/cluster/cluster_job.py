#!/usr/bin/env python3
"""Job folders end to end (label cluster).

  local      plan a recipe (deband per scene, a harmonized composite whose halo crosses the
             tiles, fill after it) over 4 tiles, run-local.sh, status, assemble; the COG must
             hold the pixels of `rasterbench-cli run` (per-band checksums and a cell dump);
             then a lost tile (output and marker gone, a half-written temporary left) is
             reported missing, rerun alone, and the mosaic is still identical; running-markers
             read as running (process alive) or failed (process gone from this host); tasks
             lost in three stages are resubmitted by status's blocks stage after stage (Slurm:
             sbatch chained on the previous id; local: run by the test, identical again).
  grids      reprojection before the composite, scenes on shifted grids composited on their
             union and then reprojected, and the composite's index, score and count: each
             assembled output holds the pixels `run` writes.
  post       the steps after the composite as stages of their own: scenes with a cross-shaped
             nodata gap straddling the tile edges, composited, filled per tile (a halo across
             the tiles), debanded on the whole mosaic, reprojected to EPSG:4326 per tile of its
             own grid, filled again there: job.json holds each stage with its tasks, each task
             wrote its own tile (compressed as the composite's tiles are), the fill reached across a tile edge (the same fill of a tile
             alone gives other pixels), and the assembled mosaic holds the pixels of `run`;
             the same job.json without those stages (a job planned before them) still
             assembles the pixels of `run`, running the steps in assemble.
  manifests  parse the Kubernetes manifests and AWS Batch definitions: index mode, image,
             command, parallelism, resources.
  slurm      a one-node Slurm (munged, slurmctld, slurmd on 127.0.0.1 in a temporary folder):
             submit-slurm.sh, wait, status, assemble, compare; cancel one tile, resubmit it
             and the stages after it from status's block (chained with afterok), still
             identical. Skipped (exit 77) when not root or
             without the slurm-wlm and munge packages. Every daemon is stopped by its pid.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SKIP = 77


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0 and not kw.get("check_ok"):
        pass
    return r


def must(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)} -> {r.returncode}\n{r.stdout}\n{r.stderr}")
    return r.stdout


def pixels(path):
    """Per-band checksums plus the raw cells (gdal_translate to XYZ), as one comparable text."""
    info = must(["gdalinfo", "-checksum", path])
    sums = re.findall(r"Checksum=(\d+)", info)
    bands = len(re.findall(r"^Band \d+", info, re.M))
    cells = []
    for b in range(1, bands + 1):
        cells.append(must(["gdal_translate", "-q", "-b", str(b), "-of", "XYZ", path, "/vsistdout/"]))
    return sums[:bands], cells


def write_recipe(tmp, source_dir):
    deband = os.path.join(os.path.abspath(source_dir), "tests/data/deband")
    scenes = sorted(os.path.join(deband, f) for f in os.listdir(deband) if f.endswith("_sr.tif"))
    recipe = {
        "format": "rasterbench-recipe", "version": 1,
        "scenes": scenes,
        "steps": [
            {"type": "deband",
             "notches": {"version": 1, "points": [{"u": 0.1, "v": 0.2, "radius": 0.02}]}},
            {"type": "composite", "score": {"method": "darkness"},
             "params": {"method": "best", "harmonize": True, "harmonize_radius": 5}},
            {"type": "fill", "params": {"max_distance": 20, "smoothing": 1}},
        ],
        "output": {"path": "composite.tif", "block_size": 16, "tile_size": 16},
    }
    path = os.path.join(tmp, "recipe.json")
    with open(path, "w") as f:
        json.dump(recipe, f)
    return path


def plan(cli, tmp, source_dir, extra=()):
    recipe = write_recipe(tmp, source_dir)
    single = os.path.join(tmp, "single.tif")
    must([cli, "run", recipe, "-o", single])
    job = os.path.join(tmp, "job")
    out = must([cli, "plan", recipe, "--job-dir", job, "--tile-size", "32",
                "-o", os.path.join(tmp, "mosaic.tif"), *extra])
    for word in ("stage scenes: 3 tasks", "stage tiles: 4 tasks",
                 "stage fill3: 4 tasks (step 3 fill, per tile with a halo of 22 px)",
                 "stage assemble: 1 task",
                 "wall clock with 1000 workers",
                 "estimates: model" if "--no-sample" in extra else "estimates: sampled"):
        if word not in out:
            sys.exit(f"FAIL: plan output lacks '{word}':\n{out}")
    return job, single


def compare(a, b):
    pa, pb = pixels(a), pixels(b)
    if pa != pb:
        sys.exit(f"FAIL: {a} and {b} differ: checksums {pa[0]} vs {pb[0]}")


def test_local(cli, source_dir):
    with tempfile.TemporaryDirectory() as tmp:
        job, single = plan(cli, tmp, source_dir, ["--engine", "local"])
        r = run([cli, "status", job])
        if r.returncode == 0 or "missing 0-3" not in r.stdout:
            sys.exit(f"FAIL: status of a fresh job: {r.returncode}\n{r.stdout}")
        must([os.path.join(job, "run-local.sh"), "2"])
        must([cli, "status", job])
        mosaic = os.path.join(tmp, "mosaic.tif")
        compare(single, mosaic)
        if "LAYOUT=COG" not in must(["gdalinfo", mosaic]) or "Overviews" not in must(["gdalinfo", mosaic]):
            sys.exit("FAIL: the mosaic is not a COG with overviews")
        # A rerun finds every marker valid.
        again = must([cli, "task", job, "--stage", "tiles", "--index", "2"])
        if "already done" not in again:
            sys.exit(f"FAIL: a done task ran again: {again}")
        # A lost tile: output and marker gone, a killed task's temporary left behind.
        tile = os.path.join(job, "tiles", "tile-2.tif")
        os.remove(tile)
        open(os.path.join(job, "tiles", ".tile-2.tif.part-999.tif"), "w").write("half")
        r = run([cli, "status", job])
        if r.returncode == 0 or "missing 2" not in r.stdout or "--array=2 " not in r.stdout:
            sys.exit(f"FAIL: status after losing tile 2: {r.returncode}\n{r.stdout}")
        # A task killed on this host leaves its running-marker: the process is gone, so
        # status says failed; one whose process lives (this script) is running.
        os.makedirs(os.path.join(job, "running"), exist_ok=True)
        dead = subprocess.Popen(["true"])
        dead.wait()
        for index, pid in (("2", dead.pid), ("1", os.getpid())):
            with open(os.path.join(job, "running", f"tiles-{index}.json"), "w") as f:
                json.dump({"host": socket.gethostname(), "pid": pid}, f)
        os.remove(os.path.join(job, "done", "tiles-1.json"))
        r = run([cli, "status", job])
        if "running 1" not in r.stdout or "failed 2" not in r.stdout:
            sys.exit(f"FAIL: status with running-markers: {r.returncode}\n{r.stdout}")
        os.remove(os.path.join(job, "running", "tiles-1.json"))
        must([cli, "task", job, "--stage", "tiles", "--index", "1"])
        env = dict(os.environ, SLURM_ARRAY_TASK_ID="2")
        out = must([cli, "task", job, "--stage", "tiles"], env=env)
        if "from SLURM_ARRAY_TASK_ID" not in out:
            sys.exit(f"FAIL: task did not say where its index came from: {out}")
        if os.path.exists(os.path.join(job, "running", "tiles-2.json")):
            sys.exit("FAIL: a task that ran to the end left its running-marker")
        must([cli, "assemble", job, "-o", os.path.join(tmp, "again.tif"), "--format", "GTiff"])
        compare(single, os.path.join(tmp, "again.tif"))
        # Tasks lost in several stages (a tile, two of the fill's tasks, one of them failed,
        # and the assembly): status prints one block per engine resubmitting them stage
        # after stage, the Slurm one chaining each sbatch on the previous one's id.
        for name in ("tiles-3", "fill3-0", "fill3-2", "assemble-0"):
            os.remove(os.path.join(job, "done", name + ".json"))
        os.makedirs(os.path.join(job, "failed"), exist_ok=True)
        with open(os.path.join(job, "failed", "fill3-2.json"), "w") as f:
            json.dump({"error": "killed", "host": socket.gethostname()}, f)
        os.remove(os.path.join(tmp, "mosaic.tif"))
        r = run([cli, "status", job])
        if r.returncode == 0 or "failed 2" not in r.stdout:
            sys.exit(f"FAIL: status after losing tasks in three stages: {r.stdout}")
        slurm, local = resubmit_blocks(r.stdout)
        subs = [l for l in slurm if "sbatch" in l]
        want = [("tiles", "--array=3 "), ("fill3", "--array=0,2 "), ("assemble", "--array=0 ")]
        if len(subs) != 3 or slurm[1] != "dep=()" or any(
                f"-{n} " not in l or a not in l or '"${dep[@]}"' not in l or
                "dep=(--dependency=afterok:$id)" not in l or "--parsable" not in l
                for (n, a), l in zip(want, subs)):
            sys.exit(f"FAIL: the Slurm resubmission block:\n" + "\n".join(slurm))
        runs = [l for l in local if "xargs" in l]
        if [("--stage tiles" in runs[0], "--stage fill3" in runs[1], "--stage assemble" in runs[2])] != \
                [(True, True, True)] or "seq 3 3;" not in runs[0] or "seq 0 0; seq 2 2;" not in runs[1]:
            sys.exit(f"FAIL: the local resubmission block:\n" + "\n".join(local))
        must(["bash", "-c", "\n".join(local)])
        r = run([cli, "status", job])
        if r.returncode != 0:
            sys.exit(f"FAIL: status after the local resubmission block: {r.stdout}")
        compare(single, os.path.join(tmp, "mosaic.tif"))
        print("local: identical mosaics, lost tile rerun, lost tasks of three stages resubmitted in order")


def resubmit_blocks(status):
    """The Slurm and the local resubmission blocks `status` prints (lines, indent removed)."""
    lines = status.splitlines()
    try:
        a = next(i for i, l in enumerate(lines) if l.startswith("resubmit the missing tasks"))
        b = lines.index("or on this machine:")
    except (StopIteration, ValueError):
        sys.exit(f"FAIL: status prints no resubmission blocks:\n{status}")
    block = lambda ls: [l[2:] for l in ls if l.startswith("  ")]  # noqa: E731
    return block(lines[a + 1:b]), block(lines[b + 1:])


def grid_recipe(tmp, scenes, pre_steps, composite_extra, prefix, post_steps=()):
    """A composite recipe writing index, score and count beside the composite, under `prefix`."""
    step = {"type": "composite", "score": {"method": "darkness"}, "params": {"method": "best"},
            "outputs": {name: os.path.join(tmp, prefix + name + ".tif")
                        for name in ("index", "score", "count")}}
    step.update(composite_extra)
    recipe = {"format": "rasterbench-recipe", "version": 1, "scenes": scenes,
              "steps": pre_steps + [step] + list(post_steps),
              "output": {"path": os.path.join(tmp, prefix + "mosaic.tif"),
                         "block_size": 16, "tile_size": 16}}
    path = os.path.join(tmp, prefix + "recipe.json")
    with open(path, "w") as f:
        json.dump(recipe, f)
    return path


def check_job_like_run(cli, tmp, scenes, pre_steps, composite_extra, tiles, post_steps=(),
                       inspect=None):
    """The job's mosaic and every extra output hold the pixels of `run`'s; `inspect(job)`
    checks the job folder once it ran."""
    single = grid_recipe(tmp, scenes, pre_steps, composite_extra, "run-", post_steps)
    must([cli, "run", single])
    recipe = grid_recipe(tmp, scenes, pre_steps, composite_extra, "job-", post_steps)
    job = os.path.join(tmp, "job")
    out = must([cli, "plan", recipe, "--job-dir", job, "--tile-size", "32", "--engine", "local"])
    if f"stage tiles: {tiles} tasks" not in out:
        sys.exit(f"FAIL: plan: expected {tiles} tiles:\n{out}")
    must([os.path.join(job, "run-local.sh"), "2"])
    must([cli, "status", job])
    for name in ("mosaic", "index", "score", "count"):
        compare(os.path.join(tmp, "run-" + name + ".tif"), os.path.join(tmp, "job-" + name + ".tif"))
    if inspect:
        inspect(job)
    # A lost extra tile makes its tile missing again.
    os.remove(os.path.join(job, "tiles", "tile-1-index.tif"))
    r = run([cli, "status", job])
    if r.returncode == 0 or "missing 1" not in r.stdout:
        sys.exit(f"FAIL: status after losing an index tile: {r.stdout}")
    shutil.rmtree(job)


def test_grids(cli, source_dir):
    """Reprojection before the composite, scenes on shifted grids, and the extra outputs."""
    deband = os.path.join(os.path.abspath(source_dir), "tests/data/deband")
    scenes = sorted(os.path.join(deband, f) for f in os.listdir(deband) if f.endswith("_sr.tif"))
    with tempfile.TemporaryDirectory() as tmp:
        # 61 x 61 UTM scenes warped to Web Mercator at 40 m: a grid of their own.
        check_job_like_run(cli, tmp, scenes,
                           [{"type": "reproject", "params": {"dst_crs": "EPSG:3857", "res": [40, 40]}}], {}, 4)
        print("grids: reproject before the composite, identical mosaic, index, score and count")
    landsat = os.path.join(os.path.abspath(source_dir), "tests/data/landsat8")
    stacks = sorted(os.path.join(landsat, f) for f in os.listdir(landsat) if f.endswith("_stack.tif"))
    with tempfile.TemporaryDirectory() as tmp:
        # Three scenes whose grids differ by a few hundred metres, on their union; the mosaic
        # then reprojected to geographic coordinates (a step after the composite).
        check_job_like_run(cli, tmp, stacks, [], {"grid": {"grid": "union"}}, 9,
                           [{"type": "reproject",
                             "params": {"dst_crs": "EPSG:4326", "resampling": "bilinear"}}])
        print("grids: scenes on shifted grids over their union, then reprojected: identical outputs")
    with tempfile.TemporaryDirectory() as tmp:
        test_warp_sources(cli, tmp, stacks)


def test_warp_sources(cli, tmp, stacks):
    """A reprojection over tiles of its own grid, each task reading only the composite tiles its
    footprint reaches: the stacks enlarged 12 times (4 bands, about 920 px) on their union,
    composited in tiles of 512 px (the warp's own tile size, below which every task would
    read what the warp's whole tile reaches), reprojected to EPSG:4326. The corner task reads
    fewer tiles than there are, every task's tile is compressed as the composite's are, and
    the mosaic holds the pixels of `run`."""
    scenes = []
    for f in stacks:
        dst = os.path.join(tmp, os.path.basename(f))
        must(["gdal_translate", "-q", "-b", "1", "-b", "2", "-b", "3", "-b", "4", "-outsize",
              "1200%", "1200%", "-r", "bilinear", f, dst])
        scenes.append(dst)
    post = [{"type": "reproject", "params": {"dst_crs": "EPSG:4326", "resampling": "bilinear"}}]
    single = grid_recipe(tmp, scenes, [], {"grid": {"grid": "union"}}, "run-", post)
    must([cli, "run", single])
    recipe = grid_recipe(tmp, scenes, [], {"grid": {"grid": "union"}}, "job-", post)
    job = os.path.join(tmp, "job")
    must([cli, "plan", recipe, "--job-dir", job, "--tile-size", "512", "--engine", "local",
          "--no-sample"])
    with open(os.path.join(job, "job.json")) as f:
        stages = {s["name"]: s for s in json.load(f)["stages"]}
    tiles = [t["outputs"][0] for t in stages["tiles"]["tasks"]]
    windows = [t["window"] for t in stages["tiles"]["tasks"]]
    warp = stages["reproject2"]["tasks"]

    def meets(a, b):  # [col, row, width, height] windows
        return (max(a[0], b[0]) < min(a[0] + a[2], b[0] + b[2]) and
                max(a[1], b[1]) < min(a[1] + a[3], b[1] + b[3]))
    # Each reprojection task names the window of the composite's grid it reads; its inputs
    # are the tiles meeting it.
    if len(warp) < 4 or not all("source" in t and not t["inputs"] for t in warp):
        sys.exit(f"FAIL: reprojection tasks' sources {[t.get('source') for t in warp]}")
    reads = [[i for i, w in enumerate(windows) if meets(w, t["source"])] for t in warp]
    if not all(reads) or len(reads[0]) >= len(tiles) or 0 not in reads[0]:
        sys.exit(f"FAIL: the reprojection tasks read tiles {reads} of {len(tiles)}")
    must([os.path.join(job, "run-local.sh"), "2"])
    must([cli, "status", job])
    # Written as the composite's tiles are (codec, predictor): not the VRT's nothing.
    def encoding(path):
        meta = json.loads(must(["gdalinfo", "-json", path]))["metadata"].get("IMAGE_STRUCTURE", {})
        return meta.get("COMPRESSION"), meta.get("PREDICTOR")
    want = encoding(tiles[0])
    for t in warp:
        if want[0] is None or encoding(t["outputs"][0]) != want:
            sys.exit(f"FAIL: {t['outputs'][0]} is written with {encoding(t['outputs'][0])}, "
                     f"the composite's tiles with {want}")
    # Per-band checksums: a cell dump of these sizes takes most of a minute.
    a = must(["gdalinfo", "-checksum", os.path.join(tmp, "run-mosaic.tif")])
    b = must(["gdalinfo", "-checksum", os.path.join(tmp, "job-mosaic.tif")])
    if re.findall(r"Checksum=(\d+)", a) != re.findall(r"Checksum=(\d+)", b):
        sys.exit("FAIL: the job's reprojected mosaic differs from run's")
    print(f"grids: {len(warp)} reprojection tasks reading {min(map(len, reads))} to {max(map(len, reads))} of "
          f"{len(tiles)} composite tiles, compressed tiles: identical mosaic")


def gap_scenes(tmp, source_dir):
    """Copies of the deband scenes with a cross of nodata (8 px wide) along both tile edges."""
    deband = os.path.join(os.path.abspath(source_dir), "tests/data/deband")
    out = []
    for f in sorted(x for x in os.listdir(deband) if x.endswith("_sr.tif")):
        src = os.path.join(deband, f)
        info = json.loads(must(["gdalinfo", "-json", src]))
        x0, dx, _, y0, _, dy = info["geoTransform"]
        px = lambda c: x0 + c * dx  # noqa: E731
        py = lambda r: y0 + r * dy  # noqa: E731
        ring = lambda c0, r0, c1, r1: [[px(c0), py(r0)], [px(c1), py(r0)], [px(c1), py(r1)],  # noqa: E731
                                       [px(c0), py(r1)], [px(c0), py(r0)]]
        epsg = re.findall(r'ID\["EPSG",(\d+)\]', info["coordinateSystem"]["wkt"])[-1]
        gaps = {"type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": f"EPSG:{epsg}"}},
                "features": [
            {"type": "Feature", "properties": {},
             "geometry": {"type": "Polygon", "coordinates": [ring(*box)]}}
            for box in ((28, 4, 36, 57), (4, 28, 57, 36))]}
        vec = os.path.join(tmp, "gaps.geojson")
        with open(vec, "w") as fh:
            json.dump(gaps, fh)
        dst = os.path.join(tmp, f)
        must(["gdal_translate", "-q", src, dst])
        must(["gdal_rasterize", "-q", "-burn", "-9999", vec, dst])
        out.append(dst)
    return out


def nodata_count(path):
    """Cells holding the file's nodata value (of band 1)."""
    info = json.loads(must(["gdalinfo", "-json", path]))
    nodata = info["bands"][0].get("noDataValue")
    cells = must(["gdal_translate", "-q", "-b", "1", "-of", "XYZ", path, "/vsistdout/"])
    return sum(1 for line in cells.splitlines() if float(line.split()[2]) == nodata)


def test_post(cli, source_dir):
    with tempfile.TemporaryDirectory() as tmp:
        scenes = gap_scenes(tmp, source_dir)
        post = [{"type": "fill", "params": {"max_distance": 10, "smoothing": 2}},
                {"type": "deband",
                 "notches": {"version": 1, "points": [{"u": 0.1, "v": 0.2, "radius": 0.02}]}},
                {"type": "reproject", "params": {"dst_crs": "EPSG:4326", "resampling": "bilinear"}},
                {"type": "fill", "params": {"max_distance": 4}}]
        single = grid_recipe(tmp, scenes, [], {}, "run-", post)
        must([cli, "run", single])
        recipe = grid_recipe(tmp, scenes, [], {}, "job-", post)
        job = os.path.join(tmp, "job")
        out = must([cli, "plan", recipe, "--job-dir", job, "--tile-size", "32", "--engine", "local"])
        with open(os.path.join(job, "job.json")) as f:
            stages = {s["name"]: s for s in json.load(f)["stages"]}
        names = list(stages)
        if names != ["tiles", "fill2", "deband3", "reproject4", "fill5", "assemble"]:
            sys.exit(f"FAIL: stages {names}")
        warp = stages["reproject4"]
        want = {"fill2": ("tile", 4, 13), "deband3": ("mosaic", 1, 0),
                "reproject4": ("warp", len(warp["tasks"]), 0), "fill5": ("tile", len(warp["tasks"]), 5)}
        for name, (kind, n, halo) in want.items():
            s = stages[name]
            if (s["kind"], len(s["tasks"]), s["halo"]) != (kind, n, halo):
                sys.exit(f"FAIL: stage {name}: {s['kind']}, {len(s['tasks'])} tasks, halo {s['halo']}; "
                         f"expected {kind}, {n}, {halo}")
        if len(warp["tasks"]) < 4 or warp["grid"]["width"] <= 32 or warp["grid"]["height"] <= 32:
            sys.exit(f"FAIL: the reprojection is not split into tiles of its grid: {warp['grid']}")
        for line in ("stage fill2: 4 tasks (step 2 fill, per tile with a halo of 13 px)",
                     "stage deband3: 1 task (step 3 deband, one task on the whole mosaic",
                     f"stage reproject4: {len(warp['tasks'])} tasks (step 4 reproject to EPSG:4326, "
                     f"per tile of its own {warp['grid']['width']} x {warp['grid']['height']} grid)",
                     "stage fill5: ", "stage assemble: 1 task"):
            if line not in out:
                sys.exit(f"FAIL: plan output lacks '{line}':\n{out}")
        must([os.path.join(job, "run-local.sh"), "2"])
        must([cli, "status", job])
        # Every task of the stages after the composite ran and wrote a tile of its own.
        for name in ("fill2", "deband3", "reproject4", "fill5"):
            for i, task in enumerate(stages[name]["tasks"]):
                if not os.path.exists(os.path.join(job, "done", f"{name}-{i}.json")):
                    sys.exit(f"FAIL: no done-marker for {name} {i}")
                info = json.loads(must(["gdalinfo", "-json", task["outputs"][0]]))
                if info["size"] != task["window"][2:]:
                    sys.exit(f"FAIL: {name} {i} wrote {info['size']}, its window is {task['window']}")
                # Compressed as the composite's tiles are (the recipe's codec, ZSTD here).
                comp = info["metadata"].get("IMAGE_STRUCTURE", {}).get("COMPRESSION")
                if comp != "ZSTD":
                    sys.exit(f"FAIL: {name} {i} wrote {task['outputs'][0]} with compression {comp}")
        # The fill reached across the tile edges: tile 3's gap is filled from its
        # neighbours' pixels, which the same fill on tile 3 alone does not see.
        tile3 = os.path.join(job, "tiles", "tile-3.tif")
        filled3 = stages["fill2"]["tasks"][3]["outputs"][0]
        if nodata_count(tile3) == 0 or nodata_count(filled3) != 0:
            sys.exit(f"FAIL: the composite's tile 3 has {nodata_count(tile3)} gap cells, "
                     f"filled {nodata_count(filled3)}")
        alone = os.path.join(tmp, "alone.tif")
        fill_alone = {"format": "rasterbench-recipe", "version": 1, "steps": [post[0]],
                      "output": {"block_size": 16, "tile_size": 16}}
        with open(os.path.join(tmp, "alone.json"), "w") as f:
            json.dump(fill_alone, f)
        must([cli, "run", os.path.join(tmp, "alone.json"), tile3, "-o", alone])
        if pixels(alone) == pixels(filled3):
            sys.exit("FAIL: tile 3 filled alone equals its tile of the job: the halo is not tested")
        for name in ("mosaic", "index", "score", "count"):
            compare(os.path.join(tmp, "run-" + name + ".tif"), os.path.join(tmp, "job-" + name + ".tif"))
        # A job planned before these stages (its job.json lists none) still loads and
        # runs the steps after the composite in assemble, on the whole mosaic.
        old = os.path.join(tmp, "old-job")
        os.makedirs(old)
        with open(os.path.join(job, "job.json")) as f:
            j = json.load(f)
        j["stages"] = [s for s in j["stages"] if "kind" not in s]
        with open(os.path.join(old, "job.json"), "w") as f:
            json.dump(j, f)
        r = run([cli, "status", old])
        if "tiles: 0/4 done" not in r.stdout or "fill2" in r.stdout or "assemble: 0/1" not in r.stdout:
            sys.exit(f"FAIL: status of an old job: {r.stdout}\n{r.stderr}")
        must([cli, "assemble", old, "-o", os.path.join(tmp, "old.tif")])
        compare(os.path.join(tmp, "run-mosaic.tif"), os.path.join(tmp, "old.tif"))
        print(f"post: fill per tile (halo 13), deband on the mosaic, reprojection over "
              f"{len(warp['tasks'])} tiles of its grid, fill there: identical to run")


def yaml_value(text, key):
    m = re.search(r"^\s*" + re.escape(key) + r":\s*(.+)$", text, re.M)
    return m.group(1).strip() if m else None


def test_manifests(cli, source_dir):
    with tempfile.TemporaryDirectory() as tmp:
        job, _ = plan(cli, tmp, source_dir,
                      ["--no-sample", "--cpus-per-task", "2", "--mem-per-task", "3G",
                       "--image", "example.org/rb:1"])
        with open(os.path.join(job, "job.json")) as f:
            stages = [(s["name"], len(s["tasks"])) for s in json.load(f)["stages"]]
        kube = sorted(os.listdir(os.path.join(job, "kubernetes")))
        if len(kube) != len(stages):
            sys.exit(f"FAIL: {len(kube)} manifests for {len(stages)} stages")
        for (name, n), file in zip(stages, kube):
            text = open(os.path.join(job, "kubernetes", file)).read()
            try:
                import yaml  # noqa: PLC0415 (optional)
                doc = yaml.safe_load(text)
                spec = doc["spec"]
                c = spec["template"]["spec"]["containers"][0]
                got = (spec["completionMode"], spec["completions"], spec["parallelism"], c["image"],
                       c["command"], str(c["resources"]["requests"]["cpu"]),
                       c["resources"]["requests"]["memory"])
            except ImportError:
                got = (yaml_value(text, "completionMode"), int(yaml_value(text, "completions")),
                       int(yaml_value(text, "parallelism")), json.loads(yaml_value(text, "image")),
                       json.loads(yaml_value(text, "command")),
                       json.loads(yaml_value(text, "cpu")), yaml_value(text, "memory"))
            want = ("Indexed", n, min(n, 100), "example.org/rb:1",
                    [got[4][0], "task", job, "--stage", name, "--threads", "2"], "2", "3072Mi")
            if got != want:
                sys.exit(f"FAIL: {file}: {got} != {want}")
            if "JOB_COMPLETION_INDEX" not in text:
                sys.exit(f"FAIL: {file} does not name the index variable")
        aws = sorted(f for f in os.listdir(os.path.join(job, "aws-batch")) if f.endswith(".json"))
        for (name, n), file in zip(stages, aws):
            d = json.load(open(os.path.join(job, "aws-batch", file)))
            c = d["containerProperties"]
            res = {r["type"]: r["value"] for r in c["resourceRequirements"]}
            if c["image"] != "example.org/rb:1" or c["command"][1:5] != ["task", job, "--stage", name] \
                    or res != {"VCPU": "2", "MEMORY": "3072"}:
                sys.exit(f"FAIL: {file}: {d}")
        submit = open(os.path.join(job, "aws-batch", "submit.sh")).read()
        for name, n in stages:
            if n > 1 and f"--array-properties size={n}" not in submit:
                sys.exit(f"FAIL: aws-batch/submit.sh lacks the array size of {name}")
        slurm = open(os.path.join(job, "submit-slurm.sh")).read()
        if slurm.count("dep=(--dependency=afterok:$id)") != len(stages) or "--array=0-3" not in slurm:
            sys.exit(f"FAIL: submit-slurm.sh:\n{slurm}")
        print("manifests: Kubernetes, AWS Batch and Slurm files as planned")


class Daemons:
    """Processes started here, stopped by pid whatever happens."""

    def __init__(self):
        self.pids = []

    def add_pidfile(self, path, timeout=60):
        # Generous: on a loaded 2-core machine the daemons take many seconds to start.
        end = time.time() + timeout
        while time.time() < end:
            try:
                pid = int(open(path).read().split()[0])
                self.pids.append(pid)
                return pid
            except (OSError, ValueError, IndexError):
                time.sleep(0.1)
        sys.exit(f"FAIL: no pid file {path}")

    def stop(self):
        for pid in reversed(self.pids):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for pid in self.pids:
            for _ in range(50):
                try:
                    os.kill(pid, 0)
                    time.sleep(0.1)
                except ProcessLookupError:
                    break
            else:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def test_slurm(cli, source_dir):
    if os.geteuid() != 0:
        print("SKIP: the Slurm test starts munged, slurmctld and slurmd and needs root")
        return SKIP
    tools = {t: shutil.which(t) or (f"/usr/sbin/{t}" if os.path.exists(f"/usr/sbin/{t}") else None)
             for t in ("munged", "slurmctld", "slurmd", "sbatch", "squeue", "scancel")}
    if not all(tools.values()):
        print(f"SKIP: missing {[t for t, p in tools.items() if not p]} (Debian packages slurm-wlm, munge)")
        return SKIP
    host = socket.gethostname().split(".")[0]
    daemons = Daemons()
    tmp = tempfile.mkdtemp(prefix="rb-slurm-")
    try:
        munge_dir = os.path.join(tmp, "munge")
        os.makedirs(munge_dir, mode=0o700)
        key = os.path.join(munge_dir, "munge.key")
        with open(key, "wb") as f:
            f.write(os.urandom(1024))
        os.chmod(key, 0o400)
        sock = os.path.join(munge_dir, "munge.sock")
        must([tools["munged"], "--force", f"--socket={sock}", f"--key-file={key}",
              f"--pid-file={munge_dir}/munged.pid", f"--log-file={munge_dir}/munged.log",
              f"--seed-file={munge_dir}/munged.seed"])
        daemons.add_pidfile(f"{munge_dir}/munged.pid")
        for d in ("state", "spool", "log"):
            os.makedirs(os.path.join(tmp, d))
        cpus = os.cpu_count() or 1
        mem = max(256, os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1 << 20) - 512)
        conf = os.path.join(tmp, "slurm.conf")
        with open(conf, "w") as f:
            f.write(f"""ClusterName=rbtest
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={sock}
CredType=cred/munge
StateSaveLocation={tmp}/state
SlurmdSpoolDir={tmp}/spool
SlurmctldPidFile={tmp}/slurmctld.pid
SlurmdPidFile={tmp}/slurmd.pid
SlurmctldLogFile={tmp}/log/slurmctld.log
SlurmdLogFile={tmp}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SlurmctldParameters=enable_configless
NodeName={host} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={mem} State=UNKNOWN
PartitionName=rb Nodes={host} Default=YES MaxTime=INFINITE State=UP
""")
        env = dict(os.environ, SLURM_CONF=conf)
        must([tools["slurmctld"], "-f", conf], env=env)
        daemons.add_pidfile(f"{tmp}/slurmctld.pid")
        must([tools["slurmd"], "-f", conf], env=env)
        daemons.add_pidfile(f"{tmp}/slurmd.pid")
        job, single = plan(cli, tmp, source_dir, ["--mem-per-task", "200M"])
        # Wait for the node (slow to register on a loaded machine).
        end = time.time() + 60
        while time.time() < end:
            r = run(["sinfo", "-h", "-o", "%T"], env=env)
            if r.returncode == 0 and r.stdout.strip() in ("idle", "mixed"):
                break
            time.sleep(0.5)

        def wait_queue(timeout=40):
            end = time.time() + timeout
            while time.time() < end:
                r = run([tools["squeue"], "-h"], env=env)
                if r.returncode == 0 and not r.stdout.strip():
                    return
                time.sleep(0.5)
            sys.exit(f"FAIL: jobs still queued: {run([tools['squeue']], env=env).stdout}")

        out = must([os.path.join(job, "submit-slurm.sh")], env=env)
        ids = dict(line.split(": ") for line in out.strip().splitlines())
        wait_queue()
        r = run([cli, "status", job])
        if r.returncode != 0:
            sys.exit(f"FAIL: status after the Slurm run: {r.stdout}\n{open(tmp + '/log/slurmctld.log').read()[-3000:]}")
        compare(single, os.path.join(tmp, "mosaic.tif"))
        # Again from scratch, cancelling tile 1 (pending behind the scene stage, or running).
        shutil.rmtree(job)
        os.remove(os.path.join(tmp, "mosaic.tif"))
        job, single = plan(cli, tmp, source_dir, ["--mem-per-task", "200M", "--no-sample"])
        out = must([os.path.join(job, "submit-slurm.sh")], env=env)
        ids = dict(line.split(": ") for line in out.strip().splitlines())
        must([tools["scancel"], f"{ids['tiles']}_1"], env=env)
        time.sleep(1)
        # The stages after the tiles (the fill's, assemble): their afterok can no longer be met.
        after = list(ids)[list(ids).index("tiles") + 1:]
        if after != ["fill3", "assemble"]:
            sys.exit(f"FAIL: submit-slurm.sh submitted {list(ids)}")
        for name in after:
            run([tools["scancel"], ids[name]], env=env)
        wait_queue()
        r = run([cli, "status", job])
        if r.returncode == 0 or "missing 1" not in r.stdout:
            sys.exit(f"FAIL: status after scancel: {r.stdout}")
        # status's block: the cancelled tile, then the stages after it, each with
        # --dependency=afterok on the previous submission (no waiting in between).
        slurm, _ = resubmit_blocks(r.stdout)
        out = must(["bash", "-c", "\n".join(slurm)], env=env)
        ids = dict(line.split(": ") for line in out.strip().splitlines())
        if list(ids) != ["tiles", "fill3", "assemble"]:
            sys.exit(f"FAIL: the resubmission block submitted {ids}")
        wait_queue()
        r = run([cli, "status", job])
        if r.returncode != 0:
            sys.exit(f"FAIL: status after resubmitting: {r.stdout}")
        compare(single, os.path.join(tmp, "mosaic.tif"))
        print("slurm: identical mosaics, cancelled tile resubmitted")
        return 0
    finally:
        daemons.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["local", "manifests", "slurm", "grids", "post"])
    ap.add_argument("--cli", required=True)
    ap.add_argument("--source-dir", required=True)
    a = ap.parse_args()
    rc = {"local": test_local, "manifests": test_manifests, "slurm": test_slurm,
          "grids": test_grids, "post": test_post}[a.mode](
        a.cli, a.source_dir)
    sys.exit(rc or 0)


if __name__ == "__main__":
    main()
