#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Format the work in out/linux as one mailable series and check that it
applies: out/series/0000-cover-letter.patch and one patch per
patches/series entry, in order.

The overlay's new files have no patch of their own in patches/series.
Each goes, whole, into the first patch that needs it, decided from what
the patches add (the "+" lines of their diffs):

  build    a Makefile/Kbuild line naming its object (zcrx.o), program
           (iou-zcrx for iou-zcrx.c), file (hds.py) or directory (zcrx/,
           for the directory's Makefile), relative to the Makefile; a
           Kconfig "source"; an #include, <x.h> as include/x.h or
           include/uapi/x.h, "x.h" relative to the including file; an .rst
           toctree entry (an indented line holding one name) or include;
           a Python relative import ("from .nlsock import"), as nlsock.py
           or nlsock/__init__.py beside the importing file
  path     its path from the top of the tree, anywhere (a comment, prose,
           a kernel-doc directive), or an .rst's :doc: role: a document
           that only mentions a file does not build it
  dir      its nearest ancestor directory named anywhere (a Makefile's
           "zcrx/", prose such as ``tools/net/zcrx``)

A new file placed in a patch counts as part of that patch: what it
references is needed by that patch too (net/Makefile's "zcrx/" brings
net/zcrx/Makefile, whose "zcrx.o" brings net/zcrx/zcrx.c). A build
reference wins over a path mention, which wins over a directory; among
equals the earliest patch wins. What nothing reaches goes into one last
patch, "zcrx: add the remaining new files", with a warning.

The commits are rebuilt with git plumbing in a temporary clone of
out/linux (each keeps its patch's author, date and message), formatted
with git format-patch (the cover letter from patches/cover-letter.txt,
with the shortlog and the diffstat), then applied with git am on
refs/zcrx/base in a second, fresh clone: the result's tree must be
refs/zcrx/overlay's and every commit's author, date and message the
patch's. Same input, same bytes: dates are the patches' own and git's
configuration is not read.

  series.py [--records FILE]   write out/series and check it; FILE gets
                               result records (harness/results.py)
  series.py plan               print where each new file goes, and why
"""

import os
import posixpath
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tree  # noqa: E402  (the harness's git helpers and paths)

OUT_DIR = os.path.join(tree.OUT, "series")
COVER = os.path.join(tree.PATCHES, "cover-letter.txt")
REMAINING = "zcrx: add the remaining new files"
BRANCH = "zcrx-series"
# Only the environment speaks to git: no user or system configuration
# (format.headers, diff.noprefix, a signature) changes the output.
ISOLATED = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
# What a patch must show so that it reads the same on every machine.
FORMAT = ["-c", "core.abbrev=12", "format-patch", "-q", "--zero-commit",
          "--no-signature", "--no-renames", "--cover-letter",
          "--cover-from-description=subject"]

TIERS = ("build", "path", "dir")
PATH_TOKEN = re.compile(r"[\w.+-]+(?:/[\w.+-]+)+/?")
MAKE_VAR = re.compile(r"\$[({][^)}]*[)}]/?|\$[@<^*?]")
MAKE_SPLIT = re.compile(r"[\s:=+?,;()\\'\"|&]+")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
KCONFIG_SOURCE = re.compile(r'^\s*(o?r?source)\s+"([^"]+)"')
RST_INCLUDE = re.compile(r"^\s*\.\.\s+(?:include|literalinclude)::\s*(\S+)")
RST_DOC = re.compile(r":doc:`(?:[^`<]*<)?([^`>]+)>?`")
RST_ENTRY = re.compile(r"^\s+([\w./-]+)\s*$")
PY_FROM = re.compile(r"^\s*from\s+(\.+)([\w.]*)\s+import\b")


def log(msg):
    print(f"series: {msg}", flush=True)


class SeriesError(Exception):
    pass


def git(*args, cwd=tree.LINUX, env=None, inp=None, check=True):
    try:
        return tree.git(*args, cwd=cwd, env=dict(ISOLATED, **(env or {})),
                        inp=inp, check=check)
    except tree.TreeError as e:
        raise SeriesError(str(e)) from None


# ---------------------------------------------------------------- references

def is_makefile(path):
    base = posixpath.basename(path)
    return base in ("Makefile", "Kbuild", "GNUmakefile") or base.endswith(".mk")


def is_kconfig(path):
    return posixpath.basename(path).startswith("Kconfig")


def rel(d, name):
    """name relative to directory d, normalised; None if it leaves the tree."""
    p = posixpath.normpath(posixpath.join(d, name))
    return None if p.startswith("../") or p in (".", "..") else p


def make_refs(d, line):
    """Candidate paths a Makefile line in d names: files, objects' sources,
    programs' sources, and directories (as the directory's path)."""
    line = line.split("#", 1)[0]
    out = []
    for tok in MAKE_SPLIT.split(MAKE_VAR.sub("", line)):
        if not tok or "%" in tok or "$" in tok:
            continue
        p = rel(d, tok.rstrip("/"))
        if p is None:
            continue
        stem, ext = posixpath.splitext(p)
        out.append(p)
        if ext == ".o":
            out += [stem + ".c", stem + ".S", stem + ".rs"]
        elif not ext:
            out.append(p + ".c")
        for mk in ("Makefile", "Kbuild"):
            out.append(posixpath.join(p, mk))
    return out


def build_refs(path, line):
    """Paths a line of file path names in the way the build or the docs use
    them (see the module's docstring)."""
    d = posixpath.dirname(path)
    if is_makefile(path):
        return make_refs(d, line)
    if is_kconfig(path):
        m = KCONFIG_SOURCE.match(line)
        if not m:
            return []
        # rsource and orsource are relative to the Kconfig, source to the top
        p = rel(d if "rsource" in m.group(1) else "", m.group(2))
        return [p] if p else []
    m = INCLUDE.match(line)
    if m:
        if m.group(1) == '"':
            p = rel(d, m.group(2))
            return [p] if p else []
        name = m.group(2)
        if name.startswith("uapi/"):
            return ["include/" + name]
        return ["include/" + name, "include/uapi/" + name]
    if path.endswith(".py"):
        m = PY_FROM.match(line)
        if not m or not m.group(2):
            return []
        # one dot is the importing file's package, each more one level up
        up = "/".join([".."] * (len(m.group(1)) - 1))
        p = rel(d, posixpath.join(up, m.group(2).replace(".", "/")))
        return [p + ".py", p + "/__init__.py"] if p else []
    if path.endswith(".rst"):
        m = RST_INCLUDE.match(line) or RST_ENTRY.match(line)
        if not m:
            return []
        p = rel(d, m.group(1) if m.re is RST_INCLUDE else m.group(1) + ".rst")
        return [p] if p else []
    return []


def doc_refs(path, line):
    """Documents an .rst line links to with the :doc: role."""
    if not path.endswith(".rst"):
        return []
    out = []
    for target in RST_DOC.findall(line):
        if target.startswith("/"):
            out.append(rel("Documentation", target.lstrip("/") + ".rst"))
        else:
            out.append(rel(posixpath.dirname(path), target + ".rst"))
    return [p for p in out if p]


def line_refs(path, line):
    """(tier, target) of every reference of a line of file path; targets
    are candidate paths, not yet checked against the new files."""
    refs = [("build", p) for p in build_refs(path, line)]
    refs += [("path", p) for p in doc_refs(path, line)]
    for tok in PATH_TOKEN.findall(line):
        tok = tok.rstrip("./")  # "see net/zcrx/." ends a sentence
        refs += [("path", tok), ("dir", tok)]
    if is_makefile(path):
        refs += [("dir", p) for p in make_refs(posixpath.dirname(path), line)]
    return refs


class Source:
    """Something that references new files: a patch's added lines, or a new
    file's whole text once it is placed."""

    def __init__(self, name, texts):
        self.name = name
        self.texts = texts  # {path: [lines]}

    def refs(self, files, dirs):
        """{tier: {target: why}} of the targets among files and dirs."""
        found = {t: {} for t in TIERS}
        for path, lines in self.texts.items():
            for line in lines:
                for tier, target in line_refs(path, line):
                    pool = dirs if tier == "dir" else files
                    if target in pool and target != path:
                        why = f"{path}: {line.strip()[:60]}"
                        found[tier].setdefault(target, why)
        return found


def ancestors(path):
    d = posixpath.dirname(path)
    while d:
        yield d
        d = posixpath.dirname(d)


def assign(patches, files):
    """Place each new file in the first patch that needs it.

    patches: [(name, {path: [added lines]})] in series order;
    files: {path: text} of the new files.
    Return ({path: (patch index, tier, why)}, [paths no patch reaches]).
    """
    dirs = {a for f in files for a in ancestors(f)}
    srcs = [Source(n, t) for n, t in patches]
    file_srcs = {f: Source(f, {f: text.splitlines()}) for f, text in files.items()}
    refs = {id(s): s.refs(files, dirs) for s in srcs + list(file_srcs.values())}
    placed = {}

    def sources():
        """(patch index, source) of every source that is in a patch now."""
        for i, s in enumerate(srcs):
            yield i, s
        for f, (i, _, _) in list(placed.items()):
            yield i, file_srcs[f]

    def better(f, i, tier):
        """Whether (i, tier) places f better than where it is now."""
        if f not in placed:
            return True
        pi, pt, _ = placed[f]
        return (TIERS.index(tier), i) < (TIERS.index(pt), pi)

    changed = True
    while changed:
        changed = False
        # Build references: relax until nothing moves earlier.
        for i, s in sources():
            for f, why in refs[id(s)]["build"].items():
                if better(f, i, "build"):
                    placed[f] = (i, "build", why)
                    changed = True
        if changed:
            continue
        # Paths named in prose or comments, for what no build line reaches.
        for i, s in sources():
            for f, why in refs[id(s)]["path"].items():
                if better(f, i, "path"):
                    placed[f] = (i, "path", why)
                    changed = True
        if changed:
            continue
        # The nearest ancestor directory anything placed names.
        named = {}
        for i, s in sources():
            for d, why in refs[id(s)]["dir"].items():
                if d not in named or i < named[d][0]:
                    named[d] = (i, why)
        for f in files:
            if f in placed:
                continue
            for d in ancestors(f):
                if d in named:
                    i, why = named[d]
                    placed[f] = (i, "dir", f"{d}/ named by {why}")
                    changed = True
                    break
    return placed, sorted(f for f in files if f not in placed)


# ---------------------------------------------------------------- the tree

def added_lines(commit, repo):
    """{path: [added lines]} of commit's diff against its parent."""
    out, path, header = {}, None, False
    diff = git("diff-tree", "-p", "-U0", "--no-renames", "--no-color",
               commit + "^", commit, cwd=repo).stdout
    for line in diff.splitlines():
        if line.startswith("diff --git "):
            path, header = None, True
        elif header and line.startswith("+++ "):
            path = line[6:] if line.startswith("+++ b/") else None
        elif line.startswith("@@"):
            header = False
        elif not header and line.startswith("+") and path:
            out.setdefault(path, []).append(line[1:])
    return out


def load(repo, names):
    """The chain of patch commits, the new files and what assign() needs."""
    refs = {}
    for r in ("base", "patched", "overlay"):
        refs[r] = git("rev-parse", "-q", "--verify", f"refs/zcrx/{r}^{{commit}}",
                      cwd=repo, check=False).stdout.strip()
        if not refs[r]:
            raise SeriesError(f"{repo} has no refs/zcrx/{r}: run 'make tree' first")
    chain = git("rev-list", "--reverse", f"{refs['base']}..{refs['patched']}",
                cwd=repo).stdout.split()
    if len(chain) != len(names):
        raise SeriesError(f"{repo} has {len(chain)} patch commits, patches/series "
                          f"{len(names)} entries: run 'make tree' first")
    status = git("diff-tree", "-r", "-z", "--no-renames", "--name-status",
                 refs["patched"], refs["overlay"], cwd=repo).stdout.split("\0")
    files = {}
    for st, path in zip(status[0::2], status[1::2]):
        if st != "A":
            raise SeriesError(f"the overlay commit changes {path} ({st}): the "
                              "overlay may only add files")
        files[path] = git("cat-file", "blob", f"{refs['overlay']}:{path}",
                          cwd=repo).stdout
    patches = [(n, added_lines(c, repo)) for n, c in zip(names, chain)]
    return refs, chain, files, patches


# ---------------------------------------------------------------- commits

def meta(commit, repo):
    """(name, email, date, message) of commit; "format:" adds no newline
    after the message, as "--format" would."""
    an, ae, ad, msg = git("log", "-1", "--pretty=format:%an%x00%ae%x00%aD%x00%B",
                          commit, cwd=repo).stdout.split("\0", 3)
    return an, ae, ad, msg


def commit(repo, tree_id, parent, who, message):
    name, email, date = who
    return git("commit-tree", tree_id, "-p", parent, cwd=repo, inp=message,
               env={"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
                    "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}).stdout.strip()


def remaining_message(paths):
    return (f"{REMAINING}\n\nNo patch of the series names these new files by "
            "path, object, include,\ntoctree entry or directory; they are "
            "added here so that the series\nbuilds the whole tree:\n\n" +
            "".join(f"  {p}\n" for p in paths))


def changes(old, new, repo):
    """--index-info lines that turn tree old into tree new."""
    raw = git("diff-tree", "-r", "-z", "--no-renames", old, new, cwd=repo).stdout
    parts = raw.split("\0")
    info = ""
    for head, path in zip(parts[0::2], parts[1::2]):
        _, mode, _, blob, status = head.lstrip(":").split(" ")
        if status == "D":
            info += f"0 {'0' * 40}\t{path}\n"
        else:
            info += f"{mode} {blob}\t{path}\n"
    return info


def build_commits(repo, refs, chain, placed, remaining):
    """Commit each patch with the new files placed in it; return the head.

    One index, moved from the base patch by patch (a read-tree of the
    whole kernel tree per patch costs more than the series itself)."""
    modes = {}
    listing = git("ls-tree", "-r", "-z", refs["overlay"], cwd=repo).stdout
    for entry in filter(None, listing.split("\0")):
        info, path = entry.split("\t", 1)
        modes[path] = info
    by_patch = {}
    for f, (i, _, _) in placed.items():
        by_patch.setdefault(i, []).append(f)
    head = prev = refs["base"]
    with tempfile.TemporaryDirectory() as d:
        env = {"GIT_INDEX_FILE": os.path.join(d, "index")}
        git("read-tree", refs["base"], cwd=repo, env=env)
        for i, c in enumerate(chain):
            info = changes(prev, c, repo)
            info += "".join(f"{modes[f]}\t{f}\n" for f in sorted(by_patch.get(i, [])))
            if info:
                git("update-index", "--add", "--remove", "--index-info", cwd=repo,
                    env=env, inp=info)
            tree_id = git("write-tree", cwd=repo, env=env).stdout.strip()
            an, ae, ad, msg = meta(c, repo)
            head = commit(repo, tree_id, head, (an, ae, ad), msg)
            prev = c
        if remaining:
            who = meta(chain[-1], repo)[:3] if chain else \
                (tree.IDENT["GIT_AUTHOR_NAME"], tree.IDENT["GIT_AUTHOR_EMAIL"],
                 tree.IDENT["GIT_AUTHOR_DATE"])
            head = commit(repo, f"{refs['overlay']}^{{tree}}", head, who,
                          remaining_message(remaining))
    want = git("rev-parse", f"{refs['overlay']}^{{tree}}", cwd=repo).stdout.strip()
    got = git("rev-parse", f"{head}^{{tree}}", cwd=repo).stdout.strip()
    if want != got:
        raise SeriesError(f"internal: the rebuilt series ends in tree {got}, "
                          f"the overlay is {want}")
    return head


def cover_letter(version):
    """The branch description format-patch turns into the cover letter:
    subject paragraph, then the body of patches/cover-letter.txt and the
    base."""
    if not os.path.isfile(COVER):
        raise SeriesError(f"no cover letter source {os.path.relpath(COVER, tree.TOP)}")
    with open(COVER) as f:
        lines = [l for l in f.read().splitlines() if not l.startswith("#")]
    text = "\n".join(lines).strip()
    if "\n\n" not in text:
        raise SeriesError(f"{os.path.relpath(COVER, tree.TOP)}: want a subject line, "
                          "a blank line and the body")
    return (text + f"\n\nBase: Debian's linux-source-6.12 {version}, imported as\n"
            "one commit; the series applies there with 'git am'.\n")


def format_series(repo, refs, head, description, dest):
    """git format-patch of base..head with the cover letter into dest."""
    git("update-ref", f"refs/heads/{BRANCH}", head, cwd=repo)
    git("config", f"branch.{BRANCH}.description", description, cwd=repo)
    first = git("rev-list", "--reverse", f"{refs['base']}..{head}", cwd=repo).stdout.split()[0]
    an, ae, _, _ = meta(first, repo)
    _, _, ad, _ = meta(head, repo)
    # The cover letter is "from" the committer: the series' author, dated
    # with its last patch.
    git(*FORMAT, "-o", dest, f"{refs['base']}..{BRANCH}", cwd=repo,
        env={"GIT_COMMITTER_NAME": an, "GIT_COMMITTER_EMAIL": ae,
             "GIT_COMMITTER_DATE": ad})
    return sorted(os.listdir(dest))


# ---------------------------------------------------------------- checks

def clone(src, dest):
    """A clone of src sharing its objects; refs are passed as ids."""
    git("clone", "-q", "--shared", "--no-checkout", src, dest,
        cwd=os.path.dirname(dest))


def glob_escape(path):
    """path as a sparse-checkout pattern that matches it alone."""
    return re.sub(r"([\\*?\[\]!#])", r"\\\1", path)


def check_applies(src, refs, built_repo, built, mails, work):
    """Apply mails with git am on the base in a fresh clone of src.

    Return {"tree": problem, "meta": problem}, None where all is well: the
    result's tree must be the overlay's, and each commit's author, date
    and message those of the commit it was formatted from (in built_repo).
    The clone is a sparse checkout of the paths the series touches: the
    index, and so every commit git am makes, holds the whole base tree,
    but only those files are written, not the base's ~87,000.
    """
    repo = os.path.join(work, "am")
    clone(src, repo)
    touched = git("diff", "--name-only", "-z", "--no-renames", refs["base"],
                  refs["overlay"], cwd=repo).stdout.split("\0")
    git("sparse-checkout", "set", "--no-cone", "--stdin", cwd=repo,
        inp="".join(f"/{glob_escape(p)}\n" for p in touched if p))
    git("checkout", "-q", "--detach", refs["base"], cwd=repo)
    log(f"applying {len(mails)} patches with git am on the base "
        "(a fresh sparse clone, ~15 s)")
    p = git("am", "-q", "--keep-cr", *mails, cwd=repo, check=False)
    if p.returncode:
        return {"tree": "git am on the base failed:\n" + (p.stderr + p.stdout).strip(),
                "meta": "not checked: git am failed"}
    found = {"tree": None, "meta": None}
    want = git("rev-parse", f"{refs['overlay']}^{{tree}}", cwd=repo).stdout.strip()
    got = git("rev-parse", "HEAD^{tree}", cwd=repo).stdout.strip()
    log(f"tree after git am: {got}; refs/zcrx/overlay's tree: {want}")
    if got != want:
        stat = git("diff", "--stat", "HEAD", refs["overlay"], cwd=repo).stdout
        found["tree"] = (f"the tree after git am, {got}, is not out/linux's, "
                         f"{want} (git diff --stat HEAD refs/zcrx/overlay):\n{stat}")
    applied = git("rev-list", "--reverse", f"{refs['base']}..HEAD", cwd=repo).stdout.split()
    differ = []
    if len(applied) != len(built):
        differ.append(f"git am made {len(applied)} commits, the series has {len(built)}")
    for a, b in zip(applied, built):
        mine, theirs = meta(a, repo), meta(b, built_repo)
        if mine != theirs:
            what = [k for k, x, y in zip(("author", "email", "date", "message"),
                                         mine, theirs) if x != y]
            differ.append(f"'{theirs[3].splitlines()[0]}' ({', '.join(what)})")
    if differ:
        found["meta"] = (f"{len(differ)} commit(s) made by git am differ from the "
                         f"series' in author, date or message: {differ[0]}" +
                         (f" and {len(differ) - 1} more" if len(differ) > 1 else ""))
    return found


# ---------------------------------------------------------------- main

def write_records(path, recs, planned=3):
    if not path:
        return
    with open(path, "w") as f:
        for st, case, detail in recs:
            f.write(f"{st}\tseries\t{case}\t{' '.join(detail.split())}\n")
        f.write(f"PLAN\tseries\t{planned}\t{len(recs)}\n")


def make_series(linux, names, description, out_dir, records=None):
    """Write out_dir from linux's refs and check it with git am.

    Return the problems found (an empty list: all is well); with records,
    write result records there as each stage ends.
    """
    refs, chain, files, patches = load(linux, names)
    placed, remaining = assign(patches, files)
    log(f"{len(names)} patches, {len(files)} new files: "
        f"{len(placed)} placed in the patch that needs them")
    if remaining:
        log(f"warning: {len(remaining)} new file(s) no patch names go into a last "
            f"patch, '{REMAINING}':")
        for f in remaining:
            log(f"warning:   {f}")
    parent = os.path.dirname(os.path.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    work = tempfile.mkdtemp(prefix="series-", dir=parent)
    recs = []
    try:
        repo = os.path.join(work, "build")
        clone(linux, repo)
        t0 = time.monotonic()
        head = build_commits(repo, refs, chain, placed, remaining)
        log(f"committed the series in a temporary clone ({time.monotonic() - t0:.0f} s)")
        built = git("rev-list", "--reverse", f"{refs['base']}..{head}",
                    cwd=repo).stdout.split()
        made = format_series(repo, refs, head, description, os.path.join(work, "mails"))
        if len(made) != len(built) + 1 or made[0] != "0000-cover-letter.patch":
            raise SeriesError(f"format-patch wrote {len(made)} files for "
                              f"{len(built)} commits")
        shutil.rmtree(out_dir, ignore_errors=True)
        shutil.copytree(os.path.join(work, "mails"), out_dir)
        where = os.path.relpath(out_dir, tree.TOP)
        log(f"wrote {where}: the cover letter and {len(built)} patches")
        detail = f"{where}: cover letter + {len(built)} patches, {len(files)} new files"
        if remaining:
            detail += f", {len(remaining)} in '{REMAINING}': " + " ".join(remaining)
        recs.append(("PASS", "formatted with git format-patch", detail))
        write_records(records, recs)

        found = check_applies(linux, refs, repo, built,
                              [os.path.join(out_dir, f) for f in made[1:]], work)
        recs.append(("FAIL" if found["tree"] else "PASS",
                     "git am on refs/zcrx/base gives out/linux's tree",
                     (found["tree"] or "").split(":\n")[0]))
        recs.append(("FAIL" if found["meta"] else "PASS",
                     "each commit keeps its author, date and message",
                     found["meta"] or ""))
        write_records(records, recs)
        return [p for p in found.values() if p]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def make(records):
    names = tree.read_series()
    version = git("config", "zcrx.baseversion", check=False).stdout.strip()
    if not version:
        raise SeriesError(f"{tree.LINUX} was not assembled by 'make tree' (no "
                          "zcrx.baseversion in its git config): run 'make tree' first")
    problems = make_series(tree.LINUX, names, cover_letter(version), OUT_DIR, records)
    for p in problems:
        print(f"series: error: {p}", file=sys.stderr)
    if problems:
        return 1
    log("checked: git am of out/series on the base gives out/linux's tree "
        "and every patch's author, date and message")
    return 0


def plan():
    names = tree.read_series()
    _, _, files, patches = load(tree.LINUX, names)
    placed, remaining = assign(patches, files)
    for f in sorted(placed, key=lambda f: (placed[f][0], f)):
        i, tier, why = placed[f]
        print(f"{i + 1:4d} {names[i]}\n       {f}  ({tier}: {why})")
    for f in remaining:
        print(f"   - {REMAINING}\n       {f}  (nothing names it)")
    return 0


def main(argv):
    args = argv[1:]
    records = None
    if args[:1] == ["--records"] and len(args) == 2:
        records, args = args[1], []
        open(records, "w").close()  # no record of an earlier run survives
    try:
        if args == ["plan"]:
            return plan()
        if not args:
            return make(records)
        print(__doc__, file=sys.stderr)
        return 2
    except (SeriesError, tree.TreeError) as e:
        print(f"series: error: {e}", file=sys.stderr)
        if records:
            with open(records, "a") as f:
                f.write(f"FAIL\tseries\tmake series\t{' '.join(str(e).split())[:300]}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
