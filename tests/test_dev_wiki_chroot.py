"""scripts/dev-wiki's chroot helper (every PHP process of a MediaWiki 1.43 wiki, and the Debian root's
build, run through it) inside a plain chroot, whose / is a directory and not a mount point: there
`unshare --propagation private` cannot work.

Each test builds, in a mount namespace of its own, an outer chroot (this machine's /usr, /etc, /dev
and /proc bound into a plain directory, with the repository at its own path) holding a tiny inner
"Debian root" and a wiki directory, and runs dev-wiki's helper inside the outer chroot as a
`scripts/dev-wiki` there would.  A few hundred milliseconds each, on both CI legs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.wiki,  # the chroot the 1.43 leg runs in: run there too
    pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("chroot") is None,
                       reason="needs root, unshare and chroot"),
]

# Runs in the test's own mount namespace: build the outer chroot, run the helper in it, then list the
# mounts under the outer chroot that are left behind (by mount propagation) in this namespace.
HARNESS = r"""
set -e
scratch=$1 outer=$1/outer repo=$2 shared=$3
if [ "$shared" = yes ]; then  # like a systemd host: / is shared, so mounts propagate to its peers
    mount --bind "$scratch" "$scratch"
    mount --make-shared "$scratch"
fi
mount --rbind /usr "$outer/usr"
mount --bind /etc "$outer/etc"
mount --rbind /dev "$outer/dev"
mount -t proc proc "$outer/proc"
mount --bind "$repo" "$outer$repo"
mount --bind /usr "$outer/roots/inner/usr"
before=$(grep -c "$outer" /proc/self/mountinfo)
status=0
chroot "$outer" /usr/bin/python3 - < "$scratch/helper.py" || status=$?
after=$(grep -c "$outer" /proc/self/mountinfo)
echo "mounts left behind: $((after - before))"
exit $status
"""

# Runs in the outer chroot, as scripts/dev-wiki would.
HELPER = """
import importlib.machinery, sys
dev_wiki = importlib.machinery.SourceFileLoader("dev_wiki", {dev_wiki!r}).load_module()
from pathlib import Path
probe = "test ! -e /roots && test -c /dev/null && test -r /proc/self/stat && pwd && cat page.txt"
try:
    print(dev_wiki.run(dev_wiki.in_root(Path("/roots/inner"), ["sh", "-c", probe], Path("/wiki")), "the probe"),
          end="")
except dev_wiki.DevWikiError as exc:
    print(f"dev-wiki: error: {{exc}}", file=sys.stderr)
    sys.exit(1)
"""


def run_in_plain_chroot(scratch: Path, *, shared: bool) -> subprocess.CompletedProcess[str]:
    outer = scratch / "outer"
    for folder in ("usr", "etc", "dev", "proc", "tmp", "wiki", "roots/inner/usr", "roots/inner/dev",
                   "roots/inner/proc", "roots/inner/srv/devwiki", str(REPO).lstrip("/")):
        (outer / folder).mkdir(parents=True, exist_ok=True)
    for link in ("bin", "lib", "lib64", "sbin"):
        (outer / link).symlink_to(f"usr/{link}")
        (outer / "roots" / "inner" / link).symlink_to(f"usr/{link}")
    (outer / "wiki" / "page.txt").write_text("the wiki's own page\n")
    (scratch / "helper.py").write_text(HELPER.format(dev_wiki=str(REPO / "scripts" / "dev-wiki")))
    return subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", HARNESS, "harness",
         str(scratch), str(REPO), "yes" if shared else "no"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)


def test_the_chroot_helper_works_where_slash_is_not_a_mount_point(tmp_path: Path) -> None:
    result = run_in_plain_chroot(tmp_path, shared=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["/srv/devwiki", "the wiki's own page", "mounts left behind: 0"]


def test_where_its_mounts_would_show_outside_it_says_so_in_one_line(tmp_path: Path) -> None:
    result = run_in_plain_chroot(tmp_path, shared=True)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("dev-wiki: error: ")
    assert "not a mount point" in lines[0] and "mount --bind" in lines[0]
    assert result.stdout.splitlines() == ["mounts left behind: 0"]
