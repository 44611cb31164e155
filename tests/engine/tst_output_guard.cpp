// The output rules every writer follows: an output is never one of the inputs (whatever
// path spelling, symlink or hard link names it), two outputs are never one file, partial
// files of killed writers are removed by the next write to the same target, and errors name
// the user's target, never the internal temporary file.
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <string>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rasterbench/dataset.h"
#include "rasterbench/error.h"
#include "rasterbench/output_guard.h"
#include "test_support.h"

using namespace rb;
namespace fs = std::filesystem;

namespace {

void touch(const fs::path& p, const std::string& text = "x") {
    std::ofstream(p) << text;
}

/// The id of a process that has ended (a child that exited and was reaped).
long dead_pid() {
    const pid_t child = fork();
    if (child == 0)
        _exit(0);
    int status = 0;
    waitpid(child, &status, 0);
    return long(child);
}

std::string error_of(const std::vector<FileRole>& in, const std::vector<FileRole>& out) {
    try {
        check_outputs_distinct(in, out);
    } catch (const ArgumentError& e) {
        return e.what();
    }
    return {};
}

Profile small_profile() {
    return rbtest::small_profile("GTiff", 8, 4, 1, DataType::UInt8);
}

} // namespace

class TestOutputGuard : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }

private slots:
    void sameFileSeesThroughPathSpellings() {
        const fs::path a = dir() / "a.tif";
        touch(a);
        fs::create_directory(dir() / "sub");
        QVERIFY(same_file(a.string(), (dir() / "sub" / ".." / "." / "a.tif").string()));
        fs::create_symlink(a, dir() / "link.tif");
        QVERIFY(same_file(a.string(), (dir() / "link.tif").string()));
        fs::create_hard_link(a, dir() / "hard.tif");
        QVERIFY(same_file((dir() / "hard.tif").string(), a.string()));
        // A copy is another file even with the same bytes.
        fs::copy_file(a, dir() / "copy.tif");
        QVERIFY(!same_file(a.string(), (dir() / "copy.tif").string()));
        // Files not created yet compare by canonical path.
        QVERIFY(same_file((dir() / "new.tif").string(), (dir() / "sub/../new.tif").string()));
        QVERIFY(!same_file((dir() / "new.tif").string(), (dir() / "new2.tif").string()));
        QVERIFY(!same_file("", ""));
        // A symlink to a file that does not exist yet resolves to its target's path.
        fs::create_symlink(dir() / "later.tif", dir() / "dangling.tif");
        QVERIFY(same_file((dir() / "dangling.tif").string(), (dir() / "later.tif").string()));
    }

    void outputsThatAreInputsAreRefusedWithBothRoles() {
        const fs::path scene = dir() / "scene.tif";
        touch(scene);
        const std::string alias = (dir() / "sub" / ".." / "scene.tif").string();
        const std::string e =
            error_of({{"input scene", scene.string()}}, {{"index output", alias}});
        QVERIFY2(e.find("index output '" + alias + "' is the input scene '" + scene.string() +
                        "'") != std::string::npos,
                 e.c_str());
        const std::string two = (dir() / "two.tif").string();
        const std::string e2 = error_of({}, {{"output", two}, {"index output", two}});
        QVERIFY2(e2.find("are the same file") != std::string::npos, e2.c_str());
        QVERIFY2(e2.find("output '" + two + "'") != std::string::npos, e2.c_str());
        // Distinct files and unset optional outputs pass.
        QVERIFY(error_of({{"input scene", scene.string()}, {"mask", ""}},
                         {{"output", two}, {"index output", ""}, {"count output", ""}})
                    .empty());
    }

    void companionFilesOfInputsAreRefused() {
        // GDAL reads IN.ovr, IN.msk and IN.aux.xml as part of IN, and a world file beside it:
        // an output written there changes what the input reads as.
        const fs::path scene = dir() / "companion.tif";
        touch(scene);
        for (const std::string name : {"companion.tif.ovr", "companion.tif.msk",
                                       "companion.tif.aux.xml", "companion.tfw", "companion.prj"}) {
            const std::string out = (dir() / name).string();
            const std::string e = error_of({{"input scene", scene.string()}}, {{"output", out}});
            QVERIFY2(e.find("output '" + out +
                            "' is a file GDAL reads together with the input "
                            "scene '" +
                            scene.string() + "'") != std::string::npos,
                     (name + ": " + e).c_str());
        }
        // Other names beside it are outputs like any other.
        for (const std::string name : {"companion2.tif", "companion.tif.png", "companion_ovr.tif"})
            QVERIFY2(
                error_of({{"input scene", scene.string()}}, {{"output", (dir() / name).string()}})
                    .empty(),
                name.c_str());
    }

    void specialFilesAreNotReplaced() {
        // The rename that finishes an output would replace a named pipe or a device node.
        const fs::path fifo = dir() / "pipe.tif";
        QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
        const std::string e = error_of({}, {{"output", fifo.string()}});
        QVERIFY2(e.find("output '" + fifo.string() + "' is a named pipe") != std::string::npos,
                 e.c_str());
        const std::string dev = error_of({}, {{"count output", "/dev/null"}});
        QVERIFY2(dev.find("count output '/dev/null' is a device") != std::string::npos,
                 dev.c_str());
        QVERIFY(fs::is_fifo(fifo));
    }

    void sceneRolesNameQualityFiles() {
        const auto roles = scene_input_roles({{"a_sr.tif", "a_qa.tif"}, {"b_sr.tif"}});
        QCOMPARE(roles.size(), std::size_t(3));
        QCOMPARE(roles[0].role, std::string("input scene"));
        QCOMPARE(roles[1].role, std::string("quality file"));
        QCOMPARE(roles[1].path, std::string("a_qa.tif"));
        QCOMPARE(roles[2].role, std::string("input scene"));
    }

    void stalePartialsOfDeadWritersGoWithTheNextWrite() {
        const fs::path target = dir() / "out.tif";
        const fs::path stale =
            dir() / (".out.tif.partial-" + std::to_string(dead_pid()) + "-0.tif");
        // A writer that is still running (our parent) keeps its file.
        const fs::path live = dir() / (".out.tif.partial-" + std::to_string(getppid()) + "-3.tif");
        // Another target's partial is not ours to touch.
        const fs::path other =
            dir() / (".other.tif.partial-" + std::to_string(dead_pid()) + "-0.tif");
        touch(stale);
        touch(live);
        touch(other);
        Dataset out = Dataset::create(target.string(), small_profile());
        out.close();
        QVERIFY(fs::exists(target));
        QVERIFY(!fs::exists(stale));
        QVERIFY(fs::exists(live));
        QVERIFY(fs::exists(other));
        fs::remove(live);
        fs::remove(other);
    }

    void createErrorsNameTheTargetNotTheTemporaryFile() {
        const std::string target = (dir() / "missing-folder" / "x.tif").string();
        try {
            Dataset::create(target, small_profile());
            QFAIL("created a file in a folder that does not exist");
        } catch (const IoError& e) {
            const std::string m = e.what();
            QVERIFY2(m.find(target) != std::string::npos, m.c_str());
            QVERIFY2(m.find(".partial") == std::string::npos, m.c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TestOutputGuard)
#include "tst_output_guard.moc"
