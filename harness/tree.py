#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Assemble out/linux from the base, the patch series and the overlay, and
bring edits made in out/linux back into the repo.

out/linux is a git repository with this history on branch "zcrx":

    base       the pinned tarball as one commit      (refs/zcrx/base)
    patch 1..n one commit per patches/series entry  (last: refs/zcrx/patched)
    overlay    the repo's new files                 (refs/zcrx/overlay)

Commits are built in a private index with git plumbing and the work tree is
moved to the result with "git reset --keep", so only files whose content
changed are written and kbuild rebuilds incrementally.

  tree.py assemble TARBALL VERSION   build or update out/linux
  tree.py export                     copy edits in out/linux back to the repo
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(TOP, "out")
LINUX = os.path.join(OUT, "linux")
PATCHES = os.path.join(TOP, "patches")
SERIES = os.path.join(PATCHES, "series")
OVERLAY_DIRS = ["net", "io_uring", "include", "drivers", "tools", "Documentation"]
IDENT = {
    "GIT_AUTHOR_NAME": "zcrx harness",
    "GIT_AUTHOR_EMAIL": "zcrx@localhost",
    "GIT_COMMITTER_NAME": "zcrx harness",
    "GIT_COMMITTER_EMAIL": "zcrx@localhost",
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2000-01-01T00:00:00Z",
}


class TreeError(Exception):
    pass


def log(msg):
    print(f"tree: {msg}", flush=True)


def git(*args, cwd=LINUX, env=None, inp=None, check=True):
    e = dict(os.environ)
    e.update(IDENT)
    if env:
        e.update(env)
    p = subprocess.run(["git", *args], cwd=cwd, env=e, input=inp,
                       capture_output=True, text=True)
    if check and p.returncode:
        raise TreeError(f"git {' '.join(args)} failed:\n{p.stderr.strip()}")
    return p


def rev(ref):
    p = git("rev-parse", "-q", "--verify", ref + "^{commit}", check=False)
    return p.stdout.strip() if p.returncode == 0 else None


def read_series():
    names = []
    if not os.path.exists(SERIES):
        return names
    with open(SERIES) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                names.append(line)
    for n in names:
        if not os.path.isfile(os.path.join(PATCHES, n)):
            raise TreeError(f"patches/series names {n}, which does not exist")
    return names


# ---------------------------------------------------------------- base

def make_base(tarball, version):
    if os.path.isdir(LINUX):
        log(f"base changed: removing {LINUX}")
        shutil.rmtree(LINUX)
    os.makedirs(LINUX)
    log(f"extracting {os.path.basename(tarball)} (~1 minute)")
    subprocess.run(["tar", "-xJf", tarball, "-C", LINUX, "--strip-components=1"],
                   check=True)
    git("init", "-q", "-b", "zcrx")
    git("config", "core.autocrlf", "false")
    git("config", "gc.auto", "0")
    log("committing the base (~1 minute)")
    git("add", "-A", "-f", ".")
    git("commit", "-q", "--no-verify", "-m",
        f"base: Debian linux-source-6.12 {version}\n\n"
        f"Imported from {os.path.basename(tarball)}.")
    git("update-ref", "refs/zcrx/base", "HEAD")
    git("config", "zcrx.baseversion", version)


def ensure_base(tarball, version):
    have = None
    if os.path.isdir(os.path.join(LINUX, ".git")):
        p = git("config", "zcrx.baseversion", check=False)
        have = p.stdout.strip() if rev("refs/zcrx/base") else None
    if have != version:
        make_base(tarball, version)
    return rev("refs/zcrx/base")


# ---------------------------------------------------------------- patches

def patch_meta(path):
    """Return (author name, email, date, message) of a format-patch file."""
    with tempfile.TemporaryDirectory() as d:
        msg, diff = os.path.join(d, "msg"), os.path.join(d, "diff")
        with open(path, "rb") as f:
            p = subprocess.run(["git", "mailinfo", msg, diff], stdin=f,
                               capture_output=True, cwd=LINUX)
        if p.returncode:
            raise TreeError(f"{os.path.basename(path)} is not a format-patch file")
        info = dict(l.split(": ", 1) for l in p.stdout.decode().splitlines()
                    if ": " in l)
        with open(msg) as f:
            body = f.read().strip()
    subject = info.get("Subject", "").strip()
    if not subject:
        raise TreeError(f"{os.path.basename(path)} has no Subject")
    message = subject + ("\n\n" + body if body else "") + "\n"
    return (info.get("Author", IDENT["GIT_AUTHOR_NAME"]),
            info.get("Email", IDENT["GIT_AUTHOR_EMAIL"]),
            info.get("Date", IDENT["GIT_AUTHOR_DATE"]), message)


def apply_series(base):
    """Commit each patch on top of base; return the last commit."""
    names = read_series()
    key = git("hash-object", "--stdin", inp=base + "".join(
        open(os.path.join(PATCHES, n)).read() for n in names)).stdout.strip()
    if git("config", "zcrx.serieskey", check=False).stdout.strip() == key:
        cached = rev("refs/zcrx/patched")
        if cached:
            return cached, names
    head = base
    with tempfile.TemporaryDirectory() as d:
        env = {"GIT_INDEX_FILE": os.path.join(d, "index")}
        git("read-tree", base, env=env)
        for i, n in enumerate(names, 1):
            path = os.path.join(PATCHES, n)
            p = git("apply", "--cached", "--whitespace=nowarn", path, env=env,
                    check=False)
            if p.returncode:
                raise TreeError(
                    f"patch {i}/{len(names)} {n} does not apply:\n"
                    f"{p.stderr.strip()}")
            name, email, date, message = patch_meta(path)
            tree = git("write-tree", env=env).stdout.strip()
            cenv = dict(env, GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email,
                        GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
            head = git("commit-tree", tree, "-p", head, env=cenv,
                       inp=message).stdout.strip()
    if names:
        log(f"applied {len(names)} patch(es)")
    git("update-ref", "refs/zcrx/patched", head)
    git("config", "zcrx.serieskey", key)
    return head, names


# ---------------------------------------------------------------- overlay

def overlay_files():
    """Overlay paths of the repo, relative to its top, as on disk."""
    p = git("ls-files", "-co", "--exclude-standard", "-z", "--", *OVERLAY_DIRS,
            cwd=TOP)
    return sorted(f for f in p.stdout.split("\0")
                  if f and os.path.isfile(os.path.join(TOP, f)))


def tree_paths(commit):
    p = git("ls-tree", "-r", "-z", "--name-only", commit)
    return set(f for f in p.stdout.split("\0") if f)


def add_overlay(patched):
    files = overlay_files()
    clash = sorted(set(files) & tree_paths(patched))
    if clash:
        raise TreeError(
            "overlay files exist in the base or are created by a patch; change "
            "them through a patch instead:\n  " + "\n  ".join(clash))
    blobs = git("hash-object", "-w", "--stdin-paths", cwd=TOP,
                env={"GIT_DIR": os.path.join(LINUX, ".git")},
                inp="\n".join(files) + "\n").stdout.split() if files else []
    info = ""
    for f, b in zip(files, blobs):
        mode = "100755" if os.access(os.path.join(TOP, f), os.X_OK) else "100644"
        info += f"{mode} {b}\t{f}\n"
    with tempfile.TemporaryDirectory() as d:
        env = {"GIT_INDEX_FILE": os.path.join(d, "index")}
        git("read-tree", patched, env=env)
        if info:
            git("update-index", "--add", "--index-info", env=env, inp=info)
        tree = git("write-tree", env=env).stdout.strip()
    return git("commit-tree", tree, "-p", patched,
               inp=f"zcrx: overlay ({len(files)} files)\n").stdout.strip(), len(files)


# ---------------------------------------------------------------- assemble

# Debian's top-level .gitignore ignores everything at the top ("/*"), so new
# files in out/linux are found without the standard excludes, minus the
# obvious by-products of editing.
JUNK = ["*.o", "*.orig", "*.rej", "*~", "*.swp", "*.pyc", "__pycache__"]


def untracked():
    p = git("ls-files", "-o", "-z", *[f"--exclude={j}" for j in JUNK],
            "--", *OVERLAY_DIRS)
    return [f for f in p.stdout.split("\0") if f]


def add_all(env=None):
    """Stage tracked changes and new files (see untracked()) in an index."""
    git("add", "-u", "--", ".", env=env)
    new = untracked()
    if new:
        git("add", "-f", "--pathspec-from-file=-", "--pathspec-file-nul",
            env=env, inp="\0".join(new))


def worktree_tree():
    """Tree id of the work tree as it is, without touching the real index."""
    with tempfile.TemporaryDirectory() as d:
        idx = os.path.join(d, "index")
        shutil.copy(os.path.join(LINUX, ".git", "index"), idx)
        env = {"GIT_INDEX_FILE": idx}
        add_all(env)
        return git("write-tree", env=env).stdout.strip()


def tree_of(commit):
    return git("rev-parse", commit + "^{tree}").stdout.strip()


def assemble(tarball, version):
    base = ensure_base(tarball, version)
    patched, names = apply_series(base)
    target, nfiles = add_overlay(patched)
    head = rev("HEAD")
    summary = f"{len(names)} patch(es), {nfiles} overlay file(s)"
    wt = worktree_tree()
    if wt == tree_of(target):
        # Nothing to write; just make the history match (e.g. after export).
        if tree_of(head) != wt or rev("refs/zcrx/overlay") != head:
            git("reset", "-q", target)
            git("update-ref", "refs/zcrx/overlay", target)
        log(f"up to date: {summary}")
        return
    if wt != tree_of(head):
        status = git("status", "--porcelain", "--untracked-files=all").stdout
        raise TreeError(
            "out/linux has local edits:\n" + status +
            "Bring them back with 'make export', or discard them with "
            "'git -C out/linux reset --hard && git -C out/linux clean -fd'.")
    changed = git("diff", "--name-only", head, target).stdout.split()
    git("reset", "-q", "--keep", target)
    git("update-ref", "refs/zcrx/overlay", target)
    log(f"{summary}; {len(changed)} file(s) written")


# ---------------------------------------------------------------- export

def last_toucher(chain, path):
    """Index in chain of the last patch commit that changes path, or None."""
    found = None
    for i, c in enumerate(chain):
        if git("diff", "--quiet", c + "^", c, "--", path, check=False).returncode:
            found = i
    return found


def recommit(commit, tree, parent):
    """Commit tree on parent with commit's author, date and message."""
    meta = git("log", "-1", "--format=%an%x00%ae%x00%aD%x00%B", commit).stdout
    an, ae, ad, msg = meta.split("\0", 3)
    return git("commit-tree", tree, "-p", parent, inp=msg,
               env={"GIT_AUTHOR_NAME": an, "GIT_AUTHOR_EMAIL": ae,
                    "GIT_AUTHOR_DATE": ad,
                    "GIT_COMMITTER_DATE": ad}).stdout.strip()


def export():
    """Copy overlay edits to the repo and fold base-file edits into patches.

    Overlay paths (not in the patched tree): copied to the repo as they are in
    the work tree; deleted ones are deleted.  Base paths with uncommitted
    changes are folded into the last patch that touches them.  Commits made
    on top of the overlay commit become new patches at the end of the series
    (their overlay parts are taken as files).
    """
    for ref in ("refs/zcrx/base", "refs/zcrx/patched", "refs/zcrx/overlay"):
        if not rev(ref):
            raise TreeError("out/linux was not assembled by 'make tree'")
    base, patched, overlay = (rev(r) for r in
                              ("refs/zcrx/base", "refs/zcrx/patched",
                               "refs/zcrx/overlay"))
    if git("merge-base", "--is-ancestor", overlay, "HEAD", check=False).returncode:
        raise TreeError("HEAD in out/linux does not contain the overlay commit; "
                        "rebase your commits onto refs/zcrx/overlay")
    names = read_series()
    chain = git("rev-list", "--reverse", f"{base}..{patched}").stdout.split()
    if len(chain) != len(names):
        raise TreeError("out/linux is out of date with patches/series; "
                        "run 'make tree' first")
    base_paths = tree_paths(patched)

    # Everything in the work tree, committed or not, relative to the overlay.
    with tempfile.TemporaryDirectory() as d:
        idx = os.path.join(d, "index")
        shutil.copy(os.path.join(LINUX, ".git", "index"), idx)
        env = {"GIT_INDEX_FILE": idx}
        add_all(env)
        changed = git("diff", "--cached", "-z", "--name-status", "--no-renames",
                      overlay, env=env).stdout
    parts = changed.split("\0")
    entries = list(zip(parts[0::2], parts[1::2]))

    new_commits = git("rev-list", "--reverse", f"{overlay}..HEAD").stdout.split()
    committed = set()
    for c in new_commits:
        committed |= set(git("diff", "--name-only", c + "^", c).stdout.split())

    copied = removed = 0
    fold = {}
    for status, path in entries:
        if path in base_paths:
            continue
        if not path.split("/", 1)[0] in OVERLAY_DIRS:
            raise TreeError(f"{path}: new files belong under one of "
                            f"{', '.join(OVERLAY_DIRS)}")
        src, dst = os.path.join(LINUX, path), os.path.join(TOP, path)
        if status == "D":
            if os.path.exists(dst):
                os.unlink(dst)
                removed += 1
            continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst)
        copied += 1

    # Uncommitted edits to base paths: fold into the last patch touching them.
    unstaged = git("diff", "-z", "--name-only", "HEAD").stdout.split("\0")
    for path in filter(None, unstaged):
        if path not in base_paths:
            continue
        if path in committed:
            raise TreeError(f"{path}: has both committed and uncommitted "
                            "edits; commit or stash the rest")
        i = last_toucher(chain, path)
        if i is None:
            raise TreeError(
                f"{path}: no patch in the series changes this file. Commit "
                "the edit in out/linux (git commit, with a subject and a "
                "rationale) and run 'make export' again: it becomes a new patch.")
        fold.setdefault(i, []).append(path)

    # Rebuild the chain with folded edits, then append new commits' base parts.
    new_chain = []
    parent = base
    with tempfile.TemporaryDirectory() as d:
        env = {"GIT_INDEX_FILE": os.path.join(d, "index")}
        replace = {}
        for i, c in enumerate(chain):
            for path in fold.get(i, []):
                full = os.path.join(LINUX, path)
                if os.path.exists(full):
                    blob = git("hash-object", "-w", "--", path).stdout.strip()
                    mode = "100755" if os.access(full, os.X_OK) else "100644"
                    replace[path] = f"{mode} {blob}\t{path}\n"
                else:
                    replace[path] = f"0 {'0' * 40}\t{path}\n"
            git("read-tree", c, env=env)
            if replace:
                git("update-index", "--index-info", env=env,
                    inp="".join(replace.values()))
            parent = recommit(c, git("write-tree", env=env).stdout.strip(),
                              parent)
            new_chain.append(parent)
        for c in new_commits:
            base_files = [p for p in git("diff", "--name-only", c + "^", c)
                          .stdout.split() if p in base_paths]
            if not base_files:
                continue
            git("read-tree", parent, env=env)
            diff = git("diff", "--binary", c + "^", c, "--", *base_files).stdout
            p = git("apply", "--cached", env=env, inp=diff, check=False)
            if p.returncode:
                raise TreeError(f"commit {c[:12]} does not apply on the series:"
                                f"\n{p.stderr.strip()}")
            parent = recommit(c, git("write-tree", env=env).stdout.strip(),
                              parent)
            new_chain.append(parent)

    write_series(names, new_chain)
    log(f"export: {copied} overlay file(s) copied, {removed} removed, "
        f"{sum(len(v) for v in fold.values())} edit(s) folded into patches, "
        f"{len(new_chain) - len(chain)} new patch(es)")
    # The work tree already holds the exported content: the next
    # 'make tree' only moves HEAD onto the re-assembled commits.
    git("config", "--unset", "zcrx.serieskey", check=False)
    log("run 'make tree' to re-assemble out/linux from the repo (writes nothing)")


def write_series(names, chain):
    if not chain:
        return
    with tempfile.TemporaryDirectory() as d:
        git("format-patch", "-q", "--no-signature", "--zero-commit",
            "--no-numbered", "-o", d, f"{chain[0]}^..{chain[-1]}")
        made = sorted(os.listdir(d))
        if len(made) != len(chain):
            raise TreeError("format-patch produced an unexpected number of files")
        out = []
        for i, f in enumerate(made):
            if i < len(names):
                name = names[i]
            else:
                name = f"{i + 1:04d}-" + re.sub(r"^\d{4}-", "", f)
            with open(os.path.join(d, f)) as src, \
                    open(os.path.join(PATCHES, name), "w") as dst:
                dst.write(src.read())
            out.append(name)
    header = ""
    if os.path.exists(SERIES):
        with open(SERIES) as f:
            header = "".join(l for l in f if l.startswith("#"))
    with open(SERIES, "w") as f:
        f.write(header + "".join(n + "\n" for n in out))


def main(argv):
    try:
        if len(argv) == 4 and argv[1] == "assemble":
            assemble(argv[2], argv[3])
        elif len(argv) == 2 and argv[1] == "export":
            export()
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except TreeError as e:
        print(f"tree: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
