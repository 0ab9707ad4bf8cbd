#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Self-test of 'make series' (harness/series.py), on the host, in seconds.

The cases give series.assign() the added lines of a few made-up patches
and a few new files, and check which patch each file lands in: a kbuild
object, a directory kbuild descends into and the Makefile found there, a
Kconfig source, #include in both forms, a Python relative import, a
selftest Makefile's programs and
files, a toctree entry, the earliest patch winning, a build reference
winning over a mention, the nearest ancestor directory as the fallback,
and what nothing names. The last cases build a tiny tree the way
harness/tree.py lays out out/linux, format it, apply it with git am and
check that a series missing a patch is caught. Prints KTAP; exits 1 if any
case fails.
"""

import contextlib
import importlib.util
import io
import os
import sys

import ktap

HARNESS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(HARNESS, name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


series = load("series")


def where(patches, files):
    """{path: patch name or None} and the tiers, as assign() decides."""
    placed, remaining = series.assign(patches, files)
    got = {f: patches[i][0] for f, (i, _, _) in placed.items()}
    got.update({f: None for f in remaining})
    return got, {f: t for f, (_, t, _) in placed.items()}


def expect(got, want):
    bad = [f"{f}: in {got.get(f)}, want {w}" for f, w in want.items() if got.get(f) != w]
    if bad:
        raise AssertionError("; ".join(bad))
    return ", ".join(f"{os.path.basename(f)} -> {w}" for f, w in want.items())


# ---------------------------------------------------------------- assign()

def case_kbuild_object_and_its_include():
    patches = [("p1", {"io_uring/io_uring.c": ["int x;"]}),
               ("p2", {"io_uring/Makefile": ["obj-$(CONFIG_IO_URING_ZCRX)\t+= zcrx.o"]})]
    files = {"io_uring/zcrx.c": '#include "zcrx.h"\n', "io_uring/zcrx.h": ""}
    got, _ = where(patches, files)
    return expect(got, {"io_uring/zcrx.c": "p2", "io_uring/zcrx.h": "p2"})


def case_subdir_makefile_and_kconfig():
    patches = [("p1", {"net/Makefile": ["obj-$(CONFIG_NET_ZCRX)\t\t+= zcrx/"],
                       "net/Kconfig": ['source "net/zcrx/Kconfig"']})]
    files = {"net/zcrx/Makefile": "obj-$(CONFIG_NET_ZCRX) += zcrx.o\n"
                                  "obj-$(CONFIG_T) += zcrx_test.o\n",
             "net/zcrx/Kconfig": "config NET_ZCRX\n", "net/zcrx/zcrx.c": "",
             "net/zcrx/zcrx_test.c": ""}
    got, tiers = where(patches, files)
    if set(tiers.values()) != {"build"}:
        raise AssertionError(f"not all build references: {tiers}")
    return expect(got, {f: "p1" for f in files})


def case_rsource_is_relative():
    patches = [("p1", {"drivers/net/Kconfig": ['rsource "sim/Kconfig"']}),
               ("p2", {"drivers/Kconfig": ['source "drivers/sim/Kconfig"']})]
    files = {"drivers/net/sim/Kconfig": "", "drivers/sim/Kconfig": ""}
    got, _ = where(patches, files)
    return expect(got, {"drivers/net/sim/Kconfig": "p1", "drivers/sim/Kconfig": "p2"})


def case_kbuild_continuation_line():
    patches = [("p1", {"drivers/net/ethernet/intel/igb/Makefile": [
        "\t e1000_i210.o igb_ptp.o igb_hwmon.o igb_hds.o \\", "\t igb_queue.o"]})]
    files = {"drivers/net/ethernet/intel/igb/igb_hds.c": "",
             "drivers/net/ethernet/intel/igb/igb_queue.c": ""}
    got, _ = where(patches, files)
    return expect(got, {f: "p1" for f in files})


def case_include_forms():
    patches = [("p1", {"net/core/dev.c": ["#include <net/zcrx.h>"]}),
               ("p2", {"io_uring/register.c": ["#include <linux/io_uring/query.h>",
                                               '#include "query.h"']})]
    files = {"include/net/zcrx.h": "", "include/uapi/linux/io_uring/query.h": "",
             "io_uring/query.h": "", "net/core/query.h": ""}
    got, _ = where(patches, files)
    return expect(got, {"include/net/zcrx.h": "p1",
                        "include/uapi/linux/io_uring/query.h": "p2",
                        "io_uring/query.h": "p2", "net/core/query.h": None})


def case_python_relative_import():
    lib = "tools/testing/selftests/drivers/net/lib/py/"
    patches = [("p1", {"Documentation/a.rst": ["in tools/testing/selftests/drivers/net/"]}),
               ("p2", {lib + "__init__.py": ["from .nlsock import ethnl",
                                              "from ..py import x"]})]
    files = {lib + "nlsock.py": "", lib + "load2.py": ""}
    got, tiers = where(patches, files)
    if tiers.get(lib + "nlsock.py") != "build":
        raise AssertionError(f"nlsock.py placed by {tiers.get(lib + 'nlsock.py')}")
    return expect(got, {lib + "nlsock.py": "p2", lib + "load2.py": "p1"})


def case_same_name_in_another_directory():
    patches = [("p1", {"io_uring/Makefile": ["obj-y += zcrx.o"],
                       "io_uring/zcrx_user.c": ['#include "zcrx.h"']})]
    files = {"io_uring/zcrx.c": "", "net/zcrx/zcrx.c": "", "net/zcrx/zcrx.h": "",
             "tools/net/zcrx/zcrx.c": ""}
    got, _ = where(patches, files)
    return expect(got, {"io_uring/zcrx.c": "p1", "net/zcrx/zcrx.c": None,
                        "net/zcrx/zcrx.h": None, "tools/net/zcrx/zcrx.c": None})


def case_path_boundaries():
    # "tools/net/zcrx/zcrx.c" names that file, not net/zcrx/zcrx.c
    patches = [("p1", {"Documentation/a.rst": ["see tools/net/zcrx/zcrx.c."]})]
    files = {"tools/net/zcrx/zcrx.c": "", "net/zcrx/zcrx.c": ""}
    got, tiers = where(patches, files)
    if tiers.get("tools/net/zcrx/zcrx.c") != "path":
        raise AssertionError(f"tiers {tiers}")
    return expect(got, {"tools/net/zcrx/zcrx.c": "p1", "net/zcrx/zcrx.c": None})


def case_selftest_makefile():
    d = "tools/testing/selftests/drivers/net/hw"
    patches = [("p1", {f"{d}/Makefile": ["TEST_GEN_FILES := \\", "\tiou-zcrx \\",
                                         "$(OUTPUT)/iou-zcrx: CFLAGS += $(KHDR_INCLUDES)"]}),
               ("p2", {f"{d}/Makefile": ["\tiou-zcrx.py \\", "\tiou-zcrx-fuzz.corpus \\",
                                         "$(OUTPUT)/iou-zcrx-abi: iou-zcrx-abi.c"]})]
    files = {f"{d}/iou-zcrx.c": "", f"{d}/iou-zcrx.py": "",
             f"{d}/iou-zcrx-fuzz.corpus": "", f"{d}/iou-zcrx-abi.c": ""}
    got, _ = where(patches, files)
    return expect(got, {f"{d}/iou-zcrx.c": "p1", f"{d}/iou-zcrx.py": "p2",
                        f"{d}/iou-zcrx-fuzz.corpus": "p2", f"{d}/iou-zcrx-abi.c": "p2"})


def case_toctree_beats_a_doc_link():
    # an earlier guide links to the document; the toctree entry adds it
    files = {"Documentation/networking/zcrx.rst": "Guide\n=====\n",
             "Documentation/networking/iou-zcrx.rst": ".. kernel-doc:: io_uring/zcrx.c\n",
             "io_uring/zcrx.c": ""}
    patches = [("p1", {"Documentation/networking/index.rst": ["   zcrx"],
                       "Documentation/networking/other.rst": [
                           "see :doc:`the app guide <iou-zcrx>`"]}),
               ("p2", {"io_uring/Makefile": ["obj-y += zcrx.o"]}),
               ("p3", {"Documentation/networking/index.rst": ["   iou-zcrx"]})]
    got, _ = where(patches, files)
    return expect(got, {"Documentation/networking/zcrx.rst": "p1",
                        "Documentation/networking/iou-zcrx.rst": "p3",
                        "io_uring/zcrx.c": "p2"})


def case_doc_link_alone_places_a_document():
    patches = [("p1", {"Documentation/networking/a.rst": [":doc:`/networking/b`"]})]
    files = {"Documentation/networking/b.rst": ""}
    got, tiers = where(patches, files)
    if tiers.get("Documentation/networking/b.rst") != "path":
        raise AssertionError(f"tiers {tiers}")
    return expect(got, {"Documentation/networking/b.rst": "p1"})


def case_earliest_patch_wins_through_a_new_file():
    # p3 builds x.c; p1 builds y.c, which includes x.h; x.h goes to p1
    patches = [("p1", {"lib/Makefile": ["obj-y += y.o"]}),
               ("p2", {"lib/other.c": ["int z;"]}),
               ("p3", {"lib/Makefile": ["obj-y += x.o"], "lib/z.c": ['#include "x.h"']})]
    files = {"lib/y.c": '#include "x.h"\n', "lib/x.h": "", "lib/x.c": ""}
    got, _ = where(patches, files)
    return expect(got, {"lib/y.c": "p1", "lib/x.h": "p1", "lib/x.c": "p3"})


def case_build_reference_beats_a_mention():
    patches = [("p1", {"io_uring/net.c": ["/* see io_uring/zcrx.c */"]}),
               ("p2", {"io_uring/Makefile": ["obj-y += zcrx.o"]})]
    got, tiers = where(patches, {"io_uring/zcrx.c": ""})
    if tiers["io_uring/zcrx.c"] != "build":
        raise AssertionError(f"tier {tiers}")
    return expect(got, {"io_uring/zcrx.c": "p2"})


def case_nearest_ancestor_directory():
    patches = [("p1", {"Documentation/a.rst": ["``tools/net`` holds tools"]}),
               ("p2", {"Documentation/b.rst": ["``tools/net/zcrx`` holds a library"]})]
    files = {"tools/net/zcrx/Makefile": "LIB := $(O)/zcrx.o\nTEST := $(O)/tests/t\n",
             "tools/net/zcrx/zcrx.c": "", "tools/net/zcrx/tests/t.c": "",
             "tools/net/other/x.c": ""}
    got, tiers = where(patches, files)
    if tiers["tools/net/zcrx/Makefile"] != "dir" or tiers["tools/net/zcrx/zcrx.c"] != "build":
        raise AssertionError(f"tiers {tiers}")
    return expect(got, {"tools/net/zcrx/Makefile": "p2", "tools/net/zcrx/zcrx.c": "p2",
                        "tools/net/zcrx/tests/t.c": "p2", "tools/net/other/x.c": "p1"})


def case_comments_in_makefiles_do_not_build():
    patches = [("p1", {"lib/Makefile": ["# zcrx.o used to be here"]})]
    got, _ = where(patches, {"lib/zcrx.c": ""})
    return expect(got, {"lib/zcrx.c": None})


def case_a_file_does_not_place_itself():
    got, _ = where([("p1", {"a/b.c": ["int x;"]})],
                   {"lib/self.c": "/* lib/self.c */\n#include \"self.c\"\n"})
    return expect(got, {"lib/self.c": None})


# ---------------------------------------------------------------- a tiny tree

class Tiny:
    """A repository laid out like out/linux: refs/zcrx/base, one commit per
    patch (the last refs/zcrx/patched) and refs/zcrx/overlay."""

    def __init__(self, tmp):
        self.repo = os.path.join(tmp, "linux")
        self.out = os.path.join(tmp, "series")
        os.makedirs(self.repo)
        self.git("init", "-q", "-b", "zcrx")
        self.write({"Makefile": "obj-y += a.o\n", "a.c": "int a;\n",
                    "Documentation/index.rst": ".. toctree::\n\n   intro\n",
                    "Documentation/intro.rst": "Intro\n"})
        self.commit("base: a tiny tree", "refs/zcrx/base")
        self.write({"Makefile": "obj-y += a.o\nobj-y += b/\n"})
        self.commit("tiny: descend into b\n\nThe body of the first patch.\n",
                    None, author=("Ann Author", "ann@example.org",
                                  "Mon, 2 Mar 2026 10:00:00 +0100"))
        self.write({"a.c": '#include "c.h"\nint a;\n',
                    "Documentation/index.rst": ".. toctree::\n\n   intro\n   doc\n"})
        self.commit("tiny: use c.h and document it\n\nSecond body.\n\n"
                    "Signed-off-by: Bob <bob@example.org>\n", "refs/zcrx/patched",
                    author=("Bob", "bob@example.org", "Tue, 3 Mar 2026 11:00:00 +0000"))
        self.write({"b/Makefile": "obj-y += x.o\n", "b/x.c": "int x;\n",
                    "c.h": "#define C 1\n", "Documentation/doc.rst": "Doc\n",
                    "lonely/notes.txt": "nothing names this\n"})
        self.commit("zcrx: overlay (5 files)", "refs/zcrx/overlay")
        self.names = ["0001-tiny-descend-into-b.patch",
                      "0002-tiny-use-c.h-and-document-it.patch"]

    def git(self, *args, env=None):
        return series.git(*args, cwd=self.repo, env=env).stdout

    def write(self, files):
        for path, text in files.items():
            full = os.path.join(self.repo, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w") as f:
                f.write(text)

    def commit(self, message, ref, author=None):
        env = {}
        if author:
            env = {"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1],
                   "GIT_AUTHOR_DATE": author[2], "GIT_COMMITTER_DATE": author[2]}
        self.git("add", "-A", ".")
        self.git("commit", "-q", "-m", message, env=env)
        if ref:
            self.git("update-ref", ref, "HEAD")

    def make(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            problems = series.make_series(self.repo, self.names,
                                          "tiny: the subject\n\nThe body.\n", self.out)
        return problems, out.getvalue()

    def mail(self, name):
        with open(os.path.join(self.out, name)) as f:
            return f.read()


def case_tiny_tree_formats_and_applies(tmp):
    t = Tiny(tmp)
    problems, text = t.make()
    if problems:
        raise AssertionError("; ".join(problems))
    made = sorted(os.listdir(t.out))
    want = ["0000-cover-letter.patch", "0001-tiny-descend-into-b.patch",
            "0002-tiny-use-c.h-and-document-it.patch",
            "0003-zcrx-add-the-remaining-new-files.patch"]
    if made != want:
        raise AssertionError(f"out dir holds {made}")
    first, second, last = (t.mail(n) for n in want[1:])
    checks = [("Subject: [PATCH 0/3] tiny: the subject", t.mail(want[0])),
              ("From: Ann Author <ann@example.org>", first),
              ("Date: Mon, 2 Mar 2026 10:00:00 +0100", first),
              ("+++ b/b/x.c", first), ("+++ b/b/Makefile", first),
              ("+++ b/c.h", second), ("+++ b/Documentation/doc.rst", second),
              ("Signed-off-by: Bob <bob@example.org>", second),
              ("+++ b/lonely/notes.txt", last), ("warning:   lonely/notes.txt", text)]
    for needle, hay in checks:
        if needle not in hay:
            raise AssertionError(f"missing {needle!r}")
    return "cover letter + 3 patches; git am gives the overlay's tree"


def case_tiny_tree_same_bytes_twice(tmp):
    t = Tiny(tmp)
    t.make()
    first = {n: t.mail(n) for n in os.listdir(t.out)}
    t.make()
    second = {n: t.mail(n) for n in os.listdir(t.out)}
    if first != second:
        raise AssertionError("two runs on the same input differ: " +
                             ", ".join(n for n in first if first[n] != second.get(n)))
    return f"{len(first)} files identical"


def case_tiny_tree_missing_patch_caught(tmp):
    t = Tiny(tmp)
    t.make()
    refs, chain, files, patches = series.load(t.repo, t.names)
    placed, remaining = series.assign(patches, files)
    work = os.path.join(tmp, "work")
    os.makedirs(work)
    built_repo = os.path.join(work, "build")
    series.clone(t.repo, built_repo)
    head = series.build_commits(built_repo, refs, chain, placed, remaining)
    built = series.git("rev-list", "--reverse", f"{refs['base']}..{head}",
                       cwd=built_repo).stdout.split()
    # the cover letter and the first two patches: the last one is lost
    mails = [os.path.join(t.out, n) for n in sorted(os.listdir(t.out))[1:3]]
    with contextlib.redirect_stdout(io.StringIO()):
        found = series.check_applies(t.repo, refs, built_repo, built, mails, work)
    if not found["tree"] or "lonely/notes.txt" not in found["tree"]:
        raise AssertionError(f"a series without its last patch passed: {found}")
    if not found["meta"] or "git am made 2 commits, the series has 3" not in found["meta"]:
        raise AssertionError(f"the commit count was not compared: {found}")
    return found["tree"].splitlines()[0]


if __name__ == "__main__":
    sys.exit(ktap.run(ktap.cases(globals()), "zcrx-series-test-"))
